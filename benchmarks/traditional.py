"""Speed of `postkit traditional`'s conversion over the shared corpus, against a whole-text OpenCC baseline.

Run from the repository root:

    .venv/bin/python benchmarks/traditional.py [--config s2t] [--repeat 3]
        [--baseline-python /tmp/venv-reimpl/bin/python]

Prints MB/s (UTF-8 megabytes of input per second) for:
- the text readers see in every corpus body, converted by postkit (cold:
  one pass in a fresh process; warm: again in the same process, with
  memoised runs);
- the same text through one whole-text OpenCC(config).convert() call per post
  with the OpenCC installed here, and, with --baseline-python, with the
  OpenCC installed for that interpreter (opencc-python-reimplemented in the
  issue's baseline; the two cannot share a virtual environment);
- whole bodies through convert_body() (finding protected spans included);
the start-up cost: importing the converter and loading the dictionaries
once per process; and one post under pre-commit, `postkit traditional
--check post.md` as a fresh process, in three states of the cache folder:
empty (the first run on a machine), dictionaries cached but the post's text
new (an edited post), and the post seen before (a second --check). Each
figure is the best of --repeat runs; cold runs and baselines alternate.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _corpus import CORPUS, corpus_posts  # noqa: E402

_POSTKIT = """
import json, sys, time
texts = json.load(open(sys.argv[1], encoding="utf-8"))
started = time.perf_counter()
from postkit.traditional.post import get_converter
imported = time.perf_counter()
converter = get_converter({config!r})
converter.convert_text("发")
loaded = time.perf_counter()
cpu = time.process_time()
for text in texts:
    converter.convert_text(text)
finished = time.perf_counter()
print(json.dumps({{"import_ms": (imported - started) * 1000, "load_ms": (loaded - imported) * 1000,
                  "seconds": finished - loaded, "cpu_seconds": time.process_time() - cpu}}))
"""

_BASELINE = """
import json, sys, time
texts = json.load(open(sys.argv[1], encoding="utf-8"))
started = time.perf_counter()
from opencc import OpenCC
converter = OpenCC({config!r})
converter.convert("发")
loaded = time.perf_counter()
cpu = time.process_time()
for text in texts:
    converter.convert(text)
finished = time.perf_counter()
cpu_seconds = time.process_time() - cpu
import importlib.metadata as m
names = [d.metadata["Name"] for d in m.distributions() if d.metadata["Name"].lower().startswith("opencc")]
print(json.dumps({{"load_ms": (loaded - started) * 1000, "seconds": finished - loaded, "cpu_seconds": cpu_seconds,
                  "package": names}}))
