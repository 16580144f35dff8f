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


class RawServer:
    """A TCP server on 127.0.0.1 that hands each accepted connection to ``handler(connection)`` in its own thread.

    For the answers pytest-httpserver cannot give: headers dripped a byte at
    a time, a flood of headers, a connection dropped mid-request, a listener
    that accepts and never answers. ``connections`` counts accepted
    connections.
    """

    def __init__(self, handler) -> None:
        import threading

        self.handler = handler
        self.connections = 0
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.port = self.sock.getsockname()[1]
        self.stopped = threading.Event()
        self.open: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _serve(self) -> None:
        import threading

        self.sock.settimeout(0.1)
        while not self.stopped.is_set():
            try:
                connection, _ = self.sock.accept()
            except (socket.timeout, OSError):
                continue
            self.connections += 1
            self.open.append(connection)
            threading.Thread(target=self._handle, args=(connection,), daemon=True).start()

    def _handle(self, connection: socket.socket) -> None:
        try:
            self.handler(connection)
        except OSError:
            pass

    def stop(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=2)
        self.sock.close()
        for connection in self.open:
            try:
                connection.close()
            except OSError:
                pass


def read_request(connection: socket.socket) -> bytes:
    """The request's head (up to the blank line), or what came before the peer closed."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = connection.recv(4096)
        if not chunk:
            break
        data += chunk
    return data
