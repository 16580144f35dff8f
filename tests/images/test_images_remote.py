"""The remote checker against a real HTTP server on 127.0.0.1: one test per scenario of issue 5, no mocked client."""

from __future__ import annotations

import asyncio
import email.utils
import socket
import ssl
import threading
import time

import httpx
import pytest
from images_helpers import PNG, SPACER_GIF, closed_port, png, requests_to, start_server
from werkzeug import Request, Response

from postkit.images.content import PlaceholderPicture
from postkit.images.remote import (
    USER_AGENT,
    CheckOptions,
    ProbeResult,
    RemoteChecker,
    classify_error,
    normalize,
    retry_delay,
    split_concurrency,
    verdict,
)

# Small waits keep the suite fast; each test that needs other values says so.
FAST = CheckOptions(read_timeout=2.0, connect_timeout=2.0, retries=2, backoff=0.01, retry_after_cap=2.0)
SITE = "https://blog.example.com/"


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


def check(urls: dict, options: CheckOptions = FAST) -> tuple[dict, RemoteChecker]:
    checker = RemoteChecker(options)
    return checker.check(urls), checker


def one(url: str, referrer: str | None = None, options: CheckOptions = FAST) -> ProbeResult:
    results, _ = check({url: {referrer}}, options)
    return results[url][referrer]


def test_200_image_is_fine_with_one_get_of_a_bounded_prefix(http):
    http.expect_request("/ok.png").respond_with_data(PNG, content_type="image/png")
    result = one(http.url_for("/ok.png"))
    assert result.ok and result.status == 200 and result.content_type == "image/png"
    # GET, as a browser loads an <img>, asking for the first 4 KB only; never HEAD.
    assert [(r.method, r.headers.get("Range")) for r in requests_to(http, "/ok.png")] == [("GET", "bytes=0-4095")]


def test_an_image_type_whose_bytes_are_an_html_page_is_not_an_image(http):
    http.expect_request("/lying.png").respond_with_data("<!DOCTYPE html><html>gone</html>", content_type="image/png")
    result = one(http.url_for("/lying.png"))
    assert result.reason == "not-an-image" and "the bytes are an HTML page" in result.detail


def test_a_png_cut_before_its_image_data_is_not_an_image_but_one_cut_later_is(http):
    whole = png(40, 40)
    http.expect_request("/header-only.png").respond_with_data(whole[:40], content_type="image/png")
    http.expect_request("/half.png").respond_with_data(whole[: len(whole) - 20], content_type="image/png")
    assert one(http.url_for("/header-only.png")).reason == "not-an-image"
    assert one(http.url_for("/half.png")).ok  # Chromium shows the rows it got


def test_404_is_an_http_error(http):
    http.expect_request("/gone.png").respond_with_data("not here", status=404)
    result = one(http.url_for("/gone.png"))
    assert (result.reason, result.status, result.detail) == ("http-error", 404, "404 Not Found")
    assert result.attempts == 1  # 404 is not retried


def test_500_then_200_is_retried_and_fine(http):
    answers = iter([Response("busy", status=500), Response(PNG, content_type="image/png")])
    http.expect_request("/flaky.png").respond_with_handler(lambda request: next(answers))
    result = one(http.url_for("/flaky.png"))
    assert result.ok and result.attempts == 2
    assert [r.method for r in requests_to(http, "/flaky.png")] == ["GET", "GET"] and result.requests == 2


def test_persistent_503_is_broken_after_retries(http):
    http.expect_request("/down.png").respond_with_data("down", status=503)
    result = one(http.url_for("/down.png"))
    assert result.reason == "http-error" and result.status == 503
    assert result.attempts == 3 and "(after 2 retries)" in result.detail
    assert [r.method for r in requests_to(http, "/down.png")] == ["GET", "GET", "GET"]


class RateLimiter:
    """A host that enforces its ``Retry-After``: a request that comes back before the second is up gets 429 again.

    The first request gets ``429 Retry-After: 1``; ``refused`` counts the 429 answers. A client that
    waited only its backoff (0.01 s) would be refused again and end rate-limited.
    """

    def __init__(self) -> None:
        self.refused = 0
        self.until: float | None = None
        self.lock = threading.Lock()

    def __call__(self, request: Request) -> Response:
        with self.lock:
            now = time.monotonic()
            if self.until is None or now < self.until:
                self.refused += 1
                # The window is a little under the second asked for, so a client that waits the second always gets in.
                self.until = now + 0.9 if self.until is None else self.until
                return Response("slow down", status=429, headers={"Retry-After": "1"})
        return Response(PNG, content_type="image/png")


