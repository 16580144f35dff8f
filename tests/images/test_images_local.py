"""Local images on a temporary Hexo-shaped site: relative paths, site paths, post asset folders, escapes (issue 5)."""

from __future__ import annotations

import builtins
import os
from pathlib import Path

import pytest
from conftest import write

from postkit.images.local import SiteLayout, check, read_site_config, resolve


def hexo_site(root: Path, config: str = "title: Blog\nurl: https://blog.example.com\n") -> Path:
    write(root / "_config.yml", config)
    write(root / "source" / "_posts" / "hello.md", "---\ntitle: hello\n---\n")
    write(root / "source" / "_posts" / "hello" / "cat.jpg", b"\xff\xd8\xff")
    write(root / "source" / "_posts" / "beside.png", b"\x89PNG")
    write(root / "source" / "img" / "logo.png", b"\x89PNG")
    write(root / "themes" / "butterfly" / "source" / "img" / "avatar.png", b"\x89PNG")
    return root / "source" / "_posts" / "hello.md"


def layout_of(root: Path) -> SiteLayout:
    return SiteLayout.for_site(root, read_site_config(root))


def test_relative_path_is_resolved_against_the_post_folder(tmp_path):
    post = hexo_site(tmp_path)
    layout = layout_of(tmp_path)
    assert check("beside.png", str(post), layout).reason is None
    assert check("./beside.png?v=2#x", str(post), layout).reason is None  # query and fragment dropped
    missing = check("nope.png", str(post), layout)
    assert missing.reason == "missing-file" and missing.detail.startswith("no such file: ")
    assert missing.detail.endswith(os.path.join("source", "_posts", "nope.png"))


def test_site_path_is_resolved_against_source_then_the_theme(tmp_path):
    post = hexo_site(tmp_path, "url: https://blog.example.com\ntheme: butterfly\n")
    layout = layout_of(tmp_path)
    assert check("/img/logo.png", str(post), layout).reason is None
    assert check("/img/avatar.png", str(post), layout).found == (tmp_path / "themes" / "butterfly" / "source" / "img" / "avatar.png").resolve()
    assert check("/img/%6Cogo.png", str(post), layout).reason is None  # percent-escapes decoded
    assert check("/img/missing.png", str(post), layout).reason == "missing-file"


def test_site_root_under_a_sub_path(tmp_path):
    post = hexo_site(tmp_path, "root: /blog/\n")
    assert check("/blog/img/logo.png", str(post), layout_of(tmp_path)).reason is None


def test_post_asset_folder(tmp_path):
    post = hexo_site(tmp_path, "post_asset_folder: true\n")
    layout = layout_of(tmp_path)
    assert layout.post_asset_folder
    assert check("cat.jpg", str(post), layout).found == (tmp_path / "source" / "_posts" / "hello" / "cat.jpg").resolve()
    assert check("beside.png", str(post), layout).reason is None  # the post's folder is still tried
    assert check("cat.jpg", str(post), layout, tag="asset_img").reason is None


def test_asset_img_without_post_asset_folder_says_why(tmp_path):
    post = hexo_site(tmp_path)
    verdict = check("dog.jpg", str(post), layout_of(tmp_path), tag="asset_img")
    assert verdict.reason == "missing-file" and "post_asset_folder is not true" in verdict.detail
    # asset_img looks only in the asset folder, even when the file sits beside the post
    assert check("beside.png", str(post), layout_of(tmp_path), tag="asset_img").reason == "missing-file"


def test_a_folder_is_not_a_picture(tmp_path):
    post = hexo_site(tmp_path)
    verdict = check("/img", str(post), layout_of(tmp_path))
    assert verdict.reason == "missing-file" and verdict.detail.startswith("is a folder")


def test_escaping_path_is_reported_and_never_opened(tmp_path, monkeypatch):
    site = tmp_path / "site"
    post = hexo_site(site)
    secret = write(tmp_path / "etc" / "x.png", b"\x89PNG")  # it exists, outside the site
    touched = []
    real_isfile, real_open, real_stat = os.path.isfile, builtins.open, os.stat
    monkeypatch.setattr(os.path, "isfile", lambda p: touched.append(str(p)) or real_isfile(p))
    monkeypatch.setattr(builtins, "open", lambda p, *a, **k: touched.append(str(p)) or real_open(p, *a, **k))
    monkeypatch.setattr(os, "stat", lambda p, *a, **k: touched.append(str(p)) or real_stat(p, *a, **k))
    layout = layout_of(site)
    verdict = check("../../../etc/x.png", str(post), layout)
    assert not [p for p in touched if "etc" in p]
    assert verdict.reason == "outside-site"
    assert os.path.join(os.path.realpath(tmp_path), "etc", "x.png") in verdict.detail and "did not open it" in verdict.detail
    assert secret.is_file()
    assert check("/../../etc/x.png", str(post), layout_of(site)).reason == "outside-site"


def test_inside_the_site_but_above_the_posts_is_not_an_escape(tmp_path):
    post = hexo_site(tmp_path)
    assert resolve("../../img/logo.png", str(post), layout_of(tmp_path)).escaped is None
    assert check("../img/logo.png", str(post), layout_of(tmp_path)).reason is None


def test_without_a_site_relative_paths_work_and_site_paths_are_unresolved(tmp_path):
    post = write(tmp_path / "posts" / "a.md", "x")
    write(tmp_path / "posts" / "pic.png", b"\x89PNG")
    layout = SiteLayout.without_site(tmp_path / "posts")
    assert check("pic.png", str(post), layout).reason is None
    assert check("/img/a.png", str(post), layout).reason == "unresolved-site-path"
    assert check("../outside.png", str(post), layout).reason == "outside-site"


@pytest.mark.parametrize("config", ["", "theme: false\n", "post_asset_folder: yes please\n", "- a list\n"])
def test_odd_site_configs_fall_back_to_hexo_defaults(tmp_path, config):
    hexo_site(tmp_path, config)
    layout = layout_of(tmp_path)
    assert layout.source == (tmp_path / "source").resolve() and not layout.post_asset_folder and layout.url_root == "/"
