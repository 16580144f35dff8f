"""A whole images run on a temporary Hexo site against a real server: verdicts per reference, the cache, the command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from conftest import ROOT, run_postkit, write
from images_helpers import PNG, images_runner, requests_to, start_server
from werkzeug import Request, Response

from postkit.core.config import Config, ConfigError, load_config, validate_table
from postkit.images.cache import ProbeCache, parse_duration
from postkit.images.remote import CheckOptions, ProbeResult
from postkit.images.local import SiteLayout
from postkit.images.run import ImageSettings, check_images, settings_for

SITE_URL = "http://blog.example.com"  # the test server speaks plain http; see the upgrade test for https
FAST = CheckOptions(read_timeout=2.0, connect_timeout=2.0, retries=1, backoff=0.01, retry_after_cap=1.0)


@pytest.fixture(scope="module")
def server():
    started = start_server()
    yield started
    started.stop()


@pytest.fixture
def http(server):
    server.clear()

    def hotlink(request: Request) -> Response:
        if request.headers.get("Referer", "").startswith(SITE_URL):
            return Response("no hotlinking", status=403)
        return Response(PNG, content_type="image/png")

    server.expect_request("/ok.png").respond_with_data(PNG, content_type="image/png")
    server.expect_request("/gone.png").respond_with_data("gone", status=404)
    server.expect_request("/protected.png").respond_with_handler(hotlink)
    yield server
    server.clear()


def make_site(root: Path, base: str) -> list[Path]:
    write(root / "_config.yml", f"title: Blog\nurl: {SITE_URL}\n")
    first = write(
        root / "source" / "_posts" / "first.md",
        f"---\ntitle: 第一篇\nheadimg: {base}/ok.png\n---\n"
        f'<p><img src="{base}/protected.png"></p>\n'
        f'<p><img src="{base}/protected.png" referrerpolicy="no-referrer"></p>\n'
        f'<img src="{base}/gone.png">\n'
        "\n"
        "![local](missing-local.png)\n"
        "![random](https://picsum.photos/400/300)\n",
    )
    second = write(
        root / "source" / "_posts" / "second.md",
        f"---\ntitle: 第二篇\ncover: ftp://files.example.cn/a.png\n---\n\n![again]({base}/gone.png)\n",
    )
    return [first, second]


def site_settings(root: Path, **overrides) -> ImageSettings:
    config = load_config(root / "source" / "_posts")
    settings = settings_for(config, [str(root / "source" / "_posts")])
    values = {"check": FAST, **overrides}
    return ImageSettings(**{**settings.__dict__, **values})


def codes(run) -> list[tuple[str, int, int, str]]:
    return [(Path(d.path).name, d.line, d.col, d.name) for d in run.diagnostics]


def test_a_run_reports_every_reference_a_reader_would_not_see(tmp_path, http):
    base = http.url_for("").rstrip("/")
    posts = make_site(tmp_path, base)
    run = check_images([str(p) for p in posts], site_settings(tmp_path))
    assert codes(run) == [
        ("first.md", 5, 14, "hotlink-protected"),
        ("first.md", 7, 11, "http-error"),
        ("first.md", 9, 10, "missing-file"),
        ("first.md", 10, 11, "random-picture"),
        ("second.md", 3, 8, "unsupported-scheme"),
        ("second.md", 6, 10, "http-error"),  # the same dead URL: every post and line is listed
    ]
    hotlink = run.diagnostics[0]
    assert hotlink.code == "IMG302" and hotlink.url == f"{base}/protected.png"
    assert 'referrerpolicy="no-referrer"' in hotlink.message and '<meta name="referrer" content="no-referrer">' in hotlink.message
    # One URL, checked once for two posts: with the blog's Referer, then without it to rule out hot-linking.
    assert [r.headers.get("Referer") for r in requests_to(http, "/gone.png")] == [f"{SITE_URL}/", None]
    assert run.references == 8 and run.remote_urls == 3


def test_https_blog_upgrades_http_images_like_a_browser(tmp_path, http):
    # A loopback address is potentially trustworthy and never upgraded, so the image host gets a
    # name of its own (img.test), which the checker resolves to the test server's loopback address.
    base = f"http://img.test:{http.port}"
    post = write(tmp_path / "posts" / "a.md", f"---\ntitle: a\n---\n<img src=\"{base}/ok.png\">\n")
    settings = ImageSettings(SiteLayout.without_site(tmp_path), site_url="https://secure.example.com/", check=FAST)

    async def resolve(host: str, port: int) -> list[str]:
        assert host == "img.test"
        return ["127.0.0.1"]

    run = check_images([str(post)], settings, resolve=resolve)
    https_url = base.replace("http://", "https://") + "/ok.png"
    [diagnostic] = run.diagnostics
    assert diagnostic.name in ("tls-error", "connection-failed")  # the plain-http server cannot answer https
    assert f"browsers request {https_url} instead" in diagnostic.message
    assert requests_to(http, "/ok.png") == []


def test_site_wide_no_referrer_policy_makes_the_hotlinked_image_fine(tmp_path, http):
    base = http.url_for("").rstrip("/")
    posts = make_site(tmp_path, base)
    run = check_images([str(posts[0])], site_settings(tmp_path, site_policy="no-referrer"))
    assert "hotlink-protected" not in [d.name for d in run.diagnostics]
    assert all(r.headers.get("Referer") is None for r, _ in http.log)


def test_second_run_uses_the_cache_and_rechecks_failures(tmp_path, http):
    base = http.url_for("").rstrip("/")
    posts = [str(p) for p in make_site(tmp_path, base)]
    settings = site_settings(tmp_path)
    first = check_images(posts, settings)
    asked = {path: len(requests_to(http, path)) for path in ("/ok.png", "/gone.png", "/protected.png")}
    second = check_images(posts, settings)
    assert codes(second) == codes(first)
    assert len(requests_to(http, "/ok.png")) == asked["/ok.png"]  # no request for a cached URL
    assert len(requests_to(http, "/gone.png")) == asked["/gone.png"] * 2  # failures are never cached
    # The hot-linked image: the good bare probe is cached, the refused one is asked again.
    assert [r.headers.get("Referer") for r in requests_to(http, "/protected.png")][asked["/protected.png"] :] == [f"{SITE_URL}/"]
    assert second.stats.cache_hits == 2 and first.stats.cache_hits == 0  # ok.png, and protected.png without Referer
    assert (tmp_path / ".postkit-cache" / "images.sqlite3").is_file()
    assert (tmp_path / ".postkit-cache" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_no_cache_reads_and_writes_nothing(tmp_path, http):
    base = http.url_for("").rstrip("/")
    posts = [str(p) for p in make_site(tmp_path, base)]
    settings = site_settings(tmp_path, cache_folder=None)
    check_images(posts, settings)
    check_images(posts, settings)
    assert len(requests_to(http, "/ok.png")) == 2
    assert not (tmp_path / ".postkit-cache").exists()


def test_cache_ttl_expiry_and_corrupt_file(tmp_path):
    now = [1000.0]
    good = ProbeResult("https://img.example.cn/a.png", None, None, "200 OK image/png", 200, "image/png", 10)
    bad = ProbeResult("https://img.example.cn/b.png", None, "http-error", "404 Not Found", 404)
    with ProbeCache(tmp_path, ttl=60, clock=lambda: now[0]) as cache:
        cache.put(good)
        cache.put(bad)
    with ProbeCache(tmp_path, ttl=60, clock=lambda: now[0]) as cache:
        hit = cache.get(good.url, None)
        assert hit is not None and hit.from_cache and hit.requests == 0 and hit.status == 200
        assert cache.get(bad.url, None) is None  # never stored
        assert cache.get(good.url, "https://blog.example.com/") is None  # another Referer, another probe
        now[0] += 61
        assert cache.get(good.url, None) is None  # expired
    (tmp_path / "images.sqlite3").write_bytes(b"this is not a database" * 100)
    with ProbeCache(tmp_path, ttl=60, clock=lambda: now[0]) as cache:
        assert cache.warning is None and cache.get(good.url, None) is None
        cache.put(good)
        assert cache.get(good.url, None) is not None


def test_unwritable_cache_folder_turns_the_cache_off(tmp_path):
    blocker = write(tmp_path / "file", "not a folder")
    cache = ProbeCache(blocker / "cache")
    assert cache.warning and cache.get("https://img.example.cn/a.png", None) is None
    cache.put(ProbeResult("https://img.example.cn/a.png", None))
    cache.close()


def test_durations():
    assert parse_duration("1d") == 86400 and parse_duration("12h") == 43200 and parse_duration(90) == 90
    assert parse_duration("30m") == 1800 and parse_duration("45") == 45
    for bad in ("-1", "1w", "soon", True):
        with pytest.raises(ValueError):
            parse_duration(bad)


def test_images_table_is_type_checked_by_the_strict_config():
    table = {
        "url": "https://blog.example.com/",
        "referrer-policy": "no-referrer",
        "cache-ttl": "12h",
        "timeout": 3,
        "connect-timeout": 1.5,
        "concurrency": 16,
        "per-host": 2,
        "user-agent": "MyBlog/1.0",
        "placeholder-pictures": [{"size": 42, "sha256": "a" * 64, "description": "x", "hosts": ["mmbiz.qpic.cn"]}],
        "hotlink-placeholder-hosts": ["img.example.cn"],
    }
    assert validate_table({"images": dict(table)}, "test.toml") == ({"images": table}, [])
    for key, bad in [("url", "blog.example.com"), ("referrer-policy", "sometimes"), ("cache-ttl", "1 week"),
                     ("concurrency", 0), ("placeholder-pictures", [{"size": 1, "sha256": "xyz", "description": "x"}])]:
        with pytest.raises(ConfigError, match=f"\\[images\\]: {key!r}"):
            validate_table({"images": {key: bad}}, "test.toml")
    with pytest.raises(ConfigError, match="unknown key 'image-timeout'"):
        validate_table({"images": {"image-timeout": 3}}, "test.toml")


def test_old_top_level_image_keys_are_still_read_with_a_warning_naming_the_table():
    old = {"url": "https://blog.example.com/", "image-timeout": 3, "image-cache-ttl": "12h", "hotlink-placeholder-hosts": ["a.cn"]}
    table, warnings = validate_table(dict(old), "test.toml")
    assert table == {"images": {"url": "https://blog.example.com/", "timeout": 3, "cache-ttl": "12h", "hotlink-placeholder-hosts": ["a.cn"]}}
    assert len(warnings) == 4
    assert "test.toml: 'image-timeout' is deprecated and will stop working: write it as 'timeout' in [tool.postkit.images]" in warnings
    # The new table wins over an old key, and the user is told the old one is ignored.
    table, warnings = validate_table({"image-timeout": 3, "images": {"timeout": 5}}, "test.toml")
    assert table == {"images": {"timeout": 5}} and warnings == ["test.toml: 'image-timeout' is ignored: [tool.postkit.images] sets 'timeout'"]
    with pytest.raises(ConfigError, match=r"\[images\]: 'timeout' must be"):
        validate_table({"image-timeout": -1}, "test.toml")


def test_deprecated_key_warning_reaches_the_user(tmp_path):
    write(tmp_path / ".postkit.toml", "image-timeout = 3\n")
    write(tmp_path / "post.md", "---\ntitle: t\ndate: 2021-01-01 00:00:00\n---\n![a](a.png)\n")
    write(tmp_path / "a.png", "x")
    result = run_postkit("images", str(tmp_path), "--offline")
    assert "postkit: warning:" in result.stderr and "[tool.postkit.images]" in result.stderr


def test_config_values_reach_the_settings(tmp_path):
    config = Config(
        values={
            "images": {
                "url": "https://mirror.example.com/", "referrer-policy": "no-referrer", "cache-ttl": "2h",
                "timeout": 3, "per-host": 2, "user-agent": "MyBlog/1.0",
                "placeholder-pictures": [{"size": 7, "sha256": "b" * 64, "description": "seven"}],
                "hotlink-placeholder-hosts": ["IMG.example.cn"],
            },
            "image-fields": ["hero"],
        },
        site_root=tmp_path, site_url="https://from-hexo.example.com/",
    )
    write(tmp_path / "_config.yml", "post_asset_folder: true\n")
    settings = settings_for(config, [str(tmp_path)], per_host=5, no_cache=False)
    assert settings.site_url == "https://mirror.example.com/" and settings.site_policy == "no-referrer"
    assert settings.cache_ttl == 7200 and settings.cache_folder == tmp_path / ".postkit-cache"
    assert settings.check.read_timeout == 3 and settings.check.per_host == 5  # the command line wins
    assert settings.check.user_agent == "MyBlog/1.0" and "img.example.cn" in settings.check.hotlink_hosts
    assert settings.check.placeholders[-1].description == "seven" and settings.image_fields == ("hero",)
    assert settings.layout.post_asset_folder


# --- the command ---------------------------------------------------------------------------------


@pytest.fixture
def images_cli(monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    return images_runner()


def test_command_exit_codes_and_formats(tmp_path, tmp_path_factory, http, images_cli):
    base = http.url_for("").rstrip("/")
    posts = make_site(tmp_path, base)
    posts_dir = str(tmp_path / "source" / "_posts")
    result = images_cli(posts_dir, "--format", "concise", "--timeout", "2", "--no-cache")
    assert result.exit_code == 1
    assert f"{posts[0]}:7:11: IMG201 [error] <img src> {base}/gone.png: 404 Not Found" in result.stdout
    assert "6 unique" not in result.stderr and "3 unique remote URL(s)" in result.stderr
    clean = write(tmp_path_factory.mktemp("no-site") / "ok.md", f"---\ntitle: ok\n---\n<img src=\"{base}/ok.png\">\n")
    outside_site = images_cli(str(clean), "--no-cache")
    assert outside_site.exit_code == 0
    assert "no site URL" in outside_site.stderr  # no _config.yml above it: no Referer to test with
    assert images_cli(posts_dir, "--format", "yaml").exit_code == 2
    assert images_cli(posts_dir, "--concurrency", "0").exit_code == 2


def test_command_rate_limited_alone_exits_0_and_full_format_shows_the_line(tmp_path, http, images_cli):
    http.expect_request("/busy.png").respond_with_data("later", status=429, headers={"Retry-After": "0"})
    post = write(tmp_path / "busy.md", f"---\ntitle: busy\n---\n<img src=\"{http.url_for('/busy.png')}\">\n")
    result = images_cli(str(post), "--no-cache")
    assert result.exit_code == 0  # rate-limited is a warning: unknown, not broken
    assert "IMG205 rate-limited" in result.stdout
    assert f"     4 │ <img src=\"{http.url_for('/busy.png')}\">" in result.stdout
    assert "Found 1 problem (0 errors, 1 warning, 0 info) in 1 of 1 file." in result.stdout


def test_command_offline_makes_no_request(tmp_path, http, images_cli):
    base = http.url_for("").rstrip("/")
    make_site(tmp_path, base)
    result = images_cli(str(tmp_path / "source" / "_posts"), "--offline", "--format", "json")
    assert result.exit_code == 1  # the missing local file and the ftp: URL are still errors
    assert http.log == []
    data = json.loads(result.stdout)
    schema = json.loads((ROOT / "docs" / "validate-output.schema.json").read_text())
    # The same documented JSON shape as validate, with IMG codes instead of PK ones.
    schema["$defs"]["diagnostic"]["properties"]["code"]["pattern"] = "^IMG[0-9]{3}$"
    jsonschema.validate(data, schema)
    assert sorted(d["code"] for d in data["diagnostics"]) == ["IMG001", "IMG003", "IMG304"]
    assert "remote images not checked (--offline)" in result.stderr


def test_command_markdown_and_sarif(tmp_path, http, images_cli):
    base = http.url_for("").rstrip("/")
    make_site(tmp_path, base)
    posts_dir = str(tmp_path / "source" / "_posts")
    report = images_cli(posts_dir, "--format", "markdown", "--no-cache").stdout
    assert report.startswith("## postkit images\n\nFound 6 problems (5 errors, 1 warning, 0 info) in 2 of 2 files.")
    assert "| IMG201 | http-error | error | 1 | 2 |" in report
    gone_row = next(line for line in report.splitlines() if line.startswith(f"| <{base}/gone.png>"))
    assert "first.md:7:11`<br>`" in gone_row and "second.md:6:10`" in gone_row
    sarif = json.loads(images_cli(posts_dir, "--format", "sarif", "--no-cache").stdout)
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert {"IMG302", "IMG201", "IMG001", "IMG401", "IMG402", "IMG403", "IMG404"} <= {rule["id"] for rule in rules}
    assert {r["ruleId"] for r in sarif["runs"][0]["results"]} == {"IMG302", "IMG201", "IMG001", "IMG304", "IMG003"}


def test_markdown_report_escapes_table_cells():
    from postkit.core.diagnostics import Severity
    from postkit.images.markdown_report import markdown
    from postkit.images.run import ImageDiagnostic
    from postkit.core.report import Summary

    diagnostic = ImageDiagnostic(
        "posts/a|b.md", 3, 5, "IMG201", "http-error", Severity.ERROR, "x", url="https://img.example.cn/a b.png",
        detail="404 <Not> | Found",
    )
    text = markdown([diagnostic], Summary.of([diagnostic], 1))
    row = text.splitlines()[-1]
    assert row == "| `https://img.example.cn/a b.png` | 404 &lt;Not&gt; \\| Found | `posts/a\\|b.md:3:5` |"


def test_registering_images_keeps_validate_free_of_httpx(tmp_path):
    post = write(tmp_path / "a.md", "---\ntitle: x\ndate: 2021-12-14T02:53:00Z\n---\n")
    probe = (
        "import sys\nfrom postkit.cli import app\nfrom postkit.images.command import register\nregister(app)\n"
        "try:\n    app(['validate', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('httpx', 'markdown_it', 'postkit.images.run', 'sqlite3') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe, str(post)], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_unreadable_posts_are_reported_with_their_place(tmp_path):
    bad = write(tmp_path / "latin1.md", "---\ntitle: x\n---\ncaf\xe9".encode("latin-1"))
    missing = tmp_path / "missing.md"
    run = check_images([str(bad), str(missing)], ImageSettings(SiteLayout.without_site(tmp_path), offline=True))
    assert [(Path(d.path).name, d.line, d.col, d.code) for d in run.diagnostics] == [
        ("latin1.md", 4, 4, "IMG000"),
        ("missing.md", 1, 1, "IMG000"),
    ]
    assert "not UTF-8" in run.diagnostics[0].message


def test_large_trees_are_collected_in_worker_processes_with_the_same_result(tmp_path):
    posts = [str(write(tmp_path / f"p{index:03d}.md", f"---\ntitle: {index}\n---\n![a](missing-{index}.png)\n")) for index in range(210)]
    write(tmp_path / "p000.md", b"\xff\xfe")  # one unreadable post among them
    settings = ImageSettings(SiteLayout.without_site(tmp_path), offline=True)
    from postkit.images.run import plan

    parallel = plan(posts, settings, jobs=2)
    serial = plan(posts, settings, jobs=1)
    assert parallel.files == serial.files and parallel.settled == serial.settled
    assert len(parallel.settled) == 209 and parallel.files[0].error


def test_messages_name_the_place_and_suggest_the_fix():
    from postkit.images.collect import ImageRef
    from postkit.images.run import describe

    cover = ImageRef("a.md", 3, 8, "https://img.example.cn/c.png", "front-matter", None, "cover")
    img = ImageRef("a.md", 9, 11, "https://img.example.cn/i.png", "img-lazy", None, "data-original")
    hotlink = "403 Forbidden with the blog's Referer (https://blog.example.com/), but it loads without a Referer: hot-link protection"
    assert describe(cover, "hotlink-protected", hotlink) == (
        f"cover https://img.example.cn/c.png: {hotlink}. Fix: add <meta name=\"referrer\" content=\"no-referrer\"> to the "
        "theme's <head> (and referrer-policy = \"no-referrer\" to postkit's config), or store the picture in the site with postkit images --localize."
    )
    assert describe(img, "hotlink-protected", hotlink).startswith(
        f'<img data-original> https://img.example.cn/i.png: {hotlink}. Fix: keep referrerpolicy="no-referrer" on this <img>, add <meta'
    )
    assert describe(img, "http-error", "403 Forbidden").endswith("try --user-agent.")
    assert describe(img, "http-error", "404 Not Found") == "<img data-original> https://img.example.cn/i.png: 404 Not Found"


def test_rules_prints_an_image_reason_in_the_rule_template_and_lists_both_families():
    import subprocess
    import sys

    from postkit.images.reasons import BY_CODE, DOCS

    assert set(DOCS) == set(BY_CODE)  # every reason is documented
    shown = run_postkit("rules", "IMG302")
    assert shown.returncode == 0
    for heading in ("## What it means", "## Why it matters", "## Example", "## Fix"):
        assert heading in shown.stdout
    assert shown.stdout.startswith("hotlink-protected (IMG302)")
    assert run_postkit("rules", "blocked-address").stdout.startswith("blocked-address (IMG206)")
    listed = run_postkit("rules").stdout
    assert "PK202" in listed and "IMG302" in listed and "IMG206" in listed
    for code, name in (("IMG401", "too-large"), ("IMG402", "not-stored"), ("IMG403", "outside-source"), ("IMG404", "not-rewritable")):
        assert any(line.split()[:2] == [code, name] for line in listed.splitlines()), code  # --localize's reasons
    assert run_postkit("rules", "not-stored").stdout.startswith("not-stored (IMG402)")
    assert run_postkit("rules", "IMG999").returncode == 2
    # Listing reads images/reasons.py only: neither the checker nor httpx is imported.
    probe = (
        "import sys\nfrom typer.testing import CliRunner\nfrom postkit.cli import app\n"
        "CliRunner().invoke(app, ['rules', 'IMG302'])\n"
        "print(sorted(m for m in sys.modules if m == 'httpx' or m.startswith('postkit.images.remote')))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_deadline_and_allow_link_local_reach_the_settings(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.postkit.images]\ndeadline = 12\nallow-link-local = true\n", encoding="utf-8")
    settings = settings_for(load_config(tmp_path), [str(tmp_path)])
    assert settings.check.deadline == 12.0 and settings.check.allow_link_local is True
    assert settings_for(load_config(tmp_path), [str(tmp_path)], deadline=3).check.deadline == 3.0


def test_check_urls_gives_each_url_a_verdict_and_whether_it_loads_without_a_referrer(http):
    from postkit.images.remote import CheckOptions, check_urls

    http.expect_request("/ok.png").respond_with_data(PNG, content_type="image/png")
    http.expect_request("/gone.png").respond_with_data("gone", status=404)

    def protected(request):
        from werkzeug import Response

        if request.headers.get("Referer"):
            return Response("no", status=403)
        return Response(PNG, content_type="image/png")

    http.expect_request("/protected.png").respond_with_handler(protected)
    urls = {http.url_for("/ok.png"): f"{SITE_URL}/", http.url_for("/gone.png"): f"{SITE_URL}/", http.url_for("/protected.png"): f"{SITE_URL}/"}
    found = check_urls(urls, CheckOptions(retries=0, backoff=0.01))
    ok, gone, hot = (found[url] for url in urls)
    assert ok.ok and ok.loads_without_referrer
    assert gone.reason == "http-error" and not gone.loads_without_referrer
    assert hot.reason == "hotlink-protected" and hot.loads_without_referrer
    assert set(hot.probes) == {f"{SITE_URL}/", None}