"""


def _run(python: str, script: str, texts_file: str) -> dict:
    # No run cache: a cold run converts every clause itself.
    env = {**os.environ, "POSTKIT_NO_CACHE": "1"}
    result = subprocess.run([python, "-c", script, texts_file], capture_output=True, text=True, check=True, env=env)
    return json.loads(result.stdout)


def _megabytes(texts: list[str]) -> float:
    return sum(len(text.encode("utf-8")) for text in texts) / 1e6


def _best_of(repeat: int, work) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - started)
    return best


def _one_file_check(post_text: str, config: str, repeat: int) -> dict[str, tuple[float, float]]:
    """(best seconds, CPU seconds of that run) of `postkit traditional --check post.md` per cache state."""
    postkit = str(Path(sys.executable).with_name("postkit"))
    results: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        cache = root / "cache"
        env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
        env.pop("POSTKIT_NO_CACHE", None)

        def run(label: str, text: str) -> None:
            post = root / "post.md"
            post.write_text(text, encoding="utf-8")
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            subprocess.run([postkit, "traditional", "--check", "--config", config, str(post)], env=env, capture_output=True)
            elapsed = time.perf_counter() - started
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
            if label not in results or elapsed < results[label][0]:
                results[label] = (elapsed, cpu)

        for attempt in range(repeat):
            shutil.rmtree(cache, ignore_errors=True)
            run("empty cache folder (first run)", post_text)
            # Every clause new: an edit the cache has never seen.
            edited = post_text.replace("。", f"。第{attempt}版", 3) + f"\n\n修改{attempt}：" + "".join(reversed(post_text[-400:]))
            run("dictionaries cached, text new (an edited post)", edited)
            run("post seen before (a second --check)", edited)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="s2t")
    parser.add_argument("--repeat", type=int, default=3, help="best of N for every figure")
    parser.add_argument("--baseline-python", help="interpreter whose OpenCC gives the baseline")
    args = parser.parse_args(argv)

    if not CORPUS.is_dir():
        print(f"corpus not found at {CORPUS}", file=sys.stderr)
        return 2

    from postkit.traditional.protected import html_text_spans, markdown_text_spans, scan_as_html
    from postkit.traditional.post import backend_name, get_converter

    posts = corpus_posts()
    bodies = [body for _path, _front_matter, body in posts]
    texts = []
    for body in bodies:
        spans = html_text_spans(body) if scan_as_html(body) else markdown_text_spans(body)
        texts.append("".join(body[start:end] for start, end in spans))
    text_mb, body_mb = _megabytes(texts), _megabytes(bodies)

    with tempfile.NamedTemporaryFile("w", suffix=".json", encoding="utf-8", delete=False) as handle:
        json.dump(texts, handle, ensure_ascii=False)
    try:
        # Cold runs (a fresh process each) and baselines alternate, and the
        # best of each is kept, so a busy machine skews both alike.
        baselines = {"this environment": sys.executable}
        if args.baseline_python:
            baselines["--baseline-python"] = args.baseline_python
        cold: list[dict] = []
        baseline_runs: dict[str, list[dict]] = {label: [] for label in baselines}
        for _ in range(args.repeat):
            cold.append(_run(sys.executable, _POSTKIT.format(config=args.config), handle.name))
            for label, python in baselines.items():
                baseline_runs[label].append(_run(python, _BASELINE.format(config=args.config), handle.name))
    finally:
        Path(handle.name).unlink()

    # A post of median size from the corpus, for the pre-commit figure.
    sizes = sorted(posts, key=lambda post: len(post[2]))
    median_path = sizes[len(sizes) // 2][0]
    one_file = _one_file_check(Path(median_path).read_text(encoding="utf-8"), args.config, args.repeat)

    converter = get_converter(args.config)
    for text in texts:
        converter.convert_text(text)
    warm = _best_of(args.repeat, lambda: [converter.convert_text(text) for text in texts])
    whole_bodies = _best_of(args.repeat, lambda: [converter.convert_body(body) for body in bodies])

    best_cold = min(cold, key=lambda run: run["seconds"])
    print(f"corpus: {len(posts)} posts, {body_mb:.2f} MB of bodies, {text_mb:.2f} MB of text readers see")
    print(f"OpenCC config {args.config}; postkit uses {backend_name()}; best of {args.repeat}")
    print(
        f"start-up: import {min(run['import_ms'] for run in cold):.0f} ms, load dictionaries and segmenter "
        f"{min(run['load_ms'] for run in cold):.0f} ms (once per process)"
    )
    best_cold_cpu = min(run["cpu_seconds"] for run in cold)
    print(
        f"postkit convert_text, cold (fresh process): {text_mb / best_cold['seconds']:6.2f} MB/s "
        f"({text_mb / best_cold_cpu:.2f} MB per CPU second)"
    )
    print(f"postkit convert_text, warm (memoised runs): {text_mb / warm:6.2f} MB/s")
    print(f"postkit convert_body, warm (spans + conversion): {body_mb / whole_bodies:6.2f} MB/s")
    for label, runs in baseline_runs.items():
        best = min(runs, key=lambda run: run["seconds"])
        best_cpu = min(run["cpu_seconds"] for run in runs)
        print(
            f"whole-text OpenCC({args.config!r}).convert, {label} ({', '.join(best['package'])}): "
            f"{text_mb / best['seconds']:6.2f} MB/s ({text_mb / best_cpu:.2f} MB per CPU second), "
            f"load {min(run['load_ms'] for run in runs):.0f} ms"
        )
        if label == "--baseline-python":
            # CPU time as well as the clock: on a shared machine the clock counts the other users' work too.
            print(
                f"postkit cold / reimplementation baseline: {best['seconds'] / best_cold['seconds']:.1f}x by the clock, "
                f"{best_cpu / best_cold_cpu:.1f}x by CPU time (goal >= 4x)"
            )
    print(f"one post under pre-commit: postkit traditional --check ({Path(median_path).stat().st_size / 1000:.1f} kB post, goal <= 0.5 s):")
    for label, (elapsed, cpu) in one_file.items():
        print(f"  {label:<48} {elapsed:5.2f} s  (CPU {cpu:4.2f} s)")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