def test_429_honours_retry_after_then_succeeds(http):
    limiter = RateLimiter()
    http.expect_request("/limited.png").respond_with_handler(limiter)
    result = one(http.url_for("/limited.png"))
    assert result.ok and result.attempts == 2 and result.requests == 2
    assert limiter.refused == 1  # the retry waited the second the server asked for, not the 0.01 s backoff


def test_a_retry_after_beyond_the_deadline_is_not_waited_for(http):
    http.expect_request("/later.png").respond_with_data("slow down", status=429, headers={"Retry-After": "20"})
    options = CheckOptions(read_timeout=2.0, connect_timeout=2.0, retries=2, backoff=0.01, retry_after_cap=30.0, deadline=5.0)
    result = one(http.url_for("/later.png"), options=options)
    assert result.reason == "rate-limited" and result.attempts == 1
    assert "no retry: it would pass the 5 s deadline" in result.detail
    assert len(requests_to(http, "/later.png")) == 1


def test_persistent_429_is_rate_limited_not_broken(http):
    http.expect_request("/always-limited.png").respond_with_data("no", status=429, headers={"Retry-After": "0"})
    result = one(http.url_for("/always-limited.png"))
    assert result.reason == "rate-limited" and result.attempts == 3


def test_retry_after_pauses_the_whole_host(http):
    limiter = RateLimiter()  # one window for the whole host, whichever URL is asked first
    http.expect_request("/first.png").respond_with_handler(limiter)
    http.expect_request("/second.png").respond_with_handler(limiter)
    options = CheckOptions(per_host=1, backoff=0.01, retry_after_cap=2.0)
    results, checker = check({http.url_for("/first.png"): {None}, http.url_for("/second.png"): {None}}, options)
    assert all(probe[None].ok for probe in results.values())
    # The other URL of that host waited too: no request came inside the window, so one 429 and three requests.
    assert limiter.refused == 1 and checker.requests == 3


def test_retry_after_is_capped(http):
    answers = iter([Response("no", status=429, headers={"Retry-After": "3600"}), Response(PNG, content_type="image/png")])
    http.expect_request("/capped.png").respond_with_handler(lambda request: next(answers))
    # The deadline decides whether a retry is worth waiting for: only the capped delay (0.2 s) fits in it.
    options = CheckOptions(retries=1, backoff=0.01, retry_after_cap=0.2, deadline=10.0)
    result = one(http.url_for("/capped.png"), options=options)
    assert result.ok and result.attempts == 2


def test_retry_delay_reads_seconds_and_http_dates():
    options = CheckOptions(backoff=0.5, retry_after_cap=30)
    assert retry_delay(None, 0, options) == 0.5
    assert retry_delay(None, 3, options) == 4.0  # exponential: 0.5 × 2³
    assert retry_delay("7", 0, options) == 7.0
    assert retry_delay("120", 0, options) == 30.0  # the cap
    now = 1_700_000_000.0
    assert retry_delay(email.utils.formatdate(now + 12, usegmt=True), 0, options, now=now) == pytest.approx(12.0)
    assert retry_delay("soon", 1, options) == 1.0  # garbage: the backoff


def test_redirect_chain_is_followed(http):
    http.expect_request("/r1").respond_with_data("", status=301, headers={"Location": "/r2"})
    http.expect_request("/r2").respond_with_data("", status=302, headers={"Location": http.url_for("/r3")})
    http.expect_request("/r3").respond_with_data("", status=307, headers={"Location": "final.png"})
    http.expect_request("/final.png").respond_with_data(PNG, content_type="image/png")
    result = one(http.url_for("/r1"))
    assert result.ok and result.final_url == http.url_for("/final.png")
    assert "after 3 redirects" in result.detail


