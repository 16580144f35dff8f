"""Across every shared corpus post, s2twp conversion changes no byte of URLs, code, tags or front matter keys (issue 4).

The protected pieces are found here with regular expressions of their own,
independent of the converter's span finder, in the input and in the output,
and compared.
"""

from __future__ import annotations

import difflib
import re
from functools import cache
from pathlib import Path

import pytest

from postkit.traditional.post import DEFAULT_FRONT_MATTER_KEYS, FrontMatterError, get_converter
from postkit.traditional.protected import html_text_spans, markdown_text_spans, scan_as_html

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
REFERENCE_POST = (
    CORPUS / "rsshub/Rock-Candy-Tea/source/_posts/新媒体/高科技行业门户/新闻/二上美国_黑名单_，商汤坚定推进香港上市发行.md"
)
_FRONT_MATTER_RE = re.compile(r"\A\s*---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)

_URL_RE = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*:)?//[^\s\"'<>()\[\]{}|\u3000-\u303f\uff00-\uffef]+")
_TAG_RE = re.compile(r"<[A-Za-z/!?][^>]*>")
_TEXT_ATTRIBUTE_RE = re.compile(r"(\s(?:alt|title)\s*=\s*)(\"[^\"]*\"|'[^']*'|[^\s>]+)", re.IGNORECASE)
_CODE_ELEMENT_RE = re.compile(r"<(pre|code|script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_FENCE_RE = re.compile(r"^ {0,3}(```|~~~).*?^ {0,3}\1", re.MULTILINE | re.DOTALL)
_CODE_SPAN_RE = re.compile(r"(?<!`)`[^`\n]+`(?!`)")
_HEXO_RE = re.compile(r"\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
_TOP_LEVEL_KEY_RE = re.compile(r"^([^\s#-][^:]*):")


def _posts() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(CORPUS.rglob("*.md"))


def _split(text: str) -> tuple[str, str, str]:
    """(text before the YAML, YAML, body)."""
    match = _FRONT_MATTER_RE.match(text)
    if match is None:
        return "", "", text
    yaml_start = match.start(1) if match.group(1) is not None else match.end()
    return text[:yaml_start], match.group(1) or "", text[match.end() :]


@cache
def _converted(path: Path) -> tuple[str, str, str, str, bool]:
    """(front matter, body, converted front matter, converted body, front matter was editable)."""
    converter = get_converter("s2twp")
    _before, front_matter, body = _split(path.read_text(encoding="utf-8"))
    try:
        converted_front_matter = converter.convert_front_matter(front_matter)
        editable = True
    except FrontMatterError:
        converted_front_matter, editable = front_matter, False
    # With the region's quotation marks (s2twp's default): 「」 must never reach a protected span either.
    spans = html_text_spans(body) if scan_as_html(body) else markdown_text_spans(body)
    return front_matter, body, converted_front_matter, converter.convert_spans(body, spans, punctuation=True), editable


def _protected_pieces(body: str) -> dict[str, list[str]]:
    return {
        "urls": _URL_RE.findall(body),
        "tags": [_TEXT_ATTRIBUTE_RE.sub(r"\1…", tag) for tag in _TAG_RE.findall(body)],
        "code elements": [match.group() for match in _CODE_ELEMENT_RE.finditer(body)],
        "fenced code": [match.group() for match in _FENCE_RE.finditer(body)],
        "code spans": _CODE_SPAN_RE.findall(body),
        "hexo tags": _HEXO_RE.findall(body),
    }


def _front_matter_lines(front_matter: str) -> list[tuple[str, str]]:
    """(top-level key the line belongs to, line) for every line."""
    owner = ""
    lines = []
    for line in front_matter.splitlines(keepends=True):
        key = _TOP_LEVEL_KEY_RE.match(line)
        if key is not None:
            owner = key.group(1).strip().strip("'\"")
        lines.append((owner, line))
    return lines


pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS}")


