"""Benchmark `postkit convert` against a naive one-process markdownify script (issue 3).

Copies the HTML posts of ../shared/corpus into a temporary tree of N posts
(default 10,000) and prints, for each of the two:
  - posts per second for the whole run (start-up included), writing a mirrored tree;
  - peak RSS of the largest process (the command or one of its workers);
  - posts per CPU second, per core: the command and all its workers against the naive script
    on one core.
Goals: postkit >= 2x the naive script, peak RSS < 200 MB, >= 1.3x per core.

Run: .venv/bin/python benchmarks/convert.py [--posts N] [--corpus PATH] [--jobs N] [--repeat N]
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


def timed(args: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (the command and all its workers) and the peak RSS (MB) of the largest process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return elapsed, cpu, max(after.ru_maxrss, before.ru_maxrss) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=1, help="run both N times, alternating, and keep each one's best")
    options = parser.parse_args()
    postkit = str(Path(sys.executable).with_name("postkit"))
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "posts"
        distinct = build_tree(options.corpus, tree, options.posts)
        args = [postkit, "convert", str(tree), "--out", str(Path(tmp) / "postkit")]
        if options.jobs:
            args += ["--jobs", str(options.jobs)]
        naive_runs, postkit_runs = [], []
        for round_ in range(max(1, options.repeat)):
            # The naive script runs first so that its peak RSS is not hidden behind postkit's.
            naive_runs.append(timed([sys.executable, "-c", NAIVE, str(tree), str(Path(tmp) / f"naive{round_}")]))
            shutil.rmtree(Path(tmp) / "postkit", ignore_errors=True)
            postkit_runs.append(timed(args))
        # On a shared machine the best run is the one least disturbed by others.
        naive_time, naive_cpu = min(r[0] for r in naive_runs), min(r[1] for r in naive_runs)
        postkit_time, postkit_cpu = min(r[0] for r in postkit_runs), min(r[1] for r in postkit_runs)
        naive_rss, postkit_rss = naive_runs[0][2], postkit_runs[0][2]
    n = options.posts
    print(f"posts: {n} HTML posts ({distinct} distinct, copied from {options.corpus})")
    print(f"postkit convert --out:   {postkit_time:7.1f} s  {n / postkit_time:7.1f} posts/s  peak RSS {postkit_rss:6.1f} MB")
    print(f"naive markdownify:       {naive_time:7.1f} s  {n / naive_time:7.1f} posts/s  peak RSS {naive_rss:6.1f} MB")
    print(f"speed-up: {naive_time / postkit_time:.2f}x  (goal >= 2x; peak RSS goal < 200 MB)")
    # Per core: posts per CPU second, the command and all its workers against markdownify's
    # defaults on one core. CPU time, unlike wall time, holds on a machine that others share.
    print(f"per core: postkit {n / postkit_cpu:7.1f} posts/CPU-s, markdownify defaults {n / naive_cpu:7.1f} posts/CPU-s"
          f"  ratio {naive_cpu / postkit_cpu:.2f}x  (goal >= 1.3x)")


if __name__ == "__main__":
    main()