def test_redirect_loop_is_broken_and_says_so(http):
    http.expect_request("/loop-a").respond_with_data("", status=302, headers={"Location": "/loop-b"})
    http.expect_request("/loop-b").respond_with_data("", status=302, headers={"Location": "/loop-a"})
    result = one(http.url_for("/loop-a"))
    assert result.reason == "redirect-loop"
    assert result.detail == f"redirect loop: {http.url_for('/loop-a')} → {http.url_for('/loop-b')} → {http.url_for('/loop-a')}"
    assert result.attempts == 1


def test_more_than_max_redirects_is_too_many(http):
    for index in range(4):
        http.expect_request(f"/hop{index}").respond_with_data("", status=302, headers={"Location": f"/hop{index + 1}"})
    http.expect_request("/hop4").respond_with_data(PNG, content_type="image/png")
    options = CheckOptions(max_redirects=3, backoff=0.01)
    assert one(http.url_for("/hop0"), options=options).reason == "too-many-redirects"
    assert one(http.url_for("/hop1"), options=options).ok  # exactly 3 redirects is allowed


def test_redirect_to_another_scheme_is_a_bad_redirect(http):
    http.expect_request("/to-ftp").respond_with_data("", status=302, headers={"Location": "ftp://example.com/a.png"})
    result = one(http.url_for("/to-ftp"))
    assert result.reason == "bad-redirect" and "ftp://example.com/a.png" in result.detail


def test_a_server_that_refuses_head_is_fine_because_head_is_never_sent(http):
    http.expect_request("/no-head.png", method="HEAD").respond_with_data("", status=405)
    http.expect_request("/no-head.png", method="GET").respond_with_data(PNG, content_type="image/png")
    result = one(http.url_for("/no-head.png"))
    assert result.ok
    assert [r.method for r in requests_to(http, "/no-head.png")] == ["GET"]


def test_get_reads_only_a_few_kilobytes(http):
    chunk = 65536
    big = png(2, 2) + b"\0" * (20 * chunk)  # a 1.3 MB "picture", sent slowly

    def handler(request: Request) -> Response:
        def stream():  # the server ignores the Range header and sends everything
            for start in range(0, len(big), chunk):
                yield big[start : start + chunk]
                time.sleep(0.2)  # reading it all would take 4 s

        return Response(stream(), content_type="image/png", headers={"Content-Length": str(len(big))}, direct_passthrough=True)

    http.expect_request("/huge.png").respond_with_handler(handler)
    # Reading the whole body would take 4 s, past the 2 s deadline, and end in a time-out: a picture
    # means the client hung up after the first kilobytes. The deadline is the behaviour, not a timing.
    result = one(http.url_for("/huge.png"), options=CheckOptions(read_timeout=2.0, connect_timeout=2.0, retries=0, deadline=2.0))
    assert result.ok and result.content_length == len(big) and result.requests == 1


def test_200_html_page_is_not_an_image(http):
    http.expect_request("/error-page.png").respond_with_data("<html><body>Not found</body></html>", content_type="text/html; charset=utf-8")
    result = one(http.url_for("/error-page.png"))
    assert result.reason == "not-an-image"
    assert result.detail == "200 OK with Content-Type text/html; charset=utf-8: an HTML page"


def test_picture_bytes_with_a_wrong_type_are_sniffed_like_a_browser(http):
    http.expect_request("/mislabelled.png").respond_with_data(PNG, content_type="application/octet-stream")
    http.expect_request("/nosniff.png").respond_with_data(
        PNG, content_type="text/plain", headers={"X-Content-Type-Options": "nosniff"}
    )
    assert one(http.url_for("/mislabelled.png")).ok
    assert one(http.url_for("/nosniff.png")).reason == "not-an-image"


def test_empty_picture_is_not_an_image(http):
    http.expect_request("/empty.png").respond_with_data(b"", content_type="image/png")
    result = one(http.url_for("/empty.png"))
    assert result.reason == "not-an-image" and "empty body" in result.detail


def test_a_host_that_never_answers_in_time_is_not_retried(http):
    def slow(request: Request) -> Response:
        time.sleep(0.6)
        return Response(PNG, content_type="image/png")

    http.expect_request("/slow.png").respond_with_handler(slow)
    options = CheckOptions(read_timeout=0.2, retries=1, backoff=0.01)
    result = one(http.url_for("/slow.png"), options=options)
    # The GET timed out and the host never answered: dead for this run, not retried.
    assert result.reason == "timeout" and result.unreachable == "silent" and result.attempts == 1
    assert "never answered" in result.detail
    assert result.requests == 1  # the server logs a request only once it answers, so count on the client


