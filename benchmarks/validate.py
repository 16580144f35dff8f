"""Benchmark `postkit validate` against the bare cost of python-frontmatter's parse (issue #2).

Copies ../shared/corpus into a temporary tree of N posts (default 10,000)
and prints:
  - posts per second for `postkit validate` (the installed console script,
    start-up included, output to /dev/null), on every core and with --jobs 1;
  - posts per second for `frontmatter.load` over the same files (read + parse);
  - the ratio of the two costs (goal <= 1.5);
  - the wall time of a one-file run, the pre-commit case (goal <= 0.2 s on an
    idle machine), beside the floor any Python CLI pays: `python -c pass` and
    `python -c "import typer"`, measured in the same run, and the load average.

Run: .venv/bin/python benchmarks/validate.py [--posts N] [--corpus PATH] [--one-file-only]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def build_tree(corpus: Path, target: Path, count: int) -> list[Path]:
    sources = sorted(corpus.rglob("*.md"))
    if not sources:
        sys.exit(f"no posts under {corpus}")
    made = []
    for index in range(count):
        source = sources[index % len(sources)]
        folder = target / f"batch{index // 500:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{index:05d}-{source.name}"
        shutil.copyfile(source, path)
        made.append(path)
    return made


def time_command(args: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return times


def bare_parse(files: list[Path]) -> float:
    import frontmatter

    start = time.perf_counter()
    for path in files:
        try:
            frontmatter.load(path)
        except Exception:  # the corpus has posts whose YAML does not parse; the parse cost still counts
            pass
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one-file-only", action="store_true", help="measure only the one-file run and its baselines")
    options = parser.parse_args()
    postkit = str(Path(sys.executable).with_name("postkit"))
    if options.one_file_only:
        one_file_report(postkit, str(ROOT / "examples" / "rss-date-and-twin-images.md"))
        return
    with tempfile.TemporaryDirectory() as tmp:
        files = build_tree(options.corpus, Path(tmp) / "posts", options.posts)
        bare_parse(files)  # warm the page cache for both measurements
        tree = str(Path(tmp) / "posts")
        validate = min(time_command([postkit, "validate", "--format", "concise", tree], options.repeat))
        serial = min(time_command([postkit, "validate", "--format", "concise", "--jobs", "1", tree], options.repeat))
        bare = min(bare_parse(files) for _ in range(options.repeat))
        one_file = time_command([postkit, "validate", str(files[0])], 7)
    print(f"posts: {len(files)} (copied from {options.corpus})")
    print(f"postkit validate:  {validate:6.2f} s  {len(files) / validate:8.0f} posts/s  (whole command, start-up included)")
    print(f"  with --jobs 1:   {serial:6.2f} s  {len(files) / serial:8.0f} posts/s  (one process)")
    print(f"frontmatter.load:  {bare:6.2f} s  {len(files) / bare:8.0f} posts/s  (read + parse only)")
    print(f"cost ratio validate / bare parse: {validate / bare:.2f}  (goal <= 1.5); one process: {serial / bare:.2f}")
    one_file_report(postkit, str(files[0]))


def one_file_report(postkit: str, post: str, repeat: int = 21) -> None:
    """The pre-commit case: one post, start-up included, beside bare Python and bare Typer.

    The three commands take turns, so that a change in the machine's load hits all of them alike.
    """
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        'python -c "import typer"': [sys.executable, "-c", "import typer"],
        "postkit validate ONE-FILE": [postkit, "validate", post],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    load_before = os.getloadavg()[0]
    for _ in range(repeat):
        for name, args in commands.items():
            times[name] += time_command(args, 1)
    load_after = os.getloadavg()[0]
    print(f"one-file run (pre-commit case), {repeat} runs each, load average {load_before:.2f} -> {load_after:.2f}:")
    for name, values in times.items():
        print(f"  {name:28s} median {statistics.median(values):.3f} s, best {min(values):.3f} s")
    validate = statistics.median(times["postkit validate ONE-FILE"])
    typer = statistics.median(times['python -c "import typer"'])
    print(f"  validate beyond import typer: {validate - typer:+.3f} s (median); goal <= 0.2 s wall on an idle machine")


if __name__ == "__main__":
    main()
