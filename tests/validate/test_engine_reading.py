"""The engine setting and the kinds of cases C09 (Hexo's category hierarchies) and C11 (a fence Hexo does not see)."""

from __future__ import annotations

import pytest
from conftest import CASES, run_postkit, write

from postkit.core.document import Document
from postkit.validate.engine import Selection, check_document, fix_document
from postkit.validate.reading import hexo_block, js_number, read
from postkit.validate.rules.base import Settings

ALL = Selection.build()
HEXO, JEKYLL, HUGO = Settings(), Settings(engine="jekyll"), Settings(engine="hugo")


def diagnostics(text: str, settings: Settings = HEXO):
    return check_document(Document.from_text(text, "post.md"), settings, ALL).diagnostics


def errors(text: str, settings: Settings = HEXO) -> list[str]:
    return [d.code for d in diagnostics(text, settings) if d.severity.label == "error"]


HIERARCHIES = [
    "categories:\n  - [体育, 篮球]\n  - [新闻, 国内]",
    "categories: [[体育, 篮球], [新闻, 国内]]",
    "categories:\n  - - 体育\n    - 篮球\n  - - 新闻",
    "categories:\n-  - 新媒体",
    "categories:\n  - [2021, 新闻]\n  - 其他",
    "category:\n  - [体育, 篮球]",
]


@pytest.mark.parametrize("categories", HIERARCHIES)
def test_c09_category_hierarchies_are_hexo_syntax(categories):
    text = f"---\ntitle: 多重分类\ndate: 2024-01-01T10:00:00+08:00\n{categories}\n---\n正文\n"
    assert errors(text) == []
    if "category:" not in categories:
        assert "PK103" in errors(text, JEKYLL)  # Jekyll and Hugo take no lists inside categories


@pytest.mark.parametrize(
    "categories",
    ["categories: [[体育, [篮球, 三人]]]", "categories: [[体育, 1e3]]", "categories: [{体育: 篮球}]", "tags: [[a, b]]"],
)
def test_c09_what_hexo_does_not_read_as_written_is_still_an_error(categories):
    assert errors(f"---\ntitle: t\ndate: 2024-01-01T10:00:00+08:00\n{categories}\n---\n") == ["PK103"]


@pytest.mark.parametrize("trailing", [" ", "  ", "\t", " \t"])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_c11_whitespace_after_the_opening_fence_hides_the_front_matter_from_hexo(trailing, newline):
    text = f"---{trailing}{newline}title: 尾随空格{newline}date: 2024-01-01T10:00:00+08:00{newline}---{newline}正文{newline}"
    [diagnostic] = diagnostics(text)
    assert (diagnostic.code, diagnostic.line, diagnostic.severity.label) == ("PK001", 1, "error")
    assert "Hexo finds no front matter" in diagnostic.message
    fixed, applied = fix_document(Document.from_text(text), HEXO, ALL)
    assert applied == 1
    assert fixed.text == text.replace("---" + trailing, "---", 1)  # only the fence line changes
    assert errors(fixed.text) == []
    assert errors(text, JEKYLL) == []  # Jekyll and Hugo accept the fence


@pytest.mark.parametrize(
    ("text", "readable"),
    [
        ("---\ntitle: t\n--- \n正文", True),  # trailing space on the closing fence is fine
        ("\n--- \ntitle: t\n---\n正文", True),  # after one empty line the block is read as YAML, '--- ' included
        ("\n\n---\ntitle: t\n---\n正文", False),
        (" \n---\ntitle: t\n---\n正文", False),
        ("---\ntitle: t\n...\n正文", False),
        ("title: t\n---\n正文", True),
        ("---\ntitle: t\n----\n正文", True),
        ("----\ntitle: t\n---\n正文", False),
    ],
)
def test_c11_kind_other_fence_shapes(text, readable):
    assert (hexo_block(text).span is not None and read(Document.from_text(text), "hexo").front_matter.is_mapping) is readable
    assert ("PK001" in errors(text)) is not readable


def test_c11_shared_case_input():
    case = CASES / "C11.json"
    if not case.exists():
        pytest.skip("../shared/cases is absent")
    import json

    text = json.loads(case.read_text(encoding="utf-8"))["input"]
    assert errors(text) == ["PK001"]


def test_c09_shared_case_input():
    case = CASES / "C09.json"
    if not case.exists():
        pytest.skip("../shared/cases is absent")
    import json

    assert errors(json.loads(case.read_text(encoding="utf-8"))["input"]) == []


def test_json_front_matter_is_read_as_hexo_reads_it():
    good = ';;;\n"title": "标题",\n"date": "2021-12-14 10:53:00",\n"tags": [2021]\n;;;\n正文\n'
    assert errors(good) == []
    broken = ';;;\n"title": "标题",\n"date": "2021-12-14 10:53:00",\n;;;\n正文\n'
    [diagnostic] = [d for d in diagnostics(broken) if d.severity.label == "error"]
    assert diagnostic.code == "PK002" and "not JSON" in diagnostic.message


@pytest.mark.parametrize(
    ("number", "text"),
    [(1000.0, "1000"), (0.002, "0.002"), (1e21, "1e+21"), (1e-7, "1e-7"), (0.000001, "0.000001"), (123.456, "123.456"), (-0.0, "0"), (2**60, "1152921504606847000")],
)
def test_numbers_are_shown_as_javascript_shows_them(number, text):
    assert js_number(number) == text


def test_engine_is_a_config_key(tmp_path):
    post = write(tmp_path / "a.md", "---\ntitle: no\ndate: 2021-01-01T00:00:00Z\n---\n")
    assert run_postkit("validate", str(post)).returncode == 0  # Hexo reads 'no' as written: a warning
    write(tmp_path / "pyproject.toml", '[tool.postkit]\nengine = "jekyll"\n')
    assert run_postkit("validate", str(post)).returncode == 1  # Jekyll shows false
    write(tmp_path / "pyproject.toml", '[tool.postkit]\nengine = "gatsby"\n')
    result = run_postkit("validate", str(post))
    assert result.returncode == 2 and "'engine'" in result.stderr


def test_mutated_posts_end_in_diagnostics_never_a_traceback():
    import random

    from test_hexo_differential import variants

    rng = random.Random(2026)
    texts = [variant.text for variant in variants()]
    pieces = ["---", "\n", "\r\n", "\t", " ", ":", "'", '"', "[", "{{", "{#", "{%", "%}", ";;;", "&a", "*a", "<<", "- ", "\ufeff", "0o", "2020-13-45", "_", "“", "```"]
    engines = [HEXO, JEKYLL, HUGO, Settings(timezone="Asia/Shanghai")]
    for _ in range(1500):
        text = rng.choice(texts)
        for _ in range(rng.randint(1, 4)):
            at = rng.randint(0, len(text))
            text = text[:at] + rng.choice(pieces) + text[at:] if rng.random() < 0.5 else text[:at] + text[at + rng.randint(1, 5) :]
        settings = rng.choice(engines)
        document = Document.from_text(text, "post.md")
        check_document(document, settings, ALL)
        fixed, _ = fix_document(document, settings, ALL, unsafe=True)
        last_line = document.text.rstrip("\n").rsplit("\n", 1)[-1]
        assert fixed.text.rstrip("\n").endswith(last_line) or any(
            d.code == "PK501" for d in check_document(document, settings, ALL).diagnostics
        )  # only the template fix touches the body's text
