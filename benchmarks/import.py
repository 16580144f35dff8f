"""Benchmark ``postkit import``: items per second for a 2,000-item RSSHub-style feed served on 127.0.0.1.

A standard-library HTTP server in a thread serves one RSS 2.0 feed of
``--items`` items (HTML descriptions in Simplified Chinese with a tracking
pixel, lazy and referrer-policy images, a table or a code block, RFC 2822
dates), with an ``ETag``. The script times the core of ``postkit import``
(``run.run_import``: fetch, parse, convert, name, write) into a fresh Hexo
site, three ways:

- first run: every item becomes a post (rendered on every core), and the
  same in one process (``--jobs 1``);
- second run: the server answers ``304 Not Modified``;
- second run without the HTTP cache: every item is fetched, parsed and
  matched against the posts already written, and skipped.

It also splits the first run: fetch + parse alone (feedparser), and the
rest. Each figure is the median of ``--repeat`` rounds (the machine is
shared). The load average is printed beside them.

Run: .venv/bin/python benchmarks/import.py [--items 2000] [--repeat 3]
Nothing leaves the machine: the feed is on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _feeds import make_feed  # noqa: E402
from postkit.feeds.parse import parse_feed  # noqa: E402
from postkit.feeds.post import PostSettings  # noqa: E402
from postkit.feeds.run import FeedSource, Options, run_import  # noqa: E402

def serve(body: bytes) -> tuple[ThreadingHTTPServer, str, list[int]]:
    etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
    statuses: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            if self.headers.get("If-None-Match") == etag:
                statuses.append(304)
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            statuses.append(200)
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml; charset=utf-8")
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/feed.xml", statuses


def one_round(url: str, body: bytes, items: int) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(prefix="postkit-import-bench-"))
    try:
        posts = folder / "source" / "_posts"
        posts.mkdir(parents=True)
        options = Options(into=posts, state_folder=folder / ".postkit-cache")
        sources = [FeedSource(url, PostSettings(timezone="Asia/Shanghai"))]
        started = time.perf_counter()
        parse_feed(body)
        parse_seconds = time.perf_counter() - started
        started = time.perf_counter()
        report = run_import(sources, options)
        first = time.perf_counter() - started
        written = sum(feed.counts["written"] for feed in report.feeds)
        assert written == items and not report.problems, (written, report.problems[:3])
        started = time.perf_counter()
        run_import(sources, options)
        not_modified = time.perf_counter() - started
        shutil.rmtree(folder / ".postkit-cache")
        options = Options(into=posts, state_folder=folder / ".postkit-cache-2")
        started = time.perf_counter()
        again = run_import(sources, options)
        rerun = time.perf_counter() - started
        assert sum(feed.counts["already imported"] for feed in again.feeds) == items
        one = folder / "one-process"
        started = time.perf_counter()
        run_import(sources, Options(into=one, state_folder=folder / ".postkit-cache-3", jobs=1, conditional=False))
        one_process = time.perf_counter() - started
        return {"first": first, "parse": parse_seconds, "not_modified": not_modified, "rerun": rerun, "one_process": one_process}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    body = make_feed(args.items)
    server, url, statuses = serve(body)
    try:
        rounds = [one_round(url, body, args.items) for _ in range(args.repeat)]
    finally:
        server.shutdown()
    median = {key: statistics.median(r[key] for r in rounds) for key in rounds[0]}
    n = args.items
    print(f"feed: {n} items, {len(body) / 1e6:.2f} MB; load average {os.getloadavg()[0]:.2f}; median of {args.repeat} rounds")
    print(f"first run (fetch, parse, convert, write): {median['first']:.2f} s = {n / median['first']:.0f} items/s")
    print(f"  of which parse (feedparser): {median['parse']:.2f} s = {n / median['parse']:.0f} items/s")
    print(f"first run in one process (--jobs 1): {median['one_process']:.2f} s = {n / median['one_process']:.0f} items/s")
    print(f"second run, 304 Not Modified: {median['not_modified'] * 1000:.0f} ms")
    print(f"second run without the HTTP cache (fetch, parse, match, skip): {median['rerun']:.2f} s = {n / median['rerun']:.0f} items/s")
    print(f"requests: {statuses.count(200)} x 200, {statuses.count(304)} x 304")
    return 0


if __name__ == "__main__":
    sys.exit(main())
