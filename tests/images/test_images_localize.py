"""postkit images --localize against real picture hosts on 127.0.0.1 and 127.0.0.2: what is stored, where, and how posts change."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from images_helpers import images_runner, png, requests_to, start_server
from localize_helpers import (
    BIG, HTML_PAGE, MOVED, OTHER, REAL, REAL_WECHAT, digest_name, make_site, refuse_referer, serve_pictures, serve_wechat,
)
from pytest_httpserver import HTTPServer

SCAN = b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00\x00\xff\xd9"  # a start of scan and the end of the image

from postkit.images import localize as localizer
from postkit.images.local import shown
from postkit.images.localize import parse_size
from postkit.images.rewrite import asset_img_tag


@pytest.fixture(scope="module")
def hosts():
    main = start_server()
    other = HTTPServer(host="127.0.0.2", port=0, threaded=True)
    other.start()
    yield main, other
    main.stop()
    other.stop()


@pytest.fixture
def servers(hosts):
    main, other = hosts
    for server in hosts:
        server.clear()
    serve_pictures(main)
    serve_wechat(other)
    yield main, other
    for server in hosts:
        server.clear()


@pytest.fixture
def images_cli(monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return images_runner()


def bases(servers) -> tuple[str, str]:
    main, other = servers
    return main.url_for("").rstrip("/"), other.url_for("").rstrip("/")


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (but the cache), with its bytes."""
    return {
        str(path.relative_to(root)): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".postkit-cache" not in path.parts
    }


def test_hotlinked_images_go_to_the_site_folder_with_byte_minimal_edits(tmp_path, servers, images_cli):
    base, wechat_base = bases(servers)
    site = make_site(tmp_path, asset_folder=False, url_root="/blog/")
    text = (
        "---\n"
        "title: 第一篇\n"
        f"cover: {base}/hotlink.png\n"
        f"thumbnail: '{base}/fine.png'\n"
        "---\n"
        f'![a *picture*]({base}/hotlink.png "the title")\r\n'
        f'<p><img class="x" src="{base}/moved.png" data-src=\'{base}/hotlink.png\' srcset="{base}/other.png 2x, {base}/fine.png 3x"></p>\n'
        "\n"
        f"![wechat]({wechat_base}/mmbiz/pic.jpg)\n"
        f"![gone]({base}/gone.png)\n"
        f"![html]({base}/html.png)\n"
        f"![big]({base}/big.png)\n"
    )
    post = site.post("hello.md", text)
    result = images_cli(str(site.posts), "--localize", "--no-cache")
    assert result.exit_code == 1, result.output  # the 404, the HTML page and the big picture remain
    folder = site.source / "images" / "hello"
    stored = {path.name: path.read_bytes() for path in folder.iterdir()}
    assert stored == {
        digest_name(REAL): REAL, digest_name(MOVED): MOVED, digest_name(OTHER): OTHER, digest_name(REAL_WECHAT): REAL_WECHAT,
    }
    # Raw HTML gets the site's root; Hexo adds it to Markdown (marked's prependRoot) and themes to front matter (url_for).
    site_path = "/blog/images/hello/"
    expected = (
        text.replace(f"cover: {base}/hotlink.png", f"cover: /images/hello/{digest_name(REAL)}")
        .replace(f"({base}/hotlink.png ", f"(/images/hello/{digest_name(REAL)} ")
        .replace(f"'{base}/hotlink.png'", f"'{site_path}{digest_name(REAL)}'")
        .replace(f"{base}/moved.png", site_path + digest_name(MOVED))
        .replace(f"{base}/other.png 2x", f"{site_path}{digest_name(OTHER)} 2x")
        .replace(f"{wechat_base}/mmbiz/pic.jpg", "/images/hello/" + digest_name(REAL_WECHAT))
    )
    # The WeChat picture is stored as the real one (a .png here: the extension follows the bytes, not the URL).
    assert post.read_bytes() == expected.encode("utf-8")
    # fine.png loads with the blog's Referer: 'hotlinked' leaves it, and the 404, HTML page and big picture are not stored.
    assert f"{base}/fine.png" in post.read_text(encoding="utf-8")
    lines = {url: [line for line in result.stdout.splitlines() if f"{base}/{url}" in line and " IMG" in line] for url in ("gone.png", "html.png", "big.png")}
    assert [line.split()[2] for line in lines["gone.png"]] == ["IMG201"]
    # html.png refuses the blog's Referer and, without one, serves an HTML page as image/png: the check sees the
    # bytes, so it is broken either way (not hot-link protection), never chosen, never downloaded, never stored.
    assert [line.split()[2] for line in lines["html.png"]] == ["IMG201"]
    assert not (site.source / "images" / "hello").joinpath(digest_name(HTML_PAGE)).exists()
    assert [line.split()[2] for line in lines["big.png"]] == ["IMG302", "IMG401"]
    # The hot-linked images that were stored are fixed; the one that was not (too large) is still reported.
    assert result.stdout.count("error   IMG302") == 1
    manifest = json.loads((site.source / "_data" / "postkit-images.json").read_text(encoding="utf-8"))
    entry = manifest["images"][f"images/hello/{digest_name(REAL)}"]
    assert entry["urls"] == [f"{base}/hotlink.png"] and entry["posts"] == ["_posts/hello.md"] and entry["bytes"] == len(REAL)
    assert manifest["images"][f"images/hello/{digest_name(MOVED)}"]["urls"] == [f"{base}/moved.png"]


