"""What script conversion of Markdown and HTML bodies converts, and what it keeps byte-identical (issue 4)."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from postkit.traditional.post import (
    convert_body,
    convert_html,
    convert_markdown,
    convert_text,
    scan_as_html,
)

URL = "https://例子.cn/发布/图片.png"


@pytest.mark.parametrize("config", ["s2t", "s2twp"])
def test_b23_bare_url_and_inline_code_stay_while_the_words_around_them_convert(config):
    body = "详见 https://example.cn/发布/头发.png 与 `后台 = 1`"
    assert convert_markdown(body, config) == "詳見 https://example.cn/发布/头发.png 與 `后台 = 1`"


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (f"[发布说明]({URL})", f"[釋出說明]({URL})"),
        (f"![发布图片]({URL})", f"![釋出圖片]({URL})"),
        (f'[发布]({URL} "发布标题")', f'[釋出]({URL} "釋出標題")'),
        (f"[发布](<{URL}>)", f"[釋出](<{URL}>)"),
        (f"见<{URL}>。", f"見<{URL}>。"),
        (f"见 {URL}，然后发布", f"見 {URL}，然後釋出"),
        (f"见 {URL}。", f"見 {URL}。"),
        ("访问 www.例子.cn/发布 即可", "訪問 www.例子.cn/发布 即可"),
        ("（https://例子.cn/发布(1)）软件", "（https://例子.cn/发布(1)）軟體"),
    ],
)
def test_urls_in_markdown_keep_their_characters_and_link_text_converts(body, expected):
    assert convert_markdown(body, "s2twp") == expected


def test_reference_definition_keeps_its_url_and_the_link_still_resolves():
    body = f"看[发布说明][发布]和[软件]。\n\n[发布]: {URL} \"发布标题\"\n[软件]: https://例子.cn/软件\n"
    converted = convert_markdown(body, "s2twp")
    assert f"]: {URL} \"釋出標題\"" in converted
    assert "]: https://例子.cn/软件\n" in converted
    html = MarkdownIt("commonmark").render(converted)
    assert f'<a href="{MarkdownIt().normalizeLink(URL)}" title="釋出標題">釋出說明</a>' in html
    assert ">軟體</a>" in html


@pytest.mark.parametrize(
    "code",
    [
        "```python\nprint('后台发布')\n```\n",
        "~~~\n后台发布\n~~~\n",
        "    后台发布 = 1\n",
        "- 列表\n\n      后台发布 = 1\n",
        "> ```\n> 后台发布\n> ```\n",
    ],
)
def test_code_blocks_stay_byte_identical(code):
    body = f"发布说明\n\n{code}\n后来"
    converted = convert_markdown(body, "s2twp")
    assert code in converted
    assert converted.startswith("釋出說明") or converted.startswith("- 列表")
    assert converted.endswith("後來")


@pytest.mark.parametrize("span", ["`后台`", "``后台 `发布` 后台``", "`` ` 后台 ``"])
def test_code_spans_stay_byte_identical(span):
    assert convert_markdown(f"发布 {span} 发布", "s2t") == f"發佈 {span} 發佈"


def test_escaped_backtick_is_text_not_a_code_span():
    assert convert_markdown("\\`后台\\`", "s2t") == "\\`後臺\\`"


def test_unclosed_backticks_are_literal_and_the_text_converts():
    assert convert_markdown("``后台`", "s2t") == "``後臺`"


def test_html_tags_and_attributes_stay_while_text_nodes_and_alt_title_convert():
    body = (
        f'<p class="发布" data-src="{URL}">头发<img src="{URL}" alt="头发图片" title=\'后台\' '
        f'data-original="/发布/x.png" referrerpolicy="no-referrer"></p>'
    )
    expected = (
        f'<p class="发布" data-src="{URL}">頭髮<img src="{URL}" alt="頭髮圖片" title=\'後臺\' '
        f'data-original="/发布/x.png" referrerpolicy="no-referrer"></p>'
    )
    assert convert_html(body, "s2t") == expected
    assert convert_markdown(body, "s2t") == expected


@pytest.mark.parametrize(
    "element",
    [
        "<pre>后台发布\n\n后台</pre>",
        "<code>后台</code>",
        "<pre><code>后台</code>发布</pre>",
        "<kbd>后台</kbd>",
        "<script>var s = '后台';</script>",
        "<style>.后台 { color: red }</style>",
        "<!-- 后台 -->",
        "<textarea>后台</textarea>",
    ],
)
def test_code_and_raw_text_elements_stay_byte_identical(element):
    body = f"<div>发布{element}发布</div>"
    assert convert_html(body, "s2t") == f"<div>發佈{element}發佈</div>"


def test_inline_html_code_in_a_markdown_paragraph_stays():
    assert convert_markdown("发布 <code>后台</code> 发布", "s2t") == "發佈 <code>后台</code> 發佈"


@pytest.mark.parametrize(
    "tag",
    [
        "{% post_link 发布文章 '发布标题' %}",
        "{% img /发布/图片.png 300 后台 %}",
        "{{ page.发布 }}",
        "{# 后台 #}",
    ],
)
def test_hexo_tags_stay_byte_identical(tag):
    assert convert_markdown(f"发布 {tag} 发布", "s2t") == f"發佈 {tag} 發佈"
    assert convert_html(f"<p>发布 {tag} 发布</p>", "s2t") == f"<p>發佈 {tag} 發佈</p>"


def test_hexo_code_block_stays_byte_identical_across_blank_lines():
    block = "{% codeblock 示例 lang:python %}\n后台 = 1\n\n发布()\n{% endcodeblock %}"
    body = f"发布\n\n{block}\n\n后来"
    assert convert_markdown(body, "s2t") == f"發佈\n\n{block}\n\n後來"


@pytest.mark.parametrize(
    "path",
    ["/发布/图片.png", "./发布/说明.md", "../发布/x", "~/发布/后台", "C:\\发布\\后台.txt", "图片/发布.png"],
)
def test_file_paths_in_text_stay_byte_identical(path):
    assert convert_markdown(f"文件在 {path} 里", "s2t") == f"文件在 {path} 裏"


def test_path_right_after_chinese_text_stays_and_the_text_before_it_converts():
    assert convert_markdown("放在/data/发布/目录", "s2t") == "放在/data/发布/目录"
    assert convert_markdown("后台在/var/发布", "s2t") == "後臺在/var/发布"


def test_slashes_between_chinese_words_are_prose_not_paths():
    assert convert_markdown("软件/硬件/网络", "s2twp") == "軟體/硬體/網路"
    assert convert_markdown("是/否发布", "s2t") == "是/否發佈"


def test_already_traditional_text_is_unchanged_under_s2t():
    # OpenCC alone turns this 台 into 臺 and 裡 into 裏.
    traditional = "我住在台灣，這裡的後台系統很好，頭髮也剪短了。"
    assert convert_text(traditional, "s2t") == traditional
    post = f"# 台灣的歷史\n\n{traditional}\n\n![台北]({URL})\n"
    assert convert_markdown(post, "s2t") == post
    assert convert_html(f"<p>{traditional}</p>", "s2t") == f"<p>{traditional}</p>"


def test_mixed_traditional_and_simplified_text_comes_out_traditional():
    assert convert_text("這是一个測試，后台系统已經發布了", "s2t") == "這是一個測試，後臺系統已經發布了"


def test_a_simplified_clause_in_a_traditional_post_converts_and_the_rest_stays():
    # 干擾 and 台北 are Traditional already; OpenCC's s2twp over them would
    # write 幹擾 and 臺北. Taiwan's phrases still apply to Traditional text
    # (網絡 → 網路), as they do in OpenCC's own tests (社區 → 社群).
    post = "<p>這些干擾來自網絡，台北的朋友說。</p><p>反送中運動相关的频道</p>"
    expected = "<p>這些干擾來自網路，台北的朋友說。</p><p>反送中運動相關的頻道</p>"
    assert convert_html(post, "s2twp") == expected


def test_text_of_shared_characters_only_is_converted():
    # 后台 uses no Simplified-only character, yet 后 alone means queen in Traditional.
    assert convert_text("后台", "s2t") == "後臺"


@pytest.mark.parametrize(
    "text",
    ["", "Plain English with `code` and https://example.com/a.", "<p>No Chinese here.</p>\n", "12345 !?"],
)
def test_text_without_chinese_is_unchanged(text):
    assert convert_text(text, "s2t") == text
    assert convert_markdown(text, "s2twp") == text
    assert convert_html(text, "s2twp") == text


def test_reverse_config_converts_traditional_and_keeps_urls():
    assert convert_markdown(f"[這裡的麵條]({URL})", "tw2s") == f"[这里的面条]({URL})"


def test_scan_as_html_tells_feed_bodies_from_markdown():
    assert scan_as_html("\n<div>\n    <p>发布</p>\n\n    <p>后台</p>\n</div>")
    assert not scan_as_html("# 标题\n\n<div>发布</div>")
    assert not scan_as_html("<div>发布</div>\n\n`code`")


def test_convert_body_reads_an_indented_html_body_as_html():
    body = "<div>\n  <p>发布</p>\n\n    <p>后台</p>\n</div>"
    # CommonMark would take the indented line after the blank line as a code block.
    assert convert_markdown(body, "s2t") == "<div>\n  <p>發佈</p>\n\n    <p>后台</p>\n</div>"
    assert convert_body(body, "s2t") == "<div>\n  <p>發佈</p>\n\n    <p>後臺</p>\n</div>"


def test_a_lone_backtick_does_not_make_an_html_body_markdown():
    assert scan_as_html("<div>\n    <p>迈克`</p>\n</div>")


def test_code_span_inside_raw_html_of_a_markdown_body_stays():
    body = "<div>\n使用 `后台` 命令\n</div>\n\n`后台`"
    assert convert_markdown(body, "s2t") == "<div>\n使用 `后台` 命令\n</div>\n\n`后台`"


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_code_blocks_are_found_whatever_the_line_breaks(newline):
    body = newline.join(["发布", "", "```", "后台", "```", "", "后来", ""])
    assert convert_markdown(body, "s2t") == newline.join(["發佈", "", "```", "后台", "```", "", "後來", ""])


def test_japanese_text_is_left_as_it_is():
    # s2t would write 會 and 發 for the shinjitai 会 and 発.
    japanese = "<p>夏休みだよ、全員集合！会場で発表します。</p>"
    assert convert_html(japanese, "s2t") == japanese
    assert convert_text("会場で発表します", "s2t") == "会場で発表します"


def test_looks_chinese():
    from postkit.traditional.post import looks_chinese

    assert looks_chinese("这是中文")
    assert looks_chinese("這是中文，引用了一个日文词「ツンデレ」的说法")
    assert not looks_chinese("Only English")
    assert not looks_chinese("夏休みだよ、全員集合")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (f'<a title="a>b 发布" href="{URL}">发布</a>', f'<a title="a>b 釋出" href="{URL}">釋出</a>'),
        ("<img alt=发布 src=/发布.png>", "<img alt=釋出 src=/发布.png>"),
        ("<PRE>后台</PRE>发布", "<PRE>后台</PRE>釋出"),
        (f'<img src="{URL}"\n  alt="发布"\n  data-src="{URL}">', f'<img src="{URL}"\n  alt="釋出"\n  data-src="{URL}">'),
        (f"<a href={URL}>发布</a>", f"<a href={URL}>釋出</a>"),
        (f'<img src="{URL}" / alt="发布">', f'<img src="{URL}" / alt="釋出">'),
    ],
)
def test_tags_written_loosely_keep_their_bytes(body, expected):
    assert convert_html(body, "s2twp") == expected


def test_unclosed_code_element_keeps_the_rest_of_the_body():
    assert convert_html("<p>发布<code>后台</p><p>后台</p>", "s2t") == "<p>發佈<code>后台</p><p>后台</p>"


def test_link_destination_that_does_not_parse_is_still_kept():
    body = "[发布](https://例子.cn/发布 说明"
    assert convert_markdown(body, "s2t") == "[發佈](https://例子.cn/发布 說明"


@pytest.mark.parametrize("config", ["s2t", "s2twp"])
def test_bare_urls_in_html_text_keep_their_characters(config):
    body = f"<p>详见 {URL}，或 www.例子.cn/发布。</p>"
    converted = convert_html(body, config)
    assert converted.startswith("<p>詳見 ")
    assert f" {URL}，" in converted and " www.例子.cn/发布。" in converted
