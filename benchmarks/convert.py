"""Benchmark `postkit convert` against a naive one-process markdownify script (issue 3).

Copies the HTML posts of ../shared/corpus into a temporary tree of N posts
(default 10,000) and prints, for each of the two:
  - posts per second for the whole run (start-up included), writing a mirrored tree;
  - peak RSS of the largest process (the command or one of its workers).
Goals: postkit >= 2x the naive script, peak RSS < 200 MB.

Run: .venv/bin/python benchmarks/convert.py [--posts N] [--corpus PATH] [--jobs N]
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HTML = re.compile(r"<(p|div|img|span|br|section|a|table|h[1-6])\b", re.I)

# The naive script: what a user would write with markdownify's defaults, in one process.
NAIVE = r'''
import re, sys
from pathlib import Path
from markdownify import markdownify
FM = re.compile(r"\A\ufeff?(?:[ \t]*\r?\n)*---[ \t]*\r?\n.*?\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)
source, out = Path(sys.argv[1]), Path(sys.argv[2])
for path in sorted(source.rglob("*.md")):
    text = path.read_text(encoding="utf-8")
    match = FM.match(text)
    head, body = (match.group(0), text[match.end():]) if match else ("", text)
    target = out / path.relative_to(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(head + markdownify(body), encoding="utf-8")
'''


def build_tree(corpus: Path, target: Path, count: int) -> int:
    sources = [p for p in sorted(corpus.rglob("*.md")) if HTML.search(p.read_text(encoding="utf-8"))]
    if not sources:
        sys.exit(f"no HTML posts under {corpus}")
    for index in range(count):
        source = sources[index % len(sources)]
        folder = target / f"batch{index // 500:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, folder / f"{index:05d}-{source.name}")
    return len(sources)


def timed(args: list[str]) -> tuple[float, float]:
    """Wall seconds and the peak RSS (MB) of the largest child process of this run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return elapsed, max(peak, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--jobs", type=int, default=None)
    options = parser.parse_args()
    postkit = str(Path(sys.executable).with_name("postkit"))
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "posts"
        distinct = build_tree(options.corpus, tree, options.posts)
        # The naive script runs first so that its peak RSS is not hidden behind postkit's.
        naive_time, naive_rss = timed([sys.executable, "-c", NAIVE, str(tree), str(Path(tmp) / "naive")])
        args = [postkit, "convert", str(tree), "--out", str(Path(tmp) / "postkit")]
        if options.jobs:
            args += ["--jobs", str(options.jobs)]
        postkit_time, postkit_rss = timed(args)
    n = options.posts
    print(f"posts: {n} HTML posts ({distinct} distinct, copied from {options.corpus})")
    print(f"postkit convert --out:   {postkit_time:7.1f} s  {n / postkit_time:7.1f} posts/s  peak RSS {postkit_rss:6.1f} MB")
    print(f"naive markdownify:       {naive_time:7.1f} s  {n / naive_time:7.1f} posts/s  peak RSS {naive_rss:6.1f} MB")
    print(f"speed-up: {naive_time / postkit_time:.2f}x  (goal >= 2x; peak RSS goal < 200 MB)")


if __name__ == "__main__":
    main()
