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
