"""The Referer a reader's browser sends for a post's image (Referrer Policy spec), and content sniffing."""

from __future__ import annotations

import base64

import pytest

from postkit.images.content import PLACEHOLDER_PICTURES, is_image_type, match_placeholder, sniff_image
from postkit.images.referrer import DEFAULT_POLICY, effective_policy, parse_policy, referrer_for, upgrade_for_page

SITE = "https://user:pw@blog.example.com/archives/?p=1#top"
IMAGE = "https://img.example.cn/a.png"


@pytest.mark.parametrize(
    "policy, expected",
    [
        ("no-referrer", None),
        ("same-origin", None),
        ("origin", "https://blog.example.com/"),
        ("strict-origin", "https://blog.example.com/"),
        ("origin-when-cross-origin", "https://blog.example.com/"),
        ("strict-origin-when-cross-origin", "https://blog.example.com/"),
        ("no-referrer-when-downgrade", "https://blog.example.com/archives/?p=1"),
        ("unsafe-url", "https://blog.example.com/archives/?p=1"),
    ],
)
def test_cross_origin_referrer_by_policy(policy, expected):
    assert referrer_for(IMAGE, SITE, policy) == expected  # user info and fragment never leave


def test_downgrade_from_https_to_http_sends_nothing_under_strict_policies():
    http_image = "http://img.example.cn/a.png"
    assert referrer_for(http_image, SITE, "strict-origin-when-cross-origin") is None
    assert referrer_for(http_image, SITE, "strict-origin") is None
    assert referrer_for(http_image, SITE, "no-referrer-when-downgrade") is None
    assert referrer_for(http_image, SITE, "origin") == "https://blog.example.com/"


def test_same_origin_image_gets_the_full_url():
    assert referrer_for("https://blog.example.com/img/a.png", "https://blog.example.com/x/", DEFAULT_POLICY) == "https://blog.example.com/x/"


def test_no_site_url_means_no_referer():
    assert referrer_for(IMAGE, None, DEFAULT_POLICY) is None
    assert referrer_for(IMAGE, "blog.example.com", DEFAULT_POLICY) is None


def test_element_policy_wins_over_the_site_and_invalid_values_defer():
    assert effective_policy("no-referrer", "unsafe-url") == "no-referrer"
    assert effective_policy(None, "never") == "no-referrer"  # legacy <meta> keyword
    assert effective_policy("never", None) == DEFAULT_POLICY  # not valid on the attribute
    assert effective_policy(" No-Referrer ", None) == "no-referrer"
    assert effective_policy(None, None) == DEFAULT_POLICY
    assert parse_policy("bogus") is None


def test_sniffing_recognises_the_whatwg_image_patterns():
    assert sniff_image(b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert sniff_image(b"\xff\xd8\xff\xe0") == "image/jpeg"
    assert sniff_image(b"GIF89a") == "image/gif"
    assert sniff_image(b"RIFF\0\0\0\0WEBPVP8 ") == "image/webp"
    assert sniff_image(b"\0\0\0\x1cftypavif") == "image/avif"
    assert sniff_image(b"<!doctype html>") is None
    assert sniff_image(b"<svg xmlns='http://www.w3.org/2000/svg'/>") is None  # SVG is never sniffed
    assert is_image_type("image/svg+xml; charset=utf-8") and not is_image_type("text/html") and not is_image_type(None)


def test_placeholder_table_rows_are_what_they_say():
    for entry in PLACEHOLDER_PICTURES:
        assert "1x1" in entry.description
    data = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
    assert data[:6] == b"GIF89a" and data[6:10] == b"\x01\x00\x01\x00"  # width 1, height 1
    assert match_placeholder(data, "any.example.cn") is not None
    assert match_placeholder(data + b"\0", "any.example.cn") is None


def test_https_pages_upgrade_http_images():
    assert upgrade_for_page("http://img.example.cn/a.png?x=1", "https://blog.example.com/") == "https://img.example.cn/a.png?x=1"
    assert upgrade_for_page("http://img.example.cn:80/a.png", "https://blog.example.com/") == "https://img.example.cn:443/a.png"
    assert upgrade_for_page("http://img.example.cn:8080/a.png", "https://blog.example.com/") == "https://img.example.cn:8080/a.png"
    assert upgrade_for_page("http://img.example.cn/a.png", "http://blog.example.com/") == "http://img.example.cn/a.png"
    assert upgrade_for_page("http://img.example.cn/a.png", None) == "http://img.example.cn/a.png"


def test_loopback_images_are_not_mixed_content_and_stay_http():
    # Secure Contexts: 127.0.0.0/8, ::1 and localhost are potentially trustworthy, so Chromium loads them as written.
    for url in ("http://127.0.0.1:8000/a.png", "http://127.8.9.10/a.png", "http://[::1]:8000/a.png",
                "http://localhost/a.png", "http://img.localhost/a.png"):
        assert upgrade_for_page(url, "https://blog.example.com/") == url
    assert upgrade_for_page("http://localhost.example.cn/a.png", "https://blog.example.com/") == "https://localhost.example.cn/a.png"


def test_a_loopback_image_on_an_https_site_is_fetched_over_http(tmp_path):
    from conftest import run_postkit, write
    from images_helpers import PNG, start_server

    server = start_server()
    try:
        server.expect_request("/a.png").respond_with_data(PNG, content_type="image/png")
        write(tmp_path / "_config.yml", "url: https://blog.example.com/\n")
        write(tmp_path / "source" / "_posts" / "a.md", f"---\ntitle: a\ndate: 2021-01-01 00:00:00\n---\n![a]({server.url_for('/a.png')})\n")
        result = run_postkit("images", "--no-cache", cwd=tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "IMG103" not in result.stdout and len(server.log) >= 1
    finally:
        server.clear()
        server.stop()
