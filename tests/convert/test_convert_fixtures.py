"""Conversion cases as fixture files: tests/convert/fixtures/*.md, read by one parametrized test.

Each case is a title line, then ".", the HTML body, ".", the expected Markdown, "." (the layout
of mdformat's tests/data). An optional third block, right after the Markdown's closing "." and
also closed by ".", is the HTML that the Markdown renders to with markdown-it set up as Hexo's
marked (CommonMark, breaks: true, GFM tables and strikethrough). Cases are separated by a blank
line. An HTML comment "<!-- base_url: URL -->" opening the input passes base_url. Adding a case
means adding text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from postkit.convert.html_to_markdown import html_to_markdown, looks_like_html

FIXTURES = Path(__file__).parent / "fixtures"
BASE_URL = re.compile(r"\A<!-- base_url: (\S+) -->")
HEXO_LIKE = MarkdownIt("commonmark", {"html": True, "breaks": True}).enable(["table", "strikethrough"])


def read_cases(path: Path) -> list[tuple[str, str, str, str | None, int]]:
    """(title, html, markdown, rendered HTML or None, line number) for each case of a fixture file."""
    lines = path.read_text(encoding="utf-8").split("\n")
    cases, index = [], 0

    def block(index: int) -> tuple[str, int]:
        text = []
        while lines[index] != ".":
            text.append(lines[index])
            index += 1
        return "\n".join(text), index + 1

    while index < len(lines):
        if not lines[index].strip():
            index += 1
            continue
        title, start = lines[index], index + 1
        if lines[start] != ".":
            raise ValueError(f"{path.name}:{start + 1}: expected '.' after the title {title!r}")
        html, index = block(start + 1)
        markdown, index = block(index)
        rendered = None
        if index < len(lines) and lines[index].strip():
            rendered, index = block(index)
        cases.append((title, html, markdown, rendered, start))
    return cases


CASES = [
    pytest.param(html, markdown, rendered, id=f"{path.stem}:{line}:{title}")
    for path in sorted(FIXTURES.glob("*.md"))
    for title, html, markdown, rendered, line in read_cases(path)
]


@pytest.mark.parametrize(("html", "expected", "rendered"), CASES)
def test_converts_to_expected_markdown(html: str, expected: str, rendered: str | None) -> None:
    match = BASE_URL.match(html)
    markdown = html_to_markdown(html, base_url=match.group(1) if match else None)
    assert markdown == expected + "\n"
    if rendered is not None:
        assert HEXO_LIKE.render(markdown).rstrip("\n") == rendered
    # the output is Markdown, so converting it again changes nothing
    assert not looks_like_html(markdown)
    assert html_to_markdown(markdown) == markdown


def test_every_md_case_of_shared_cases_has_a_fixture() -> None:
    titles = [case[0] for path in FIXTURES.glob("*.md") for case in read_cases(path)]
    for case in ("B01", "B03", "B04", "B06", "B07", "B08", "B09", "B10", "B11", "B12", "B13", "B14", "B17", "C01", "C03"):
        assert any(title.startswith(f"{case}:") for title in titles), f"no fixture case is titled {case}"


def test_every_kind_of_what_a_reader_sees_has_rendered_cases() -> None:
    kinds = ("lazy-images", "srcset", "spanned-tables", "breaks-kept", "inline-code-templates", "protected-email", "ruby")
    for kind in kinds:
        cases = read_cases(FIXTURES / f"{kind}.md")
        assert cases and all(rendered is not None for _, _, _, rendered, _ in cases), kind
