"""Imported posts as Hexo reads them: its front matter parser (hexo-front-matter, js-yaml) and its post renderer.

Hexo is the oracle: the front matter values it reads must be the item's values (titles with quotes,
colons and '#', dates as the same instant), and every body must render. Uses the npm install of
tests/hexo (``hexo_render``); skips when node or npm is absent.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import subprocess
from pathlib import Path

import yaml

from conftest import run_postkit
from feeds_helpers import feed_bytes, make_site, serve_feeds
from hexo_render import install_hexo, needs_hexo, render_with_hexo
from postkit.core.document import Document
from postkit.feeds.parse import parse_feed
from postkit.feeds.post import yaml_string

pytestmark = needs_hexo
SCRIPT = Path(__file__).resolve().parent / "hexo_front_matter.js"


def hexo_front_matter(posts: list[dict], tmp_path: Path) -> dict[str, dict]:
    site = install_hexo()
    posts_file = tmp_path / "front-matter.json"
    posts_file.write_text(json.dumps(posts, ensure_ascii=False), encoding="utf-8")
    result = subprocess.run(["node", str(SCRIPT), str(site), str(posts_file)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return {item["name"]: item for item in json.loads(result.stdout)}


def instant(value: dict) -> dt.datetime:
    return dt.datetime.fromisoformat(value["date"].replace("Z", "+00:00"))


def test_hexo_reads_every_imported_post_as_the_feed_says_and_renders_it(tmp_path: Path, httpserver) -> None:
    site = make_site(tmp_path / "blog")
    result = run_postkit("import", *serve_feeds(httpserver), cwd=site)
    assert result.returncode == 0, result.stderr
    items = {item.link: item for name in ("rsshub.xml", "atom.xml", "feed.json", "gbk.xml") for item in parse_feed(feed_bytes(name)).items}
    posts = sorted((site / "source" / "_posts").glob("*.md"))
    assert len(posts) == len(items)
    texts = [{"name": path.name, "text": path.read_text(encoding="utf-8")} for path in posts]
    read = hexo_front_matter(texts, tmp_path)
    for name, entry in read.items():
        assert "error" not in entry, entry
        data = entry["data"]
        item = items[data["link"]]
        assert data["title"] == item.title
        assert instant(data["date"]) == item.published
        assert instant(data["updated"]) >= instant(data["date"])
        assert data["_content"].strip()
    bodies = [{"name": path.name, "body": Document.from_text(path.read_text(encoding="utf-8")).body} for path in posts]
    rendered = render_with_hexo(bodies, tmp_path)
    assert len(rendered) == len(posts)
    assert not {name: item["error"] for name, item in rendered.items() if "error" in item}
    assert all(item["html"].strip() for item in rendered.values())
    # The feed's literal "{{ name }}" survives Hexo's Nunjucks pass and shows as written.
    assert "{{ name }}" in html.unescape(next(item["html"] for name, item in rendered.items() if name.startswith("Rust")))


TITLES = [
    "plain title", "“重磅”：苹果发布", "a: b", "a #b", "#tag first", "- dash", "? question", "[bracket]", "{brace}",
    "yes", "No", "on", "null", "~", "true", "123", "0o17", "1e3", "2024-05-01", "10:30", "@at", "`tick`", "!bang",
    "*star", "&amp", "|pipe", ">fold", "%percent", "'single'", "\"double\"", "it's", "a \\ b", "tab\there",
    "ends with colon:", "C#", "50%？", "a, b", "x: y: z", "=", "<b>", "..", ".hidden", "NaN", ".inf", "0x1F",
    "line\u2028sep", "ctrl\x01char", "emoji 🎉 title", "Ünïcödé", "  spaced  ",
]


def test_titles_are_quoted_so_that_hexo_and_pyyaml_both_read_the_exact_string(tmp_path: Path) -> None:
    posts = [{"name": str(index), "text": f"---\ntitle: {yaml_string(title)}\n---\nbody\n"} for index, title in enumerate(TITLES)]
    read = hexo_front_matter(posts, tmp_path)
    for index, title in enumerate(TITLES):
        assert read[str(index)]["data"]["title"] == title, (title, yaml_string(title))
        assert yaml.safe_load(f"title: {yaml_string(title)}")["title"] == title
