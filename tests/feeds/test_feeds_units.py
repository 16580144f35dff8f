"""The pure parts of the importer: file names, titles, encodings, JSON Feed, front matter merging, Retry-After."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from conftest import run_postkit
from postkit.feeds.fetch import retry_after_seconds
from postkit.feeds.jsonfeed import parse_rfc3339, text_to_html
from postkit.feeds.names import MAX_NAME_BYTES, cut_to_bytes, hexo_naming, post_path, slugize
from postkit.feeds.parse import FeedError, clean_title, decode_feed, parse_feed
from postkit.feeds.post import PostSettings, first_image, format_instant, merge_front_matter, render_post
from postkit.feeds.parse import Item

WHEN = dt.datetime(2024, 5, 7, 22, 53, tzinfo=dt.timezone(dt.timedelta(hours=8)))
HOSTILE_PIECES = [
    "CON", "nul", "Com1", "LPT9", "aux.txt", "a<b>c", 'say "hi"', "a/b\\c", "x|y", "why?", "*star*", "tab\tand\nnewline",
    "\x00\x01\x1f\x7f", "trailing dot.", "trailing space ", "...", "   ", "“重磅”：新闻", "emoji 🎉", "e\u0301te",
    "👩‍👩‍👧‍👦", "中" * 120, "a" * 300, "é" * 200, "한국어 제목", "カタカナ", "-_-", ":", "CON.md", "prn ",
    "\u202egnp.exe", "\u2066isolate\u2069", "\u200fRLM\u200e", "\u061c", "\u202a\u202b\u202c\u202d", "zero\u200bwidth", "soft\u00adhyphen",
    "\ufeffbom",
]


def _titles(count: int = 300) -> list[str]:
    generator = random.Random(20240507)
    titles = list(HOSTILE_PIECES)
    for _ in range(count):
        titles.append("".join(generator.choice(HOSTILE_PIECES) for _ in range(generator.randint(1, 4))))
    return titles


def test_bidi_controls_and_format_characters_never_reach_a_file_name() -> None:
    assert post_path(":title.md", "\u202egnp.exe", WHEN, "x") == "gnp-exe.md"
    assert post_path(":title.md", "a\u2066b\u2069\u200e\u200f\u061c\u202ac\u200bd\u00ade\ufeff", WHEN, "x") == "abcde.md"
    assert post_path(":title.md", "\u202e\u202e", WHEN, "x").startswith("post-")  # nothing left: the identity names it
    # The joiners stay: emoji sequences and Persian need them.
    assert post_path(":title.md", "👩\u200d👧 می\u200cخواهم", WHEN, "x") == "👩\u200d👧-می\u200cخواهم.md"


def test_generated_file_names_pass_validates_file_name_rule(tmp_path: Path) -> None:
    posts = tmp_path / "posts"
    posts.mkdir()
    seen = set()
    for index, title in enumerate(_titles()):
        name = post_path(":title.md", title, WHEN, f"id-{index}")
        assert "/" not in name
        assert len(name.encode("utf-8")) <= MAX_NAME_BYTES
        if name.casefold() in seen:
            name = post_path(":title.md", title, WHEN, f"id-{index}", suffix=f"{index:06x}")
        seen.add(name.casefold())
        (posts / name).write_text("---\ntitle: t\ndate: 2024-05-07T22:53:00+08:00\n---\nx\n", encoding="utf-8")
    result = run_postkit("validate", "--strict", "--select", "PK402", str(posts))
    assert result.returncode == 0, result.stdout


def test_hexo_slugize_and_new_post_name_placeholders() -> None:
    assert slugize("Hello, World: 2024/05?") == "Hello-World-2024-05"
    assert slugize("Crème Brûlée") == "Creme-Brulee"
    assert slugize("Hello World", filename_case=1) == "hello-world"
    assert slugize("한국어") == "한국어"  # Hangul is not decomposed
    assert post_path(":year/:month/:title.md", "A b", WHEN, "x") == "2024/05/A-b.md"
    assert post_path(":year-:i_month-:i_day-:title.md", "A", WHEN, "x") == "2024-5-7-A.md"
    assert post_path(":title.md", "CON", WHEN, "x") == "CON-post.md"
    assert post_path(":title.md", "???", WHEN, "x").startswith("post-")
    assert post_path("../:title.md", "A", WHEN, "x") == "A.md"  # no way out of --into


def test_a_long_name_is_cut_on_a_character_boundary_with_its_suffix_kept() -> None:
    name = post_path(":title.md", "中" * 200, WHEN, "x", suffix="abc123")
    assert name.endswith("-abc123.md")
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES
    name.encode("utf-8").decode("utf-8")
    assert cut_to_bytes("e\u0301" * 10, 5) == "e\u0301e"


def test_hexo_naming_reads_new_post_name_and_filename_case(tmp_path: Path) -> None:
    (tmp_path / "_config.yml").write_text("new_post_name: :year/:title.md\nfilename_case: 1\n", encoding="utf-8")
    assert hexo_naming(tmp_path) == (":year/:title.md", 1)
    assert hexo_naming(None) == (":title.md", 0)


@pytest.mark.parametrize(
    ("title", "is_html", "expected"),
    [
        ("Rock &amp; <i>Roll</i>: 1/2", True, "Rock & Roll: 1/2"),
        ("a &quot;b&quot; < c", True, 'a "b" < c'),
        ("x < y and y > z", True, "x < y and y > z"),  # not tags: '<' before a space is text in HTML
        ("“引号”：保留？<!-- c -->", True, "“引号”：保留？"),
        ("Rock &amp; Roll", False, "Rock &amp; Roll"),
        ("  two\n lines ", False, "two lines"),
    ],
)
def test_titles_are_plain_text(title: str, is_html: bool, expected: str) -> None:
    assert clean_title(title, is_html) == expected


def test_declared_encodings_are_checked_both_ways() -> None:
    text = '<?xml version="1.0" encoding="{}"?>\n<rss version="2.0"><channel><title>新闻</title></channel></rss>'
    assert "新闻" in decode_feed(text.format("GBK").encode("gbk"))
    assert "新闻" in decode_feed(text.format("gb2312").encode("gbk"))  # read as browsers read it
    with pytest.raises(FeedError) as wrong:
        decode_feed(text.format("UTF-8").encode("gbk"))
    assert (wrong.value.code, wrong.value.line, wrong.value.col) == ("IMP002", 2, 36)
    with pytest.raises(FeedError) as reverse:
        decode_feed(text.format("GBK").encode("utf-8"))
    assert (reverse.value.code, reverse.value.line, reverse.value.col) == ("IMP002", 2, 36)
    with pytest.raises(FeedError) as charset:
        decode_feed(b"<rss>\xd0\xc2</rss>", "application/rss+xml; charset=utf-8")
    assert "HTTP Content-Type" in charset.value.message


def test_json_feed_items_and_errors() -> None:
    feed = parse_feed(
        b'{"version": "https://jsonfeed.org/version/1", "title": "T", "author": {"name": "Old"},'
        b' "items": [{"id": 7, "url": "https://e.example/7", "content_text": "a\\nb", "date_published": "2024-01-01T00:00:00Z"}]}'
    )
    item = feed.items[0]
    assert (feed.kind, item.guid, item.author, item.html) == ("json1", "7", "Old", "<p>a<br>b</p>")
    assert item.title == ""
    with pytest.raises(FeedError) as error:
        parse_feed(b'{"items": []}')
    assert error.value.code == "IMP003"
    assert parse_rfc3339("2024-05-01T07:00:00-07:00") == dt.datetime(2024, 5, 1, 14, tzinfo=dt.timezone.utc)
    assert parse_rfc3339("yesterday") is None
    assert text_to_html("<b> & c") == "<p>&lt;b&gt; &amp; c</p>"


def test_the_cover_is_the_first_usable_picture() -> None:
    markdown = "```\n![](https://in.code/x.png)\n```\n![a](data:x) ![b](https://picsum.photos/200) ![c](<https://e.example/a b.png>)\n"
    assert first_image(markdown) == "https://e.example/a b.png"
    item = Item(0, "t", "https://e.example/p/", "", None, None, None, (), '<p><img src="a.png" width="1" height="1"><img data-src="b.png" src="/loading.gif"></p>')
    rendered = render_post(item, PostSettings(timezone="Asia/Shanghai"), WHEN)
    assert rendered.cover == "https://e.example/p/b.png"
    assert rendered.notes == {"dated at import": 1}
    kept = render_post(item, PostSettings(keep_html=True), WHEN)
    assert kept.body.startswith("<p><img") and kept.cover == "https://e.example/p/b.png"


def test_instants_are_written_in_the_sites_timezone() -> None:
    utc = dt.datetime(2024, 5, 7, 14, 53, tzinfo=dt.timezone.utc)
    # Local time: Hexo reads it in its timezone, and shows a date with an offset at its UTC digits.
    assert format_instant(utc, "Asia/Shanghai") == "2024-05-07 22:53:00"
    assert format_instant(utc, "America/New_York") == "2024-05-07 10:53:00"
    assert format_instant(utc, None) == "2024-05-07T14:53:00Z"


def test_merging_replaces_feed_keys_and_keeps_the_rest_byte_for_byte() -> None:
    existing = "title: Old\n# a comment about the date\ndate: 2024-01-01\ntags:\n  - a\n  - b\n\nsticky: 1 # mine\ncustom:\n  k: v\n"
    new = [("title", "title: New"), ("date", "date: 2024-02-02T00:00:00Z"), ("tags", "tags:\n  - c"), ("cover", "cover: 'https://e/c.png'")]
    merged = merge_front_matter(existing, new, ("title", "date", "tags", "cover", "link"))
    assert merged == (
        "title: New\n# a comment about the date\ndate: 2024-02-02T00:00:00Z\ntags:\n  - c\n\nsticky: 1 # mine\ncustom:\n  k: v\n"
        "cover: 'https://e/c.png'\n"
    )


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=dt.datetime(2015, 10, 21, 7, 27, tzinfo=dt.timezone.utc).timestamp()) == 60.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_an_atom_entry_with_updated_alone_is_dated_by_it_and_keeps_its_date_on_update() -> None:
    feed = parse_feed(
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>x</id><updated>2024-01-02T00:00:00Z</updated>'
        b'<entry><title>e</title><id>e1</id><link href="https://e.example/1"/><updated>2024-01-02T00:00:00Z</updated>'
        b'<content type="html">&lt;p&gt;x&lt;/p&gt;</content></entry></feed>'
    )
    item = feed.items[0]
    assert item.published is None
    assert item.date == dt.datetime(2024, 1, 2, tzinfo=dt.timezone.utc)
    assert "date: 2024-01-02T00:00:00Z" in render_post(item, PostSettings(), WHEN).text


def test_html_entities_in_xml_are_read_as_html_with_a_warning() -> None:
    feed = parse_feed(
        b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>t</title>\n'
        b"<item><title>A&nbsp;B &copy; C &amp; D</title><link>https://e.example/1</link></item></channel></rss>"
    )
    assert feed.items[0].title == "A B \u00a9 C & D"
    assert feed.warnings == [(3, 15, "&nbsp; is an HTML entity, not XML; read as HTML reads it")]
    with pytest.raises(FeedError) as error:
        parse_feed(b'<rss version="2.0"><channel><title>&nbsp;</title><item></channel></rss>')
    assert (error.value.code, error.value.line) == ("IMP001", 1)


def test_rss_1_0_and_0_91_are_read() -> None:
    rdf = parse_feed(
        b'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"'
        b' xmlns:dc="http://purl.org/dc/elements/1.1/"><channel rdf:about="https://e.example/"><title>t</title></channel>\n'
        b'<item rdf:about="https://e.example/1"><title>One</title><link>https://e.example/1</link>'
        b"<dc:date>2024-05-01T08:00:00+08:00</dc:date><dc:creator>Ann</dc:creator><description>d</description></item></rdf:RDF>"
    )
    assert rdf.kind == "rss10"
    item = rdf.items[0]
    assert (item.title, item.link, item.author, item.line) == ("One", "https://e.example/1", "Ann", 3)
    assert item.date == dt.datetime(2024, 5, 1, tzinfo=dt.timezone.utc)
    old = parse_feed(
        b'<?xml version="1.0"?><rss version="0.91"><channel><title>t</title><link>https://e.example/</link>'
        b"<item><title>Old</title><link>https://e.example/o</link><description>x</description></item></channel></rss>"
    )
    assert old.kind == "rss091u" and old.items[0].title == "Old"


def test_rendering_in_worker_processes_writes_the_same_posts_as_one_process(tmp_path: Path) -> None:
    from postkit.core.parallel import PARALLEL_THRESHOLD
    from postkit.feeds.run import FeedSource, Options, run_import

    count = PARALLEL_THRESHOLD + 10
    items = "".join(
        f"<item><title>第 {n} 篇：a/b?</title><link>https://e.example/{n % (count - 5)}</link>"
        f"<pubDate>Tue, 07 May 2024 14:{n % 60:02d}:00 GMT</pubDate>"
        f"<description>&lt;p&gt;正文 {n}&lt;img data-src=/i/{n}.png src=/loading.gif&gt;&lt;/p&gt;</description></item>"
        for n in range(count)
    )
    feed = tmp_path / "long.xml"
    feed.write_text(f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>', encoding="utf-8")
    now = dt.datetime(2024, 6, 1, tzinfo=dt.timezone.utc)
    outputs = {}
    for jobs in (1, 2):
        into = tmp_path / f"jobs-{jobs}"
        report = run_import([FeedSource(str(feed), PostSettings(timezone="Asia/Shanghai"))], Options(into=into, state_folder=tmp_path / f"cache-{jobs}", jobs=jobs), now=now)
        # The last five items repeat earlier links: they are found as imported within the same run.
        assert (report.feeds[0].counts["written"], report.feeds[0].counts["already imported"]) == (count - 5, 5)
        outputs[jobs] = {path.name: path.read_bytes() for path in into.iterdir()}
    assert outputs[1] == outputs[2]
