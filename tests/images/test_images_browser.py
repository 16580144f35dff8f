"""The oracle: headless Chromium and ``postkit images`` judge the same posts, and must agree.

One local server is the blog's origin and serves each page: the page's
Markdown rendered to HTML (markdown-it-py, raw HTML allowed, as Hexo's
renderer allows it) inside the theme's ``<head>``, with its
``<meta name="referrer">`` when the page sets one. A second local server
serves the pictures, answering by path, method, ``Referer`` and ``Range``.
Chromium loads every page in one browser session; for each ``<img>`` it
says whether the picture displayed (``complete && naturalWidth > 0``).
``postkit images`` checks the same Markdown with the blog's ``url`` set to
the origin, and the two verdicts are compared scenario by scenario.

Where the two differ by design, the scenario says so (``by_design``) and the
test holds postkit's side; README "What broken means" lists every scenario
with both verdicts. ``SCENARIOS`` is the table both this test and the README
are written from.

Chromium and chromedriver (``chromium_helpers``) come from Debian (``scripts/ensure-chromium``,
run by ``make test``); selenium from the ``[test]`` extra, pointed at
``/usr/bin/chromedriver`` so that Selenium Manager never downloads a driver.
Chromium resolves ``*.test`` to 127.0.0.1 and nothing else at all, so no
request leaves the machine.
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlsplit

import pytest
from chromium_helpers import CHROMIUM_MARKS, chromium_images, chromium_session
from images_helpers import PNG, SPACER_GIF, png
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

pytestmark = CHROMIUM_MARKS  # one worker, one browser session for the whole module

# A 1x1 lossless WebP (RIFF....WEBPVP8L), spelled out so it can be checked by decoding it.
WEBP = base64.b64decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==")
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="12" height="8"><rect width="12" height="8" fill="teal"/></svg>'
BIG_PNG = png(120, 90, color=90)
HTML_PAGE = b"<!DOCTYPE html><html><head><title>Not found</title></head><body>Sorry</body></html>"
SLOW_SECONDS = 3.0  # the slow body; postkit's deadline in this test is below it, Chromium waits

# postkit's network settings for the run: short, so the test stays fast. The deadline is below the slow
# body's time on purpose (the by-design difference); everything else answers at once.
POSTKIT_CONFIG = 'timeout = 1\nconnect-timeout = 1\ndeadline = 1.5\n'


def _png_answer(request: Request) -> Response:
    return Response(PNG, content_type="image/png")


def _foreign(request: Request) -> bool:
    """True when the request carries a Referer from another site than the image server."""
    referer = request.headers.get("Referer")
    return bool(referer) and not referer.startswith(request.host_url.rstrip("/"))


def _hotlink(request: Request) -> Response:
    if _foreign(request):
        return Response(b"hot-linking not allowed", status=403, content_type="text/plain")
    return Response(PNG, content_type="image/png")


def _hotlink_placeholder(request: Request) -> Response:
    if _foreign(request):
        return Response(SPACER_GIF, content_type="image/gif")
    return Response(PNG, content_type="image/png")


def _head(status: int | None) -> Callable[[Request], Response]:
    def answer(request: Request) -> Response:
        if request.method == "HEAD":
            if status is None:
                time.sleep(5)  # HEAD hangs (nobody should be asking)
                return Response(status=200)
            return Response(b"", status=status)
        return Response(PNG, content_type="image/png")

    return answer


def _redirect(target: str, status: int = 302) -> Callable[[Request], Response]:
    return lambda request: Response(b"", status=status, headers={"Location": target})


def _ranged(request: Request) -> Response:
    """A server that honours Range with 206, as CDNs do."""
    match = re.fullmatch(r"bytes=(\d+)-(\d*)", request.headers.get("Range", ""))
    if not match:
        return Response(BIG_PNG, content_type="image/png")
    start, end = int(match[1]), int(match[2] or len(BIG_PNG) - 1)
    end = min(end, len(BIG_PNG) - 1)
    return Response(
        BIG_PNG[start : end + 1], status=206, content_type="image/png",
        headers={"Content-Range": f"bytes {start}-{end}/{len(BIG_PNG)}"},
    )


def _refuses_ranges(request: Request) -> Response:
    """A server that answers any Range with 416: browsers send none, postkit asks again without it."""
    if "Range" in request.headers:
        return Response(b"", status=416, headers={"Content-Range": f"bytes */{len(PNG)}"})
    return Response(PNG, content_type="image/png")


def _rate_limited(request: Request) -> Response:
    return Response(b"slow down", status=429, headers={"Retry-After": "1"}, content_type="text/plain")


def _slow(request: Request) -> Response:
    def body():
        step = SLOW_SECONDS / 10
        for start in range(0, len(PNG), -(-len(PNG) // 10)):
            time.sleep(step)
            yield PNG[start : start + -(-len(PNG) // 10)]

    return Response(body(), content_type="image/png", headers={"Content-Length": str(len(PNG))}, direct_passthrough=True)


def _data(body: bytes, content_type: str, status: int = 200, **headers: str) -> Callable[[Request], Response]:
    return lambda request: Response(body, status=status, content_type=content_type, headers=headers)


@dataclass(frozen=True)
class Scenario:
    """One image in one page.

    ``markdown`` is the post's text, with ``{img}`` standing for the image
    server's base URL (``http://127.0.0.1:PORT``, or ``http://img.test:PORT``
    with ``{img_test}``). ``routes`` maps the paths the image server answers
    to handlers. ``page`` is ``plain`` (http origin), ``meta`` (http origin,
    ``<meta name="referrer" content="no-referrer">``) or ``https`` (an https
    origin, for mixed content). ``shows`` is Chromium's verdict this
    scenario is written for; ``postkit`` is postkit's reason (``None``: fine).
    ``by_design`` explains why they differ, when they do.
    """

    name: str
    markdown: str
    routes: dict
    shows: bool
    postkit: str | None
    page: str = "plain"
    by_design: str = ""

    @property
    def agree(self) -> bool:
        return self.shows == (self.postkit is None or self.postkit in WARNINGS)


WARNINGS = {"rate-limited"}  # postkit reasons that are warnings, not broken images

SCENARIOS = [
    Scenario("200 image", "![a]({img}/ok.png)", {"/ok.png": _png_answer}, True, None),
    Scenario("404 page", "![a]({img}/gone.png)", {"/gone.png": _data(HTML_PAGE, "text/html", 404)}, False, "http-error"),
    Scenario(
        "404 that carries a picture", "![a]({img}/gone-picture.png)", {"/gone-picture.png": _data(PNG, "image/png", 404)},
        True, "http-error",
        by_design="Chromium shows the picture in a 404 answer's body; postkit reports the 404, since a server that says "
        "the picture is gone usually sends its own \"not found\" picture, not the post's",
    ),
    Scenario("403 for a foreign Referer", "![a]({img}/hotlink.png)", {"/hotlink.png": _hotlink}, False, "hotlink-protected"),
    Scenario(
        '403 for a foreign Referer, `referrerpolicy="no-referrer"`',
        '<img src="{img}/hotlink-attr.png" referrerpolicy="no-referrer" alt="a">', {"/hotlink-attr.png": _hotlink}, True, None,
    ),
    Scenario(
        '403 for a foreign Referer, `<meta name="referrer" content="no-referrer">`',
        "![a]({img}/hotlink-meta.png)", {"/hotlink-meta.png": _hotlink}, True, None, page="meta",
    ),
    Scenario(
        "a spacer GIF for a foreign Referer", "![a]({img}/swap.png)", {"/swap.png": _hotlink_placeholder}, True, "hotlink-protected",
        by_design="Chromium displays the 1x1 transparent GIF the server swaps in (naturalWidth 1), which no reader can see; "
        "postkit reports the hot-link protection",
    ),
    Scenario("HEAD 405", "![a]({img}/head-405.png)", {"/head-405.png": _head(405)}, True, None),
    Scenario("HEAD 500, GET 200", "![a]({img}/head-500.png)", {"/head-500.png": _head(500)}, True, None),
    Scenario("HEAD hangs, GET 200", "![a]({img}/head-hangs.png)", {"/head-hangs.png": _head(None)}, True, None),
    Scenario(
        "a redirect to the image", "![a]({img}/moved.png)", {"/moved.png": _redirect("/ok2.png", 301), "/ok2.png": _png_answer},
        True, None,
    ),
    Scenario(
        "a redirect to a 404", "![a]({img}/moved-gone.png)",
        {"/moved-gone.png": _redirect("/gone2.png"), "/gone2.png": _data(HTML_PAGE, "text/html", 404)}, False, "http-error",
    ),
    Scenario(
        "a redirect loop", "![a]({img}/loop-a.png)", {"/loop-a.png": _redirect("/loop-b.png"), "/loop-b.png": _redirect("/loop-a.png")},
        False, "redirect-loop",
    ),
    Scenario("200 with an HTML body", "![a]({img}/page.png)", {"/page.png": _data(HTML_PAGE, "text/html; charset=utf-8")}, False, "not-an-image"),
    Scenario("an image type, an HTML body", "![a]({img}/lying.png)", {"/lying.png": _data(HTML_PAGE, "image/png")}, False, "not-an-image"),
    Scenario("an HTML type, PNG bytes", "![a]({img}/mislabelled.png)", {"/mislabelled.png": _data(PNG, "text/html")}, True, None),
    Scenario(
        "an HTML type, PNG bytes, nosniff", "![a]({img}/nosniff.png)",
        {"/nosniff.png": _data(PNG, "text/html", **{"X-Content-Type-Options": "nosniff"})}, False, "not-an-image",
    ),
    Scenario("SVG served as text/plain", "![a]({img}/plain.svg)", {"/plain.svg": _data(SVG, "text/plain")}, False, "not-an-image"),
    Scenario("SVG served as image/svg+xml", "![a]({img}/right.svg)", {"/right.svg": _data(SVG, "image/svg+xml")}, True, None),
    Scenario("a 0-byte body", "![a]({img}/empty.png)", {"/empty.png": _data(b"", "image/png")}, False, "not-an-image"),
    Scenario(
        "a PNG truncated half-way", "![a]({img}/half.png)", {"/half.png": _data(BIG_PNG[: len(BIG_PNG) // 2], "image/png")}, True, None,
    ),
    Scenario("a PNG cut inside its header", "![a]({img}/cut.png)", {"/cut.png": _data(BIG_PNG[:40], "image/png")}, False, "not-an-image"),
    Scenario("WebP", "![a]({img}/tiny.webp)", {"/tiny.webp": _data(WEBP, "image/webp")}, True, None),
    Scenario("a 1x1 spacer GIF", "![a]({img}/spacer.gif)", {"/spacer.gif": _data(SPACER_GIF, "image/gif")}, True, "placeholder-image",
             by_design="the picture is a 1x1 transparent spacer GIF: Chromium displays it (naturalWidth 1), readers see nothing"),
    Scenario("a server that honours Range (206)", "![a]({img}/ranged.png)", {"/ranged.png": _ranged}, True, None),
    Scenario("a server that answers any Range with 416", "![a]({img}/no-ranges.png)", {"/no-ranges.png": _refuses_ranges}, True, None),
    Scenario(
        "http:// image on an https page", "![a]({img_test}/mixed.png)", {"/mixed.png": _png_answer}, False, "tls-error", page="https",
    ),
    Scenario("srcset only", '<img srcset="{img}/srcset.png 1x" alt="a">', {"/srcset.png": _png_answer}, True, None),
    Scenario(
        "srcset only, the candidate is gone", '<img srcset="{img}/srcset-gone.png 1x" alt="a">',
        {"/srcset-gone.png": _data(HTML_PAGE, "text/html", 404)}, False, "http-error",
    ),
    Scenario("a lazy data-src", '<img data-src="{img}/lazy.png" alt="a">', {"/lazy.png": _png_answer}, True, None),
    Scenario(
        "a lazy data-src that is gone", '<img data-src="{img}/lazy-gone.png" alt="a">',
        {"/lazy-gone.png": _data(HTML_PAGE, "text/html", 404)}, False, "http-error",
    ),
    Scenario(
        "429 with Retry-After", "![a]({img}/busy.png)", {"/busy.png": _rate_limited}, False, "rate-limited",
        by_design="Chromium gives up on a 429; postkit retries as Retry-After asks and, if the host still refuses, "
        "reports a warning (unknown, not broken): the picture may well be there",
    ),
    Scenario(
        "a very slow body", "![a]({img}/slow.png)", {"/slow.png": _slow}, True, "timeout",
        by_design=f"Chromium waits for the whole picture ({SLOW_SECONDS:g} s here); postkit stops at its deadline "
        "(30 s by default, 1.5 s in this test) and reports a time-out",
    ),
]

# The lazy-loading script a theme runs for data-src (what hexo-lazyload-image and its kin do).
LAZY_SCRIPT = "<script>document.querySelectorAll('img[data-src]').forEach(i => { i.src = i.dataset.src; });</script>"


def _page(body: str, meta: str | None) -> str:
    head = '<meta charset="utf-8"><title>post</title>'
    if meta:
        head += f'<meta name="referrer" content="{meta}">'
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}{LAZY_SCRIPT}</body></html>"


def _self_signed(folder: Path) -> tuple[Path, Path] | None:
    """A certificate for blog.test (openssl), or ``None`` when openssl is missing."""
    if shutil.which("openssl") is None:
        return None
    cert, key = folder / "blog.crt", folder / "blog.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "2",
         "-subj", "/CN=blog.test", "-addext", "subjectAltName=DNS:blog.test"],
        check=True, capture_output=True,
    )
    return cert, key


@pytest.fixture(scope="module")
def browser():
    with chromium_session() as driver:
        yield driver


def _chromium_verdicts(driver, url: str, count: int) -> list[tuple[bool, int]]:
    """Load ``url`` and wait until every image is complete; ``(displayed, naturalWidth)`` per image, in order."""
    states = chromium_images(driver, url, count, wait_seconds=SLOW_SECONDS + 15)
    return [(complete and width > 0, width) for complete, width, _ in states]


def test_chromium_and_postkit_agree_on_every_scenario(browser, tmp_path):
    from markdown_it import MarkdownIt

    from postkit.core.config import load_config
    from postkit.images.run import check_images, settings_for
    from postkit.images.transport import system_resolve

    assert len(SCENARIOS) >= 25
    images = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    routes = {path: handler for scenario in SCENARIOS for path, handler in scenario.routes.items()}
    images.expect_request(re.compile("^/.*")).respond_with_handler(lambda request: routes[request.path](request))
    certificate = _self_signed(tmp_path)
    servers = [images]
    blog = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    servers.append(blog)
    secure = None
    if certificate is not None:
        import ssl

        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*certificate)
        secure = HTTPServer(host="127.0.0.1", port=0, threaded=True, ssl_context=context)
        servers.append(secure)
    for server in servers:
        server.start()
    try:
        origins = {"plain": f"http://127.0.0.1:{blog.port}", "meta": f"http://127.0.0.1:{blog.port}"}
        if secure is not None:
            origins["https"] = f"https://blog.test:{secure.port}"
        chosen = [s for s in SCENARIOS if s.page in origins]
        base = {"img": f"http://127.0.0.1:{images.port}", "img_test": f"http://img.test:{images.port}"}
        render = MarkdownIt("commonmark", {"html": True}).render
        pages: dict[str, list[Scenario]] = {}
        for scenario in chosen:
            pages.setdefault(scenario.page, []).append(scenario)

        # postkit, in a thread while Chromium loads the same pages: one post per page, in a folder whose
        # config sets the blog's url (and the theme's referrer policy for the meta page).
        async def resolve(host: str, port: int) -> list[str]:
            return ["127.0.0.1"] if host.endswith(".test") else await system_resolve(host, port)

        postkit_found: dict[str, dict[str, str | None]] = {}

        def run_postkit() -> None:
            for page, members in pages.items():
                folder = tmp_path / page
                folder.mkdir()
                policy = 'referrer-policy = "no-referrer"\n' if page == "meta" else ""
                (folder / "pyproject.toml").write_text(
                    f'[tool.postkit.images]\nurl = "{origins[page]}/"\n{policy}{POSTKIT_CONFIG}', encoding="utf-8"
                )
                post = folder / "post.md"
                text = "\n\n".join(s.markdown.format(**base) for s in members)
                post.write_text(f"---\ntitle: {page}\n---\n{text}\n", encoding="utf-8")
                settings = settings_for(load_config(folder), [str(post)], no_cache=True)
                run = check_images([str(post)], settings, resolve=resolve)
                by_path = {urlsplit(d.url).path: d.name for d in run.diagnostics}
                postkit_found[page] = {s.name: by_path.get(next(iter(s.routes))) for s in members}

        worker = threading.Thread(target=run_postkit)
        worker.start()
        chromium_found: dict[str, list[tuple[bool, int]]] = {}
        for page, members in pages.items():
            body = "".join(render(s.markdown.format(**base)) for s in members)
            path = f"/{page}.html"
            server = secure if page == "https" else blog
            server.expect_request(path).respond_with_data(
                _page(body, "no-referrer" if page == "meta" else None), content_type="text/html; charset=utf-8"
            )
            chromium_found[page] = _chromium_verdicts(browser, origins[page] + path, len(members))
        worker.join(timeout=60)
        assert not worker.is_alive(), "postkit did not finish"
        if "https" in origins:
            # Both upgraded the http:// image to https:// (TLS to a plain-HTTP port): the path never arrived in clear.
            assert not [request for request, _ in images.log if request.path == "/mixed.png"]
    finally:
        for server in servers:
            server.clear()
            server.stop()

    table = []
    for page, members in pages.items():
        for scenario, (shows, width) in zip(members, chromium_found[page]):
            reason = postkit_found[page][scenario.name]
            table.append((scenario.name, shows, width, reason))
    mismatches = [
        f"{name}: Chromium {'shows it' if shows else 'shows nothing'} (naturalWidth {width}), postkit says {reason or 'fine'}"
        for (name, shows, width, reason), scenario in zip(table, [s for p in pages.values() for s in p])
        if shows != scenario.shows or reason != scenario.postkit
    ]
    assert not mismatches, "\n".join(mismatches)
    # Agreement, except where documented: then postkit's side is the one the scenario states.
    for scenario in chosen:
        assert scenario.agree or scenario.by_design, scenario.name
    if "https" not in origins:
        pytest.skip("openssl is missing: the mixed-content scenario did not run")


def readme_row(scenario: Scenario) -> str:
    """The README table's row for ``scenario``: what it is, Chromium's verdict, postkit's."""
    from postkit.images.reasons import REASONS

    chromium = "shows it" if scenario.shows else "nothing"
    if scenario.postkit is None:
        ours = "fine"
    else:
        reason = REASONS[scenario.postkit]
        ours = f"{reason.code} {reason.name}" + (" (warning)" if scenario.postkit in WARNINGS else "")
    return f"| {scenario.name} | {chromium} | {ours} |"


