"""Shared pieces of the import tests: the feeds as real servers send them, a Hexo site, and file snapshots."""

from __future__ import annotations

import hashlib
from pathlib import Path

from werkzeug.wrappers import Request, Response

FEEDS = Path(__file__).resolve().parent / "feeds"


def feed_bytes(name: str) -> bytes:
    """A fixture feed's bytes; ``gbk.xml`` is stored as UTF-8 text and served in GBK, as it declares."""
    data = (FEEDS / name).read_bytes()
    if name == "gbk.xml":
        return data.decode("utf-8").encode("gbk")
    return data


CONTENT_TYPES = {
    "rsshub.xml": "application/rss+xml; charset=utf-8",
    "atom.xml": "application/atom+xml",
    "feed.json": "application/feed+json",
    "gbk.xml": "application/xml",
}
# path on the server -> fixture file
ROUTES = {"/rsshub/sspai": "rsshub.xml", "/atom.xml": "atom.xml", "/feed.json": "feed.json", "/gbk.xml": "gbk.xml"}


def conditional_handler(body: bytes, content_type: str, etag: str, last_modified: str = "Wed, 15 May 2024 08:00:00 GMT"):
    """A handler that answers 304 to a request carrying the current ETag or Last-Modified, as nginx does."""

    def handle(request: Request) -> Response:
        if request.headers.get("If-None-Match") == etag or request.headers.get("If-Modified-Since") == last_modified:
            return Response(status=304, headers={"ETag": etag, "Last-Modified": last_modified})
        return Response(body, status=200, headers={"Content-Type": content_type, "ETag": etag, "Last-Modified": last_modified})

    return handle


def serve_feeds(httpserver) -> list[str]:  # noqa: ANN001 - pytest-httpserver's HTTPServer
    """Serve every good fixture feed with validators; return their URLs in a fixed order."""
    urls = []
    for path, name in ROUTES.items():
        body = feed_bytes(name)
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        httpserver.expect_request(path).respond_with_handler(conditional_handler(body, CONTENT_TYPES[name], etag))
        urls.append(httpserver.url_for(path))
    return urls


def make_site(root: Path, timezone: str = "Asia/Shanghai", extra: str = "") -> Path:
    """A Hexo site: ``_config.yml`` with the timezone, and an empty ``source/_posts``."""
    (root / "source" / "_posts").mkdir(parents=True)
    (root / "_config.yml").write_text(f"title: Test blog\nurl: https://blog.example.com\ntimezone: {timezone}\n{extra}", encoding="utf-8")
    return root


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``folder`` with its bytes and modification time (ns)."""
    return {
        str(path.relative_to(folder)): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*")) if path.is_file()
    }