def test_a_timeout_on_a_host_that_answered_is_retried(http):
    def handler(request: Request) -> Response:
        if request.path == "/slow.png":
            time.sleep(0.6)
        return Response(PNG, content_type="image/png")

    http.expect_request("/fast.png").respond_with_handler(handler)
    http.expect_request("/slow.png").respond_with_handler(handler)
    checker = RemoteChecker(CheckOptions(read_timeout=0.2, retries=1, backoff=0.01))

    async def one_after_the_other():
        from postkit.images.transport import HostRouter

        checker._slots = asyncio.Semaphore(4)
        checker._timeout = {"connect": 2.0, "read": 0.2, "write": 0.2, "pool": 2.2}
        async with HostRouter(4) as transport:
            checker._transport = transport
            return await checker.probe(http.url_for("/fast.png"), None), await checker.probe(http.url_for("/slow.png"), None)

    first, second = asyncio.run(one_after_the_other())
    assert first.ok
    assert second.reason == "timeout" and second.unreachable == "" and second.attempts == 2
    assert second.detail == "timed out while waiting for the answer (after 1 retry)"


def test_closed_port_is_a_connection_failure():
    result = one(f"http://127.0.0.1:{closed_port()}/a.png")
    assert result.reason == "connection-failed"
    assert result.detail == "connection refused: nothing listens on that port"
    assert result.attempts == 1


def _hotlink_handler(request: Request) -> Response:
    referer = request.headers.get("Referer")
    if referer and not referer.startswith("https://origin.example.cn"):
        return Response("hotlinking forbidden", status=403)
    return Response(PNG, content_type="image/png")


def test_foreign_referer_refused_is_hotlink_protected(http):
    http.expect_request("/protected.png").respond_with_handler(_hotlink_handler)
    url = http.url_for("/protected.png")
    results, _ = check({url: {SITE}})
    assert set(results[url]) == {SITE, None}  # the bare probe was added to explain the failure
    assert results[url][SITE].reason == "http-error" and results[url][None].ok
    reason, detail = verdict(results[url], SITE)
    assert reason == "hotlink-protected"
    assert detail.startswith("403 Forbidden with the blog's Referer (https://blog.example.com/), but it loads without a Referer")
    referers = [r.headers.get("Referer") for r in requests_to(http, "/protected.png")]
    assert referers == [SITE, None]  # GET 403 with the Referer, then GET without one


def test_no_referrer_reference_sends_no_referer(http):
    http.expect_request("/protected.png").respond_with_handler(_hotlink_handler)
    url = http.url_for("/protected.png")
    results, _ = check({url: {None}})
    assert verdict(results[url], None) == (None, "200 OK image/png")
    assert [r.headers.get("Referer") for r in requests_to(http, "/protected.png")] == [None]


def test_dead_link_with_referer_is_not_called_hotlinking(http):
    http.expect_request("/dead.png").respond_with_data("gone", status=404)
    url = http.url_for("/dead.png")
    results, _ = check({url: {SITE}})
    assert verdict(results[url], SITE) == ("http-error", "404 Not Found")


def test_spacer_gif_is_a_placeholder_image(http):
    http.expect_request("/spacer.gif").respond_with_data(SPACER_GIF, content_type="image/gif")
    result = one(http.url_for("/spacer.gif"))
    assert result.reason == "placeholder-image"
    assert "1x1 transparent spacer GIF" in result.detail
    assert [r.method for r in requests_to(http, "/spacer.gif")] == ["GET"]


def test_placeholder_served_for_a_foreign_referer_is_hotlink_protected(http):
    not_allowed = png(3, 1, color=200)
    table = (PlaceholderPicture.of(not_allowed, "the host's 'not allowed' picture"),)

    def handler(request: Request) -> Response:
        return Response(not_allowed if request.headers.get("Referer") else PNG, content_type="image/png")

    http.expect_request("/wx.png").respond_with_handler(handler)
    url = http.url_for("/wx.png")
    results, _ = check({url: {SITE}}, CheckOptions(backoff=0.01, placeholders=table))
    assert results[url][SITE].reason == "placeholder-image"
    assert verdict(results[url], SITE)[0] == "hotlink-protected"


