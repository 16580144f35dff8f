"""Read the shared corpus posts for the benchmarks: front matter and body of each."""

from __future__ import annotations

from pathlib import Path

from postkit.core.document import Document

CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus"


def corpus_posts(root: Path = CORPUS) -> list[tuple[Path, str, str]]:
    """(path, front matter, body) of every Markdown post under root, sorted by path."""
    posts = []
    for path in sorted(root.rglob("*.md")):
        text = path.read_text(encoding="utf-8", errors="replace")
        document = Document.from_text(text, str(path))
        posts.append((path, document.yaml_text, document.body))
    return posts
