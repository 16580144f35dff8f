"""Converting twice changes nothing: generated HTML bodies, with LF, CRLF and CR line endings.

A second ``convert`` (the pre-commit hook on the next commit, or ``--check`` after ``--in-place``)
must take postkit's own Markdown for Markdown: fenced code holding HTML, code spans of any
backtick run holding tags, and raw <code>/<br> must never turn the output back into "HTML".
2,000 examples with a fixed seed (derandomize), each small, so the run stays short.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postkit.convert.html_to_markdown import html_to_markdown, looks_like_html
from postkit.convert.post import convert_post
from postkit.core.batch import Skip
from postkit.core.document import Document

NEWLINES = ["\n", "\r\n", "\r"]
# A whole post's front matter needs LF or CRLF lines (postkit reads a CR-only file as one line);
# bodies are tested with all three.
POST_NEWLINES = ["\n", "\r\n"]
# Text that stresses escaping and detection: markup look-alikes, template braces, backticks, CJK.
WORDS = [
    "文字", "重点", "a", "snake_case", "2*3", "x_y_", "[链接]", "1.", "# 题", "- 项", "> 引", "|", "~",
    "&lt;div&gt;", "&lt;tr&gt;&lt;td&gt;", "&lt;p&gt;hi&lt;/p&gt;", "&amp;", "{{ a }}", "{% b %}", "`", "``", "\\",
    "&#123;&#123;", "<", ">", "“引号”", "：", "。", "\n", "  ", "\n\n",
]
text = st.lists(st.sampled_from(WORDS), min_size=1, max_size=4).map("".join)
code_text = st.lists(st.sampled_from(WORDS + ["<div>", "</div>", "```", "~~~", "\n    "]), min_size=1, max_size=5).map("".join)
urls = st.sampled_from(["https://example.cn/a.png", "/uploads/b.jpg", "https://example.cn/c_fill,w_640/d.jpg", "data:image/gif;base64,R0l="])


def wrap(tag: str):
    return lambda inner: f"<{tag}>{inner}</{tag}>"


def inline_code(body: str) -> str:
    return "<code>" + body.replace("<", "&lt;").replace(">", "&gt;") + "</code>"


leaf = st.one_of(
    text,
    code_text.map(inline_code),
    urls.map(lambda url: f'<img src="{url}" alt="图">'),
    urls.map(lambda url: f'<img src="data:image/gif;base64,R0l=" data-src="{url}">'),
    st.just("<br>"),
    code_text.map(lambda body: "<pre><code>" + body.replace("&", "&amp;").replace("<", "&lt;") + "</code></pre>"),
)


def table(rows: list[list[str]]) -> str:
    head = "<tr>" + "".join(f"<th>{cell}</th>" for cell in rows[0]) + "</tr>"
    body = "".join("<tr>" + "".join(f'<td rowspan="2">{cell}</td>' if i == 0 and r == 0 else f"<td>{cell}</td>" for i, cell in enumerate(row)) + "</tr>" for r, row in enumerate(rows[1:]))
    return f"<table>{head}{body}</table>"


def extend(children):
    many = st.lists(children, min_size=1, max_size=3).map("".join)
    return st.one_of(
        many.map(wrap("p")), many.map(wrap("div")), many.map(wrap("strong")), many.map(wrap("em")),
        many.map(wrap("blockquote")), many.map(wrap("h2")),
        st.lists(many.map(wrap("li")), min_size=1, max_size=3).map("".join).map(wrap("ul")),
        st.lists(many.map(wrap("li")), min_size=1, max_size=3).map("".join).map(wrap("ol")),
        many.map(lambda inner: f'<a href="https://example.cn/p?a=1&amp;b=2">{inner}</a>'),
        st.lists(st.lists(children, min_size=2, max_size=2), min_size=2, max_size=3).map(table),
    )


html_bodies = st.recursive(leaf, extend, max_leaves=10)


@settings(max_examples=2000, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=html_bodies, newline=st.sampled_from(NEWLINES))
def test_converting_the_output_again_changes_nothing(body: str, newline: str) -> None:
    html = "<p>开头</p>" + body.replace("\n", newline)
    markdown = html_to_markdown(html)
    for style in NEWLINES:
        again = markdown.replace("\n", style)
        assert not looks_like_html(again), again
        assert html_to_markdown(again) == again


@settings(max_examples=300, derandomize=True, deadline=None)
@given(body=html_bodies, newline=st.sampled_from(POST_NEWLINES))
def test_a_converted_post_is_skipped_by_the_next_run(body: str, newline: str) -> None:
    post = ("---\ntitle: 例\n---\n" + "<p>开头</p>" + body).replace("\r", "").replace("\n", newline)
    converted, _ = convert_post(Document.from_text(post))
    with pytest.raises(Skip):
        convert_post(Document.from_text(converted))


@pytest.mark.parametrize("newline", POST_NEWLINES)
def test_a_code_block_holding_html_survives_a_second_run(newline: str) -> None:
    post = "---\ntitle: 例\n---\n<p>示例：</p><pre><code>&lt;div&gt;\n&lt;p&gt;hi&lt;/p&gt;\n&lt;/div&gt;</code></pre>".replace("\n", newline)
    converted, _ = convert_post(Document.from_text(post))
    assert f"```{newline}<div>{newline}<p>hi</p>{newline}</div>{newline}```" in converted
    with pytest.raises(Skip):
        convert_post(Document.from_text(converted))


@pytest.mark.parametrize("newline", POST_NEWLINES)
def test_a_double_backtick_span_holding_tags_survives_a_second_run(newline: str) -> None:
    post = "---\ntitle: 例\n---\n<p>写 <code>a`&lt;tr&gt;&lt;td&gt;</code> 与 <code>&lt;table&gt;</code></p>".replace("\n", newline)
    converted, _ = convert_post(Document.from_text(post))
    assert "`` a`<tr><td> ``" in converted
    with pytest.raises(Skip):
        convert_post(Document.from_text(converted))


@pytest.mark.parametrize("newline", NEWLINES)
def test_a_body_with_code_holding_html_is_markdown_whatever_its_line_endings(newline: str) -> None:
    markdown = html_to_markdown("<p>例</p><pre><code>&lt;div&gt;\n&lt;p&gt;hi&lt;/p&gt;\n&lt;/div&gt;</code></pre><p>写 <code>a`&lt;tr&gt;</code></p>")
    assert markdown == "例\n\n```\n<div>\n<p>hi</p>\n</div>\n```\n\n写 `` a`<tr> ``\n"
    again = markdown.replace("\n", newline)
    assert html_to_markdown(again) == again