def test_hotlink_host_that_swaps_pictures_is_caught_without_a_hash(http):
    def handler(request: Request) -> Response:
        body = png(3, 1, color=200) if request.headers.get("Referer") else png(8, 8) + b"\0" * 300
        return Response(body, content_type="image/png")

    http.expect_request("/mmbiz.png").respond_with_handler(handler)
    url = http.url_for("/mmbiz.png")
    hosts = {"127.0.0.1": "a WeChat-like host"}
    results, _ = check({url: {SITE}}, CheckOptions(backoff=0.01, hotlink_hosts=hosts))
    assert results[url][SITE].ok and results[url][None].ok
    reason, detail = verdict(results[url], SITE, hosts)
    assert reason == "hotlink-protected" and "a different picture" in detail and "a WeChat-like host" in detail


def test_each_unique_url_is_fetched_once(http):
    http.expect_request("/shared.png").respond_with_data(PNG, content_type="image/png")
    url = http.url_for("/shared.png")
    _, checker = check({url: {None}})
    assert checker.requests == 1 and len(requests_to(http, "/shared.png")) == 1


def test_no_cookies_no_credentials_and_a_clear_user_agent(http):
    http.expect_request("/cookie.png").respond_with_data(PNG, content_type="image/png", headers={"Set-Cookie": "session=abc; Path=/"})
    http.expect_request("/cookie2.png").respond_with_data(PNG, content_type="image/png")
    check({http.url_for("/cookie.png"): {None}})
    results, _ = check({http.url_for("/cookie.png"): {None}, http.url_for("/cookie2.png"): {None}})
    for request, _ in http.log:
        assert "Cookie" not in request.headers and "Authorization" not in request.headers
        assert request.headers["User-Agent"] == USER_AGENT
        assert request.headers["Accept"].startswith("image/")
    assert "https://github.com/postkit/postkit" in USER_AGENT
    custom = CheckOptions(backoff=0.01, user_agent="MyBlogChecker/1.0")
    check({http.url_for("/cookie2.png"): {None}}, custom)
    assert requests_to(http, "/cookie2.png")[-1].headers["User-Agent"] == "MyBlogChecker/1.0"


def test_per_host_limit_is_respected(http):
    active = [0]
    peak = [0]
    lock = threading.Lock()

    def handler(request: Request) -> Response:
        with lock:
            active[0] += 1
            peak[0] = max(peak[0], active[0])
        time.sleep(0.05)
        with lock:
            active[0] -= 1
        return Response(PNG, content_type="image/png")

    for index in range(12):
        http.expect_request(f"/many{index}.png").respond_with_handler(handler)
    urls = {http.url_for(f"/many{index}.png"): {None} for index in range(12)}
    check(urls, CheckOptions(per_host=3, concurrency=32, backoff=0.01))
    assert peak[0] == 3


def test_classify_error_tells_dns_tls_and_timeouts_apart():
    # Exceptions built the way httpx chains them; no name is looked up.
    dns = httpx.ConnectError("[Errno -2] Name or service not known")
    dns.__cause__ = socket.gaierror(-2, "Name or service not known")
    assert classify_error(dns)[0] == "dns-failure"
    tls = httpx.ConnectError("handshake")
    tls.__cause__ = ssl.SSLCertVerificationError("certificate verify failed: certificate has expired")
    assert classify_error(tls)[0] == "tls-error"
    assert classify_error(httpx.ConnectTimeout("slow")) == ("timeout", "timed out while connecting")
    assert classify_error(httpx.RemoteProtocolError("Server disconnected without sending a response."))[0] == "connection-failed"


def test_normalize_protocol_relative_and_fragment():
    assert normalize("//img.example.cn/a.png#top") == "https://img.example.cn/a.png"
    assert normalize("//img.example.cn/a.png", "http://blog.example.com") == "http://img.example.cn/a.png"
    assert normalize(" https://img.example.cn/a.png ") == "https://img.example.cn/a.png"