def test_download_reuses_the_checker_client_without_referer_and_the_same_picture_is_fetched_once(tmp_path, servers, images_cli):
    base, _ = bases(servers)
    main, _ = servers
    site = make_site(tmp_path, asset_folder=False)
    first = site.post("first.md", f"---\ntitle: one\n---\n![a]({base}/hotlink.png)\n![again]({base}/hotlink.png)\n")
    second = site.post("second.md", f"---\ntitle: two\n---\n<img src=\"{base}/hotlink.png\">\n")
    result = images_cli(str(site.posts), "--localize", "--no-cache")
    assert result.exit_code == 0, result.output
    # Exactly two requests: the check's GET with the blog's Referer (403) and its GET without one, whose bounded
    # prefix holds the whole picture; --localize stores those bytes and asks no more, for three references.
    sent = requests_to(main, "/hotlink.png")
    assert [(r.method, r.headers.get("Referer")) for r in sent] == [("GET", "http://blog.example.com/"), ("GET", None)]
    for request in sent:
        assert "Cookie" not in request.headers and request.headers["User-Agent"].startswith("postkit/")
    name = digest_name(REAL)
    assert first.read_text(encoding="utf-8").count(f"/images/first/{name}") == 2
    assert f'<img src="/images/second/{name}">' in second.read_text(encoding="utf-8")
    assert [p.name for p in (site.source / "images" / "first").iterdir()] == [name]
    assert (site.source / "images" / "second" / name).read_bytes() == REAL


def test_second_run_does_nothing_and_check_and_dry_run_write_nothing(tmp_path, servers, images_cli):
    base, _ = bases(servers)
    site = make_site(tmp_path, asset_folder=True, post_asset=True)
    post = site.post("hello.md", f"---\ntitle: one\n---\n![a]({base}/hotlink.png)\n")
    before = snapshot(tmp_path)
    dry = images_cli(str(site.posts), "--localize", "--dry-run", "--no-cache")
    assert snapshot(tmp_path) == before
    assert f"would store {shown(site.posts / 'hello' / digest_name(REAL))}" in dry.stderr
    assert f"would rewrite {post}:4:6: {base}/hotlink.png -> {digest_name(REAL)}" in dry.stderr
    check = images_cli(str(site.posts), "--localize", "--check", "--no-cache")
    assert check.exit_code == 1 and snapshot(tmp_path) == before
    done = images_cli(str(site.posts), "--localize", "--no-cache")
    assert done.exit_code == 0, done.output
    after = snapshot(tmp_path)
    assert after != before
    again = images_cli(str(site.posts), "--localize", "--no-cache")
    assert again.exit_code == 0 and snapshot(tmp_path) == after
    assert "nothing to store" in again.stderr
    assert images_cli(str(site.posts), "--localize", "--check", "--no-cache").exit_code == 0