def test_the_readme_table_lists_every_scenario_with_both_verdicts():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    missing = [readme_row(s) for s in SCENARIOS if readme_row(s) not in readme]
    assert not missing, "README 'What broken means' lacks:\n" + "\n".join(missing)
    for scenario in SCENARIOS:
        if scenario.by_design:
            assert scenario.name in readme.split("Where they differ by design", 1)[-1], scenario.name


# --- generated variants: every body under every Content-Type, with and without nosniff -------------------

# A 1x1 baseline JPEG and a 2x2 GIF (not a spacer: no transparency, two colours), spelled out.
JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////"
    "////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA="
)
GIF = base64.b64decode("R0lGODlhAgACAPABAAAAAP///ywAAAAAAgACAAACAoRRADs=")
BODIES = {
    "png": PNG,
    "gif": GIF,
    "jpeg": JPEG,
    "webp": WEBP,
    "svg": SVG,
    "html": HTML_PAGE,
    "text": b"just some words, not a picture",
    "empty": b"",
    "png-header-only": BIG_PNG[:40],
    "png-half": BIG_PNG[: len(BIG_PNG) // 2],
}
TYPES = [
    "image/png", "image/jpeg", "image/svg+xml", "image/webp", "text/html", "text/plain", "application/octet-stream",
    "application/json", "text/csv", "application/pdf", "text/xml", None,
]


def _variant(body: bytes, content_type: str | None, nosniff: bool) -> Callable[[Request], Response]:
    def answer(request: Request) -> Response:
        response = Response(body)
        if content_type is None:
            del response.headers["Content-Type"]
        else:
            response.headers["Content-Type"] = content_type
        if nosniff:
            response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    return answer


def test_chromium_and_postkit_agree_on_generated_answers(browser, tmp_path):
    from postkit.core.config import load_config
    from postkit.images.run import check_images, settings_for

    routes = {}
    for body_name, body in BODIES.items():
        for content_type in TYPES:
            for nosniff in (False, True):
                path = f"/v/{body_name}/{(content_type or 'none').replace('/', '_')}/{'nosniff' if nosniff else 'sniff'}"
                routes[path] = _variant(body, content_type, nosniff)
    images = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    images.expect_request(re.compile("^/v/")).respond_with_handler(lambda request: routes[request.path](request))
    blog = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    images.start()
    blog.start()
    try:
        paths = list(routes)
        tags = "".join(f'<img src="http://127.0.0.1:{images.port}{path}" alt="">' for path in paths)
        blog.expect_request("/variants.html").respond_with_data(_page(tags, None), content_type="text/html; charset=utf-8")
        shown = _chromium_verdicts(browser, f"http://127.0.0.1:{blog.port}/variants.html", len(paths))
        (tmp_path / "pyproject.toml").write_text(f'[tool.postkit.images]\nurl = "http://127.0.0.1:{blog.port}/"\n{POSTKIT_CONFIG}')
        post = tmp_path / "post.md"
        post.write_text("---\ntitle: variants\n---\n" + "".join(f"![v](http://127.0.0.1:{images.port}{path})\n\n" for path in paths))
        run = check_images([str(post)], settings_for(load_config(tmp_path), [str(post)], no_cache=True))
    finally:
        for server in (images, blog):
            server.clear()
            server.stop()
    broken = {urlsplit(d.url).path: d.name for d in run.diagnostics}
    disagree = [
        f"{path}: Chromium {'shows it' if displayed else 'shows nothing'} (naturalWidth {width}), postkit says {broken.get(path) or 'fine'}"
        for path, (displayed, width) in zip(paths, shown)
        if displayed == (path in broken)
    ]
    assert len(paths) == len(BODIES) * len(TYPES) * 2
    assert not disagree, f"{len(disagree)} of {len(paths)} disagree:\n" + "\n".join(disagree)


# --- generated referrer policies: the Referer Chromium sends is the one postkit checks with ---------------

POLICY_VALUES = [
    "no-referrer", "no-referrer-when-downgrade", "same-origin", "origin", "strict-origin",
    "origin-when-cross-origin", "strict-origin-when-cross-origin", "unsafe-url",
]
META_VALUES = [None, *POLICY_VALUES, "never", "default", "always", "origin-when-crossorigin", "bogus"]
ATTRIBUTE_VALUES = [None, *POLICY_VALUES, "bogus"]


def test_chromium_sends_the_referer_postkit_checks_with(browser):
    from postkit.images.referrer import effective_policy, referrer_for

    seen: dict[str, str | None] = {}

    def record(request: Request) -> Response:
        seen[request.path] = request.headers.get("Referer")
        return Response(PNG, content_type="image/png")

    images = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    blog = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    images.expect_request(re.compile("^/img/")).respond_with_handler(record)
    blog.expect_request(re.compile("^/img/")).respond_with_handler(record)
    images.start()
    blog.start()
    expected: dict[str, str | None] = {}
    try:
        for meta_index, meta in enumerate(META_VALUES):
            page = f"/posts/{meta_index}/hello.html"
            page_url = f"http://127.0.0.1:{blog.port}{page}"
            tags = []
            for attribute_index, attribute in enumerate(ATTRIBUTE_VALUES):
                for where, server in (("cross", images), ("same", blog)):
                    path = f"/img/{meta_index}/{attribute_index}/{where}.png"
                    url = f"http://127.0.0.1:{server.port}{path}"
                    policy_attribute = f' referrerpolicy="{attribute}"' if attribute else ""
                    tags.append(f'<img src="{url}"{policy_attribute} alt="">')
                    expected[path] = referrer_for(url, page_url, effective_policy(attribute, meta))
            blog.expect_request(page).respond_with_data(_page("".join(tags), meta), content_type="text/html; charset=utf-8")
            _chromium_verdicts(browser, page_url, len(tags))
    finally:
        for server in (images, blog):
            server.clear()
            server.stop()
    assert len(expected) == len(META_VALUES) * len(ATTRIBUTE_VALUES) * 2
    wrong = [f"{path}: Chromium sent {seen.get(path, '(no request)')!r}, postkit would send {want!r}"
             for path, want in expected.items() if seen.get(path, "(no request)") != want]
    assert not wrong, f"{len(wrong)} of {len(expected)} differ:\n" + "\n".join(wrong)
