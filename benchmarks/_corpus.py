"""Read the shared corpus posts for the benchmarks: front matter and body of each."""

from __future__ import annotations

import re
from pathlib import Path

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"
# Corpus posts start with a blank line before the opening ---.
_FRONT_MATTER_RE = re.compile(r"\A\s*---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)


def corpus_posts(root: Path = CORPUS) -> list[tuple[Path, str, str]]:
    """(path, front matter, body) of every Markdown post under root, sorted by path."""
    posts = []
    for path in sorted(root.rglob("*.md")):
        text = path.read_text(encoding="utf-8", errors="replace")
        match = _FRONT_MATTER_RE.match(text)
        if match is None:
            posts.append((path, "", text))
        else:
            posts.append((path, match.group(1) or "", text[match.end() :]))
    return posts
