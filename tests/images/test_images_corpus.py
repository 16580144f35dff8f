"""The real corpus, offline: every image reference is collected at its true line and column, and nothing crashes (issue 5)."""

from __future__ import annotations

import html
import json
import re

import pytest
from images_helpers import images_runner

from postkit.core.document import ReadError, read_document
from postkit.images.collect import collect

REFERENCE_POST = "rsshub/Rock-Candy-Tea/source/_posts/新媒体/高科技行业门户/新闻/二上美国_黑名单_，商汤坚定推进香港上市发行.md"
# An independent reading of the corpus's <img> tags: one regex per tag, then
# one per URL attribute. The corpus quotes every attribute value.
IMG_TAG = re.compile(r"<img\b[^>]*>", re.I)
URL_ATTRIBUTE = re.compile(
    r"""\s(src|data-src|data-original|data-lazy-src|data-actualsrc|data-original-src)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.I
)


def oracle_positions(document) -> set[tuple[int, int]]:
    found = set()
    for tag in IMG_TAG.finditer(document.text):
        seen = set()
        for match in URL_ATTRIBUTE.finditer(tag.group(0)):
            name = match.group(1).lower()
            if name in seen:
                continue  # the first of two same-named attributes wins, as in browsers
            seen.add(name)
            group = 2 if match.group(2) is not None else 3
            value = match.group(group)
            if value.strip() and not value.strip().lower().startswith(("data:", "about:")):
                lead = len(value) - len(value.lstrip())
                found.add(document.position(tag.start() + match.start(group) + lead))
    return found


def test_corpus_references_are_collected_at_their_true_place(corpus):
    total = 0
    for path in sorted(corpus.rglob("*.md")):
        try:
            document = read_document(path)
        except ReadError:
            continue
        refs = collect(document)
        total += len(refs)
        for ref in refs:
            offset = document.offset(ref.line, ref.col)
            written = html.unescape(document.text[offset : offset + 3 * len(ref.url) + 40])
            assert written.startswith(ref.url), (str(path), ref)
        img_attributes = {(r.line, r.col) for r in refs if r.source_kind in ("img-src", "img-lazy", "img-in-code") and r.attribute != "srcset"}
        assert img_attributes == oracle_positions(document), str(path)
    assert total > 3000


def test_reference_post_images_exactly(corpus):
    document = read_document(corpus / REFERENCE_POST)
    refs = collect(document)
    assert [(r.line, r.col, r.source_kind, r.attribute, r.referrer_policy) for r in refs] == [
        (8, 11, "front-matter", "headimg", None),
        (12, 13, "front-matter", "thumbnail", None),
        (16, 40, "img-src", "src", "no-referrer"),
        (16, 1643, "img-src", "src", "no-referrer"),
        (16, 4018, "img-src", "src", "no-referrer"),
        (16, 4349, "img-src", "src", "no-referrer"),
        (16, 5499, "img-src", "src", "no-referrer"),
        (16, 6582, "img-src", "src", "no-referrer"),
        (16, 8318, "img-src", "src", "no-referrer"),
        (16, 9328, "img-src", "src", "no-referrer"),
    ]
    assert refs[0].url == refs[1].url == refs[2].url == "https://mp.ofweek.com/Upload/News/Img/member47045/202112/13212950566556.png"


def test_corpus_offline_run_is_clean_of_crashes(corpus, tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.chdir(tmp_path)  # nothing may be written into the read-only corpus
    result = images_runner()(str(corpus), "--offline", "--format", "json")
    assert result.exit_code in (0, 1), result.stderr
    data = json.loads(result.stdout)
    assert data["summary"]["files"] == len(list(corpus.rglob("*.md")))
    assert not [d for d in data["diagnostics"] if d["code"] == "IMG000"]  # every post was read
    assert {d["code"] for d in data["diagnostics"]} <= {"IMG304", "IMG007", "IMG003", "IMG305"}
    assert "remote images not checked (--offline)" in result.stderr
    assert not list(tmp_path.iterdir())  # offline: no cache folder either


@pytest.mark.parametrize("fmt", ["full", "concise", "github", "sarif", "markdown"])
def test_corpus_offline_every_format(corpus, tmp_path, monkeypatch, fmt):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.chdir(tmp_path)
    result = images_runner()(str(corpus / "rsshub"), "--offline", "--format", fmt)
    assert result.exit_code in (0, 1) and result.stdout
