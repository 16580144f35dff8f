"""Helpers for the --localize tests: picture hosts on 127.0.0.1 and 127.0.0.2 that behave like the hosts RSS blogs hot-link, and a Hexo site."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from images_helpers import png
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

SITE_URL = "http://blog.example.com"  # the Referer the blog's readers send
REAL = png(3, 3, 10)
OTHER = png(4, 4, 20)
MOVED = png(5, 5, 30)
NOT_ALLOWED = png(6, 6, 200) + b"not allowed" * 20  # WeChat's grey "not allowed" picture, as a stand-in: another size
REAL_WECHAT = png(7, 7, 40)
BIG = png(64, 64, 50) + b"\x00" * 4096  # sniffs as PNG; over the tests' 4,000-byte cap
HTML_PAGE = b"<!doctype html><html><body>Access denied</body></html>"
MAX_SIZE = 4000


def _foreign(request: Request) -> bool:
    return request.headers.get("Referer", "").startswith(SITE_URL)


def refuse_referer(data: bytes, content_type: str = "image/png"):
    """A handler that answers 403 to the blog's Referer and serves ``data`` without one (sinaimg's way)."""

    def handler(request: Request) -> Response:
        if _foreign(request):
            return Response("hot-linking is not allowed", status=403, content_type="text/plain")
        return Response(data, content_type=content_type)

    return handler


def wechat(request: Request) -> Response:
    """mmbiz.qpic.cn's way: a foreign Referer gets a different ("not allowed") picture, with status 200."""
    return Response(NOT_ALLOWED if _foreign(request) else REAL_WECHAT, content_type="image/jpeg")


def serve_pictures(server: HTTPServer) -> None:
    """Every path the tests use, on the 127.0.0.1 server."""
    server.expect_request("/hotlink.png").respond_with_handler(refuse_referer(REAL))
    server.expect_request("/other.png").respond_with_handler(refuse_referer(OTHER))
    server.expect_request("/fine.png").respond_with_data(OTHER, content_type="image/png")
    server.expect_request("/gone.png").respond_with_data("not found", status=404, content_type="text/plain")
    server.expect_request("/html.png").respond_with_handler(refuse_referer(HTML_PAGE, "image/png"))
    server.expect_request("/big.png").respond_with_handler(refuse_referer(BIG))
    server.expect_request("/moved.png").respond_with_data("", status=302, headers={"Location": "/target.png"})
    server.expect_request("/target.png").respond_with_handler(refuse_referer(MOVED))


def serve_wechat(server: HTTPServer) -> None:
    """The WeChat-style host (listed in hotlink-placeholder-hosts by the tests' config)."""
    server.expect_request("/mmbiz/pic.jpg").respond_with_handler(wechat)


def digest_name(data: bytes, extension: str = ".png") -> str:
    """The name --localize gives a picture: 12 hex digits of its SHA-256 and its type's extension."""
    return hashlib.sha256(data).hexdigest()[:12] + extension


@dataclass
class Site:
    """A Hexo site in a temporary folder."""

    root: Path

    @property
    def source(self) -> Path:
        return self.root / "source"

    @property
    def posts(self) -> Path:
        return self.source / "_posts"

    def post(self, name: str, text: str) -> Path:
        path = self.posts / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        return path


def make_site(root: Path, *, asset_folder: bool, post_asset: bool = False, url_root: str = "/", hotlink_hosts: tuple[str, ...] = ("127.0.0.2",)) -> Site:
    """``_config.yml`` (and postkit's config) for a site with or without ``post_asset_folder`` and marked's ``postAsset``."""
    root.mkdir(parents=True, exist_ok=True)
    config = [
        "title: Blog",
        f"url: {SITE_URL}",
        f"root: {url_root}",
        "permalink: :year/:month/:day/:title/",
        f"post_asset_folder: {'true' if asset_folder else 'false'}",
        "marked:",
        f"  postAsset: {'true' if post_asset else 'false'}",
        "",
    ]
    (root / "_config.yml").write_text("\n".join(config), encoding="utf-8")
    hosts = ", ".join(f'"{host}"' for host in hotlink_hosts)
    (root / ".postkit.toml").write_text(
        f"[images]\nhotlink-placeholder-hosts = [{hosts}]\nlocalize-max-size = {MAX_SIZE}\ntimeout = 3\nconnect-timeout = 3\n",
        encoding="utf-8",
    )
    return Site(root)


_SRC = re.compile(r"""<img\b[^>]*>""", re.I)
_ATTR = re.compile(r"""([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")


def img_urls(html_text: str) -> list[str]:
    """Every URL an ``<img>`` of ``html_text`` names: src, lazy attributes and srcset candidates."""
    found = []
    for tag in _SRC.findall(html_text):
        for name, double, single in _ATTR.findall(tag):
            value = double if double else single
            name = name.lower()
            if name in ("src", "data-src", "data-original"):
                found.append(value)
            elif name.endswith("srcset"):
                found.extend(part.strip().split()[0] for part in value.split(",") if part.strip())
    return found
