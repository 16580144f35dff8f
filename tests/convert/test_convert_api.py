"""html_to_markdown's contract: Markdown detection, determinism, and bad input without tracebacks."""

from __future__ import annotations

import time

import pytest

from postkit.convert.html_to_markdown import ConversionError, html_to_markdown, looks_like_html


@pytest.mark.parametrize(
    "body",
    [
        "<p>正文</p>",
        '<div class="content"><p>一</p><p>二</p></div>',
        '<img src="https://e.cn/a.png"><br>说明',
        "[标题](https://e.cn/a)\n------\n\n<div><p>一</p><p>二</p><p>三</p></div>",
        "<section><h2>小节</h2><ul><li>项</li></ul></section>",
    ],
)
def test_html_bodies_are_detected(body: str) -> None:
    assert looks_like_html(body)


@pytest.mark.parametrize(
    "body",
    [
        "",
        "只有一句话。",
        "# 标题\n\n正文第一行<br>第二行\n\n- 列表",
        "水的分子式是 H<sub>2</sub>O，面积是 m<sup>2</sup>。\n\n**注意**：单位。",
        '# 相册\n\n<div align="center"><img src="https://e.cn/a.png"></div>\n\n- 一\n- 二\n\n[链接](https://e.cn)',
        "代码 `<div>` 与\n\n```html\n<p>示例</p>\n<div>块</div>\n```\n",
        "泛型 List\\<String\\> 与 \\<p\\> 标签",
    ],
)
def test_markdown_bodies_are_not_detected_and_stay_untouched(body: str) -> None:
    assert not looks_like_html(body)
    assert html_to_markdown(body) == body


def test_conversion_is_deterministic() -> None:
    html = "<div><p>这是<strong>“重点”</strong>内容<br>下一行</p><ul><li>一</li><ul><li>二</li></ul></ul></div>"
    assert len({html_to_markdown(html) for _ in range(5)}) == 1


def test_html_nested_5000_levels_converts() -> None:
    started = time.perf_counter()
    markdown = html_to_markdown("<div>" * 5000 + "深处的文字" + "</div>" * 5000)
    assert markdown == "深处的文字\n"
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize("tag", ["span", "b", "blockquote", "li", "td"])
def test_other_deep_nesting_converts_and_keeps_the_text(tag: str) -> None:
    html = "<p>" + f"<{tag}>" * 5000 + "文字<img src='https://e.cn/deep.png'>" + f"</{tag}>" * 5000 + "</p>"
    markdown = html_to_markdown(html)
    assert "文字" in markdown and "https://e.cn/deep.png" in markdown


def test_five_megabyte_body_converts() -> None:
    paragraph = "<p>" + "中文段落的正文。" * 60 + "带<strong>强调</strong>和<a href='https://e.cn/x'>链接</a>。</p>\n"
    html = paragraph * (5_000_000 // len(paragraph.encode("utf-8")) + 1)
    assert len(html.encode("utf-8")) >= 5_000_000
    started = time.perf_counter()
    markdown = html_to_markdown(html)
    assert markdown.count("**强调**") == html.count("<strong>")
    assert time.perf_counter() - started < 60


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p><b>没闭合的<i>标签</p></div><table><td>格", "**没闭合的*标签***"),
        ("<p>甲</p></p></p><p>乙", "甲\n\n乙"),
        ('<a href="https://e.cn/a">链接<a href="https://e.cn/b">套链接</a>', "[链接](https://e.cn/a)[套链接](https://e.cn/b)"),
        ("<<p>>>文字<</p>", "<\n\n\\>>文字<"),
    ],
)
def test_broken_markup_converts(html: str, expected: str) -> None:
    assert html_to_markdown(html).startswith(expected)


@pytest.mark.parametrize("body", ["", "   \n\t", "纯文本，没有标签。"])
def test_empty_and_text_only_bodies_are_returned_unchanged(body: str) -> None:
    assert html_to_markdown(body) == body


def test_a_body_that_is_not_text_raises_conversion_error() -> None:
    with pytest.raises(ConversionError, match="body must be text"):
        html_to_markdown(b"<p>bytes</p>")  # type: ignore[arg-type]


def test_control_characters_and_private_use_sentinels_in_input_are_removed() -> None:
    assert html_to_markdown("<p>a\x00b\x07c\ue000d</p>") == "abcd\n"