def test_both_asset_folder_modes_give_the_reference_hexo_resolves(tmp_path, servers, images_cli):
    base, _ = bases(servers)
    name = digest_name(REAL)
    text = (
        "---\n"
        f"cover: {base}/hotlink.png\n"
        "---\n"
        f'![alt text]({base}/hotlink.png "a title")\n'
        f"![]({base}/hotlink.png)\n"
        f'<img src={base}/hotlink.png alt="x">\n'
        f"![it's quoted]({base}/hotlink.png)\n"
    )
    on = make_site(tmp_path / "on", asset_folder=True, post_asset=True)
    on_post = on.post("hello.md", text)
    assert images_cli(str(on.posts), "--localize", "--no-cache").exit_code == 0
    assert on_post.read_text(encoding="utf-8") == (
        "---\n"
        f"cover: /images/hello/{name}\n"
        "---\n"
        f'![alt text]({name} "a title")\n'
        f"![]({name})\n"
        f'<img src="{{% asset_path {name} %}}" alt="x">\n'
        f"![it's quoted]({name})\n"
    )
    assert (on.posts / "hello" / name).read_bytes() == REAL
    assert (on.source / "images" / "hello" / name).read_bytes() == REAL  # front matter: themes read a site path

    off = make_site(tmp_path / "off", asset_folder=True, post_asset=False)
    off_post = off.post("hello.md", text)
    assert images_cli(str(off.posts), "--localize", "--no-cache").exit_code == 0
    assert off_post.read_text(encoding="utf-8") == (
        "---\n"
        f"cover: /images/hello/{name}\n"
        "---\n"
        f"{{% asset_img {name} '\"a title\" \"alt text\"' %}}\n"
        f"{{% asset_img {name} %}}\n"
        f'<img src="{{% asset_path {name} %}}" alt="x">\n'
        f"![it's quoted](/images/hello/{name})\n"  # a quote cannot go into the tag: the site path instead
    )


def test_an_interrupted_run_never_leaves_a_post_pointing_at_a_missing_file_and_the_next_run_finishes(tmp_path, servers, images_cli, monkeypatch):
    base, _ = bases(servers)
    site = make_site(tmp_path, asset_folder=False)
    text = f"---\ntitle: one\n---\n![a]({base}/hotlink.png)\n"
    post = site.post("hello.md", text)
    real_write = localizer.write_atomic

    def interrupted(path, data, **options):
        if str(path).endswith(".md"):
            raise KeyboardInterrupt  # Ctrl-C after the pictures and the manifest, before the post
        return real_write(path, data, **options)

    monkeypatch.setattr(localizer, "write_atomic", interrupted)
    stopped = images_cli(str(site.posts), "--localize", "--no-cache")
    assert stopped.exit_code != 0  # click turns Ctrl-C into "Aborted!"
    assert post.read_text(encoding="utf-8") == text
    assert (site.source / "images" / "hello" / digest_name(REAL)).read_bytes() == REAL
    monkeypatch.setattr(localizer, "write_atomic", real_write)
    assert images_cli(str(site.posts), "--localize", "--no-cache").exit_code == 0
    assert post.read_text(encoding="utf-8") == text.replace(f"{base}/hotlink.png", f"/images/hello/{digest_name(REAL)}")


