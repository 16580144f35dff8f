"""A large HTML body is converted a run of blocks at a time; the Markdown is what converting it whole gives.

The pieces are cut as small as the scanner allows, so every cut it would
make in a 10 MB post is made here in a few hundred bytes: generated bodies
(wrappers, lists, tables, code, misnested and unclosed tags, text beside
blocks) and the real corpus.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, seed, settings, strategies as st

from postkit.convert.html_to_markdown import html_to_markdown, looks_like_html
from postkit.convert.post import body_to_markdown, html_chunks
from postkit.core.document import read_document

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"

words = st.sampled_from(("发布", "软件 release", "a*b", "x_y", "`code`", "1.", "#", "&amp;", "图片"))
inline_html = st.one_of(
    words,
    words.map(lambda w: f"<b>{w}</b>"),
    words.map(lambda w: f"<em>{w}</em>"),
    words.map(lambda w: f'<a href="/p/{w}">{w}</a>'),
    words.map(lambda w: f"<code>{w}</code>"),
    st.just("<br>"),
    st.just('<img src="https://e.cn/a.png" alt="图">'),
)
inline = st.lists(inline_html, min_size=1, max_size=4).map(" ".join)


def blocks(depth: int):
    simple = st.one_of(
        inline.map(lambda text: f"<p>{text}</p>"),
        inline.map(lambda text: f"<p>{text}"),  # unclosed
        inline.map(lambda text: f"<h2>{text}</h2>"),
        st.lists(inline, min_size=1, max_size=3).map(lambda items: "<ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"),
        st.lists(inline, min_size=1, max_size=3).map(lambda items: "<ol>" + "".join(f"<li>{i}" for i in items) + "</ol>"),
        inline.map(lambda text: f"<table><tr><th>h</th></tr><tr><td>{text}</td></tr></table>"),
        words.map(lambda w: f"<pre><code>{w}\n  {w}</code></pre>"),
        inline.map(lambda text: f"<blockquote><p>{text}</p></blockquote>"),
        st.just("<hr>"),
        inline,  # text beside the blocks
        inline.map(lambda text: f"<b><p>{text}</b> tail</p>"),  # misnested
        st.just("</div>"),  # stray
        st.just("<!-- note -->"),
        st.just("<script>var a = '<p>';</script>"),
    )
    if depth == 0:
        return simple
    wrapper = st.tuples(
        st.sampled_from(('<div class="w">', "<section>", "<article>", "<div>", "<center>")),
        st.lists(blocks(depth - 1), min_size=1, max_size=4),
    ).map(lambda pair: pair[0] + "\n".join(pair[1]) + "</" + pair[0][1:].split(">")[0].split()[0] + ">")
    return st.one_of(simple, wrapper)


bodies = st.lists(blocks(2), min_size=2, max_size=8).map("\n".join)


@seed(20261201)
@settings(max_examples=500, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(bodies, st.integers(min_value=1, max_value=120))
def test_converting_in_pieces_gives_what_converting_whole_gives(body, size):
    assert body_to_markdown(body, size=size).markdown == html_to_markdown(body, detect=False)


def test_a_long_run_of_paragraphs_is_cut_and_each_piece_is_whole_html():
    body = '<div class="content">\n' + "<p>发布</p>\n" * 2000 + "</div>\n"
    pieces = html_chunks(body, 1000)
    assert len(pieces) > 10
    assert all(piece.startswith('<div class="content">') and piece.rstrip().endswith("</div>") for piece in pieces)
    assert body_to_markdown(body, size=1000).markdown == html_to_markdown(body, detect=False)


def test_a_body_with_no_safe_cut_stays_whole():
    body = "<ul>" + "<li>项</li>" * 500 + "</ul>"
    assert html_chunks(body, 100) == [body]


def _corpus_posts() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    # Every fourth post keeps the run short; each is cut at every place the scanner allows.
    return sorted(CORPUS.rglob("*.md"))[::4]


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS}")
@pytest.mark.parametrize("path", _corpus_posts(), ids=lambda path: path.name[:40])
def test_corpus_posts_convert_the_same_in_pieces(path):
    body = read_document(path).body
    if not looks_like_html(body):
        pytest.skip("already Markdown")
    assert body_to_markdown(body, size=1).markdown == html_to_markdown(body, detect=False)
