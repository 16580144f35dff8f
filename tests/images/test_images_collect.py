"""Image collection: every kind of reference, with its exact line and column in the file (issue 5)."""

from __future__ import annotations

from postkit.core.document import Document
from postkit.images.collect import collect, srcset_candidates


def refs(text: str, **kwargs) -> list[tuple]:
    """``(line, col, url, source_kind, attribute, referrer_policy)`` of every reference in a post."""
    return [(r.line, r.col, r.url, r.source_kind, r.attribute, r.referrer_policy) for r in collect(Document.from_text(text, "p.md"), **kwargs)]


def located(text: str) -> list[str]:
    """What each reference's line and column point at in the file, up to its end column."""
    document = Document.from_text(text, "p.md")
    return [document.line(r.line)[r.col - 1 : r.end_col - 1] for r in collect(document) if r.end_col]


FRONT = """
---
title: 封面
headimg: 'https://img.example.cn/cover.png'
thumbnail: https://img.example.cn/cover.png
cover: "  https://img.example.cn/spaced.png"
banner: ''
og_image: data:image/png;base64,AAAA
photos:
  - /img/p1.jpg
  - "p2.jpg"
---
"""


def test_front_matter_fields_and_photos():
    assert refs(FRONT) == [
        (4, 11, "https://img.example.cn/cover.png", "front-matter", "headimg", None),
        (5, 12, "https://img.example.cn/cover.png", "front-matter", "thumbnail", None),
        (6, 11, "https://img.example.cn/spaced.png", "front-matter", "cover", None),
        (10, 5, "/img/p1.jpg", "photos", "photos", None),
        (11, 6, "p2.jpg", "photos", "photos", None),
    ]
    assert located(FRONT) == [
        "https://img.example.cn/cover.png", "https://img.example.cn/cover.png", "https://img.example.cn/spaced.png",
        "/img/p1.jpg", "p2.jpg",
    ]


def test_configured_image_fields_replace_the_default_list():
    text = "---\ntitle: x\nhero: /img/hero.png\nheadimg: /img/h.png\nphotos: /img/one.png\n---\n"
    assert refs(text, image_fields=("hero",)) == [
        (3, 7, "/img/hero.png", "front-matter", "hero", None),
        (5, 9, "/img/one.png", "photos", "photos", None),  # photos is always read, and may be one string
    ]


def test_broken_yaml_gives_no_front_matter_images_and_no_crash():
    text = "---\ntitle: [oops\nheadimg: /a.png\n---\n<img src=\"/b.png\">\n"
    assert refs(text) == [(5, 11, "/b.png", "img-src", "src", None)]


MARKDOWN = """---
title: x
---
Inline ![alt](a.png "title") and ![](<with space.png>) and ![esc](b\\_\\(1\\).png).
A ![nested [brackets]](c.png) then [![badge](badge.svg)](https://ci.example.cn).
Reference ![one][Logo] and collapsed ![logo][] and shortcut ![LOGO].

[logo]: <img/logo.png> "Logo"
[unused]: img/unused.png

`![code](in-code-span.png)` and ``![x](double.png)``
Entity ![e](pic.png?a=1&amp;b=2).
\\![not an image](escaped.png)
"""


def test_markdown_inline_angle_and_reference_images():
    assert refs(MARKDOWN) == [
        (4, 15, "a.png", "markdown", None, None),
        (4, 39, "with space.png", "markdown", None, None),
        (4, 67, "b_(1).png", "markdown", None, None),
        (5, 24, "c.png", "markdown", None, None),
        (5, 46, "badge.svg", "markdown", None, None),
        (8, 10, "img/logo.png", "markdown-reference", None, None),  # at the definition, where the fix goes
        (12, 13, "pic.png?a=1&b=2", "markdown", None, None),
    ]
    assert located(MARKDOWN)[:3] == ["a.png", "with space.png", "b\\_\\(1\\).png"]


def test_code_blocks_and_code_spans_are_skipped():
    text = """Text

```html
<img src="fenced.png">
![md](fenced.png)
```

~~~
<img src="tilde.png">
~~~

Inline `<img src="span.png">` and real <img src="real.png">.
"""
    assert refs(text) == [(12, 50, "real.png", "img-src", "src", None)]


