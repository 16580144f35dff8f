"""Hostile and broken servers on 127.0.0.1: the run ends, memory stays bounded, dead hosts cost one time-out.

Each test starts the server it needs (pytest-httpserver, or :class:`RawServer`
for what a well-behaved server cannot do) and asserts the verdict and the
number of requests or connections; no assertion is on elapsed time (a dead
host costs one round of time-outs because no other connection is made,
which the connection count shows).
"""

from __future__ import annotations

import gzip
import os
import socket
import subprocess
import sys
import textwrap
import time
import zlib
from pathlib import Path

import pytest
from images_helpers import PNG, RawServer, closed_port, images_runner, read_request, requests_to, start_server
from werkzeug import Request, Response

from postkit.images.remote import CheckOptions, RemoteChecker

QUICK = CheckOptions(read_timeout=1.0, connect_timeout=1.0, retries=1, backoff=0.01, deadline=5.0)


@pytest.fixture(scope="module")
def server():
    started = start_server()
    yield started
    started.clear()
    started.stop()


@pytest.fixture
def http(server):
    server.clear()
    yield server
    server.clear()


@pytest.fixture
def raw():
    servers = []

    def make(handler):
        started = RawServer(handler)
        servers.append(started)
        return started

    yield make
    for started in servers:
        started.stop()


def one(url: str, options: CheckOptions = QUICK, referrer: str | None = None):
    checker = RemoteChecker(options, workers=1)
    return checker.check({url: {referrer}})[url][referrer], checker


# --- C13 in kind: whatever HEAD would do, postkit asks with GET as the browser does ---------------------


def _head_then_get(head: Response | None):
    def handler(request: Request) -> Response:
        if request.method == "HEAD":
            if head is None:  # HEAD hangs past the read time-out
                time.sleep(1.5)
                return Response(status=200)
            return head
        return Response(PNG, content_type="image/png")

    return handler


@pytest.mark.parametrize(
    "head",
    [
        None,
        Response("nope", status=404),
        Response("broken", status=500),
        Response("busy", status=503),
        Response("forbidden", status=403),
        Response("no HEAD", status=405),
        Response("no HEAD", status=501),
        Response("<html>hi</html>", content_type="text/html"),
        Response(b"", content_type="image/png", headers={"Content-Length": "0"}),
        Response("slow down", status=429, headers={"Retry-After": "0"}),
    ],
    ids=["hangs", "404", "500", "503", "403", "405", "501", "html", "empty", "429"],
)
def test_whatever_head_does_the_get_decides(http, head):
    http.expect_request("/c13.png").respond_with_handler(_head_then_get(head))
    result, checker = one(http.url_for("/c13.png"), CheckOptions(read_timeout=0.5, connect_timeout=1.0, retries=1, backoff=0.01))
    assert result.ok, result.detail
    assert [r.method for r in requests_to(http, "/c13.png")] == ["GET"] and checker.requests == 1
    get = requests_to(http, "/c13.png", "GET")[0]
    assert get.headers.get("Range") == f"bytes=0-{CheckOptions().body_limit - 1}"  # a bounded prefix only


def test_case_c13_as_written_head_sleeps_30_s_get_answers(http, tmp_path):
    case = Path(__file__).resolve().parents[3] / "shared" / "cases" / "C13.json"
    if case.is_file():
        import json

        assert "HEAD hangs" in json.loads(case.read_text(encoding="utf-8"))["area"]
    http.expect_request("/headhang.png").respond_with_handler(_head_then_get(None))
    post = tmp_path / "post.md"
    post.write_text(f"---\ntitle: 示例\ndate: 2024-01-01T10:00:00+08:00\n---\n![a]({http.url_for('/headhang.png')})\n", encoding="utf-8")
    result = images_runner()(str(post), "--no-cache", "--format", "concise")
    assert result.exit_code == 0 and result.stdout.count("IMG") == 0, result.stdout


def test_the_range_answer_206_is_a_picture_and_its_full_size_is_known(http):
    big = PNG + b"\0" * 10_000

    def handler(request: Request) -> Response:
        if request.method == "HEAD":
            return Response(status=500)
        start, end = 0, int(request.headers["Range"].split("-")[1])
        return Response(big[start : end + 1], status=206, content_type="image/png", headers={"Content-Range": f"bytes 0-{end}/{len(big)}"})

    http.expect_request("/ranged.png").respond_with_handler(handler)
    result, _ = one(http.url_for("/ranged.png"))
    assert result.ok and result.status == 206 and result.content_length == len(big)