def test_large_runs_spread_hosts_over_worker_processes(http, tmp_path):
    # A second real server on another loopback address: two hosts to split.
    from pytest_httpserver import HTTPServer

    from postkit.images.cache import ProbeCache

    other = HTTPServer(host="127.0.0.2", port=0, threaded=True)
    other.start()
    try:
        for server in (http, other):
            for index in range(6):
                server.expect_request(f"/w{index}.png").respond_with_data(PNG, content_type="image/png")
            server.expect_request("/dead.png").respond_with_data("gone", status=404)
        urls = {server.url_for(f"/w{index}.png"): {None} for server in (http, other) for index in range(6)}
        urls.update({http.url_for("/dead.png"): {None}, other.url_for("/dead.png"): {None}})
        finished = []
        options = CheckOptions(concurrency=4, per_host=2, backoff=0.01)
        with ProbeCache(tmp_path) as cache:
            checker = RemoteChecker(options, cache, progress=finished.append, workers=2, worker_threshold=5)
            assert checker._worker_count(urls) == 2
            results = checker.check(urls)
        assert sorted(finished) == sorted(urls)  # progress crossed the process boundary
        assert {url: probes[None].reason for url, probes in results.items()} == {
            url: ("http-error" if url.endswith("/dead.png") else None) for url in urls
        }
        # Count this test's own paths: a slow answer of an earlier test may still reach the log late.
        own = lambda server: [request for request, _ in server.log if request.path.startswith(("/w", "/dead"))]  # noqa: E731
        assert checker.requests == 14 and len(own(http)) == len(own(other)) == 7
        with ProbeCache(tmp_path) as cache:  # the good answers the workers found were cached by the parent
            again = RemoteChecker(options, cache, workers=2, worker_threshold=5)
            again.check(urls)
        assert again.requests == 2 and again.cache_hits == 12  # only the two dead links are asked again
    finally:
        other.clear()
        other.stop()


def test_worker_shares_add_up_to_the_total_concurrency():
    assert split_concurrency(32, 2) == [16, 16]
    assert split_concurrency(5, 3) == [2, 2, 1]
    checker = RemoteChecker(CheckOptions(concurrency=5), workers=8, worker_threshold=1)
    urls = {f"http://127.0.0.{host}:9/{index}.png": {None} for host in range(1, 4) for index in range(10)}
    assert checker._worker_count(urls) == 3  # never more processes than hosts
    assert RemoteChecker(CheckOptions(), workers=2)._worker_count({"http://a.example.cn/1.png": {None}}) == 1  # small runs stay here


def _slowly(response_for):
    """A handler that answers after 0.3 s, so its URL's clock is running when another URL of the host gets a 429."""

    def handle(request: Request) -> Response:
        time.sleep(0.3)
        return response_for(request)

    return handle


def test_a_long_retry_after_settles_its_url_and_leaves_the_hosts_other_urls_alone(http):
    """A 429 whose Retry-After is beyond the deadline is that URL's rate-limited verdict; the host's other URLs keep theirs."""
    http.expect_request("/busy.png").respond_with_data("slow down", status=429, headers={"Retry-After": "99999"})
    http.expect_request("/hot.png").respond_with_handler(
        _slowly(lambda request: Response("no", status=403) if request.headers.get("Referer") else Response(PNG, content_type="image/png"))
    )
    http.expect_request("/loop-a").respond_with_handler(_slowly(lambda request: Response("", status=302, headers={"Location": "/loop-b"})))
    http.expect_request("/loop-b").respond_with_handler(_slowly(lambda request: Response("", status=302, headers={"Location": "/loop-a"})))
    options = CheckOptions(read_timeout=2.0, connect_timeout=2.0, retries=2, backoff=0.01, retry_after_cap=30.0, deadline=5.0)
    busy, hot, loop = http.url_for("/busy.png"), http.url_for("/hot.png"), http.url_for("/loop-a")
    results, _ = check({busy: {None}, hot: {SITE}, loop: {None}}, options)
    assert results[busy][None].reason == "rate-limited" and results[busy][None].attempts == 1
    assert results[hot][SITE].reason == "http-error" and results[hot][SITE].status == 403
    assert results[hot][None].ok  # the bare probe still ran: the hot-link verdict, not a time-out
    assert results[loop][None].reason == "redirect-loop"
    assert len(requests_to(http, "/busy.png")) == 1
