"""Body rules: template hazards checked against Hexo's own renderer, and titles mangled by generators."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from hexo_site import render_with_hexo

from postkit.core.document import Document
from postkit.validate.engine import Selection, check_document, fix_document
from postkit.validate.rules.base import Settings
from postkit.validate.rules.mangled_title import restores

ONLY_TEMPLATES = Selection.build(select=["PK501"])
HEAD = "---\ntitle: 模板\ndate: 2021-12-14 10:53:00\n---\n"

# (body, the text a reader must see on the page)
BODIES = [
    ("Vue 用 {{ message }} 输出变量。\n", "{{ message }}"),
    ("行内代码 `{{ message }}` 也会被删。\n", "{{ message }}"),
    ("紧凑写法 {{message}} 与 {{ a.b }}。\n", "{{message}}"),
    ("空变量 {{}} 在这里。\n", "{{}}"),
    ("```html\n<p>{{ message }}</p>\n```\n", "{{ message }}"),
    ("~~~\n{{ message }}\n~~~\n", "{{ message }}"),
    ("> ```\n> {{ quoted }}\n> ```\n", "{{ quoted }}"),
    ("    {{ indented }}\n", "{{ indented }}"),
    ('<span title="{{ attr }}">提示</span>\n', "{{ attr }}"),
    ("注释 {# note #} 不见了。\n", "{# note #}"),
    ("## 标题 {#custom-id}\n\n正文\n", "{#custom-id}"),
    ("C 代码 `{#` 开头。\n\n后面的段落\n", "后面的段落"),
    ("未闭合 {{ 变量\n\n后面的段落\n", "后面的段落"),
    ("未闭合 {% 标签\n\n后面的段落\n", "后面的段落"),
    ("未知标签 {% foo %} 在此。\n", "{% foo %}"),
    ("Jinja {% for x in xs %}{{ x }}{% endfor %} 循环\n", "{{ x }}"),
    ("Hugo 短代码 {{< youtube abc >}} 在此。\n", "{{< youtube abc >}}"),
    ("{% raw %}{{ kept }}{% endraw %} 原样输出。\n", "{{ kept }}"),
    ("{% raw %}{{ never closed }}\n", "{{ never closed }}"),
    ("对象 {a: {b: 1}} 与 { {x} } 无害。\n", "{a: {b: 1}}"),
    ("行内 `{{ kept }}` 与 {{ lost }} 同段。\n", "{{ lost }}"),
    ("行内注释 `{# gone #}` 也被删。\n", "{# gone #}"),
    ("<code>{{ html }}</code> 受保护。\n", "{{ html }}"),
    ("`{#` 与 {{ x }} 同在。\n\n后面的段落\n", "后面的段落"),
    ("{% if draft %}草稿{% endif %}\n", "草稿"),
    ("数学 $\\frac{1}{2}$ 无害。\n", "\\frac{1}{2}"),
    ("{% blockquote %}\n引用\n{% endblockquote %}\n", "引用"),
    ("普通正文，没有花括号。\n", "普通正文"),
]


def _visible(rendered: dict) -> str:
    return html.unescape(rendered.get("html", ""))


def test_template_hazards_are_where_hexo_loses_text(tmp_path: Path, hexo_site: Path) -> None:
    originals = {f"b{n}": body for n, (body, _) in enumerate(BODIES)}
    fixed = {}
    for name, body in originals.items():
        document, _ = fix_document(Document.from_text(HEAD + body, f"{name}.md"), Settings(), ONLY_TEMPLATES)
        fixed[name] = document.body
    rendered = render_with_hexo(hexo_site, {**originals, **{f"fixed-{k}": v for k, v in fixed.items()}}, tmp_path)
    disagreements = []
    for number, (body, visible) in enumerate(BODIES):
        name = f"b{number}"
        result = check_document(Document.from_text(HEAD + body, f"{name}.md"), Settings(), ONLY_TEMPLATES)
        loses = "error" in rendered[name] or visible not in _visible(rendered[name])
        if loses != bool(result.diagnostics):
            disagreements.append(f"{body!r}: Hexo loses text: {loses}; postkit: {[d.message for d in result.diagnostics]}")
        after = rendered[f"fixed-{name}"]
        if any(d.fix for d in result.diagnostics) and ("error" in after or visible not in _visible(after)):
            disagreements.append(f"{body!r}: the fix {fixed[name]!r} does not keep the text: {after}")
    assert not disagreements, "\n".join(disagreements)


def test_template_hazard_position_fix_and_opt_outs():
    text = HEAD + "第一行\nVue 用 {{ message }} 输出。\n"
    [diagnostic] = check_document(Document.from_text(text), Settings(), ONLY_TEMPLATES).diagnostics
    assert (diagnostic.line, diagnostic.col, diagnostic.end_col) == (6, 7, 20)
    fixed, applied = fix_document(Document.from_text(text), Settings(), ONLY_TEMPLATES)
    assert applied == 1 and fixed.text == text.replace("{{ message }}", "{% raw %}{{ message }}{% endraw %}")
    assert check_document(Document.from_text(HEAD + "{{ title }} 是标题\n"), Settings(), ONLY_TEMPLATES).diagnostics == []
    opted_out = "---\ntitle: t\ndate: 2021-12-14 10:53:00\ndisableNunjucks: true\n---\n{{ x }}\n"
    assert check_document(Document.from_text(opted_out), Settings(), ONLY_TEMPLATES).diagnostics == []
    assert check_document(Document.from_text(HEAD + "{{ x }}\n"), Settings(engine="hugo"), ONLY_TEMPLATES).diagnostics == []
    themed = HEAD + "{% note info %}提示{% endnote %}\n"
    assert len(check_document(Document.from_text(themed), Settings(), ONLY_TEMPLATES).diagnostics) == 1
    assert check_document(Document.from_text(themed), Settings(template_tags=("note",)), ONLY_TEMPLATES).diagnostics == []


MANGLED = "---\ntitle: '二上美国_黑名单_，商汤坚定推进香港上市'\ndate: 2021-12-14 10:53:00\n---\n"


@pytest.mark.parametrize(
    "body",
    [
        '<p><img src="a.png" alt="二上美国“黑名单”，商汤坚定推进香港上市"></p>\n',
        '<img src="a.png" title="二上美国&ldquo;黑名单&rdquo;，商汤坚定推进香港上市">\n',
        "![二上美国“黑名单”，商汤坚定推进香港上市](a.png)\n",
        "# 二上美国“黑名单”，商汤坚定推进香港上市\n\n正文\n",
        "<div>\n二上美国“黑名单”，商汤坚定推进香港上市\n</div>\n",
    ],
)
def test_mangled_title_is_restored_from_the_body(body):
    selection = Selection.build(select=["PK105"])
    [diagnostic] = check_document(Document.from_text(MANGLED + body), Settings(), selection).diagnostics
    assert (diagnostic.code, diagnostic.line, diagnostic.col) == ("PK105", 2, 8)
    fixed, applied = fix_document(Document.from_text(MANGLED + body), Settings(), selection)
    assert applied == 1
    assert fixed.text == MANGLED.replace("二上美国_黑名单_", "二上美国“黑名单”") + body  # the body is untouched


@pytest.mark.parametrize(
    ("title", "candidate", "expected"),
    [
        ("2022MSI决赛 T1 1_2 RNG", "2022MSI决赛 T1 1:2 RNG", True),
        ("加仓200，基建_沪深300", "加仓200，基建/沪深300", True),
        ("snake_case 入门", "snake_case 入门", False),  # the same text: nothing was mangled
        ("snake_case 入门", "snake-case 入门", True),
        ("a_b", "axb", False),  # a letter is not what generators replace
        ("a_b", "a:bc", False),  # lengths differ
        ("标题_", "标题？", True),
    ],
)
def test_mangled_title_maps_back_character_for_character(title, candidate, expected):
    assert restores(title, candidate) is expected


def test_mangled_title_stays_silent_without_evidence():
    text = "---\ntitle: 'snake_case 入门'\ndate: 2021-12-14 10:53:00\n---\n<img alt=\"另一张图\">\n"
    assert check_document(Document.from_text(text), Settings(), Selection.build(select=["PK105"])).diagnostics == []
