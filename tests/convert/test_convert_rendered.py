"""What converted Markdown renders to, with markdown-it set up as Hexo's marked: breaks: true, GFM.

These assert the rendered HTML, not the Markdown string (issue 3: test the rendered result).
"""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from postkit.convert.html_to_markdown import html_to_markdown

HEXO_LIKE = MarkdownIt("commonmark", {"breaks": True, "html": True}).enable(["table", "strikethrough"])


def render(html: str) -> str:
    return HEXO_LIKE.render(html_to_markdown(html)).strip()


@pytest.mark.parametrize(
    ("html", "strong"),
    [
        ("<p>这是<strong>“重点”</strong>内容</p>", "<strong>重点</strong>"),  # B01
        ("<p><strong>注意：</strong>正文</p>", "<strong>注意</strong>"),
        ("<p>他说<b>（补充）</b>完毕</p>", "<strong>补充</strong>"),
        ("<p>见<strong>《规则》</strong>第三条</p>", "<strong>规则</strong>"),
        ("<p>运行<strong><code>ls</code></strong>命令</p>", "<strong><code>ls</code></strong>"),
        ("<p>打开<strong><a href=\"https://example.cn/\">首页</a></strong>查看</p>", "<strong>首页</strong>"),
        ("<p><b>甲</b><b>乙</b></p>", "<strong>乙</strong>"),
        ("<p>数值<strong>-5</strong>度</p>", "<strong>5</strong>"),
    ],
)
def test_strong_next_to_cjk_punctuation_renders_as_strong(html: str, strong: str) -> None:
    rendered = render(html)
    assert strong in rendered
    assert "**" not in rendered


def test_em_next_to_cjk_punctuation_renders_as_em() -> None:
    rendered = render("<p>这叫<em>「留白」</em>手法</p>")
    assert "<em>留白</em>" in rendered and "*" not in rendered


def test_nested_strong_and_em_both_render() -> None:
    rendered = render("<p>前<strong>粗<em>斜</em>体</strong>后</p>")
    assert "<strong>粗<em>斜</em>体</strong>" in rendered


def test_br_inside_strong_renders_breaks_outside_the_span() -> None:  # B03
    rendered = render("<p><strong>小标题<br><br></strong>正文开始。</p>")
    assert rendered == "<p><strong>小标题</strong></p>\n<p>正文开始。</p>"


def test_single_br_renders_one_line_break() -> None:
    assert render("<p>一行<br>二行</p>") == "<p>一行<br />\n二行</p>"


def test_newline_between_cjk_renders_no_break_and_no_space() -> None:  # B04
    assert render("<p>这是第一行中文\n这是同一段落</p>") == "<p>这是第一行中文这是同一段落</p>"


def test_source_newlines_in_a_paragraph_render_no_break() -> None:
    rendered = render("<p>word one\nword two\n\n  word three</p>")
    assert "<br" not in rendered and rendered == "<p>word one word two word three</p>"


@pytest.mark.parametrize(
    ("html", "paragraph"),
    [
        ("<p>泛型 List&lt;String&gt; 示例</p>", "<p>泛型 List&lt;String&gt; 示例</p>"),  # B09
        ("<p>1. 不是列表</p>", "<p>1. 不是列表</p>"),  # B10
        ("<p># 不是标题</p>", "<p># 不是标题</p>"),
        ("<p>- 不是列表</p>", "<p>- 不是列表</p>"),
        ("<p>+ 不是列表</p>", "<p>+ 不是列表</p>"),
        ("<p>&gt; 不是引用</p>", "<p>&gt; 不是引用</p>"),
        ("<p>2*3*4 snake_case _x_</p>", "<p>2*3*4 snake_case _x_</p>"),  # B11
        ("<p>[a](b) `c` ~d~ ~~e~~</p>", "<p>[a](b) `c` ~d~ ~~e~~</p>"),
        ("<p>&amp;amp; 与 &amp;#123;</p>", "<p>&amp;amp; 与 &amp;#123;</p>"),
    ],
)
def test_text_that_looks_like_markup_renders_as_text(html: str, paragraph: str) -> None:
    assert render(html) == paragraph


def test_alt_text_with_brackets_renders_whole() -> None:
    assert render('<img src="https://e.cn/a.png" alt="图]1[">') == '<p><img src="https://e.cn/a.png" alt="图]1[" /></p>'


def test_url_with_spaces_and_parentheses_renders_as_one_link() -> None:
    rendered = render('<p><a href="https://e.cn/a b(1).html">文</a></p>')
    assert rendered == '<p><a href="https://e.cn/a%20b(1).html">文</a></p>'


def test_nested_lists_render_nested() -> None:
    rendered = render("<ul><li>一<ul><li>二</li></ul></li></ul><ul><li>a</li><ul><li>b</li></ul></ul>")
    assert rendered.count("<ul>") == 4
    assert "<li>一\n<ul>\n<li>二</li>" in rendered
    assert "<li>a\n<ul>\n<li>b</li>" in rendered


def test_table_renders_as_a_table_with_br_and_escaped_pipe_in_cells() -> None:  # B08
    rendered = render("<table><tr><th>键</th><th>值</th></tr><tr><td>x|y</td><td>甲<br>乙</td></tr></table>")
    assert "<td>x|y</td>" in rendered and "<td>甲<br>乙</td>" in rendered


def test_code_block_renders_with_language_and_exact_content() -> None:  # B06
    html = '<pre><code class="language-go">func main() {\n\n\n\tfmt.Println("好")\n}</code></pre>'
    rendered = render(html)
    assert rendered.startswith('<pre><code class="language-go">func main() {\n\n\n\tfmt.Println(')
    assert rendered.endswith("}\n</code></pre>")


def test_template_braces_render_as_braces() -> None:
    assert render("<p>&#123;&#123; x &#125;&#125; 与 &#123;% y %&#125;</p>") == "<p>{{ x }} 与 {% y %}</p>"
