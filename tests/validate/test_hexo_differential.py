"""Differential test: postkit's Hexo reading model against Hexo 7 itself.

Generates several hundred posts whose intended front matter is known (scalar
forms of title, date, tags and categories; fence and whitespace shapes, BOM,
CRLF, tabs, duplicate keys, flow and block lists, ``;;;`` JSON), reads them all
with Hexo's own code in one node process (tests/hexo/read.js) and with one
``postkit validate --format json`` run per timezone setting, and asserts:

- every post that Hexo misreads (what it shows differs from the intended value) gets a postkit error;
- no post that Hexo reads as intended gets a postkit error;
- ``postkit validate --fix`` never turns a post Hexo reads as intended into one it misreads.

Hexo is the oracle. Run with ``-s`` to see the counts by category.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from conftest import run_postkit
from hexo_site import read_with_hexo

TIMEZONES = ["", "Asia/Shanghai"]
BASE_DATE = ("wall", "2021-12-14 10:53:00")


@dataclass
class Variant:
    """One generated post and what its author meant; ``date`` is ``("wall", text)``, ``("instant", iso)`` or ``None`` (no real date)."""

    category: str
    text: str
    title: str | None = "标题"
    tags: list[str] = field(default_factory=list)
    categories: list[list[str]] = field(default_factory=list)
    date: tuple[str, str] | None = BASE_DATE
    updated: tuple[str, str] | None | bool = False  # False: not written, so not compared


def post(lines: list[str], *, opening: str = "---", closing: str = "---", prefix: str = "", newline: str = "\n", body: str = "正文\n") -> str:
    head = ([opening] if opening is not None else []) + lines + [closing]
    return prefix + newline.join(head) + newline + body.replace("\n", newline)


TITLE_FORMS = [
    "no", "No", "NO", "yes", "Yes", "on", "ON", "off", "y", "n", "true", "false", "True", "FALSE",
    "10:30", "1:20:30", "-10:30", "12:30:45", "1_000", "1__0", "_1", "1_", "1e3", "1E3", "2e-3", "1e+3", "0e0",
    "0o17", "0o8", "0o", "0x1F", "0xff", "0x", "0b101", "0b", "010", "0755", "007", "2021", "-0", "+12", "-1",
    "1.0", "1.50", "100.", "1.", "0.0", "0.1", ".5", "-.5", "+.5", ".inf", "-.inf", ".NaN", "1e21", "1e-7",
    "12345678901234567890", "1,000", "3.14.15", "1.2.3", "v1.0", "2021-12-14", "2021-12-14 10:53:00",
    "2021-12-14T10:53:00Z", "2021-1-5", "=", "标题", "Hello World", "论文：新方法", "C#", "50%",
]
QUOTED_TITLES = ["no", "1e3", "0o17", "10:30", "2021", "2021-12-14", "true", "1_000", "标题"]

DATE_FORMS: list[tuple[str, tuple[str, str] | None]] = [
    ("2021-12-14 10:53:00", ("wall", "2021-12-14 10:53:00")),
    ("2021-12-14T10:53:00", ("wall", "2021-12-14 10:53:00")),
    ("2021-12-14t10:53:00", ("wall", "2021-12-14 10:53:00")),
    ("2021-12-14  10:53:00", ("wall", "2021-12-14 10:53:00")),
    ("2021-12-14 10:53:00.5", ("wall", "2021-12-14 10:53:00.500")),
    ("2021-12-14 10:53:00.123456", ("wall", "2021-12-14 10:53:00.123")),
    ("2021-12-14", ("wall", "2021-12-14 00:00:00")),
    ("2021-1-5 9:05:00", ("wall", "2021-01-05 09:05:00")),
    ("2021-1-5", ("wall", "2021-01-05 00:00:00")),
    ("2020-02-29", ("wall", "2020-02-29 00:00:00")),
    ("2021-12-14T10:53:00Z", ("instant", "2021-12-14T10:53:00+00:00")),
    ("2021-12-14T02:53:00.000Z", ("instant", "2021-12-14T02:53:00+00:00")),
    ("2021-12-14T10:53:00+08:00", ("instant", "2021-12-14T10:53:00+08:00")),
    ("2021-12-14 10:53:00 +08:00", ("instant", "2021-12-14T10:53:00+08:00")),
    ("2021-12-14T10:53:00+0800", ("instant", "2021-12-14T10:53:00+08:00")),
    ("2021-12-14T10:53:00-05:00", ("instant", "2021-12-14T10:53:00-05:00")),
    ("2021-12-14T10:53:00+8", ("instant", "2021-12-14T10:53:00+08:00")),
    ("2021-12-14T10:53:00+00:00", ("instant", "2021-12-14T10:53:00+00:00")),
    ("2021-02-29", None),
    ("2020-13-45", None),
    ("2021-04-31", None),
    ("2021-12-14 25:00:00", None),
    ("'2021-12-14 10:53:00'", ("wall", "2021-12-14 10:53:00")),
    ('"2021-12-14"', ("wall", "2021-12-14 00:00:00")),
    ("'2021-12-14T10:53:00+08:00'", ("instant", "2021-12-14T10:53:00+08:00")),
    ("'2021-12-14T10:53:00Z'", ("instant", "2021-12-14T10:53:00+00:00")),
    ("'2021-02-30'", None),
    ("Tue, 14 Dec 2021 02:53:00 GMT", ("instant", "2021-12-14T02:53:00+00:00")),
    ("Mon, 14 Dec 2021 02:53:00 GMT", ("instant", "2021-12-14T02:53:00+00:00")),
    ("14 Dec 2021 10:53:00 +0800", ("instant", "2021-12-14T10:53:00+08:00")),
    ("Tue, 14 Dec 2021 02:53:00 -0000", ("instant", "2021-12-14T02:53:00+00:00")),
    ("14 Dec 2021", ("wall", "2021-12-14 00:00:00")),
    ("Dec 14, 2021", ("wall", "2021-12-14 00:00:00")),
    ("December 14, 2021", ("wall", "2021-12-14 00:00:00")),
    ("2021/12/14 10:53:00", ("wall", "2021-12-14 10:53:00")),
    ("2021/12/14", ("wall", "2021-12-14 00:00:00")),
    ("2021.12.14", ("wall", "2021-12-14 00:00:00")),
    ("2021-12-14 10:53", ("wall", "2021-12-14 10:53:00")),
    ("2021/02/30", None),
    ("Invalid Date", None),
    ("20211214", None),
    ("2021", None),
    ("true", None),
    ("2021年12月14日", None),
]

TAG_FORMS: list[tuple[str, list[str]]] = [
    ("tags: [2021, 新闻]", ["2021", "新闻"]),
    ("tags: [no, on]", ["no", "on"]),
    ("tags: [1e3, x]", ["1e3", "x"]),
    ("tags: [0o17, x]", ["0o17", "x"]),
    ("tags: [0x1F]", ["0x1F"]),
    ("tags: [1.0, x]", ["1.0", "x"]),
    ("tags: [1.5, x]", ["1.5", "x"]),
    ("tags: [true, x]", ["true", "x"]),
    ("tags: [10:30]", ["10:30"]),
    ("tags: [2021-12-14]", ["2021-12-14"]),
    ("tags: ['1e3', \"0o17\"]", ["1e3", "0o17"]),
    ("tags:\n  - 2021\n  - 新闻", ["2021", "新闻"]),
    ("tags:\n  - 1e3", ["1e3"]),
    ("tags:\n  - no\n  - 010", ["no", "010"]),
    ("tags: 2021", ["2021"]),
    ("tags: 1e3", ["1e3"]),
    ("tags: 新闻", ["新闻"]),
    ("tags:\n  - [a, b]", ["a", "b"]),
    ("tags: [[a, b]]", ["a", "b"]),
    ("tags:\n  -\n  - a", ["a"]),
    ("tags: [a, ]", ["a"]),
    ("tag: 新闻", ["新闻"]),
    ("tag: [1e3]", ["1e3"]),
    ("tags:\n- a\n- b", ["a", "b"]),
]

CATEGORY_FORMS: list[tuple[str, list[list[str]]]] = [
    ("categories: [[体育, 篮球], [新闻, 国内]]", [["体育", "篮球"], ["新闻", "国内"]]),
    ("categories:\n  - [体育, 篮球]\n  - [新闻, 国内]", [["体育", "篮球"], ["新闻", "国内"]]),
    ("categories:\n  -  - 新媒体", [["新媒体"]]),
    ("categories:\n  - - a\n    - b\n  - c", [["a", "b"], ["c"]]),
    ("categories: [a, b]", [["a", "b"]]),
    ("categories:\n  - a\n  - b", [["a", "b"]]),
    ("categories: 新闻", [["新闻"]]),
    ("categories: 2021", [["2021"]]),
    ("categories: [1e3]", [["1e3"]]),
    ("categories: [[a, 0o17]]", [["a", "0o17"]]),
    ("categories: [[a, [b, c]]]", [["a", "b", "c"]]),
    ("categories: [a, [b, c]]", [["a"], ["b", "c"]]),
    ("categories: [[2021, 新闻]]", [["2021", "新闻"]]),
    ("categories: [no, yes]", [["no", "yes"]]),
    ("category: 新闻", [["新闻"]]),
    ("categories:\n\t- [体育, 篮球]\n\t- [新闻, 国内]", [["体育", "篮球"], ["新闻", "国内"]]),
]

OPENINGS = ["---", "--- ", "---\t", "----", None]
CLOSINGS = ["---", "--- ", "---\t", "----", "...", "--- end"]
PREFIXES = ["", "\n", "\n\n", " \n", "\ufeff", "\ufeff\n", "\r\n"]


def variants() -> list[Variant]:
    found: list[Variant] = []
    date_line = "date: 2021-12-14 10:53:00"
    for form in TITLE_FORMS:
        found.append(Variant("title: plain scalar", post([f"title: {form}", date_line]), title=form))
    for form in QUOTED_TITLES:
        found.append(Variant("title: quoted scalar", post([f"title: '{form}'", date_line]), title=form))
        found.append(Variant("title: quoted scalar", post([f'title: "{form}"', date_line]), title=form))
    for form, intended in DATE_FORMS:
        found.append(Variant("date: scalar form", post(["title: 标题", f"date: {form}"]), date=intended))
    for form, intended in TAG_FORMS:
        found.append(Variant("tags: flow and block lists", post(["title: 标题", date_line, form]), tags=intended))
    for form, intended in CATEGORY_FORMS:
        found.append(Variant("categories: hierarchies", post(["title: 标题", date_line, form]), categories=intended))
    for opening in OPENINGS:
        for closing in CLOSINGS:
            for prefix in PREFIXES:
                newline = "\r\n" if prefix == "\r\n" else "\n"
                text = post(["title: 标题", date_line], opening=opening, closing=closing, prefix=prefix.replace("\r\n", ""), newline=newline)
                if prefix == "\r\n":
                    text = "\r\n" + text
                found.append(Variant("fences, BOM, CRLF and blank lines", text))
    tabs = [
        "title: 标题\ndate: 2021-12-14 10:53:00\ntags:\n\t- a\n\t- b",
        "title: 标题\ndate: 2021-12-14 10:53:00\ntags:\n\t\t- a",
        "title:\t标题\ndate: 2021-12-14 10:53:00",
        "\ttitle: 标题\ndate: 2021-12-14 10:53:00",
        "title: 标题\n\tdate: 2021-12-14 10:53:00",
        "title: 标题\ndate: 2021-12-14 10:53:00\nextra:\n\tkey: value",
        "title: 标题\ndate: 2021-12-14 10:53:00\ntags:\t\n  - a",
        "title: 标题 \t\ndate: 2021-12-14 10:53:00",
    ]
    for lines in tabs:
        tags = ["a", "b"] if "\t- b" in lines else (["a"] if "- a" in lines else [])
        found.append(Variant("tabs", post(lines.split("\n")), tags=tags))
    duplicates = [
        ["title: 标题", "title: 标题", date_line],
        ["title: 标题", date_line, "date: 2021-12-15 10:53:00"],
        ["title: 标题", date_line, "extra:", "  a: 1", "  a: 2"],
        ["title: 标题", '"title": 标题', date_line],
        ["title: 标题", date_line, "tags: [a]", "tags: [a]"],
        ["base: &base", "  title: 标题", "<<: *base", date_line],
        ["title: 标题", date_line, "extra: {a: 1, b: 2}"],
    ]
    for lines in duplicates:
        tags = ["a"] if "tags: [a]" in lines else []
        found.append(Variant("duplicate keys and merges", post(lines), tags=tags))
    jsons = [
        ('"title": "标题",\n"date": "2021-12-14 10:53:00"', {}),
        ('"title": "标题",\n"date": "2021-12-14 10:53:00",', {}),
        ('"title": 1000,\n"date": "2021-12-14 10:53:00"', {"title": "1000"}),
        ('"title": 1e3,\n"date": "2021-12-14 10:53:00"', {"title": "1e3"}),
        ('"title": "标题",\n"date": "2021-12-14T10:53:00+08:00"', {"date": ("instant", "2021-12-14T10:53:00+08:00")}),
        ('"title": "标题",\n"date": "2021-12-14 10:53:00",\n"tags": [2021, "新闻"]', {"tags": ["2021", "新闻"]}),
        ('"title": "标题",\n"date": "2021-12-14 10:53:00",\n"categories": [["体育", "篮球"]]', {"categories": [["体育", "篮球"]]}),
        ("title: 标题\ndate: 2021-12-14 10:53:00", {}),
        ('"title": "标题",\n"date": "Invalid Date"', {"date": None}),
        ('"title": \'标题\',\n"date": "2021-12-14 10:53:00"', {}),
    ]
    for data, intended in jsons:
        found.append(Variant("';;;' JSON", f";;;\n{data}\n;;;\n正文\n", **intended))
    for form, intended in DATE_FORMS[::3]:
        found.append(Variant("updated: scalar form", post(["title: 标题", date_line, f"updated: {form}"]), updated=intended))
    syntax = [
        ("title: 论文解读: 新方法", "论文解读: 新方法"),
        ("title: [转载] 一篇文章", "[转载] 一篇文章"),
        ("title: 'It''s'", "It's"),
        ('title: "a \\"b\\""', 'a "b"'),
        ("title: >-\n  折叠\n  标题", "折叠 标题"),
        ("title: @user", "@user"),
        ("title: `code`", "`code`"),
        ("title: %d 天", "%d 天"),
        ("title: *star*", "*star*"),
        ("title: &a 标题", "标题"),
        ("title: !!str 1e3", "1e3"),
        ("title: 第 1 期 #热点", "第 1 期 #热点"),
        ("title: C# 入门", "C# 入门"),
        ('title: "标题', "标题"),
        ("title: 标题\n  续行", "标题 续行"),
        ("title:标题", "标题"),
        ("Title: 标题", "标题"),
        (" title: 标题", "标题"),
        ("title: 标题：副标题", "标题：副标题"),
        ("title: '标题' ", "标题"),
        ("title: - 标题", "- 标题"),
        ("title: ? 标题", "? 标题"),
        ("title: {标题}", "{标题}"),
        ("title: 标题 | 网站", "标题 | 网站"),
        ("title: 100% 纯", "100% 纯"),
    ]
    for lines, intended in syntax:
        found.append(Variant("YAML syntax and quoting", post(lines.split("\n") + [date_line]), title=intended))
    return found


def _wall(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def intended_wall(date: tuple[str, str] | None, timezone: str) -> dt.datetime | None:
    if date is None:
        return None
    kind, text = date
    if kind == "wall":
        return _wall(text)
    return dt.datetime.fromisoformat(text).astimezone(ZoneInfo(timezone or "UTC")).replace(tzinfo=None)


def shown_wall(iso: str | None, timezone: str) -> dt.datetime | None:
    if iso is None:
        return None
    moment = dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))
    return moment.astimezone(ZoneInfo(timezone or "UTC")).replace(tzinfo=None)


def misread(variant: Variant, hexo: dict, timezone: str) -> str | None:
    """Why Hexo's reading differs from the intended one, or ``None`` when it reads the post as meant."""
    if "error" in hexo:
        return f"Hexo throws: {hexo['error'][:80]}"
    if not hexo["front_matter"]:
        return "Hexo finds no front matter"
    if hexo["title"] != variant.title:
        return f"title {hexo['title']!r} != {variant.title!r}"
    if hexo["tags"] != variant.tags:
        return f"tags {hexo['tags']!r} != {variant.tags!r}"
    if hexo["categories"] != variant.categories:
        return f"categories {hexo['categories']!r} != {variant.categories!r}"
    wanted = intended_wall(variant.date, timezone)
    got = shown_wall(hexo["dates"][timezone]["date"], timezone)
    if wanted is None or got != wanted:
        return f"date {got} != {wanted}"
    if variant.updated is not False:
        wanted = intended_wall(variant.updated, timezone)  # type: ignore[arg-type]
        got = shown_wall(hexo["dates"][timezone]["updated"], timezone)
        if wanted is None or got != wanted:
            return f"updated {got} != {wanted}"
    return None