def test_a_picture_too_large_for_the_check_is_downloaded_once_and_not_stored_when_the_download_is_no_picture(tmp_path, servers, images_cli):
    from werkzeug import Request, Response

    base, _ = bases(servers)
    main, _ = servers
    picture = png(64, 64, 70) + bytes(6000)  # over the check's 4 KB prefix, so the check cannot keep it whole
    answers = {"bare": 0}

    def changes_between_check_and_download(request: Request) -> Response:
        if request.headers.get("Referer"):
            return Response("hot-linking is not allowed", status=403, content_type="text/plain")
        answers["bare"] += 1
        # The check sees a picture; by the time of the download the host answers with an HTML page.
        return Response(picture if answers["bare"] == 1 else HTML_PAGE, content_type="image/png")

    main.expect_request("/changing.png").respond_with_handler(changes_between_check_and_download)
    main.expect_request("/large.png").respond_with_handler(refuse_referer(picture))
    site = make_site(tmp_path, asset_folder=False)
    config = site.root / ".postkit.toml"
    config.write_text(config.read_text(encoding="utf-8").replace("localize-max-size = 4000", "localize-max-size = 20000"), encoding="utf-8")
    text = f"---\ntitle: one\n---\n![a]({base}/changing.png)\n![b]({base}/large.png)\n"
    post = site.post("hello.md", text)
    result = images_cli(str(site.posts), "--localize", "--no-cache")
    assert result.exit_code == 1, result.output
    changing = [line.split()[2] for line in result.stdout.splitlines() if f"{base}/changing.png" in line and " IMG" in line]
    assert changing == ["IMG302", "IMG402"], result.stdout
    assert post.read_text(encoding="utf-8") == text.replace(f"{base}/large.png", f"/images/hello/{digest_name(picture)}")
    assert [p.name for p in (site.source / "images" / "hello").iterdir()] == [digest_name(picture)]
    for path in ("/changing.png", "/large.png"):
        # The check: with the blog's Referer, then without, a bounded prefix each; the download: one GET without.
        sent = [(r.headers.get("Referer"), r.headers.get("Range")) for r in requests_to(main, path)]
        assert sent == [("http://blog.example.com/", "bytes=0-4095"), (None, "bytes=0-4095"), (None, "bytes=0-20000")], path


def test_sarif_lists_the_rule_of_every_localize_problem(tmp_path, servers, images_cli):
    base, _ = bases(servers)
    site = make_site(tmp_path, asset_folder=False)
    site.post("hello.md", f"---\ntitle: one\n---\n![big]({base}/big.png)\n")
    result = images_cli(str(site.posts), "--localize", "--no-cache", "--format", "sarif")
    assert result.exit_code == 1
    run = json.loads(result.stdout)["runs"][0]
    found = [item["ruleId"] for item in run["results"]]
    assert sorted(found) == ["IMG302", "IMG401"]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert set(found) <= set(rules) and rules["IMG401"]["name"] == "too-large"


def test_all_stores_every_reachable_image_but_never_a_broken_one(tmp_path, servers, images_cli):
    base, _ = bases(servers)
    site = make_site(tmp_path, asset_folder=False)
    post = site.post("hello.md", f"---\ntitle: one\n---\n![a]({base}/fine.png)\n![b]({base}/gone.png)\n")
    result = images_cli(str(site.posts), "--localize=all", "--no-cache")
    assert result.exit_code == 1  # the 404 stays, reported
    assert post.read_text(encoding="utf-8") == f"---\ntitle: one\n---\n![a](/images/hello/{digest_name(OTHER)})\n![b]({base}/gone.png)\n"
    assert [p.name for p in (site.source / "images" / "hello").iterdir()] == [digest_name(OTHER)]


def test_nothing_is_written_outside_source(tmp_path, servers, images_cli):
    base, _ = bases(servers)
    site = make_site(tmp_path / "site", asset_folder=True, post_asset=True)
    post = site.post("hello.md", f"---\ntitle: one\n---\n![a]({base}/hotlink.png)\n")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (site.posts / "hello").symlink_to(outside, target_is_directory=True)  # the asset folder leads out of source/
    draft = site.root / "drafts" / "draft.md"
    draft.parent.mkdir()
    draft.write_text(f"---\ntitle: two\n---\n![a]({base}/hotlink.png)\n", encoding="utf-8")
    before = snapshot(tmp_path)
    result = images_cli(str(site.posts), str(draft), "--localize", "--no-cache")
    assert result.exit_code == 1
    assert f"{post}:4:6: IMG403" in result.stdout.replace("\\", "/") or "IMG403" in result.stdout
    # drafts/draft.md lies in the site but outside source/: Hexo builds no post from it, so it is
    # not checked at all (and nothing is written for it); the symlinked asset folder is the one IMG403.
    assert result.stdout.count("IMG403") == 1 and "draft.md" not in result.stdout
    assert snapshot(tmp_path) == before
    assert not list(outside.iterdir())


