"""Time and peak memory of postkit under hostile input: alias bombs, tagged junk, large posts.

Builds each attack in a temporary folder and runs the postkit command on it
in a subprocess with a wall-clock timeout and an address-space limit (so an
old build that explodes fails fast instead of eating the machine). Prints,
for each attack: the exit code, wall time, peak RSS of the command and its
workers, and for large posts the peak above the command's baseline (a small
post) divided by the post's size (goal: at most 20).

Run: .venv/bin/python benchmarks/hostile.py [--postkit PATH] [--timeout S] [--address-space MB] [--only NAME]

``--postkit`` points at another build's console script (an older checkout,
for before-and-after figures in the same run and under the same load).
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MB = 1_000_000


def _bomb(levels: int, key: str, value: str) -> list[str]:
    lines = [f'a: &a [{",".join([value] * 9)}]']
    previous = "a"
    for name in "bcdefghijklmnop"[: levels - 1]:
        lines.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
        previous = name
    lines.append(f"{key}: *{previous}")
    return lines


def _sized(unit: str, size: int, head: str = "---\ntitle: 大\n---\n", tail: str = "") -> str:
    return head + unit * ((size - len((head + tail).encode())) // len(unit.encode())) + tail


GOOD = "---\ntitle: 好的\ndate: 2021-01-01T00:00:00Z\n---\n\n<p>发布</p>\n"
LARGE = 9_500_000  # under the default max-post-size of 10 MB


def build(folder: Path) -> list[tuple[str, Path, list[str], int]]:
    """(name, folder to run in, command, post size for the ratio) of every attack."""
    attacks = []

    def post(name: str, text: str) -> Path:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path.parent

    small = post("small/p.md", GOOD)
    attacks.append(("small post (baseline)", small, ["traditional", "--check", "p.md"], 0))
    attacks.append(("small post (baseline)", small, ["convert", "--check", "p.md"], 0))
    tags = folder / "tags"
    for name, value in (("bool", "!!bool x"), ("int", "!!int _"), ("timestamp", "!!timestamp soon")):
        post(f"tags/{name}.md", f"---\ntitle: 标题\ndate: {value}\n---\n\n正文\n")
    post("tags/good.md", GOOD)
    for command in (["validate"], ["convert", "--check"], ["traditional", "--check"], ["images", "--offline"]):
        attacks.append(("tagged values in 3 of 4 posts", tags, [*command, "."], 0))
    bomb = post("bomb/bomb.md", "---\n" + "\n".join(["title: 标题", *_bomb(10, "tags", '"发"')]) + "\n---\n\n正文\n")
    for command in (["validate"], ["convert", "--check"], ["traditional", "--check"], ["images", "--offline"]):
        attacks.append(("alias bomb in front matter (10 levels)", bomb, [*command, "bomb.md"], 0))
    site = folder / "site-bomb"
    post("site-bomb/_config.yml", "\n".join(_bomb(10, "timezone", '"lol"')) + "\n")
    post("site-bomb/source/_posts/p.md", GOOD)
    site_tags = folder / "site-tags"
    post("site-tags/_config.yml", "title: site\ntimezone: !!timestamp soon\n")
    post("site-tags/source/_posts/p.md", GOOD)
    for command in (["validate"], ["convert", "--check"], ["traditional", "--check"], ["images", "--offline"]):
        attacks.append(("alias bomb in _config.yml", site, command, 0))
        attacks.append(("tagged value in _config.yml", site_tags, command, 0))
    large = {
        "one 9.5 MB line of Chinese": "发布了一个新版本，",
        "one 9.5 MB line of Markdown": "发布 release 的 [链接](http://x.com/a) **粗体** `代码` 文字。",
        "9.5 MB of short paragraphs": "发布了一个新版本，见 [链接](http://x.com/a)。\n\n",
        "9.5 MB of HTML paragraphs": '<p>发布了一个新版本，<a href="http://x.com/">链接</a> <b>粗</b></p>\n',
    }
    for index, (name, unit) in enumerate(large.items()):
        where = post(f"large{index}/p.md", _sized(unit, LARGE))
        attacks.append((name, where, ["traditional", "--check", "p.md"], LARGE))
    html = large["9.5 MB of HTML paragraphs"]
    attacks.append(("9.5 MB of HTML paragraphs", folder / "large3", ["convert", "--check", "p.md"], LARGE))
    wrapped = post("wrapped/p.md", _sized(html, LARGE, '---\ntitle: 大\n---\n<div class="content">\n', "</div>\n"))
    attacks.append(("9.5 MB of HTML in one <div>", wrapped, ["convert", "--check", "p.md"], LARGE))
    over = post("over/p.md", _sized(html, 50 * MB))
    for command in (["convert", "--check"], ["traditional", "--check"]):
        attacks.append(("50 MB post (over max-post-size)", over, [*command, "p.md"], 0))
    return attacks


def run(postkit: str, folder: Path, command: list[str], timeout: float, address_space: int) -> tuple[str, float, float, str]:
    """(exit code or 'timeout', seconds, peak RSS in MB, first line of stderr)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
        os.setsid()

    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "POSTKIT_DEBUG")}
    started = time.monotonic()
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen([postkit, *command], cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=errors, preexec_fn=limit)
        try:
            process.wait(timeout=timeout)
            code = str(process.returncode)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            code = "timeout"
        elapsed = time.monotonic() - started
        errors.seek(0)
        first = errors.read().decode("utf-8", "replace").strip().splitlines()[:1]
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # largest child so far, in MB
    return code, elapsed, peak, (first[0][:90] if first else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postkit", default=str(Path(sys.executable).with_name("postkit")))
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--address-space", type=int, default=4000, help="MB")
    parser.add_argument("--only", default="", help="run the attacks whose name holds this text")
    options = parser.parse_args()
    print(f"postkit: {options.postkit}; load average {os.getloadavg()[0]:.2f}; timeout {options.timeout:g} s, address space {options.address_space} MB")
    baselines: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as temporary:
        for name, folder, command, size in build(Path(temporary)):
            if options.only not in name:
                continue
            # ru_maxrss of RUSAGE_CHILDREN is the largest child of this process so far: run each
            # attack from a fresh interpreter so that the figure is its own.
            script = (
                "import sys, json; sys.path.insert(0, sys.argv[1]); import hostile; "
                "print(json.dumps(hostile.run(sys.argv[2], hostile.Path(sys.argv[3]), json.loads(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6]))))"
            )
            import json

            output = subprocess.run(
                [sys.executable, "-c", script, str(Path(__file__).parent), options.postkit, str(folder), json.dumps(command),
                 str(options.timeout), str(options.address_space * MB)],
                capture_output=True, text=True, check=True,
            ).stdout
            code, elapsed, peak, first = json.loads(output)
            if name.startswith("small post"):
                baselines[command[0]] = peak
            # What the post costs on top of the command's own footprint, per byte of post (goal <= 20).
            ratio = f"  {(peak - baselines.get(command[0], 0)) / (size / MB):5.1f} x size" if size else ""
            print(f"{name:<40} {' '.join(command):<28} exit {code:>7}  {elapsed:7.2f} s  {peak:8.1f} MB{ratio}  {first}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
