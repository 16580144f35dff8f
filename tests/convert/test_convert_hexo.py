"""Hexo end to end: converted corpus posts and fixture outputs rendered by Hexo 7's own post renderer.

Needs node and npm. The first run installs tests/hexo/package-lock.json with `npm ci` into
build/hexo (the registry must be reachable); later runs reuse it while the lock file is the same.
Skips when node or npm is absent.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from convert_checks import CORPUS, corpus_posts, split_post
from hexo_render import needs_hexo, render_with_hexo
from postkit.convert.html_to_markdown import html_to_markdown, looks_like_html

pytestmark = needs_hexo


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")
def test_hexo_renders_every_converted_corpus_post(tmp_path: Path) -> None:
    posts = []
    for path in corpus_posts():
        _, body = split_post(path.read_text(encoding="utf-8"))
        if looks_like_html(body):
            posts.append({"name": str(path.relative_to(CORPUS)), "body": html_to_markdown(body)})
    rendered = render_with_hexo(posts, tmp_path)
    failed = {name: item["error"] for name, item in rendered.items() if "error" in item}
    assert len(rendered) == len(posts)
    assert not failed
    empty = [name for name, item in rendered.items() if not item["html"].strip()]
    assert not empty


def test_hexo_renders_cjk_emphasis_breaks_and_braces_as_intended(tmp_path: Path) -> None:
    cases = {
        "quotes": ("<p>这是<strong>“重点”</strong>内容</p>", "这是“<strong>重点</strong>”内容"),
        "colon": ("<p><strong>注意：</strong>正文</p>", "<strong>注意</strong>：正文"),
        "code": ("<p>运行<strong><code>ls</code></strong>命令</p>", "<strong><code>ls</code></strong>"),
        "br": ("<p>一行<br>二行</p>", "一行<br>二行"),
        "cjk newline": ("<p>第一行中文\n同一段落</p>", "<p>第一行中文同一段落</p>"),
        "braces": ("<p>&#123;&#123; title &#125;&#125;</p>", "&#123;{ title }}"),
        "code braces": ("<p>写 <code>{{ name }}</code> 即可</p>", "<code>&#123;&#123; name &#125;&#125;</code>"),
        "less than": ("<p>List&lt;String&gt;</p>", "List&lt;String&gt;"),
        "tilde": ("<p>3~5天</p>", "<p>3~5天</p>"),
    }
    posts = [{"name": name, "body": html_to_markdown(html)} for name, (html, _) in cases.items()]
    rendered = render_with_hexo(posts, tmp_path)
    for name, (_, expected) in cases.items():
        html = re.sub(r"\n", "", rendered[name]["html"])
        assert expected in html, f"{name}: {rendered[name]}"


READER_TAGS = {"p", "br", "strong", "em", "code", "kbd", "ul", "ol", "li", "table", "th", "td", "blockquote",
               "h1", "h2", "h3", "h4", "h5", "h6", "img", "del"}


def what_a_reader_sees(html: str) -> dict:
    """A browser's view of rendered HTML: entities decoded, URLs percent-decoded, layout whitespace ignored."""
    from urllib.parse import unquote

    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    return {
        "text": re.sub(r"\s+", "", soup.get_text()),
        "images": [unquote(img.get("src", "")) for img in soup.find_all("img")],
        "links": {unquote(a.get("href", "")) for a in soup.find_all("a")},
        "elements": [tag.name for tag in soup.find_all(READER_TAGS)],
    }


def test_hexo_shows_every_rendered_fixture_as_markdown_it_does(tmp_path: Path) -> None:
    """Each fixture case with a rendered block, through Hexo 7's renderer: the same text, images,
    elements and links for a reader (marked may add autolinks for bare e-mail addresses)."""
    from test_convert_fixtures import FIXTURES, read_cases

    posts, expected = [], {}
    for path in sorted(FIXTURES.glob("*.md")):
        for title, html, _, rendered, line in read_cases(path):
            if rendered is None or "<pre>" in rendered:  # Hexo draws code blocks with its highlighter
                continue
            name = f"{path.stem}:{line}:{title}"
            posts.append({"name": name, "body": html_to_markdown(html)})
            expected[name] = rendered
    shown = render_with_hexo(posts, tmp_path)
    assert len(posts) >= 40
    for name, rendered in expected.items():
        assert "error" not in shown[name], f"{name}: {shown[name]}"
        hexo, markdown_it = what_a_reader_sees(shown[name]["html"]), what_a_reader_sees(rendered)
        assert hexo["text"] == markdown_it["text"], name
        assert hexo["images"] == markdown_it["images"], name
        assert hexo["elements"] == markdown_it["elements"], name
        assert markdown_it["links"] <= hexo["links"], name
