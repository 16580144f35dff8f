"""feedparser + postkit's JSON Feed reader against feedparser-rs: speed and the behaviours import needs.

feedparser-rs (a Rust parser with a feedparser-compatible API and JSON Feed
support) is not a dependency of postkit, so this runs in a venv of its own
that has both (``make bench-import`` builds it in build/venv-feedparser-rs):

    build/venv-feedparser-rs/bin/python benchmarks/feed_parsers.py [--items 2000] [--repeat 5]

It parses the same RSSHub-style RSS 2.0 feed (benchmarks/import.py's) and a
JSON Feed 1.1 of the same items with each, prints the median time, then
checks what ``postkit import`` relies on: lazy-image attributes kept in the
HTML, a wrong declared encoding noticed (both ways), a located error for
XML that is not well-formed, and the JSON Feed fields.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "benchmarks"))
FEEDS = ROOT / "tests" / "feeds" / "feeds"

import feedparser  # noqa: E402
import feedparser_rs  # noqa: E402

from _feeds import make_feed  # noqa: E402
from postkit.feeds import jsonfeed  # noqa: E402 - standard library only


def median_seconds(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def json_feed(items: int) -> bytes:
    return json.dumps({
        "version": "https://jsonfeed.org/version/1.1",
        "title": "基准",
        "items": [
            {
                "id": f"https://bench.example.cn/post/{n}", "url": f"https://bench.example.cn/post/{n}",
                "title": f"第 {n} 篇：“开发者大会” / 新功能？",
                "content_html": f'<p>正文 {n}</p><p><img data-src="https://cdn.bench.example.cn/{n}/a.jpg" src="/loading.gif"></p>',
                "date_published": "2024-05-01T08:00:00+08:00", "tags": ["科技"], "authors": [{"name": "作者"}],
            }
            for n in range(items)
        ],
    }, ensure_ascii=False).encode("utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rss = make_feed(args.items)
    js = json_feed(args.items)
    version = getattr(feedparser_rs, "__version__", "?")
    print(f"feedparser {feedparser.__version__}, feedparser-rs {version}; {args.items} items; median of {args.repeat}")
    rss_py = median_seconds(lambda: feedparser.parse(rss, sanitize_html=False, resolve_relative_uris=False), args.repeat)
    rss_rs = median_seconds(lambda: feedparser_rs.parse(rss, sanitize_html=False, resolve_relative_uris=False), args.repeat)
    json_py = median_seconds(lambda: jsonfeed.read(js.decode("utf-8")), args.repeat)
    json_rs = median_seconds(lambda: feedparser_rs.parse(js, sanitize_html=False, resolve_relative_uris=False), args.repeat)
    print(f"RSS 2.0 ({len(rss) / 1e6:.2f} MB): feedparser {rss_py * 1000:.0f} ms, feedparser-rs {rss_rs * 1000:.0f} ms ({rss_py / rss_rs:.1f}x)")
    print(f"JSON Feed ({len(js) / 1e6:.2f} MB): postkit reader {json_py * 1000:.0f} ms, feedparser-rs {json_rs * 1000:.0f} ms")

    print("\nbehaviours import relies on:")
    rsshub = (FEEDS / "rsshub.xml").read_bytes()
    for name, parse in (("feedparser", lambda b: feedparser.parse(b, sanitize_html=False, resolve_relative_uris=False)), ("feedparser-rs", lambda b: feedparser_rs.parse(b, sanitize_html=False, resolve_relative_uris=False))):
        entry = parse(rsshub).entries[1]
        body = entry.get("summary") or ""
        print(f"  {name}: lazy image data-src kept: {'data-src=' in body}; referrerpolicy kept: {'referrerpolicy' in (parse(rsshub).entries[0].get('summary') or '')}")
        gbk_text = (FEEDS / "gbk.xml").read_text(encoding="utf-8")
        wrong = parse(gbk_text.replace('encoding="GBK"', 'encoding="UTF-8"').encode("gbk"))
        title = wrong.entries[0].get("title") if wrong.entries else None
        print(f"  {name}: GBK bytes declared UTF-8: bozo={bool(wrong.get('bozo'))}, first title {title!r}")
        reverse = parse(gbk_text.encode("utf-8"))
        title = reverse.entries[0].get("title") if reverse.entries else None
        print(f"  {name}: UTF-8 bytes declared GBK: bozo={bool(reverse.get('bozo'))}, first title {title!r}")
        broken = parse(b'<?xml version="1.0"?>\n<rss version="2.0"><channel>\n<item><title>x</title>\n')
        error = broken.get("bozo_exception")
        where = f"line {error.getLineNumber()}" if hasattr(error, "getLineNumber") else "no line"
        print(f"  {name}: truncated XML: bozo={bool(broken.get('bozo'))}, {type(error).__name__}: {error} ({where})")
    json_entry = feedparser_rs.parse((FEEDS / "feed.json").read_bytes()).entries[1]
    ours = jsonfeed.read((FEEDS / "feed.json").read_text(encoding="utf-8"))[1][1]
    print(f"  JSON Feed item 'image': postkit reader {ours['image']!r}, feedparser-rs {json_entry.get('image')!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
