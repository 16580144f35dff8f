"""``postkit import`` end to end: feeds served by a real HTTP server on 127.0.0.1, posts checked by validate.

The feeds (tests/feeds/feeds/) have the shapes real feeds have: an RSSHub RSS 2.0 feed with HTML
descriptions in Simplified Chinese, referrer-policy and lazy images, a tracking pixel and RFC 2822
dates; an Atom feed with ``updated`` and ``content type="html"``; a JSON Feed 1.1; a GBK feed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from werkzeug.wrappers import Request, Response

from conftest import ROOT, SHARED, run_postkit
from feeds_helpers import FEEDS, conditional_handler, feed_bytes, make_site, serve_feeds, snapshot
from postkit.core.document import Document
from postkit.feeds.parse import parse_feed

# The 8-byte PNG signature and an IHDR chunk: the start of every PNG file.
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
FIDELITY = SHARED / "tools" / "fidelity.py"
POSITION = re.compile(r"^(?P<source>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>IMP\d{3}) ", re.M)


def front_matter(path: Path) -> dict:
    document = Document.from_text(path.read_text(encoding="utf-8"))
    return yaml.safe_load(document.yaml_text)


def posts_in(site: Path) -> list[Path]:
    return sorted((site / "source" / "_posts").rglob("*.md"))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return make_site(tmp_path / "blog")


@pytest.fixture
def imported(site: Path, httpserver) -> tuple[Path, list[str], subprocess.CompletedProcess]:
    urls = serve_feeds(httpserver)
    result = run_postkit("import", *urls, cwd=site)
    return site, urls, result


def test_every_item_becomes_a_post_that_validate_strict_passes(imported) -> None:
    site, urls, result = imported
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    posts = posts_in(site)
    assert len(posts) == 4 + 2 + 2 + 2
    check = run_postkit("validate", "--strict", "source/_posts", cwd=site)
    assert check.returncode == 0, check.stdout
    assert "PK" not in check.stdout


def test_front_matter_holds_the_items_values_in_the_sites_timezone(imported) -> None:
    site, _, _ = imported
    by_link = {front_matter(path)["link"]: (path, front_matter(path)) for path in posts_in(site)}
    path, first = by_link["https://sspai.example.cn/post/88001"]
    # Curly quotes, colon, slash and question mark kept; Hexo's slug turns ' / ' into '-'.
    assert first["title"] == "“重磅”：苹果发布 M4 芯片 / 性能提升 50%？"
    assert path.name == "“重磅”：苹果发布-M4-芯片-性能提升-50-？.md"
    # RFC 2822 "Tue, 07 May 2024 14:53:00 GMT" as the local time of Asia/Shanghai, which Hexo reads in its timezone.
    assert first["date"] == dt.datetime(2024, 5, 7, 22, 53)
    assert re.search(r"^date: 2024-05-07 22:53:00$", path.read_text(encoding="utf-8"), re.M)
    assert first["author"] == "王小明"
    assert first["categories"] == ["科技", "苹果"]
    assert "guid" not in first  # RSSHub's guid is the link
    # The tracking pixel comes first in the item; the cover is the first real picture, once.
    assert first["cover"] == "https://cdnfile.sspai.example.cn/2024/05/07/m4-chip.png"
    assert not {"thumbnail", "headimg"} & set(first)
    _, lazy = by_link["https://sspai.example.cn/post/88012"]
    assert lazy["cover"] == "https://cdnfile.sspai.example.cn/2024/05/08/obsidian-cover.jpg"
    _, rust = by_link["https://sspai.example.cn/post/88020"]
    assert rust["title"] == "Rust & Go：并发模型对比"  # entity decoded, <b> stripped
    _, atom = by_link["https://terminal.example.org/2024/pipes-1/"]
    assert atom["title"] == "Rock & Roll: shell pipes, part 1/2"
    assert atom["guid"] == "tag:terminal.example.org,2024:pipes-1"
    assert atom["updated"] > atom["date"]
    assert atom["cover"] == "https://terminal.example.org/2024/pipes-1/img/pipe.svg"  # resolved against the item's link
    assert atom["author"] == "Ann Example"  # the feed's author, as Atom says
    _, json_item = by_link["https://micro.example.net/2024/05/01/coffee/"]
    assert json_item["title"] == "Coffee: a #2 ranking?"
    assert json_item["categories"] == ["coffee", "life"]
    _, walk = by_link["https://micro.example.net/2024/05/03/walk/"]
    assert walk["cover"] == "https://micro.example.net/uploads/river.jpg"  # the item's image: its text has none
    _, gbk = by_link["https://news.example.cn/2024/0501/a1.html"]
    assert gbk["title"] == "今日要闻：城市地铁新线开通"
    assert gbk["cover"] == "https://news.example.cn/pic/2024/0501/line10.jpg"


def test_same_slug_gets_a_stable_suffix(imported) -> None:
    site, _, _ = imported
    names = sorted((path.name for path in posts_in(site) if "性能提升" in path.name), key=len)
    assert names[0] == "“重磅”：苹果发布-M4-芯片-性能提升-50-？.md"
    assert re.fullmatch(r"“重磅”：苹果发布-M4-芯片-性能提升-50-？-[0-9a-f]{6}\.md", names[1])


def _item_html() -> dict[str, str]:
    html = {}
    for name in ("rsshub.xml", "atom.xml", "feed.json", "gbk.xml"):
        for item in parse_feed(feed_bytes(name)).items:
            html[item.link] = item.html
    return html


@pytest.mark.skipif(not FIDELITY.is_file(), reason="../shared/tools/fidelity.py is absent")
def test_bodies_pass_the_fidelity_checks_against_the_item_html(imported, tmp_path: Path) -> None:
    site, _, _ = imported
    html = _item_html()
    corpus = tmp_path / "items"
    corpus.mkdir()
    for path in posts_in(site):
        link = front_matter(path)["link"]
        (corpus / path.name).write_text(f"---\nlink: '{link}'\n---\n{html[link]}\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(FIDELITY), str(corpus), "--converters", "", "--postkit-out", str(site / "source" / "_posts"), "--show", "20"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    row = next(line.split() for line in result.stdout.splitlines() if line.startswith("postkit"))
    header = next(line.split() for line in result.stdout.splitlines() if line.startswith("converter"))
    scores = dict(zip(header[1:], row[1:]))
    assert scores["posts"] == str(len(posts_in(site)))
    assert scores["pass"] == "100.0", result.stderr


def test_a_second_run_writes_nothing_and_gets_304(imported, httpserver) -> None:
    site, urls, _ = imported
    before = snapshot(site)
    second = run_postkit("import", *urls, cwd=site)
    assert second.returncode == 0, second.stderr
    assert snapshot(site) == before
    assert second.stdout.count("not modified (304)") == len(urls)
    conditional = [request for request, _ in httpserver.log if request.headers.get("If-None-Match")]
    assert len(conditional) == len(urls)
    # A deleted post comes back when the feeds are fetched whole.
    deleted = next(path for path in posts_in(site) if path.name.startswith("A-walk"))
    deleted.unlink()
    third = run_postkit("import", "--no-cache", *urls, cwd=site)
    assert third.returncode == 0, third.stderr
    assert deleted.exists()
    assert len(conditional) == len([request for request, _ in httpserver.log if request.headers.get("If-None-Match")])


def test_a_second_run_over_files_matches_items_by_guid_then_link(site: Path) -> None:
    files = [str(FEEDS / name) for name in ("rsshub.xml", "atom.xml", "feed.json")]
    first = run_postkit("import", *files, cwd=site)
    assert first.returncode == 0, first.stderr
    before = snapshot(site / "source")
    second = run_postkit("import", *files, cwd=site)
    assert second.returncode == 0
    assert snapshot(site / "source") == before
    assert re.search(r"rsshub\.xml\s+rss20\s+4\s+0\s+0\s+4\s", second.stdout), second.stdout


def test_broken_feeds_get_one_located_error_each_and_the_others_go_on(site: Path, httpserver) -> None:
    gbk_text = (FEEDS / "gbk.xml").read_text(encoding="utf-8")
    broken = {
        "/truncated.xml": (b'<?xml version="1.0"?>\n<rss version="2.0"><channel>\n<item><title>x</title>\n', "application/xml"),
        "/mismatched.xml": ('<rss version="2.0"><channel><title>中文<b></title></channel></rss>'.encode(), "application/xml"),
        "/page.html": (b"<!DOCTYPE html>\n<html><head><title>Moved</title></head><body></body></html>", "text/html"),
        "/not-a-feed.xml": (b'<?xml version="1.0"?>\n<config><a>1</a></config>', "application/xml"),
        "/garbage.json": (b'{"version": "https://jsonfeed.org/version/1.1",\n "items": [,]}', "application/feed+json"),
        # GBK bytes under a UTF-8 declaration, and UTF-8 bytes under a GBK one.
        "/gbk-as-utf8.xml": (gbk_text.replace('encoding="GBK"', 'encoding="UTF-8"').encode("gbk"), "application/xml"),
        "/utf8-as-gbk.xml": (gbk_text.encode("utf-8"), "application/xml"),
        # Not feeds at all: told by their bytes before any decoding.
        "/a.png": (PNG, "image/png"),
        "/png-as-xml.xml": (PNG, "application/xml"),
        "/gbk-page.html": ("<!doctype html>\n<html><body>中文页面</body></html>".encode("gbk"), "text/html"),
    }
    for path, (body, content_type) in broken.items():
        httpserver.expect_request(path).respond_with_data(body, content_type=content_type)
    good = serve_feeds(httpserver)[1]
    urls = [httpserver.url_for(path) for path in broken]
    result = run_postkit("import", *urls, good, cwd=site)
    assert result.returncode == 1
    errors = {m["source"].rsplit("/", 1)[-1]: (m["code"], int(m["line"]), int(m["col"])) for m in POSITION.finditer(result.stderr)}
    assert errors["truncated.xml"] == ("IMP001", 4, 1)  # the end of the document, where the closing tags are missing
    assert errors["mismatched.xml"] == ("IMP001", 1, 43)  # expat points at the name in </title>, in characters
    assert errors["page.html"] == ("IMP003", 2, 1)
    assert errors["not-a-feed.xml"] == ("IMP003", 2, 1)
    assert errors["garbage.json"] == ("IMP001", 2, 12)
    # The first non-ASCII character of the GBK feed is in its <title>, line 4.
    assert errors["gbk-as-utf8.xml"][:2] == ("IMP002", 4)
    assert errors["utf8-as-gbk.xml"][:2] == ("IMP002", 4)
    assert "reads as GBK" in result.stderr and "its bytes are UTF-8" in result.stderr
    assert errors["a.png"] == errors["png-as-xml.xml"] == ("IMP003", 1, 1)
    assert f"{urls[-2]}:1:1: IMP003 not a feed: a PNG image" in result.stderr
    assert errors["gbk-page.html"] == ("IMP003", 2, 1)
    assert "Traceback" not in result.stderr
    assert len(posts_in(site)) == 2  # the Atom feed went on


def test_items_without_title_or_link_are_reported_and_skipped(site: Path, tmp_path: Path) -> None:
    feed = tmp_path / "holes.xml"
    feed.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>t</title>\n'
        "<item><title>Fine</title><link>https://e.example/1</link><description>&lt;p&gt;ok&lt;/p&gt;</description></item>\n"
        "<item><link>https://e.example/2</link><description>no title</description></item>\n"
        "<item><title>No link</title><description>x</description></item>\n"
        "</channel></rss>\n",
        encoding="utf-8",
    )
    result = run_postkit("import", str(feed), cwd=site)
    assert result.returncode == 1
    assert f"{feed}:4:1: IMP006 item 2 has no title; skipped" in result.stderr
    assert f"{feed}:5:1: IMP006 item 3 has no link; skipped" in result.stderr
    assert [path.name for path in posts_in(site)] == ["Fine.md"]
    assert "dated at import" in result.stdout  # the item has no pubDate


def test_a_feed_with_an_item_problem_reports_it_again_on_every_run(site: Path, httpserver) -> None:
    # Validators are stored only when no item had a problem: no 304 (exit 0) after a run that exited 1.
    body = (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>t</title>\n'
        "<item><title>Fine</title><link>https://e.example/1</link><description>ok</description></item>\n"
        "<item><link>https://e.example/2</link><description>no title</description></item>\n"
        "</channel></rss>\n"
    ).encode("utf-8")
    httpserver.expect_request("/holes.xml").respond_with_handler(conditional_handler(body, "application/rss+xml", '"h1"'))
    url = httpserver.url_for("/holes.xml")
    runs = [run_postkit("import", url, cwd=site) for _ in range(3)]
    for result in runs:
        assert result.returncode == 1, result.stdout
        assert f"{url}:4:1: IMP006 item 2 has no title; skipped" in result.stderr
        assert "304" not in result.stdout
    conditional = [request for request, _ in httpserver.log if request.headers.get("If-None-Match")]
    assert conditional == []
    assert [path.name for path in posts_in(site)] == ["Fine.md"]


def test_update_rewrites_only_the_feeds_values_and_body(site: Path, httpserver) -> None:
    atom = (FEEDS / "atom.xml").read_text(encoding="utf-8")
    state = {"body": atom.encode("utf-8"), "etag": '"v1"'}

    def handle(request: Request) -> Response:
        return conditional_handler(state["body"], "application/atom+xml", state["etag"], state["etag"])(request)

    httpserver.expect_request("/atom.xml").respond_with_handler(handle)
    url = httpserver.url_for("/atom.xml")
    assert run_postkit("import", url, cwd=site).returncode == 0
    post = site / "source" / "_posts" / "Rock-Roll-shell-pipes-part-1-2.md"
    # The author adds a key and a comment of their own.
    text = post.read_text(encoding="utf-8").replace("---\nA pipe", "sticky: 10  # keep on top\n---\nA pipe", 1)
    post.write_text(text, encoding="utf-8")
    state["body"] = (
        atom.replace("<updated>2024-04-02T09:30:00Z</updated>\n    <category", "<updated>2024-05-01T00:00:00Z</updated>\n    <category")
        .replace("part 1/2", "part 1 of 2").replace("A pipe connects", "A pipe joins").encode("utf-8")
    )
    state["etag"] = '"v2"'
    without = run_postkit("import", url, cwd=site)
    assert without.returncode == 0
    assert "1 newer in the feed: run with --update" in without.stdout
    assert post.read_text(encoding="utf-8") == text
    state["etag"] = '"v3"'  # the previous run stored v2: a new version again
    updated = run_postkit("import", "--update", url, cwd=site)
    assert updated.returncode == 0, updated.stderr
    new = post.read_text(encoding="utf-8")
    assert "title: 'Rock & Roll: shell pipes, part 1 of 2'" in new
    assert "updated: 2024-05-01 08:00:00" in new
    assert "sticky: 10  # keep on top\n" in new
    assert "A pipe joins" in new and "A pipe connects" not in new
    assert len(posts_in(site)) == 2
    check = run_postkit("validate", "--strict", "source/_posts", cwd=site)
    assert check.returncode == 0, check.stdout


def test_never_writes_over_a_file_postkit_did_not_write(site: Path) -> None:
    posts = site / "source" / "_posts"
    mine = posts / "A-walk.md"
    mine.write_text("---\ntitle: My own walk\ndate: 2020-01-01 10:00:00\n---\nMine.\n", encoding="utf-8")
    # A post of the author's that carries an item's link and an older 'updated'.
    linked = posts / "coffee-notes.md"
    linked.write_text(
        "---\ntitle: Coffee notes\ndate: 2024-05-01 10:00:00\nupdated: 2024-05-01 10:00:00\n"
        "link: https://micro.example.net/2024/05/01/coffee/\n---\nNotes.\n", encoding="utf-8",
    )
    before = {path: path.read_bytes() for path in (mine, linked)}
    result = run_postkit("import", "--update", str(FEEDS / "feed.json"), cwd=site)
    assert result.returncode == 1
    assert "IMP007 item 1 is newer than coffee-notes.md, which postkit did not write; not updated" in result.stderr
    assert {path: path.read_bytes() for path in (mine, linked)} == before
    walk = [path for path in posts_in(site) if path.name.startswith("A-walk-")]
    assert len(walk) == 1 and front_matter(walk[0])["title"] == "A walk"


def test_dry_run_prints_the_table_and_writes_nothing(site: Path) -> None:
    result = run_postkit("import", "--dry-run", str(FEEDS / "rsshub.xml"), cwd=site)
    assert result.returncode == 0
    assert "would write" in result.stdout
    assert "效率工具：用-Obsidian-管理读书笔记.md" in result.stdout
    assert posts_in(site) == []
    assert not (site / ".postkit-cache").exists()


def test_since_limit_category_and_tag(site: Path) -> None:
    result = run_postkit(
        "import", "--since", "2024-05-08", "--limit", "2", "--category", "转载/少数派", "--tag", "rss", str(FEEDS / "rsshub.xml"), cwd=site
    )
    assert result.returncode == 0, result.stderr
    matters = [front_matter(path) for path in posts_in(site)]
    # Items 2 and 3 are the first two at or after 2024-05-08 00:00 in Asia/Shanghai.
    assert sorted(m["link"] for m in matters) == ["https://sspai.example.cn/post/88012", "https://sspai.example.cn/post/88020"]
    for matter in matters:
        assert matter["categories"][:2] == ["转载", "少数派"]
        assert matter["tags"] == ["rss"]


def test_feeds_listed_in_the_config_are_read_when_no_feed_is_given(site: Path, httpserver) -> None:
    urls = serve_feeds(httpserver)
    (site / "pyproject.toml").write_text(
        "[tool.postkit.import]\n"
        "[[tool.postkit.import.feeds]]\n"
        f'url = "{urls[0]}"\ncategory = "转载/少数派"\ntags = ["rsshub"]\nimage-field = "thumbnail"\nitem-categories = "tags"\n'
        "[[tool.postkit.import.feeds]]\n"
        f'url = "{urls[3]}"\nauthor = "新闻编辑部"\n',
        encoding="utf-8",
    )
    result = run_postkit("import", cwd=site)
    assert result.returncode == 0, result.stderr
    matters = {front_matter(path)["link"]: front_matter(path) for path in posts_in(site)}
    first = matters["https://sspai.example.cn/post/88001"]
    assert first["categories"] == ["转载", "少数派"]
    assert first["tags"] == ["科技", "苹果", "rsshub"]
    assert first["thumbnail"] == "https://cdnfile.sspai.example.cn/2024/05/07/m4-chip.png" and "cover" not in first
    assert matters["https://news.example.cn/2024/0501/a1.html"]["author"] == "新闻编辑部"  # the item has none
    assert first["author"] == "王小明"


def test_config_errors_name_the_key(site: Path) -> None:
    (site / "pyproject.toml").write_text('[tool.postkit.import]\n[[tool.postkit.import.feeds]]\nurl = "x"\ncolour = "red"\n', encoding="utf-8")
    result = run_postkit("import", cwd=site)
    assert result.returncode == 2
    assert "unknown key 'colour'" in result.stderr


def test_no_site_and_no_into_is_a_usage_error(tmp_path: Path) -> None:
    result = run_postkit("import", str(FEEDS / "atom.xml"), cwd=tmp_path)
    assert result.returncode == 2
    assert "--into" in result.stderr


def test_the_readme_after_sample_is_what_import_writes(site: Path) -> None:
    # The README's "Import feeds" sample is rsshub.xml's first item imported into a site with timezone Asia/Shanghai.
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Import feeds\n", 1)[1]
    after = section.split("After (`postkit import`):\n\n```markdown\n", 1)[1].split("\n```\n", 1)[0] + "\n"
    name = re.search(r"Then what `postkit import` writes, in\n`source/_posts/([^`]+)`", section).group(1)
    result = run_postkit("import", str(FEEDS / "rsshub.xml"), cwd=site)
    assert result.returncode == 0, result.stderr
    assert (site / "source" / "_posts" / name).read_text(encoding="utf-8") == after


def test_traditional_copies_are_written_beside_the_posts(site: Path) -> None:
    result = run_postkit("import", "--traditional", "s2t", str(FEEDS / "rsshub.xml"), cwd=site)
    assert result.returncode == 0, result.stderr
    copy = site / "source" / "_posts" / "效率工具：用-Obsidian-管理读书笔记.zh-Hant.md"
    matter = front_matter(copy)
    assert matter["title"] == "效率工具：用 Obsidian 管理讀書筆記"
    assert matter["lang"] == "zh-Hant"
    assert "很多讀者問我怎麼做讀書筆記" in copy.read_text(encoding="utf-8")
    again = run_postkit("import", "--traditional", "s2t", str(FEEDS / "rsshub.xml"), cwd=site)
    assert again.returncode == 0 and "would" not in again.stdout
    assert len(posts_in(site)) == 8


def test_traditional_copies_are_what_postkit_traditional_writes(site: Path) -> None:
    # Punctuation is on by default for s2twp; the config's phrases, keys and suffix apply too.
    (site / ".postkit.toml").write_text(
        '[traditional]\nsuffix = "tw"\nkeys = ["title"]\n[traditional.phrases]\n"参数" = "規格"\n', encoding="utf-8"
    )
    result = run_postkit("import", "--traditional", "s2twp", str(FEEDS / "rsshub.xml"), cwd=site)
    assert result.returncode == 0, result.stderr
    copy = site / "source" / "_posts" / "“重磅”：苹果发布-M4-芯片-性能提升-50-？.tw.md"
    text = copy.read_text(encoding="utf-8")
    assert "「**放飛吧**」" in text and "詳細規格" in text
    assert front_matter(copy)["categories"] == ["科技", "苹果"]  # keys = ["title"]: categories stay as they are
    check = run_postkit("traditional", "--check", "--config", "s2twp", "source/_posts", cwd=site)
    assert check.returncode == 0, check.stdout + check.stderr


def test_a_bad_traditional_phrase_table_stops_import_before_fetching(site: Path) -> None:
    (site / ".postkit.toml").write_text('[traditional.phrases]\n"参数" = "parameters"\n', encoding="utf-8")
    result = run_postkit("import", "--traditional", "s2twp", str(FEEDS / "rsshub.xml"), cwd=site)
    assert result.returncode == 2
    assert "must be Chinese text" in result.stderr
    assert posts_in(site) == []


def test_retry_after_is_honoured_once(site: Path, httpserver) -> None:
    calls = []

    def handle(request: Request) -> Response:
        calls.append(request.headers.get("User-Agent"))
        if len(calls) == 1:
            return Response("busy", status=503, headers={"Retry-After": "1"})
        return Response(feed_bytes("atom.xml"), headers={"Content-Type": "application/atom+xml"})

    httpserver.expect_request("/atom.xml").respond_with_handler(handle)
    result = run_postkit("import", httpserver.url_for("/atom.xml"), cwd=site)
    assert result.returncode == 0, result.stderr
    assert len(calls) == 2 and all(agent.startswith("postkit/") for agent in calls)
    assert len(posts_in(site)) == 2


def test_a_long_retry_after_and_an_oversized_body_are_errors(site: Path, httpserver) -> None:
    httpserver.expect_request("/slow.xml").respond_with_data("busy", status=429, headers={"Retry-After": "3600"})
    httpserver.expect_request("/big.xml").respond_with_data(feed_bytes("rsshub.xml"), content_type="application/rss+xml")
    result = run_postkit("import", "--max-bytes", "1000", httpserver.url_for("/slow.xml"), httpserver.url_for("/big.xml"), cwd=site)
    assert result.returncode == 1
    assert re.search(r"slow\.xml: IMP004 HTTP 429 .* and asks to retry after 3600 s", result.stderr)
    assert re.search(r"big\.xml: IMP005 .*more than the 1000 allowed", result.stderr)
    assert posts_in(site) == []


def test_the_cache_remembers_validators_and_written_posts(imported) -> None:
    site, urls, _ = imported
    state = json.loads((site / ".postkit-cache" / "import.json").read_text(encoding="utf-8"))
    assert set(state["http"]) == set(urls)
    assert all("etag" in value for value in state["http"].values())
    assert len(state["posts"]) == len(posts_in(site))
    assert (site / ".postkit-cache" / ".gitignore").read_text() == "*\n"


def test_update_keeps_the_date_that_came_from_updated(site: Path, tmp_path: Path) -> None:
    feed = tmp_path / "only-updated.xml"
    entry = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>x</id><updated>{0}</updated>'
        '<entry><title>Only updated</title><id>urn:e1</id><link href="https://e.example/1"/><updated>{0}</updated>'
        '<content type="html">&lt;p&gt;{1}&lt;/p&gt;</content></entry></feed>'
    )
    feed.write_text(entry.format("2024-01-02T00:00:00Z", "first"), encoding="utf-8")
    assert run_postkit("import", str(feed), cwd=site).returncode == 0
    feed.write_text(entry.format("2024-03-04T00:00:00Z", "second"), encoding="utf-8")
    assert run_postkit("import", "--update", str(feed), cwd=site).returncode == 0
    text = (site / "source" / "_posts" / "Only-updated.md").read_text(encoding="utf-8")
    assert "date: 2024-01-02 08:00:00\nupdated: 2024-03-04 08:00:00\n" in text
    assert text.endswith("second\n")


HOSTILE = ["CON", 'say "hi"', "a: b", "a/b", "why?", "#1", "- dash", "yes", "10:30", "C# & F#", "“引号”", "<i>斜体</i>", "[x]", "tab\t", "trailing.", "中" * 100]
OFFSETS = ["+0800", "GMT", "-0500", "+0545", "+1400"]


def test_generated_hostile_items_all_become_posts_that_validate_strict_passes(site: Path, tmp_path: Path) -> None:
    import random
    from email.utils import format_datetime
    from xml.sax.saxutils import escape

    generator = random.Random(16)
    items = []
    for index in range(60):
        title = " ".join(generator.choice(HOSTILE) for _ in range(generator.randint(1, 3))) + f" {index}"
        when = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc) + dt.timedelta(minutes=generator.randint(0, 3_000_000))
        date = format_datetime(when, usegmt=True).replace("GMT", generator.choice(OFFSETS))
        items.append(
            f"<item><title>{escape(title)}</title><link>https://e.example/p/{index}</link><pubDate>{date}</pubDate>"
            f"<description>{escape(f'<p>{escape(title)}</p><p><img data-src=/i/{index}.png src=/loading.gif></p>')}</description></item>"
        )
    feed = tmp_path / "hostile.xml"
    feed.write_text(f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>h</title>{"".join(items)}</channel></rss>', encoding="utf-8")
    result = run_postkit("import", str(feed), cwd=site)
    assert result.returncode == 0, result.stderr
    assert len(posts_in(site)) == 60
    check = run_postkit("validate", "--strict", "source/_posts", cwd=site)
    assert check.returncode == 0, check.stdout
    covers = {front_matter(path)["cover"] for path in posts_in(site)}
    assert covers == {f"https://e.example/i/{index}.png" for index in range(60)}
    before = snapshot(site / "source")
    assert run_postkit("import", str(feed), cwd=site).returncode == 0
    assert snapshot(site / "source") == before


def test_a_traditional_copy_never_replaces_a_file_postkit_did_not_write(site: Path) -> None:
    posts = site / "source" / "_posts"
    mine = posts / "效率工具：用-Obsidian-管理读书笔记.zh-Hant.md"
    mine.write_text("---\ntitle: 我的譯本\ndate: 2024-05-08 09:30:00\n---\n自己寫的。\n", encoding="utf-8")
    result = run_postkit("import", "--traditional", "s2t", str(FEEDS / "rsshub.xml"), cwd=site)
    assert result.returncode == 1
    assert "IMP009" in result.stderr and "postkit did not write it" in result.stderr
    assert mine.read_text(encoding="utf-8").endswith("自己寫的。\n")