def test_html_img_attributes_lazy_and_srcset():
    text = (
        '<p><img src="data:image/gif;base64,R0lGOD" data-src="https://cdn.example.cn/lazy.jpg"\n'
        '  data-original=\'//cdn.example.cn/orig.jpg\' data-lazy-src=https://cdn.example.cn/wp.jpg\n'
        '  data-actualsrc="https://cdn.example.cn/zhihu.jpg" referrerpolicy="No-Referrer"\n'
        '  srcset="https://cdn.example.cn/a,1.jpg 1x, https://cdn.example.cn/b.jpg 2x"></p>\n'
    )
    assert refs(text) == [
        (1, 54, "https://cdn.example.cn/lazy.jpg", "img-lazy", "data-src", "no-referrer"),
        (2, 18, "//cdn.example.cn/orig.jpg", "img-lazy", "data-original", "no-referrer"),
        (2, 59, "https://cdn.example.cn/wp.jpg", "img-lazy", "data-lazy-src", "no-referrer"),
        (3, 19, "https://cdn.example.cn/zhihu.jpg", "img-lazy", "data-actualsrc", "no-referrer"),
        (4, 11, "https://cdn.example.cn/a,1.jpg", "img-srcset", "srcset", "no-referrer"),
        (4, 46, "https://cdn.example.cn/b.jpg", "img-srcset", "srcset", "no-referrer"),
    ]


def test_html_entities_in_attributes_are_decoded_and_positions_kept():
    text = '前言<img alt="猫" src="https://img.example.cn/a.png?x=1&amp;y=2">'
    assert refs(text) == [(1, 21, "https://img.example.cn/a.png?x=1&y=2", "img-src", "src", None)]
    assert located(text) == ["https://img.example.cn/a.png?x=1&amp;y=2"]


def test_picture_sources_take_the_img_referrer_policy():
    text = (
        "<picture>\n"
        '  <source srcset="https://cdn.example.cn/a.webp 1x, https://cdn.example.cn/a2.webp 2x" type="image/webp">\n'
        '  <source media="(min-width: 768px)" srcset="https://cdn.example.cn/wide.jpg">\n'
        '  <img src="https://cdn.example.cn/a.jpg" referrerpolicy="no-referrer">\n'
        "</picture>\n"
        '<video><source src="https://cdn.example.cn/clip.mp4"></video>\n'
    )
    assert refs(text) == [
        (2, 19, "https://cdn.example.cn/a.webp", "picture-source", "srcset", "no-referrer"),
        (2, 53, "https://cdn.example.cn/a2.webp", "picture-source", "srcset", "no-referrer"),
        (3, 46, "https://cdn.example.cn/wide.jpg", "picture-source", "srcset", "no-referrer"),
        (4, 13, "https://cdn.example.cn/a.jpg", "img-src", "src", "no-referrer"),
    ]


def test_comments_scripts_and_markdown_inside_html_blocks_are_skipped():
    text = (
        "<div>\n"
        '<!-- <img src="commented.png"> -->\n'
        "![not markdown inside an HTML block](md.png)\n"
        '<script>var s = "<img src=\\"script.png\\">";</script>\n'
        '<img src="kept.png">\n'
        "</div>\n"
    )
    assert refs(text) == [(5, 11, "kept.png", "img-src", "src", None)]


def test_img_in_an_indented_code_block_is_reported_as_such():
    text = "<div>\n<p>intro</p>\n\n        <p><img src=\"https://img.example.cn/shown-as-code.png\"></p>\n"
    assert refs(text) == [(4, 22, "https://img.example.cn/shown-as-code.png", "img-in-code", "src", None)]


def test_hexo_tag_plugins():
    text = "{% asset_img \"my cat.jpg\" 我的猫 %}\n{% img left /img/x.png 100 200 '\"title\" \"alt\"' %}\n"
    assert refs(text) == [
        (1, 15, "my cat.jpg", "hexo-tag", "asset_img", None),
        (2, 13, "/img/x.png", "hexo-tag", "img", None),
    ]


def test_bom_crlf_and_a_body_after_blank_lines():
    text = '\ufeff\r\n---\r\ntitle: x\r\nheadimg: /a.png\r\n---\r\n\r\n<img src="/b.png">\r\n'
    assert refs(text) == [(4, 10, "/a.png", "front-matter", "headimg", None), (7, 11, "/b.png", "img-src", "src", None)]


def test_srcset_parsing_follows_the_html_algorithm():
    value = " a.jpg 1x,b.jpg  2x , c.jpg,, d.jpg (max-width: 10px, x) 100w,e,f.jpg"
    assert [url for url, _ in srcset_candidates(value)] == ["a.jpg", "b.jpg", "c.jpg", "d.jpg", "e,f.jpg"]
    assert [value[offset : offset + len(url)] for url, offset in srcset_candidates(value)] == ["a.jpg", "b.jpg", "c.jpg", "d.jpg", "e,f.jpg"]


def test_empty_and_about_blank_values_are_skipped():
    text = '<img src="" data-src="about:blank" srcset=" ">'
    assert refs(text) == []