def test_postkit_errors_exactly_where_hexo_misreads(tmp_path: Path, hexo_site: Path) -> None:
    generated = variants()
    assert len(generated) >= 300
    folders = {}
    for timezone in TIMEZONES:
        folder = tmp_path / (timezone.replace("/", "-") or "no-timezone")
        folder.mkdir()
        if timezone:
            (folder / "pyproject.toml").write_text(f'[tool.postkit]\ntimezone = "{timezone}"\n', encoding="utf-8")
        for number, variant in enumerate(generated):
            (folder / f"v{number:04d}.md").write_bytes(variant.text.encode("utf-8"))
        folders[timezone] = folder
    fixed_folders = {}
    for timezone, folder in folders.items():
        fixed = tmp_path / f"fixed-{folder.name}"
        shutil.copytree(folder, fixed)
        result = run_postkit("validate", "--fix", "--format", "concise", ".", cwd=fixed)
        assert result.returncode in (0, 1), result.stderr
        fixed_folders[timezone] = fixed
    names = [f"v{number:04d}.md" for number in range(len(generated))]
    files = [folders[""] / name for name in names] + [folder / name for folder in fixed_folders.values() for name in names]
    hexo = read_with_hexo(hexo_site, files, TIMEZONES, tmp_path)
    counts: Counter[tuple[str, str]] = Counter()
    repaired: Counter[str] = Counter()
    disagreements = []
    for timezone, folder in folders.items():
        result = run_postkit("validate", "--format", "json", "--ignore", "PK402", ".", cwd=folder)
        assert result.returncode in (0, 1), result.stderr
        errors: dict[str, list[str]] = {}
        for diagnostic in json.loads(result.stdout)["diagnostics"]:
            if diagnostic["severity"] == "error":
                errors.setdefault(Path(diagnostic["path"]).name, []).append(f"{diagnostic['code']} {diagnostic['message']}")
        for number, variant in enumerate(generated):
            name = f"v{number:04d}.md"
            why = misread(variant, hexo[str(folders[''] / name)], timezone)
            found = errors.get(name, [])
            counts[(variant.category, "misread" if why else "read as meant")] += 1
            if why and not found:
                disagreements.append(f"missed [{timezone or 'no timezone'}] {name} {variant.text!r}: {why}")
            elif not why and found:
                disagreements.append(f"false error [{timezone or 'no timezone'}] {name} {variant.text!r}: {found}")
            # --fix never makes Hexo's reading worse, and repairs what it can.
            after = misread(variant, hexo[str(fixed_folders[timezone] / name)], timezone)
            if why and not after:
                repaired[timezone or "no timezone"] += 1
            if not why and after:
                disagreements.append(f"fix breaks [{timezone or 'no timezone'}] {name} {variant.text!r}: {after}")
    categories = sorted({category for category, _ in counts})
    print(f"\nHexo differential: {len(generated)} variants x {len(TIMEZONES)} timezone settings")
    for category in categories:
        print(f"  {category:<38} misread {counts[(category, 'misread')]:>4}   read as meant {counts[(category, 'read as meant')]:>4}")
    print(f"  misreads that postkit validate --fix repairs: {dict(repaired)}")
    print(f"  disagreements: {len(disagreements)}")
    assert not disagreements, "\n".join(disagreements[:60])
