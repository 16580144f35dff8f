"""Conversion cases as fixture files: tests/convert/fixtures/*.md, read by one parametrized test.

Each case is a title line, then ".", the HTML body, ".", the expected Markdown, "." (the layout
of mdformat's tests/data). An HTML comment "<!-- base_url: URL -->" opening the input passes
base_url. Adding a case means adding text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from postkit.convert.html_to_markdown import html_to_markdown, looks_like_html

FIXTURES = Path(__file__).parent / "fixtures"
BASE_URL = re.compile(r"\A<!-- base_url: (\S+) -->")


def read_cases(path: Path) -> list[tuple[str, str, str, int]]:
    """(title, html, markdown, line number) for each case of a fixture file."""
    lines = path.read_text(encoding="utf-8").split("\n")
    cases, index = [], 0
    while index < len(lines):
        if not lines[index].strip():
            index += 1
            continue
        title, start = lines[index], index + 1
        if lines[start] != ".":
            raise ValueError(f"{path.name}:{start + 1}: expected '.' after the title {title!r}")
        blocks, index = [], start + 1
        for _ in range(2):
            block = []
            while lines[index] != ".":
                block.append(lines[index])
                index += 1
            blocks.append("\n".join(block))
            index += 1
        cases.append((title, blocks[0], blocks[1], start))
    return cases


CASES = [
    pytest.param(html, markdown, id=f"{path.stem}:{line}:{title}")
    for path in sorted(FIXTURES.glob("*.md"))
    for title, html, markdown, line in read_cases(path)
]


@pytest.mark.parametrize(("html", "expected"), CASES)
def test_converts_to_expected_markdown(html: str, expected: str) -> None:
    match = BASE_URL.match(html)
    markdown = html_to_markdown(html, base_url=match.group(1) if match else None)
    assert markdown == expected + "\n"
    # the output is Markdown, so converting it again changes nothing
    assert not looks_like_html(markdown)
    assert html_to_markdown(markdown) == markdown


def test_every_md_case_of_shared_cases_has_a_fixture() -> None:
    titles = [title for path in FIXTURES.glob("*.md") for title, _, _, _ in read_cases(path)]
    for case in ("B01", "B03", "B04", "B06", "B07", "B08", "B09", "B10", "B11", "B12", "B13", "B14", "B17"):
        assert any(title.startswith(f"{case}:") for title in titles), f"no fixture case is titled {case}"