def test_an_empty_file_that_answers_the_range_with_416_is_asked_again_whole(http):
    def handler(request: Request) -> Response:
        if "Range" in request.headers:
            return Response(status=416, headers={"Content-Range": "bytes */0"})
        return Response(b"", content_type="image/png")

    http.expect_request("/empty.png").respond_with_handler(handler)
    result, _ = one(http.url_for("/empty.png"))
    assert result.reason == "not-an-image" and "empty body" in result.detail


# --- time: a per-URL deadline and dead hosts ------------------------------------------------------------------


def test_a_body_dripped_a_byte_a_second_stops_at_the_deadline(http):
    def drip(request: Request) -> Response:
        if request.method == "HEAD":
            return Response(status=405)

        def body():
            yield PNG[:8]
            for _ in range(600):
                time.sleep(1)
                yield b"\0"

        return Response(body(), content_type="image/png", headers={"Content-Length": "100000"})

    http.expect_request("/drip.png").respond_with_handler(drip)
    options = CheckOptions(read_timeout=10.0, connect_timeout=1.0, retries=3, backoff=0.01, deadline=2.0, body_limit=4096)
    result, _ = one(http.url_for("/drip.png"), options)
    # Each byte came within the 10 s read time-out, so only the deadline could stop it.
    assert result.reason == "timeout" and "2 s deadline" in result.detail and result.attempts == 1


def test_headers_dripped_forever_stop_at_the_deadline(raw):
    def handler(connection: socket.socket) -> None:
        read_request(connection)
        connection.sendall(b"HTTP/1.1 200 OK\r\n")
        for _ in range(3000):
            connection.sendall(b"X")
            time.sleep(0.05)

    server = raw(handler)
    options = CheckOptions(read_timeout=10.0, connect_timeout=1.0, retries=3, backoff=0.01, deadline=1.5)
    result, _ = one(server.url("/headers.png"), options)
    assert result.reason == "timeout" and "deadline" in result.detail


def test_a_flood_of_headers_is_a_protocol_error_not_a_memory_blow_up(raw):
    def handler(connection: socket.socket) -> None:
        read_request(connection)
        connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n")
        line = b"X-Filler: " + b"a" * 1000 + b"\r\n"
        for _ in range(20_000):  # 20 MB of headers, if anyone read them
            connection.sendall(line)

    server = raw(handler)
    result, _ = one(server.url("/flood.png"))
    assert result.reason == "connection-failed" and "broke the HTTP exchange" in result.detail


def test_an_endless_body_is_read_only_up_to_the_cap(http):
    def endless(request: Request) -> Response:
        def body():
            yield PNG[:16]
            while True:
                yield b"\0" * 65536

        return Response(body(), content_type="application/octet-stream")

    http.expect_request("/endless").respond_with_handler(endless)
    result, _ = one(http.url_for("/endless"))
    assert result.ok and result.content_type == "application/octet-stream"  # the PNG magic number decides