@pytest.mark.parametrize("path", _posts(), ids=lambda path: str(path.relative_to(CORPUS)))
def test_no_byte_of_urls_code_tags_or_hexo_tags_changes(path):
    _front_matter, body, _converted_front_matter, converted_body, _editable = _converted(path)
    before, after = _protected_pieces(body), _protected_pieces(converted_body)
    for kind in before:
        assert after[kind] == before[kind], f"{kind} changed"
    assert len(converted_body.splitlines()) == len(body.splitlines())
    assert "\ue000" not in converted_body and "\ue001" not in converted_body


@pytest.mark.parametrize("path", _posts(), ids=lambda path: str(path.relative_to(CORPUS)))
def test_front_matter_keys_and_unlisted_values_keep_every_byte(path):
    front_matter, _body, converted_front_matter, _converted_body, _editable = _converted(path)
    before, after = _front_matter_lines(front_matter), _front_matter_lines(converted_front_matter)
    assert len(after) == len(before)
    for (key, line), (converted_key, converted_line) in zip(before, after):
        assert converted_key == key
        if key not in DEFAULT_FRONT_MATTER_KEYS:
            assert converted_line == line, f"value of {key!r} changed"


def test_simplified_posts_are_converted_and_traditional_posts_are_left_nearly_alone():
    # Common characters that only one of the scripts writes.
    simplified = set("这们个说时会过还发现对为来国")
    traditional = set("這們個說時會過還發現對為來國")
    results = {path: _converted(path) for path in _posts()}

    def leaning(body: str) -> int:
        return sum(character in traditional for character in body) - sum(character in simplified for character in body)

    simplified_posts = [path for path, result in results.items() if leaning(result[1]) < 0]
    traditional_posts = [path for path, result in results.items() if leaning(result[1]) > 0]
    assert len(simplified_posts) > 250
    assert len(traditional_posts) > 20
    assert [path for path in simplified_posts if results[path][3] == results[path][1]] == []
    # s2t: s2twp's regional stages (用戶 → 使用者) apply to Traditional text
    # as OpenCC's do; what must not happen is respelling it (台灣 → 臺灣).
    s2t = get_converter("s2t")
    for path in traditional_posts:
        body = results[path][1]
        converted_body = s2t.convert_body(body)
        # Counted as an edit, not position by position.
        matcher = difflib.SequenceMatcher(None, body, converted_body, autojunk=False)
        changed = sum(
            max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"
        )
        assert changed <= 0.01 * len(body), f"{path.name}: {changed} characters changed"
        # s2twp over Traditional text would write 幹擾 for 干擾 and 鼕鼕 for the name 冬冬.
        assert converted_body.count("幹擾") == body.count("幹擾")
    assert sum(result[4] for result in results.values()) > len(results) * 0.9

    front_matter, body, converted_front_matter, converted_body, _editable = results[REFERENCE_POST]
    assert "title: '二上美國_黑名單_，商湯堅定推進香港上市發行'" in converted_front_matter
    assert "商湯科技原計劃中的香港上市發行定價日" in converted_body
    # Alt text is text readers see, so it takes Taiwan's quotation marks too.
    assert 'alt="二上美國「黑名單」，商湯堅定推進香港上市發行"' in converted_body


@pytest.mark.parametrize("path", _posts()[::7], ids=lambda path: str(path.relative_to(CORPUS)))
def test_copy_front_matter_stays_valid_yaml_with_lang_set(path):
    import yaml

    front_matter, _body, _converted_front_matter, _converted_body, editable = _converted(path)
    if not editable:
        pytest.skip("front matter is not YAML postkit can edit")
    converted_front_matter, _converted_body = get_converter("s2twp").convert_post(front_matter, _body)
    original = yaml.safe_load(front_matter) or {}
    copy = yaml.safe_load(converted_front_matter)
    assert copy["lang"] == "zh-TW"
    assert set(copy) == set(original) | {"lang"}
    for key in set(original) - set(DEFAULT_FRONT_MATTER_KEYS) - {"lang"}:
        assert copy[key] == original[key]
