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
        "less than": ("<p>List&lt;String&gt;</p>", "List&lt;String&gt;"),
        "tilde": ("<p>3~5天</p>", "<p>3~5天</p>"),
    }
    posts = [{"name": name, "body": html_to_markdown(html)} for name, (html, _) in cases.items()]
    rendered = render_with_hexo(posts, tmp_path)
    for name, (_, expected) in cases.items():
        html = re.sub(r"\n", "", rendered[name]["html"])
        assert expected in html, f"{name}: {rendered[name]}"