def _gzip_bomb(gigabytes: int) -> bytes:
    """A gzip body that inflates to ``gigabytes`` GiB of zeros; a few MB on the wire, built in milliseconds."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    # After a full flush a block refers to nothing before it, so the block can be repeated.
    block = packer.compress(b"\0" * (1 << 20)) + packer.flush(zlib.Z_FULL_FLUSH)
    header = gzip.compress(b"")[:10]
    return header + block * (1024 * gigabytes) + packer.flush(zlib.Z_FINISH)


def test_a_gzip_bomb_stops_at_the_cap_under_an_address_space_limit(http, tmp_path):
    bomb = _gzip_bomb(1)
    http.expect_request("/bomb.png").respond_with_data(bomb, content_type="text/html", headers={"Content-Encoding": "gzip"})
    post = tmp_path / "post.md"
    # 32 URLs at once. Decoding a whole 64 KB read inflates it to about 64 MB (httpx's own decoder does,
    # before any cap): measured, that run peaks at 366 MB resident and fails under 300 MB of address
    # space, while the streamed decoder peaks at 44 MB of address space. 256 MB it is: a regression
    # fails here instead of eating the machine.
    post.write_text("---\ntitle: t\n---\n" + "".join(f"![b]({http.url_for('/bomb.png')}?{n})\n" for n in range(32)), encoding="utf-8")
    script = textwrap.dedent(
        f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, ({256 << 20}, {256 << 20}))
        from postkit.cli import run
        sys.argv = ["postkit", "images", "--no-cache", "--format", "concise", {str(post)!r}]
        run()
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert done.stdout.count("IMG301") == 32 and "MemoryError" not in done.stderr


def test_a_gzip_bomb_is_decoded_only_up_to_the_cap(http):
    import tracemalloc

    bomb = _gzip_bomb(1)
    http.expect_request("/bomb2.png").respond_with_data(bomb, content_type="text/plain", headers={"Content-Encoding": "gzip"})
    tracemalloc.start()
    try:
        result, _ = one(http.url_for("/bomb2.png"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.reason == "not-an-image"
    # The bomb inflates to 1 GiB, one 64 KB read of it to 64 MB; measured peak here (with the test
    # server's own copies of the 1 MB body in this process): 12.6 MB.
    assert peak < 32 * 1024 * 1024


def test_a_gzipped_picture_is_decoded_and_sniffed(http):
    http.expect_request("/zipped").respond_with_data(gzip.compress(PNG), content_type="application/octet-stream", headers={"Content-Encoding": "gzip"})
    result, _ = one(http.url_for("/zipped"))
    assert result.ok


def _silent(connection: socket.socket) -> None:
    """Accept, read the request, and never answer."""
    read_request(connection)
    time.sleep(30)


def test_n_urls_on_a_host_that_never_answers_cost_one_round_of_time_outs(raw):
    server = raw(_silent)
    urls = {server.url(f"/{index}.png"): {None} for index in range(40)}
    options = CheckOptions(read_timeout=0.5, connect_timeout=0.5, per_host=4, retries=3, backoff=0.01)
    checker = RemoteChecker(options, workers=1)
    results = checker.check(urls)
    assert all(probes[None].reason == "timeout" for probes in results.values())
    # The first wave (per_host URLs) waits out its time-out; every other URL is settled without a
    # connection. Naively 40 URLs × 4 attempts × 0.5 s / 4 at a time = 20 s.
    assert server.connections <= options.per_host and checker.requests <= options.per_host
    settled = [probes[None] for probes in results.values() if probes[None].requests == 0]
    assert len(settled) >= 40 - options.per_host and all("no new connection" in p.detail for p in settled)


def test_n_urls_on_a_refusing_host_make_no_new_connection_attempts():
    port = closed_port()
    urls = {f"http://127.0.0.1:{port}/{index}.png": {None} for index in range(30)}
    checker = RemoteChecker(CheckOptions(per_host=4, retries=3, backoff=0.01), workers=1)
    results = checker.check(urls)
    assert all(probes[None].reason == "connection-failed" for probes in results.values())
    assert checker.requests <= 4  # the first wave only; connect failures are not retried


# --- offline ------------------------------------------------------------------------------------------


def test_no_reachable_host_at_all_is_one_message_and_exit_2(tmp_path):
    (tmp_path / "a.png").write_bytes(PNG)
    post = tmp_path / "post.md"
    post.write_text(
        "---\ntitle: t\n---\n"
        f"![a](http://127.0.0.1:{closed_port()}/a.png)\n![b](http://127.0.0.2:{closed_port()}/b.png)\n"
        f"![c](http://127.0.0.1:{closed_port()}/c.png)\n![local](missing.png)\n![fine](a.png)\n",
        encoding="utf-8",
    )
    result = images_runner()(str(post), "--no-cache", "--format", "concise")
    assert result.exit_code == 2
    assert "the network is unavailable" in result.stderr and "--offline" in result.stderr
    # The local checks ran and were reported; no remote image is called broken.
    assert "IMG001" in result.stdout and "IMG102" not in result.stdout and "IMG101" not in result.stdout
    offline = images_runner()(str(post), "--no-cache", "--format", "concise", "--offline")
    assert offline.exit_code == 1 and "IMG001" in offline.stdout and "network is unavailable" not in offline.stderr


def test_a_single_dead_host_is_reported_per_url(tmp_path, http):
    http.expect_request("/ok.png").respond_with_data(PNG, content_type="image/png")
    port = closed_port()
    post = tmp_path / "post.md"
    post.write_text(
        f"---\ntitle: t\n---\n![a](http://127.0.0.1:{port}/a.png)\n![b](http://127.0.0.1:{port}/b.png)\n",
        encoding="utf-8",
    )
    result = images_runner()(str(post), "--no-cache", "--format", "concise")
    assert result.exit_code == 1 and result.stdout.count("IMG102") == 2
    post.write_text(post.read_text() + f"![ok]({http.url_for('/ok.png')})\n", encoding="utf-8")
    result = images_runner()(str(post), "--no-cache", "--format", "concise")
    assert result.exit_code == 1 and result.stdout.count("IMG102") == 2 and "network is unavailable" not in result.stderr


# --- where requests may go ---------------------------------------------------------------------------


class LoopbackOnly:
    """The test's network: connects to 127.0.0.1 only, whatever the code under test asks for.

    ``stand_ins`` maps a pretend address (a public one, a private one) to
    127.0.0.1, so a test server can play a public host. Any other
    non-loopback address is refused and recorded in ``refused``: nothing
    can leave the machine even if the guard under test is wrong.
    """

    def __init__(self, stand_ins: dict[str, str]) -> None:
        from httpcore._backends.auto import AutoBackend

        self.real = AutoBackend()
        self.stand_ins = stand_ins
        self.refused: list[str] = []
        self.connected: list[str] = []

    async def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        import httpcore

        from postkit.images.transport import address_kind

        target = self.stand_ins.get(host, host)
        if address_kind(target) != "loopback":
            self.refused.append(host)
            raise httpcore.ConnectError(f"test network: refused to connect to {host}")
        self.connected.append(host)
        return await self.real.connect_tcp(target, port, timeout, local_address, socket_options)

    async def sleep(self, seconds: float) -> None:
        await self.real.sleep(seconds)


NAMES = {"public.test": ["93.184.215.14"], "intranet.test": ["10.0.0.7"], "metadata.test": ["169.254.169.254"]}


async def fake_dns(host: str, port: int) -> list[str]:
    """Answers for the test's names; IP literals are their own answer; any other name does not resolve (no real DNS)."""
    import ipaddress

    if host in NAMES:
        return NAMES[host]
    try:
        ipaddress.ip_address(host)
        return [host]
    except ValueError:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None


