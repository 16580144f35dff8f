"""Every HTML post of ../shared/corpus: the seven fidelity checks, and idempotence."""

from __future__ import annotations

from functools import lru_cache

import pytest

from convert_checks import CORPUS, corpus_posts, fidelity, split_post
from postkit.convert.html_to_markdown import html_to_markdown, looks_like_html

# At least this share of the HTML posts pass all seven checks. The posts that fail today: two
# link to file:/// footnotes on the author's disk, which markdown-it refuses to render as links
# (Hexo's marked renders them), and one wraps the whole post, lists included, in a single table
# cell, which is unrolled.
PASS_RATE = 0.99

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")


@lru_cache(maxsize=1)
def converted_corpus() -> tuple[tuple[str, str, str], ...]:
    """(relative path, HTML body, Markdown) for each HTML post of the corpus."""
    posts = []
    for path in corpus_posts():
        _, body = split_post(path.read_text(encoding="utf-8"))
        if looks_like_html(body):
            posts.append((str(path.relative_to(CORPUS)), body, html_to_markdown(body)))
    return tuple(posts)


@lru_cache(maxsize=1)
def corpus_failures() -> dict[str, dict[str, str]]:
    """The failed checks of each post that fails any, by relative path."""
    results = {name: fidelity(html, markdown) for name, html, markdown in converted_corpus()}
    return {name: failed for name, failed in results.items() if failed}


def test_corpus_has_html_posts() -> None:
    assert len(converted_corpus()) >= 300


def test_at_least_99_percent_of_html_posts_pass_all_seven_checks() -> None:
    failures = corpus_failures()
    total = len(converted_corpus())
    report = "\n".join(f"{name}: {failed}" for name, failed in failures.items())
    assert (total - len(failures)) / total >= PASS_RATE, report


def test_every_post_passes_clean_and_hexo() -> None:
    offending = {
        name: {check: why for check, why in failed.items() if check in ("clean", "hexo")}
        for name, failed in corpus_failures().items()
    }
    assert not {name: failed for name, failed in offending.items() if failed}


def test_converting_the_output_again_changes_nothing() -> None:
    for name, _, markdown in converted_corpus():
        assert not looks_like_html(markdown), name
        assert html_to_markdown(markdown) == markdown, name
