"""The headless Chromium the image tests ask: Debian's chromium and chromium-driver, driven by selenium.

``scripts/ensure-chromium`` (run by ``make test``) installs them; selenium comes
from the ``[test]`` extra and is pointed at ``/usr/bin/chromedriver``, so that
Selenium Manager never downloads a driver or a browser. Chromium resolves
``*.test`` to 127.0.0.1 and no other name at all, so no request leaves the
machine. Tests mark themselves with ``CHROMIUM_MARKS`` (``needs_chromium`` and
``chromium_worker``): they skip (with the
reason) without the browser, and share one xdist worker under
``--dist loadgroup``.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

try:
    import selenium  # noqa: F401

    HAVE_SELENIUM = True
except ImportError:
    HAVE_SELENIUM = False

needs_chromium = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists() and HAVE_SELENIUM),
    reason="needs Debian's chromium and chromium-driver (scripts/ensure-chromium, run by 'make test', installs them as root) "
    "and selenium (the [test] extra)",
)
chromium_worker = pytest.mark.xdist_group("chromium")  # one worker runs every browser test
CHROMIUM_MARKS = [needs_chromium, chromium_worker]


@contextlib.contextmanager
def chromium_session() -> Iterator[Any]:
    """One headless Chromium (a selenium WebDriver), quit on the way out."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    # Selenium Manager must never try to download a driver or a browser.
    saved = {name: os.environ.get(name) for name in ("SE_OFFLINE", "SE_AVOID_STATS")}
    os.environ.update(SE_OFFLINE="true", SE_AVOID_STATS="true")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
        "--disable-default-apps", "--no-pings", "--disable-domain-reliability", "--ignore-certificate-errors",
        # *.test is this machine; every other name resolves to nothing, so no request leaves it.
        "--host-resolver-rules=MAP *.test 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ):
        options.add_argument(argument)
    try:
        driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
        try:
            driver.set_page_load_timeout(30)
            yield driver
        finally:
            driver.quit()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def chromium_images(driver: Any, url: str, count: int | None = None, wait_seconds: float = 15.0) -> list[tuple[bool, int, str]]:
    """Load ``url`` and wait until every ``<img>`` is complete (and, with ``count``, that many exist).

    Returns ``(complete, naturalWidth, currentSrc)`` per image, in document
    order. ``wait_seconds`` only bounds a page that never settles; the
    caller's assertions then report what was not shown.
    """
    driver.get(url)
    script = "return Array.from(document.images).map(i => [i.complete, i.naturalWidth, i.currentSrc || i.src]);"
    give_up = time.monotonic() + wait_seconds
    while True:
        states = driver.execute_script(script)
        settled = (count is None or len(states) == count) and all(complete for complete, _, _ in states)
        if settled or time.monotonic() > give_up:
            break
        time.sleep(0.1)
    return [(bool(complete), int(width or 0), source) for complete, width, source in states]
