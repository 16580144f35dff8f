"""Why document.py reads front matter itself: python-frontmatter's behaviour, as measured (README, "Dependencies").

If a release of python-frontmatter fixes one of these, this test fails and
the README's reasoning must be revisited.
"""

from __future__ import annotations

import frontmatter

from postkit.core.document import Document
from postkit.core.front_matter import parse


def test_bom_hides_front_matter_from_python_frontmatter():
    text = "\ufeff---\ntitle: 标题\n---\n正文"
    assert frontmatter.loads(text).metadata == {}
    assert parse(Document.from_text(text)).data == {"title": "标题"}


def test_duplicate_keys_are_silent_in_python_frontmatter():
    text = "---\ncover: a.jpg\ncover: b.jpg\n---\n"
    assert frontmatter.loads(text).metadata == {"cover": "b.jpg"}
    assert len(parse(Document.from_text(text)).duplicates) == 1


def test_python_frontmatter_rewrites_on_dump():
    text = "---\ntitle: 测试\ndate: 2022-12-06T09:05:28+08:00\n---\n正文"
    dumped = frontmatter.dumps(frontmatter.loads(text))
    assert dumped != text
    assert "2022-12-06 09:05:28+08:00" in dumped  # the ISO 'T' form is gone
    assert dumped.index("date") < dumped.index("title")  # keys reordered
