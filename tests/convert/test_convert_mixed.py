"""A body that is mostly HTML but holds Markdown blocks outside its HTML blocks: the Markdown survives as written."""

from __future__ import annotations

import re

import pytest
from conftest import run_postkit, write
from markdown_it import MarkdownIt

from postkit.core.document import Document
from postkit.convert.post import convert_post

HEXO_LIKE = MarkdownIt("commonmark", {"html": True, "breaks": True}).enable(["table", "strikethrough"])
CODE = re.compile(r"<pre><code[^>]*>.*?</code></pre>", re.S)

BODIES = [
    "<p>a</p>\n\n```\n<div>\n```\n\n<div>b</div>\n- list",
    "<p>a</p>\n\n```js\n<div>{{ y }}</div>\n```\n\n- one *x*\n- two\n\n<div><b>c</b></div>",
    "<div>x</div>\n\n# Heading *kept*\n\n<p>y</p><p>z</p>\n\n> quoted `<p>`\n\n<ul><li>html list</li></ul>",
    "<p>a</p>\n\n~~~\n<p>kept</p>\n~~~\n\n1. first\n2. second\n\n<table><tr><td>t</td></tr></table>",
]


def rendered_code(markdown: str) -> list[str]:
    return CODE.findall(HEXO_LIKE.render(markdown))


@pytest.mark.parametrize("body", BODIES)
def test_markdown_blocks_survive_and_the_result_is_stable(body):
    head = "---\ntitle: x\n---\n"
    for newline in ("\n", "\r\n"):
        source = (head + body + "\n").replace("\n", newline)
        document = Document.from_text(source)
        text, _ = convert_post(document)
        markdown = Document.from_text(text).body.replace("\r\n", "\n")
        assert text.startswith(head.replace("\n", newline))
        # every code block renders as before, and the Markdown blocks are there as written
        assert rendered_code(markdown) == rendered_code(body)
        # lines outside the HTML blocks (as CommonMark ends them: at a blank line) are kept as written;
        # '- list' right under '<div>b</div>' belongs to that HTML block, and Hexo shows it as text
        for line in body.split("\n"):
            if line.startswith(("- ", "1. ", "2. ", "# ", "> ", "```", "~~~")) and line != "- list":
                assert line in markdown.split("\n"), line
        if "- list" in body:
            assert "- list" not in markdown.split("\n") and "\\- list" in markdown
        assert "<div>" not in markdown.replace("```\n<div>", "").replace("<div>{{", "")
        # converting again changes nothing
        again = Document.from_text(text)
        try:
            assert convert_post(again)[0] == text
        except Exception as error:  # Skip: already Markdown
            assert type(error).__name__ == "Skip"


def test_cli_in_place_keeps_the_fence(tmp_path):
    post = write(tmp_path / "a.md", "---\ntitle: x\n---\n" + BODIES[0] + "\n")
    assert run_postkit("convert", "--in-place", str(post)).returncode == 0
    text = post.read_text()
    assert "```\n<div>\n```" in text and text.startswith("---\ntitle: x\n---\na\n\n")
    assert run_postkit("convert", "--check", str(post)).returncode == 0
