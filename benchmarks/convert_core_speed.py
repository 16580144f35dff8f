"""Posts per second of html_to_markdown over the HTML posts of a corpus, beside markdownify's defaults.

Usage: python benchmarks/convert_core_speed.py [CORPUS]   (one process; prints figures and peak RSS)
"""

from __future__ import annotations

import re
import resource
import sys
import time
from pathlib import Path

import markdownify

from postkit.core.document import Document
from postkit.convert.html_to_markdown import html_to_markdown, looks_like_html



def main(argv: list[str]) -> int:
    corpus = Path(argv[0]) if argv else Path(__file__).resolve().parents[1] / ".." / "shared" / "corpus"
    bodies = []
    for path in sorted(corpus.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        body = Document.from_text(text).body
        if looks_like_html(body):
            bodies.append(body)
    for name, convert in (("postkit html_to_markdown", html_to_markdown), ("markdownify defaults", markdownify.markdownify)):
        started, started_cpu = time.perf_counter(), time.process_time()
        for body in bodies:
            convert(body)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - started_cpu
        # CPU time is the fairer figure on a machine that other jobs share
        print(f"{name:26} {len(bodies) / elapsed:7.1f} posts/s wall, {len(bodies) / cpu:7.1f} posts/s CPU ({len(bodies)} posts)")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