def test_usage_errors_exit_2(tmp_path, images_cli):
    site = make_site(tmp_path, asset_folder=False)
    site.post("hello.md", "---\ntitle: one\n---\n")
    assert images_cli(str(site.posts), "--check").exit_code == 2
    assert images_cli("--localize=everything", str(site.posts)).exit_code == 2
    assert images_cli("--localize", str(site.posts), "--no-cache").exit_code == 0  # a bare --localize means hotlinked
    assert images_cli(str(site.posts), "--localize", "--offline").exit_code == 2
    no_site = tmp_path / "loose"
    no_site.mkdir()
    (no_site / "a.md").write_text("---\ntitle: a\n---\n![a](http://127.0.0.1:9/a.png)\n", encoding="utf-8")
    (tmp_path / ".postkit.toml").write_text("[images]\nlocalize-max-size = 'lots'\n", encoding="utf-8")
    bad = images_cli(str(site.posts), "--localize")
    assert bad.exit_code == 2 and "localize-max-size" in bad.stderr


def test_sizes_and_tags():
    assert parse_size("20MB") == 20_000_000 and parse_size("512 KiB") == 524_288 and parse_size(4000) == 4000
    for bad in ("-1", "lots", True, 0):
        with pytest.raises(ValueError):
            parse_size(bad)
    assert asset_img_tag("a.png", "", None) == "{% asset_img a.png %}"
    assert asset_img_tag("a.png", "alt", None) == "{% asset_img a.png '\"\" \"alt\"' %}"
    assert asset_img_tag("a.png", 'say "hi"', None) is None
    assert len(BIG) > 4000


def test_a_name_is_never_reused_for_other_bytes(tmp_path, servers, images_cli):
    base, _ = bases(servers)
    site = make_site(tmp_path, asset_folder=False)
    post = site.post("hello.md", f"---\ntitle: one\n---\n![a]({base}/hotlink.png)\n")
    folder = site.source / "images" / "hello"
    folder.mkdir(parents=True)
    squatter = folder / digest_name(REAL)
    squatter.write_bytes(b"someone else's picture")
    assert images_cli(str(site.posts), "--localize", "--no-cache").exit_code == 0
    longer = hashlib.sha256(REAL).hexdigest()[:16] + ".png"
    assert squatter.read_bytes() == b"someone else's picture"
    assert (folder / longer).read_bytes() == REAL
    assert f"![a](/images/hello/{longer})" in post.read_text(encoding="utf-8")


def test_reference_definitions_img_tags_and_photos_are_rewritten_too(tmp_path, servers, images_cli):
    base, _ = bases(servers)
    site = make_site(tmp_path, asset_folder=False)
    text = (
        "---\n"
        "title: one\n"
        "photos:\n"
        f"  - {base}/hotlink.png\n"
        f'  - "{base}/other.png"\n'
        "---\n"
        "![by reference][pic]\n"
        "\n"
        f"{{% img {base}/moved.png 200 100 %}}\n"
        "\n"
        f'[pic]: <{base}/other.png> "Title"\n'
    )
    post = site.post("hello.md", text)
    assert images_cli(str(site.posts), "--localize", "--no-cache").exit_code == 0
    real, other, moved = (f"/images/hello/{digest_name(data)}" for data in (REAL, OTHER, MOVED))
    assert post.read_text(encoding="utf-8") == (
        text.replace(f"{base}/hotlink.png", real).replace(f"{base}/other.png", other).replace(f"{base}/moved.png", moved)
    )