def guarded(options: CheckOptions = QUICK):
    network = LoopbackOnly({"93.184.215.14": "127.0.0.1", "10.0.0.7": "127.0.0.1"})
    return RemoteChecker(options, network_backend=network, resolve=fake_dns), network


@pytest.mark.parametrize(
    "location, kind",
    [
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://metadata.test/latest/meta-data/", "link-local"),
        ("http://[fe80::1]/x.png", "link-local"),
        ("http://127.0.0.1:{port}/img.png", "loopback"),
        ("http://10.0.0.7:{port}/img.png", "private"),
        ("http://intranet.test:{port}/img.png", "private"),
        ("http://[::ffff:169.254.169.254]/x.png", "link-local"),
        ("http://0.0.0.0:{port}/img.png", "loopback"),
    ],
)
def test_a_redirect_from_a_public_address_into_a_private_network_is_refused(http, location, kind):
    http.expect_request("/img.png").respond_with_data(PNG, content_type="image/png")
    http.expect_request("/hop").respond_with_data("", status=302, headers={"Location": location.format(port=http.port)})
    checker, network = guarded()
    url = f"http://public.test:{http.port}/hop"
    result = checker.check({url: {None}})[url][None]
    assert result.reason == "blocked-address" and kind in result.detail
    assert network.refused == []  # the guard refused it: the test network never had to
    assert requests_to(http, "/img.png") == []


def test_a_redirect_to_a_public_address_is_followed(http):
    http.expect_request("/img.png").respond_with_data(PNG, content_type="image/png")
    http.expect_request("/hop").respond_with_data("", status=302, headers={"Location": f"http://public.test:{http.port}/img.png"})
    checker, network = guarded()
    url = f"http://public.test:{http.port}/hop"
    assert checker.check({url: {None}})[url][None].ok


def test_direct_loopback_and_private_urls_and_private_redirects_stay_allowed(http):
    http.expect_request("/img.png").respond_with_data(PNG, content_type="image/png")
    http.expect_request("/hop").respond_with_data("", status=302, headers={"Location": f"http://127.0.0.1:{http.port}/img.png"})
    checker, network = guarded()
    urls = [http.url_for("/img.png"), f"http://intranet.test:{http.port}/img.png", f"http://intranet.test:{http.port}/hop"]
    results = checker.check({url: {None} for url in urls})
    assert [results[url][None].reason for url in urls] == [None, None, None]


