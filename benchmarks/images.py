"""Benchmark the remote image checker (issue 5, "Speed"): 2,000 unique URLs over 20 hosts, 50 ms each.

A local server, in its own process, answers every request after 50 ms. It
listens on 127.0.0.1 to 127.0.0.20 (20 distinct hosts, loopback only, one
port), speaks HTTP/1.1 with keep-alive, and answers HEAD and GET with a
small PNG. It counts requests by method (and Range), and the script prints
them: postkit sends one GET of a bounded prefix per URL, no HEAD. The script writes posts that reference the 2,000 URLs, then
times the core of ``postkit images`` (``run.plan``, ``run.fetch`` and
``run.report``: collection, checks, report) twice with the same cache folder:

- the first run, against the ideal URLs × latency ÷ effective concurrency,
  where effective concurrency = min(--concurrency, hosts × --per-host);
  goal: within 1.5× of the ideal;
- the second run over unchanged posts, all answers from the cache;
  goal: at most 5 % of the first, and no request.

Each round uses fresh URLs and a fresh cache; the median of the rounds is
the figure, because the machine is shared and single runs are noisy.

Then ``postkit images --localize all`` (``localize.localize``) stores every
one of the 2,000 pictures in the site's ``source/images/<post>/`` and
rewrites the posts; each URL answers a different picture of
``--picture-bytes`` bytes (a PNG signature, the path, padding). Its
throughput is printed in MB/s and images/s, downloads and writes included.

Run: .venv/bin/python benchmarks/images.py [--urls 2000] [--hosts 20] [--latency 0.05]
     [--concurrency 32] [--per-host 4] [--repeat 3] [--picture-bytes 20000]
Nothing leaves the machine: every URL is on 127.0.0.x.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import struct
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def _picture(path: bytes, size: int) -> bytes:
    """A valid PNG of about ``size`` bytes, different for every path: the 1x1 picture with a tEXt chunk of padding.

    It must decode as a browser decodes it, or the checker (rightly) calls it broken and nothing is stored.
    """
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    head, tail = PNG[:33], PNG[33:]  # signature + IHDR, then IDAT + IEND
    padding = max(0, size - len(PNG) - 12 - len(path) - 9)
    return head + chunk(b"tEXt", b"postkit\x00" + path + b"\x00" * padding) + tail


# --- the server (run in a child process) ------------------------------------------------------------


class _SlowHttp(asyncio.Protocol):
    """HTTP/1.1 with keep-alive: every request is answered after ``latency`` seconds."""

    latency = 0.05
    served = 0
    methods: dict = {}  # method (with " Range" when a Range header came) -> count
    picture_bytes = 0  # 0: the small PNG; else a different picture of this size for every path

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        self.buffer = b""

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
            method, path = (head.split(b" ", 2) + [b"", b""])[:2]
            kind = method.decode() + (" Range" if b"\r\nrange:" in head.lower() else "")
            _SlowHttp.methods[kind] = _SlowHttp.methods.get(kind, 0) + 1
            asyncio.get_running_loop().call_later(self.latency, self._answer, method, path)

    def _answer(self, method: bytes, path: bytes = b"") -> None:
        if self.transport.is_closing():
            return
        _SlowHttp.served += 1
        body = _picture(path, self.picture_bytes) if self.picture_bytes else PNG
        head = b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: %d\r\n\r\n" % len(body)
        self.transport.write(head + (b"" if method == b"HEAD" else body))


async def _serve(hosts: int, latency: float, picture_bytes: int = 0) -> None:
    _SlowHttp.latency = latency
    _SlowHttp.picture_bytes = picture_bytes
    loop = asyncio.get_running_loop()
    first = await loop.create_server(_SlowHttp, "127.0.0.1", 0, backlog=1024)
    port = first.sockets[0].getsockname()[1]
    servers = [first]
    for index in range(2, hosts + 1):
        servers.append(await loop.create_server(_SlowHttp, f"127.0.0.{index}", port, backlog=1024))
    print(port, flush=True)
    # Serve until the parent closes our stdin, then report how many requests came.
    await loop.run_in_executor(None, sys.stdin.read)
    print(_SlowHttp.served, " ".join(f"{kind.replace(' ', '+')}={count}" for kind, count in sorted(_SlowHttp.methods.items())), flush=True)


# --- the measurement ----------------------------------------------------------------------------------


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the checker's worker processes, not the server)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def write_posts(folder: Path, urls: list[str], per_post: int = 20) -> list[str]:
    paths = []
    for start in range(0, len(urls), per_post):
        body = "".join(f'<p><img src="{url}" referrerpolicy="no-referrer"></p>\n' for url in urls[start : start + per_post])
        path = folder / f"post-{start // per_post:04d}.md"
        path.write_text(f"---\ntitle: post {start // per_post}\n---\n{body}", encoding="utf-8")
        paths.append(str(path))
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=2000)
    parser.add_argument("--hosts", type=int, default=20)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--per-host", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3, help="rounds, each with fresh URLs and cache (the machine is shared)")
    parser.add_argument("--picture-bytes", type=int, default=20000, help="size of each picture --localize stores")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(_serve(args.hosts, args.latency, args.picture_bytes))
        return

    from postkit.images import run as image_run
    from postkit.images.local import SiteLayout
    from postkit.images.remote import CheckOptions

    def timed_run(paths: list[str], settings: image_run.ImageSettings) -> dict:
        """One run of the command's core, phase by phase (seconds), with its process CPU time."""
        cpu, started = _cpu_seconds(), time.perf_counter()
        plan = image_run.plan(paths, settings)
        planned = time.perf_counter()
        results, stats = image_run.fetch(plan, settings)
        fetched = time.perf_counter()
        run = image_run.report(plan, results, settings)
        done = time.perf_counter()
        return {
            "wall": done - started, "plan": planned - started, "fetch": fetched - planned, "report": done - fetched,
            "cpu": _cpu_seconds() - cpu, "requests": stats.requests, "hits": stats.cache_hits, "broken": len(run.diagnostics),
        }

    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", "--hosts", str(args.hosts), "--latency", str(args.latency),
         "--picture-bytes", str(args.picture_bytes)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    rounds = []
    localized: list[dict] = []
    try:
        port = int(server.stdout.readline())  # type: ignore[union-attr]
        with tempfile.TemporaryDirectory(prefix="postkit-bench-images-") as tmp:
            for round_number in range(args.repeat):
                # Fresh URLs and a fresh cache each round, so every first run really goes to the server.
                site = Path(tmp) / f"round{round_number}"
                folder = site / "source" / "_posts"  # a Hexo site, so that --localize has a source/ folder
                folder.mkdir(parents=True)
                (site / "_config.yml").write_text("title: benchmark\n", encoding="utf-8")
                urls = [f"http://127.0.0.{i % args.hosts + 1}:{port}/r{round_number}/img/{i}.png" for i in range(args.urls)]
                paths = write_posts(folder, urls)
                settings = image_run.ImageSettings(
                    layout=SiteLayout.for_site(site),
                    cache_folder=site / ".postkit-cache",
                    check=CheckOptions(concurrency=args.concurrency, per_host=args.per_host),
                )
                rounds.append((timed_run(paths, settings), timed_run(paths, settings)))
                localized.append(timed_localize(paths, settings))
    finally:
        server.stdin.close()  # type: ignore[union-attr]
        served = server.stdout.read().strip()  # type: ignore[union-attr]
        server.wait(timeout=10)

    effective = min(args.concurrency, args.hosts * args.per_host)
    ideal = args.urls * args.latency / effective
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    print(f"urls: {args.urls} unique over {args.hosts} hosts (127.0.0.1-127.0.0.{args.hosts}), "
          f"{args.latency * 1000:.0f} ms per request, {args.urls // 20} posts; cpus: {os.cpu_count()}; load average {load}")
    print(f"concurrency {args.concurrency} total, {args.per_host} per host: effective {effective}; ideal {ideal:.2f} s")
    for index, (first, cached) in enumerate(rounds, 1):
        print(
            f"round {index}: first {first['wall']:5.2f} s = {first['wall'] / ideal:.2f} x ideal "
            f"(plan {first['plan']:.2f}, fetch {first['fetch']:.2f}, report {first['report']:.2f}; client cpu {first['cpu']:.2f} s; "
            f"{first['requests']} requests) | cached {cached['wall']:.2f} s = {100 * cached['wall'] / first['wall']:.1f} % "
            f"({cached['requests']} requests, {cached['hits']} cache hits)"
        )
    firsts = sorted(first["wall"] for first, _ in rounds)
    ratios = sorted(cached["wall"] / first["wall"] for first, cached in rounds)
    median_first = firsts[len(firsts) // 2]
    print(f"median first run:  {median_first:.2f} s = {median_first / ideal:.2f} x ideal (goal <= 1.5); best {firsts[0]:.2f} s")
    print(f"median cached run: {100 * ratios[len(ratios) // 2]:.1f} % of the first (goal <= 5 %)")
    total, _, by_method = served.partition(" ")
    print(f"server answered {total} requests ({by_method.replace('+', ' with ') or 'none'}); "
          f"broken images reported: {sum(f['broken'] + c['broken'] for f, c in rounds)}")
    print("GET confirmations after a failed HEAD: 0 (postkit sends no HEAD: each URL is one GET of its first 4 KB, "
          "with a Range header)")
    print_localize(localized)


def timed_localize(paths: list[str], settings) -> dict:  # noqa: ANN001 - an ImageSettings
    """``--localize all`` over the posts just checked: downloads, picture and post writes, timed (seconds)."""
    from postkit.images import localize as localizer
    from postkit.images import run as image_run

    plan = image_run.plan(paths, settings)
    results, _ = image_run.fetch(plan, settings)  # answered by the cache the checks just filled
    started = time.perf_counter()
    outcome = localizer.localize(plan, results, settings, localizer.LocalizeOptions(mode="all"))
    wall = time.perf_counter() - started
    return {
        "wall": wall, "images": len(outcome.new_images), "bytes": sum(image.size for image in outcome.new_images),
        "downloaded": outcome.downloaded, "requests": outcome.requests, "posts": len(outcome.changed_posts),
        "problems": len(outcome.problems),
    }


def print_localize(localized: list[dict]) -> None:
    """The --localize figures: every round, then the median round's throughput."""
    for index, item in enumerate(localized, 1):
        print(
            f"localize round {index}: {item['images']} pictures, {item['bytes'] / 1e6:.1f} MB in {item['wall']:.2f} s "
            f"= {item['bytes'] / 1e6 / item['wall']:.2f} MB/s, {item['images'] / item['wall']:.0f} images/s "
            f"({item['requests']} requests, {item['posts']} posts rewritten, {item['problems']} not stored)"
        )
    if localized:
        middle = sorted(localized, key=lambda item: item["wall"])[len(localized) // 2]
        print(
            f"median localize (--localize all): {middle['bytes'] / 1e6 / middle['wall']:.2f} MB/s, "
            f"{middle['images'] / middle['wall']:.0f} images/s ({middle['images']} pictures of "
            f"{middle['bytes'] // max(1, middle['images']):,} bytes, downloads and writes included)"
        )

if __name__ == "__main__":
    main()
