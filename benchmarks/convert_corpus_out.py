"""Mirror a corpus of posts into an out tree with HTML bodies converted, for shared/tools/fidelity.py.

Usage: python benchmarks/convert_corpus_out.py [CORPUS] [OUT] [--base-url-from-front-matter]

The front matter block (leading blank lines or BOM, ``---``, YAML, ``---``) is copied byte for byte
and only the body after it is converted; bodies that are already Markdown are copied unchanged.
Prints how many posts were converted, left unchanged, and failed.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

from postkit.core.document import Document
from postkit.convert.html_to_markdown import ConversionError, html_to_markdown, looks_like_html

BASE_URL_KEYS = re.compile(r"^(?:link|from|source_url):[ \t]*['\"]?(https?://[^'\"\s]+)", re.M)


def split_post(text: str) -> tuple[str, str]:
    """(head, body): the front matter block with what precedes it, byte for byte, and the body."""
    document = Document.from_text(text)
    bom = "\ufeff" if document.bom else ""
    return bom + document.head, document.body


def main(argv: list[str]) -> int:
    use_front_matter_base = "--base-url-from-front-matter" in argv
    args = [a for a in argv if not a.startswith("--")]
    root = Path(__file__).resolve().parents[1]
    corpus = Path(args[0]) if args else root / ".." / "shared" / "corpus"
    out = Path(args[1]) if len(args) > 1 else root / "build" / "pk-out"
    counts = {"converted": 0, "unchanged": 0, "failed": 0}
    started = time.perf_counter()
    for path in sorted(corpus.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        front_matter, body = split_post(text)
        target = out / path.relative_to(corpus)
        target.parent.mkdir(parents=True, exist_ok=True)
        if not looks_like_html(body):
            counts["unchanged"] += 1
            target.write_text(text, encoding="utf-8")
            continue
        base_url = None
        if use_front_matter_base:
            found = BASE_URL_KEYS.search(front_matter)
            base_url = found.group(1) if found else None
        try:
            markdown = html_to_markdown(body, base_url=base_url)
        except ConversionError as error:
            counts["failed"] += 1
            print(f"{path}: {error}", file=sys.stderr)
            target.write_text(text, encoding="utf-8")
            continue
        counts["converted"] += 1
        target.write_text(front_matter + "\n" + markdown, encoding="utf-8")
    elapsed = time.perf_counter() - started
    print(" ".join(f"{k}={v}" for k, v in counts.items()), f"seconds={elapsed:.2f}", f"out={out}")
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