def test_a_page_has_no_asset_folder_so_its_pictures_go_to_the_site_folder(tmp_path, servers, images_cli):
    base, _ = bases(servers)
    site = make_site(tmp_path, asset_folder=True, post_asset=True)
    page = site.source / "about" / "index.md"
    page.parent.mkdir(parents=True)
    page.write_text(f"---\ntitle: About\n---\n![me]({base}/hotlink.png)\n", encoding="utf-8")
    assert images_cli(str(page), "--localize", "--no-cache").exit_code == 0
    assert page.read_text(encoding="utf-8").endswith(f"![me](/images/about/{digest_name(REAL)})\n")
    assert (site.source / "images" / "about" / digest_name(REAL)).read_bytes() == REAL


def test_the_readme_before_and_after_example_is_what_the_command_does(tmp_path, servers, images_cli):
    import re

    from conftest import ROOT

    main, other = servers
    base, wechat_base = bases(servers)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Localize images") :]
    before, after = re.findall(r"```markdown\n(.*?)```", section, re.S)[:2]
    # JPEG-shaped bytes with a start of scan: the checker, like Chromium, shows no JPEG that ends before one.
    sina, wechat_picture = b"\xff\xd8\xff\xe0sina" + bytes(200) + SCAN, b"\xff\xd8\xff\xe0wechat" + bytes(300) + SCAN
    from werkzeug import Request, Response

    main.expect_request("/large/abc.jpg").respond_with_handler(refuse_referer(sina, "image/jpeg"))

    def wechat_host(request: Request) -> Response:
        refused = request.headers.get("Referer", "").startswith("http://blog.example.com")
        return Response(b"\xff\xd8\xff\xe0not allowed" + bytes(50) + SCAN if refused else wechat_picture, content_type="image/jpeg")

    other.expect_request("/mmbiz_jpg/xyz/640").respond_with_handler(wechat_host)
    site = make_site(tmp_path, asset_folder=True, post_asset=True)
    post = site.post("hello.md", before.replace("https://wx1.sinaimg.cn", base).replace("https://mmbiz.qpic.cn", wechat_base))
    result = images_cli(str(site.posts), "--localize", "--no-cache")
    assert result.exit_code == 0, result.output
    names = {"3f2a1b9c0d4e.jpg": digest_name(sina, ".jpg"), "9a8b7c6d5e4f.jpg": digest_name(wechat_picture, ".jpg")}
    expected = re.sub(r"[0-9a-f]{12}\.jpg", lambda m: names[m.group(0)], after)
    assert post.read_text(encoding="utf-8") == expected
    for folder, name in (("_posts/hello", names["3f2a1b9c0d4e.jpg"]), ("_posts/hello", names["9a8b7c6d5e4f.jpg"]), ("images/hello", names["3f2a1b9c0d4e.jpg"])):
        assert (site.source / folder / name).is_file()


def test_a_check_after_localize_all_reads_the_asset_tags_it_wrote(tmp_path, servers, images_cli):
    """``{% asset_path name %}`` in src and srcset (and ``{% asset_img %}``) resolve to the post's asset folder."""
    base, _ = bases(servers)
    name = digest_name(REAL)
    text = (
        "---\ntitle: hello\n---\n"
        f"![]({base}/hotlink.png)\n"
        f'<img src="{base}/hotlink.png" srcset="{base}/hotlink.png 1x, {base}/hotlink.png 2x" alt="x">\n'
    )
    site = make_site(tmp_path / "site", asset_folder=True)
    post = site.post("hello.md", text)
    assert images_cli(str(site.posts), "--localize=all", "--no-cache").exit_code == 0
    written = post.read_text(encoding="utf-8")
    assert f"{{% asset_path {name} %}} 2x" in written and f"{{% asset_img {name} %}}" in written
    checked = images_cli(str(site.posts), "--no-cache")
    assert checked.exit_code == 0, checked.output
    # A missing asset is still reported, at the asset folder.
    post.write_text(written.replace(name, "gone.png"), encoding="utf-8")
    missing = images_cli(str(site.posts), "--no-cache", "--format", "concise")
    assert missing.exit_code == 1
    assert missing.output.count("no such file: ") == 4 and "_posts/hello/{%" not in missing.output
    assert missing.output.count("_posts/hello/gone.png") == 4