def test_link_local_is_never_requested_unless_the_config_allows_it(http):
    url = "http://169.254.169.254/latest/meta-data/"
    checker, network = guarded()
    result = checker.check({url: {None}})[url][None]
    assert result.reason == "blocked-address" and "allow-link-local" in result.detail and network.refused == []
    # Allowed: the guard lets it through, and only the test network stops it.
    checker, network = guarded(CheckOptions(read_timeout=1.0, connect_timeout=1.0, retries=0, allow_link_local=True))
    result = checker.check({url: {None}})[url][None]
    assert result.reason == "connection-failed" and network.refused == ["169.254.169.254"]


def test_a_name_that_does_not_resolve_is_a_dns_failure_through_the_guard():
    checker, network = guarded()
    url = "http://no-such-host.test/a.png"
    result = checker.check({url: {None}})[url][None]
    assert result.reason == "dns-failure" and result.unreachable == "connect" and network.connected == []


def test_allow_link_local_is_a_strict_config_key(tmp_path):
    from postkit.core.config import load_config

    (tmp_path / "pyproject.toml").write_text("[tool.postkit.images]\nallow-link-local = 'yes'\n", encoding="utf-8")
    with pytest.raises(Exception, match="allow-link-local"):
        load_config(tmp_path)


# --- a symbolic link inside the site that leads outside it ---------------------------------------------------


def test_a_symlink_out_of_the_site_is_outside_site_and_nothing_outside_is_looked_at(tmp_path, monkeypatch):
    from postkit.images.local import SiteLayout, check

    site = tmp_path / "site"
    outside = tmp_path / "outside"
    (outside / "deep").mkdir(parents=True)
    (outside / "passwd").write_text("root:x:0:0\n")
    (site / "source" / "img").mkdir(parents=True)
    (site / "source" / "_posts").mkdir()
    (site / "_config.yml").write_text("title: t\n")
    (site / "source" / "img" / "etcdir").symlink_to(outside)
    (site / "source" / "img" / "hop").symlink_to("etcdir")  # a link to a link that leaves
    (site / "source" / "img" / "inside.png").write_bytes(PNG)
    (site / "source" / "img" / "alias.png").symlink_to("inside.png")  # a link that stays inside is fine
    post = site / "source" / "_posts" / "p.md"
    post.write_text("---\ntitle: t\n---\n")
    layout = SiteLayout.for_site(site)
    looked: list[str] = []
    real_stat, real_lstat = os.stat, os.lstat

    def spy_stat(path, *args, **kwargs):
        looked.append(os.fspath(path))
        return real_stat(path, *args, **kwargs)

    def spy_lstat(path, *args, **kwargs):
        looked.append(os.fspath(path))
        return real_lstat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", spy_stat)
    monkeypatch.setattr(os, "lstat", spy_lstat)
    for url in ("/img/etcdir/passwd", "/img/hop/passwd", "../img/etcdir/deep/x.png"):
        verdict = check(url, str(post), layout)
        assert verdict.reason == "outside-site" and "symbolic link" in verdict.detail, url
    assert check("/img/alias.png", str(post), layout).reason is None
    monkeypatch.undo()
    assert not [path for path in looked if path.startswith(str(outside))]


def test_a_symlink_loop_is_reported_not_followed_forever(tmp_path):
    from postkit.images.local import SiteLayout, check

    (tmp_path / "source" / "_posts").mkdir(parents=True)
    (tmp_path / "_config.yml").write_text("title: t\n")
    (tmp_path / "source" / "a").symlink_to("b")
    (tmp_path / "source" / "b").symlink_to("a")
    post = tmp_path / "source" / "_posts" / "p.md"
    post.write_text("---\ntitle: t\n---\n")
    assert check("/a/x.png", str(post), SiteLayout.for_site(tmp_path)).reason == "outside-site"


def test_with_no_network_a_clean_local_run_does_not_say_all_checks_passed(tmp_path):
    post = tmp_path / "post.md"
    post.write_text(
        f"---\ntitle: t\n---\n![a](http://127.0.0.1:{closed_port()}/a.png)\n![b](http://127.0.0.2:{closed_port()}/b.png)\n",
        encoding="utf-8",
    )
    result = images_runner()(str(post), "--no-cache")
    assert result.exit_code == 2
    assert "All checks passed" not in result.stdout
    assert "remote images were not judged: the network is unavailable" in result.stdout
