"""postkit import against hostile servers and feeds: where requests may go, deadlines, deep nesting, bad URLs.

Every request in the address tests goes through :class:`LoopbackOnly`, a
network that connects to 127.0.0.1 only and a resolver that knows a few
test names and nothing else: even if the guard under test were wrong,
nothing could leave the machine.
"""

from __future__ import annotations

import ipaddress
import socket

import pytest

from postkit.core.net_guard import address_kind
from postkit.feeds.fetch import FetchError, fetch_url, make_client
from feeds_helpers import FEEDS as FEEDS_DIR, feed_bytes

FEED = feed_bytes("atom.xml")


class LoopbackOnly:
    """The test's network: connects to 127.0.0.1 only, whatever the code under test asks for.

    ``stand_ins`` maps a pretend address (a public one, a private one) to
    127.0.0.1, so a test server can play that host. Any other non-loopback
    address is refused and recorded in ``refused``.
    """

    def __init__(self, stand_ins: dict[str, str]) -> None:
        from httpcore._backends.sync import SyncBackend

        self.real = SyncBackend()
        self.stand_ins = stand_ins
        self.refused: list[str] = []
        self.connected: list[str] = []

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        import httpcore

        target = self.stand_ins.get(host, host)
        if address_kind(target) != "loopback":
            self.refused.append(host)
            raise httpcore.ConnectError(f"test network: refused to connect to {host}")
        self.connected.append(host)
        return self.real.connect_tcp(target, port, timeout, local_address, socket_options)

    def sleep(self, seconds: float) -> None:
        self.real.sleep(seconds)


NAMES = {"public.test": ["93.184.215.14"], "intranet.test": ["10.0.0.7"], "metadata.test": ["169.254.169.254"]}


def fake_dns(host: str, port: int) -> list[str]:
    """Answers for the test's names; IP literals are their own answer; any other name does not resolve."""
    if host in NAMES:
        return NAMES[host]
    try:
        ipaddress.ip_address(host)
        return [host]
    except ValueError:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None


def guarded():
    network = LoopbackOnly({"93.184.215.14": "127.0.0.1", "10.0.0.7": "127.0.0.1"})
    return make_client(network_backend=network, resolve=fake_dns), network


def fetch(url: str, **kwargs):
    client, network = guarded()
    with client:
        try:
            return fetch_url(client, url, **kwargs), network
        except FetchError as error:
            return error, network


@pytest.mark.parametrize(
    "location, kind",
    [
        ("http://169.254.169.254/latest/meta-data/", "link-local"),
        ("http://metadata.test/latest/meta-data/", "link-local"),
        ("http://[fe80::1]/x", "link-local"),
        ("http://[::ffff:169.254.169.254]/x", "link-local"),
        ("http://127.0.0.1:{port}/feed.xml", "loopback"),
        ("http://0.0.0.0:{port}/feed.xml", "loopback"),
        ("http://10.0.0.7:{port}/feed.xml", "private"),
        ("http://intranet.test:{port}/feed.xml", "private"),
    ],
)
def test_a_redirect_from_a_public_address_into_a_private_network_is_refused(httpserver, location, kind):
    httpserver.expect_request("/feed.xml").respond_with_data(FEED, content_type="application/atom+xml")
    httpserver.expect_request("/hop").respond_with_data("", status=302, headers={"Location": location.format(port=httpserver.port)})
    result, network = fetch(f"http://public.test:{httpserver.port}/hop")
    assert isinstance(result, FetchError) and result.code == "IMP004" and kind in result.message and "refused" in result.message
    assert network.refused == []  # the guard refused it: the test network never had to
    assert [request.path for request, _ in httpserver.log] == ["/hop"]


def test_link_local_is_never_requested_even_directly():
    for url in ("http://169.254.169.254/latest/meta-data/", "http://metadata.test/", "http://[fe80::1]/"):
        result, network = fetch(url)
        assert isinstance(result, FetchError) and "link-local" in result.message and network.refused == network.connected == []


def test_a_redirect_to_a_public_address_is_followed(httpserver):
    httpserver.expect_request("/feed.xml").respond_with_data(FEED, content_type="application/atom+xml")
    httpserver.expect_request("/hop").respond_with_data("", status=302, headers={"Location": f"http://public.test:{httpserver.port}/feed.xml"})
    result, _network = fetch(f"http://public.test:{httpserver.port}/hop")
    assert result.body == FEED


def test_direct_loopback_and_private_urls_and_private_redirects_stay_allowed(httpserver):
    httpserver.expect_request("/feed.xml").respond_with_data(FEED, content_type="application/atom+xml")
    httpserver.expect_request("/hop").respond_with_data("", status=302, headers={"Location": f"http://127.0.0.1:{httpserver.port}/feed.xml"})
    for url in (f"http://127.0.0.1:{httpserver.port}/feed.xml", f"http://intranet.test:{httpserver.port}/feed.xml", f"http://intranet.test:{httpserver.port}/hop"):
        result, _network = fetch(url)
        assert not isinstance(result, FetchError) and result.body == FEED, url


