"""Helpers for the image tests: a real HTTP server on 127.0.0.1 (pytest-httpserver, threaded), picture bytes, and a CLI runner."""

from __future__ import annotations

import base64
import socket
import struct
import zlib

import typer
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner

from postkit.images.command import register


def png(width: int = 2, height: int = 2, color: int = 0) -> bytes:
    """A valid PNG of ``width`` × ``height`` grey pixels (different colours give different bytes)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes([color]) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


PNG = png()
SPACER_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def start_server() -> HTTPServer:
    """A started threaded server on 127.0.0.1 (threaded: a slow handler must not hold up the others)."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    return server


def closed_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def requests_to(server: HTTPServer, path: str, method: str | None = None) -> list:
    """The requests the server received for ``path`` (and ``method``), in order."""
    return [request for request, _ in server.log if request.path == path and (method is None or request.method == method)]


def images_runner():
    """``invoke(*args)`` runs ``postkit images ARGS`` through a Typer app that registers the command as cli.py will."""
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """postkit (test app)."""

    register(app)
    runner = CliRunner()
    return lambda *args: runner.invoke(app, ["images", *args], catch_exceptions=False)