def test_the_import_command_reports_a_refused_redirect_as_imp004_and_goes_on(tmp_path, httpserver):
    """Through the CLI, with the real network: the redirect goes to a link-local address the guard refuses before connecting."""
    from typer.testing import CliRunner

    from postkit.cli import app

    httpserver.expect_request("/hop").respond_with_data("", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    httpserver.expect_request("/feed.xml").respond_with_data(FEED, content_type="application/atom+xml")
    # Loopback is not public, so a 302 from 127.0.0.1 is not a "public → private" hop: the link-local rule alone refuses it.
    result = CliRunner().invoke(app, ["import", httpserver.url_for("/hop"), httpserver.url_for("/feed.xml"), "--into", str(tmp_path)])
    assert result.exit_code == 1
    assert f"{httpserver.url_for('/hop')}: IMP004 refused: 169.254.169.254 is a link-local address" in result.stderr
    assert list(tmp_path.glob("*.md"))  # the other feed went on


# --- the whole-feed deadline -------------------------------------------------------------------------


@pytest.fixture
def dripping():
    """A raw server on 127.0.0.1 that sends the headers, then a byte of the body every 0.5 s, for ever."""
    import threading
    import time

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    stop = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except OSError:
                continue
            with connection:
                connection.recv(65536)
                try:
                    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/atom+xml\r\nContent-Length: 1000000\r\n\r\n")
                    while not stop.is_set():
                        connection.sendall(b" ")
                        time.sleep(0.5)
                except OSError:
                    pass

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/feed.xml"
    stop.set()
    thread.join()
    listener.close()


def test_a_body_dripped_a_byte_at_a_time_stops_at_the_whole_feed_deadline(dripping):
    result, _network = fetch(dripping, timeout=1.5)
    assert isinstance(result, FetchError) and result.code == "IMP004" and "timed out" in result.message and "1.5 s" in result.message


def test_the_import_command_stops_a_dripping_feed_and_goes_on(tmp_path, dripping):
    from conftest import run_postkit

    result = run_postkit("import", dripping, str(FEEDS_DIR / "atom.xml"), "--into", str(tmp_path), "--timeout", "1")
    assert result.returncode == 1, result.stderr
    assert f"{dripping}: IMP004 timed out" in result.stderr
    assert list(tmp_path.glob("*.md"))


@pytest.mark.parametrize("value", ["1e308", "nan", "inf", "-inf", "0", "-1", "1e6", "true", '"10"'])
def test_a_timeout_that_is_not_a_sane_finite_number_is_a_config_error(tmp_path, value):
    from conftest import run_postkit

    (tmp_path / "pyproject.toml").write_text(f"[tool.postkit.import]\ntimeout = {value}\n", encoding="utf-8")
    result = run_postkit("import", str(FEEDS_DIR / "atom.xml"), "--into", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 2 and "timeout" in result.stderr and "Traceback" not in result.stderr and "internal error" not in result.stderr


@pytest.mark.parametrize("value", ["nan", "inf", "1e308", "0"])
def test_a_timeout_option_that_is_not_a_sane_finite_number_is_a_usage_error(tmp_path, value):
    from conftest import run_postkit

    result = run_postkit("import", str(FEEDS_DIR / "atom.xml"), "--into", str(tmp_path), "--timeout", value, cwd=tmp_path)
    assert result.returncode == 2 and "--timeout" in result.stderr and "Traceback" not in result.stderr


# --- hostile documents --------------------------------------------------------------------------------


def test_a_deeply_nested_json_feed_is_one_located_error_and_the_other_feeds_go_on(tmp_path):
    from conftest import run_postkit

    deep = tmp_path / "deep.json"
    deep.write_text('{"version":"https://jsonfeed.org/version/1",\n"items":' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    into = tmp_path / "posts"
    into.mkdir()
    result = run_postkit("import", str(deep), str(FEEDS_DIR / "atom.xml"), "--into", str(into), cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    # The outer object is level 1, so level 501 is the 500th "[", at column 8 + 500 of line 2.
    assert f"{deep}:2:508: IMP001 not valid JSON: nested too deeply" in result.stderr
    assert "RecursionError" not in result.stderr and "internal error" not in result.stderr
    assert list(into.glob("*.md"))


@pytest.mark.parametrize(
    "url, why",
    [("http://[::1", "Invalid IPv6 URL"), ("http://[::1]:x/", "Port could not be cast"), ("http://a.test:99999/", "out of range"), ("https:///x", "no host")],
)
def test_a_url_that_is_not_valid_is_one_imp004_and_the_other_feeds_go_on(tmp_path, url, why):
    from conftest import run_postkit

    result = run_postkit("import", url, str(FEEDS_DIR / "atom.xml"), "--into", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert f"{url}: IMP004 not a valid URL: " in result.stderr and why in result.stderr
    assert "InvalidURL" not in result.stderr and "internal error" not in result.stderr
    assert list(tmp_path.glob("*.md"))


def test_a_url_that_is_not_valid_in_the_config_is_a_config_error(tmp_path):
    from conftest import run_postkit

    (tmp_path / "pyproject.toml").write_text('[tool.postkit.import]\n[[tool.postkit.import.feeds]]\nurl = "http://[::1"\n', encoding="utf-8")
    result = run_postkit("import", "--into", str(tmp_path), cwd=tmp_path)
    assert result.returncode == 2 and "'url' must be a valid URL" in result.stderr and "InvalidURL" not in result.stderr
