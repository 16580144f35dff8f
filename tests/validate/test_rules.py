"""Each front matter rule on small posts: what it reports, where, and what it leaves alone."""

from __future__ import annotations

import pytest

from postkit.core.document import Document
from postkit.validate.engine import Selection, check_document, fix_document, project_diagnostics
from postkit.validate.rules import RULES
from postkit.validate.rules.base import Settings

ALL = Selection.build()


def found(text: str, path: str = "post.md", settings: Settings | None = None, selection: Selection = ALL):
    result = check_document(Document.from_text(text, path), settings or Settings(), selection)
    return [(d.code, d.line, d.col) for d in result.diagnostics]


def codes(text: str, **kwargs) -> list[str]:
    return [code for code, _, _ in found(text, **kwargs)]


GOOD = "---\ntitle: 标题\ndate: 2021-12-14T10:53:00+08:00\n---\n正文\n"


def test_good_post_has_no_problems():
    assert found(GOOD) == []


# (id, post, expected (code, line, col) in file order)
CASES = [
    ("no front matter", "正文\n", [("PK001", 1, 1)]),
    ("unclosed fence", "---\ntitle: x\n", [("PK001", 1, 1)]),
    ("thematic break", "---\n\nA paragraph.\n\n---\n", [("PK001", 1, 1)]),
    ("keys without opening fence", "title: x\ndate: 2021-01-01\n---\nbody\n", [("PK001", 1, 1), ("PK203", 2, 7)]),
    ("yaml syntax, colon in title", "\n---\ntitle: 论文解读: 一种新方法\ndate: 2021-01-01 00:00:00+08:00\n---\n", [("PK002", 3, 12)]),
    ("yaml syntax, bracket title", "---\ntitle: [转载] 一篇文章\ndate: 2021-01-01T00:00:00Z\n---\n", [("PK002", 2, 13)]),
    ("yaml syntax, quote inside quotes", '---\ntitle: "He said "hi" today"\ndate: 2021-01-01T00:00:00Z\n---\n', [("PK002", 2, 18)]),
    ("duplicate key", "---\ntitle: x\ndate: 2021-01-01T00:00:00Z\ncover: /a.png\ncover: /b.png\n---\n", [("PK003", 5, 1)]),
    ("duplicate nested key", "---\ntitle: x\ndate: 2021-01-01T00:00:00Z\nseo:\n  k: 1\n  k: 2\n---\n", [("PK003", 6, 3)]),
    ("list front matter", "---\n- a\n- b\n---\n", [("PK004", 2, 1)]),
    ("scalar front matter", "---\n只是一句话\n---\n正文", [("PK001", 1, 1)]),
    ("toml front matter", "+++\ntitle = 'x'\n+++\nbody\n", [("PK001", 1, 1)]),
    ("missing title and date", "---\nauthor: me\n---\n", [("PK101", 1, 1), ("PK101", 1, 1)]),
    ("empty front matter", "---\n---\nbody", [("PK001", 1, 1)]),
    ("title is a single space", "---\ntitle: ' '\ndate: 2021-01-01T00:00:00Z\n---\n", [("PK102", 2, 8)]),
    ("title is null", "---\ntitle:\ndate: 2021-01-01T00:00:00Z\n---\n", [("PK102", 2, 1)]),
    ("boolean title", "---\ntitle: on\ndate: 2021-01-01T00:00:00Z\n---\n", [("PK104", 2, 8)]),
    ("sexagesimal title", "---\ntitle: 10:00\ndate: 2021-01-01T00:00:00Z\n---\n", [("PK104", 2, 8)]),
    ("number title shown as written", "---\ntitle: 2021\ndate: 2021-01-01T00:00:00Z\n---\n", []),
    ("exponent title", "---\ntitle: 1e3\ndate: 2021-01-01T00:00:00Z\n---\n", [("PK103", 2, 8)]),
    ("octal title", "---\ntitle: 0o17\ndate: 2021-01-01T00:00:00Z\n---\n", [("PK103", 2, 8)]),
    ("date title", "---\ntitle: 2021-12-14\ndate: 2021-01-01T00:00:00Z\n---\n", [("PK103", 2, 8)]),
    ("title cut by comment", "---\ntitle: 我的 #1 文章\ndate: 2021-01-01T00:00:00Z\n---\n", [("PK103", 2, 8)]),
    ("category hierarchy", "---\ntitle: x\ndate: 2021-01-01T00:00:00Z\ncategories:\n-  - 科技\n---\n", []),
    ("nested tag list", "---\ntitle: x\ndate: 2021-01-01T00:00:00Z\ntags:\n-  - 科技\n   - 新闻\n---\n", [("PK103", 5, 4)]),
    ("boolean tags", "---\ntitle: x\ndate: 2021-01-01T00:00:00Z\ntags: [no, 摄影, 2021, 1.0]\n---\n", [("PK104", 4, 8), ("PK103", 4, 22)]),
    ("comments as yaml 1.1 word", "---\ntitle: x\ndate: 2021-01-01T00:00:00Z\ncomments: off\n---\n", [("PK103", 4, 11)]),
    ("comments as a string", "---\ntitle: x\ndate: 2021-01-01T00:00:00Z\ncomments: 'false'\n---\n", [("PK103", 4, 11)]),
    ("ambiguous scalar", "---\ntitle: x\ndate: 2021-01-01T00:00:00Z\nlang: no\ntime: 10:30\nmode: 0755\n---\n", [("PK104", 4, 7), ("PK104", 5, 7), ("PK104", 6, 7)]),
    ("invalid date", "---\ntitle: x\ndate: Invalid Date\n---\n", [("PK201", 3, 7)]),
    ("impossible month", "---\ntitle: x\ndate: 2020-13-45\n---\n", [("PK201", 3, 7)]),
    ("impossible day", "---\ntitle: x\ndate: 2021-02-30 10:00:00+08:00\n---\n", [("PK201", 3, 7)]),
    ("chinese date", "---\ntitle: x\ndate: 2020年1月5日\n---\n", [("PK201", 3, 7)]),
    ("wrong weekday", "---\ntitle: x\ndate: Wed, 14 Dec 2021 02:53:00 GMT\n---\n", [("PK201", 3, 7)]),
    ("number date", "---\ntitle: x\ndate: 1639450380\n---\n", [("PK201", 3, 7)]),
    ("rfc 2822 date", "---\ntitle: x\ndate: Tue, 14 Dec 2021 02:53:00 GMT\n---\n", [("PK202", 3, 7)]),
    ("slash date", "---\ntitle: x\ndate: 2021/12/14 10:53:00\n---\n", [("PK202", 3, 7), ("PK203", 3, 7)]),
    ("naive date", "---\ntitle: x\ndate: 2021-12-14 10:53:00\n---\n", [("PK203", 3, 7)]),
    ("updated before date", "---\ntitle: x\ndate: 2021-12-14T10:53:00Z\nupdated: 2021-12-13T10:53:00Z\n---\n", [("PK205", 4, 10)]),
    ("duplicate image", "---\ntitle: x\ndate: 2021-12-14T10:53:00Z\nheadimg: 'https://e.cn/a.png'\nthumbnail: 'https://e.cn/a.png'\n---\n", [("PK301", 5, 1)]),
    ("empty thumbnail", "---\ntitle: x\ndate: 2021-12-14T10:53:00Z\nthumbnail: ''\n---\n", [("PK302", 4, 12)]),
    ("placeholder cover", "---\ntitle: x\ndate: 2021-12-14T10:53:00Z\ncover: https://picsum.photos/400/300\n---\n", [("PK302", 4, 8)]),
    ("undefined cover", "---\ntitle: x\ndate: 2021-12-14T10:53:00Z\ncover: https://e.cn/img/undefined\n---\n", [("PK302", 4, 8)]),
    ("relative cover", "---\ntitle: x\ndate: 2021-12-14T10:53:00Z\ncover: img/a.png\n---\n", [("PK302", 4, 8)]),
    ("spaces around cover", "---\ntitle: x\ndate: 2021-12-14T10:53:00Z\ncover: ' https://e.cn/a.png'\n---\n", [("PK302", 4, 8)]),
]


@pytest.mark.parametrize(("text", "expected"), [pytest.param(t, e, id=i) for i, t, e in CASES])
def test_rule_reports(text, expected):
    assert found(text) == expected


# The same shapes where Jekyll (YAML 1.1, Psych) and Hugo read them otherwise than Hexo.
OTHER_ENGINES = [
    ("jekyll", "yaml syntax, tab indent", "---\ntitle: x\ntags:\n\t- 标签\ndate: 2021-01-01T00:00:00Z\n---\n", [("PK002", 4, 1)]),
    ("hugo", "yaml syntax, tab indent", "---\ntitle: x\ntags:\n\t- 标签\ndate: 2021-01-01T00:00:00Z\n---\n", [("PK002", 4, 1)]),
    ("jekyll", "scalar front matter", "---\n只是一句话\n---\n正文", [("PK004", 2, 1)]),
    ("hugo", "toml front matter", "+++\ntitle = 'x'\n+++\nbody\n", [("PK005", 1, 1)]),
    ("jekyll", "empty front matter", "---\n---\nbody", [("PK101", 1, 1), ("PK101", 1, 1)]),
    ("jekyll", "keys without opening fence", "title: x\ndate: 2021-01-01\n---\nbody\n", [("PK001", 1, 1)]),
    ("jekyll", "boolean title", "---\ntitle: on\ndate: 2021-01-01T00:00:00Z\n---\n", [("PK103", 2, 8)]),
    ("jekyll", "sexagesimal title", "---\ntitle: 10:00\ndate: 2021-01-01T00:00:00Z\n---\n", [("PK103", 2, 8)]),
    ("jekyll", "exponent title", "---\ntitle: 1e3\ndate: 2021-01-01T00:00:00Z\n---\n", [("PK104", 2, 8)]),
    ("hugo", "exponent title", "---\ntitle: 1e3\ndate: 2021-01-01T00:00:00Z\n---\n", [("PK103", 2, 8)]),
    ("jekyll", "nested category list", "---\ntitle: x\ndate: 2021-01-01T00:00:00Z\ncategories:\n-  - 科技\n---\n", [("PK103", 5, 4)]),
    ("jekyll", "boolean tags", "---\ntitle: x\ndate: 2021-01-01T00:00:00Z\ntags: [no, 摄影, 2021]\n---\n", [("PK103", 4, 8)]),
]


@pytest.mark.parametrize(("engine", "text", "expected"), [pytest.param(g, t, e, id=f"{g}: {i}") for g, i, t, e in OTHER_ENGINES])
def test_rule_reports_for_other_engines(engine, text, expected):
    assert found(text, settings=Settings(engine=engine)) == expected


ACCEPTED = [
    ("iso 8601 with offset keeps quiet", "---\ntitle: x\ndate: 2022-12-06T09:05:28+08:00\n---\n"),
    ("milliseconds and Z", "---\ntitle: x\ndate: 2022-12-06T09:05:28.000Z\n---\n"),
    ("quoted yes title", "---\ntitle: 'yes'\ndate: 2021-01-01T00:00:00Z\n---\n"),
    ("full-width colon title", "---\ntitle: 论文解读：一种新方法\ndate: 2021-01-01T00:00:00Z\n---\n"),
    ("trailing tab after key", "---\ntitle: x\ndate: 2021-01-01T00:00:00Z\ntags:\t\n  - 标签\n---\n"),
    ("c sharp title", "---\ntitle: C# 入门\ndate: 2021-01-01T00:00:00Z\n---\n"),
    ("site path cover", "---\ntitle: x\ndate: 2021-01-01T00:00:00Z\ncover: /images/a.png\n---\n"),
    ("protocol relative cover", "---\ntitle: x\ndate: 2021-01-01T00:00:00Z\ncover: //cdn.e.cn/a.png\n---\n"),
    ("true comments", "---\ntitle: x\ndate: 2021-01-01T00:00:00Z\ncomments: false\n---\n"),
    ("string tags", "---\ntitle: x\ndate: 2021-01-01T00:00:00Z\ntags: 摄影\n---\n"),
    ("empty optional updated", "---\ntitle: x\ndate: 2021-01-01T00:00:00Z\nupdated:\n---\n"),
    ("block scalar title", "---\ntitle: >-\n  很长的\n  标题\ndate: 2021-01-01T00:00:00Z\n---\n"),
]


@pytest.mark.parametrize("text", [pytest.param(t, id=i) for i, t in ACCEPTED])
def test_rule_accepts(text):
    assert found(text) == []


def test_naive_date_quiet_with_timezone():
    text = "---\ntitle: x\ndate: 2016-02-19 00:55:35\n---\n"
    assert codes(text) == ["PK203"]
    assert codes(text, settings=Settings(timezone="Asia/Shanghai")) == []


def test_required_keys_are_configurable():
    text = "---\ntitle: x\ndate: 2021-01-01T00:00:00Z\n---\n"
    assert codes(text, settings=Settings(required=("title", "date", "author"))) == ["PK101"]


def test_custom_date_format_allows_pattern_and_fix_uses_it():
    text = "---\ntitle: x\ndate: 2021/12/14 10:53\n---\n"
    settings = Settings(date_formats=("YYYY/MM/DD HH:mm",), timezone="Asia/Shanghai")
    assert codes(text, settings=settings) == []
    settings = Settings(date_formats=("YYYY-MM-DD HH:mm",), timezone="Asia/Shanghai")
    fixed, applied = fix_document(Document.from_text(text), settings, ALL)
    assert applied == 1
    assert fixed.text == "---\ntitle: x\ndate: 2021-12-14 10:53\n---\n"


def test_rfc2822_fix_keeps_instant_in_site_timezone():
    text = "---\ntitle: x\ndate: 'Tue, 14 Dec 2021 02:53:00 GMT'\n---\n"
    # Hexo drops the offset of a date when 'timezone' is set, so its fix is the site's local time.
    fixed, _ = fix_document(Document.from_text(text), Settings(timezone="Asia/Shanghai"), ALL)
    assert fixed.text == "---\ntitle: x\ndate: '2021-12-14 10:53:00'\n---\n"
    fixed, _ = fix_document(Document.from_text(text), Settings(timezone="Asia/Shanghai", engine="jekyll"), ALL)
    assert fixed.text == "---\ntitle: x\ndate: '2021-12-14T10:53:00+08:00'\n---\n"
    fixed, _ = fix_document(Document.from_text(text), Settings(), ALL)
    assert fixed.text == "---\ntitle: x\ndate: '2021-12-14T02:53:00Z'\n---\n"


def test_keep_image_field_chooses_the_survivor():
    text = "---\ntitle: x\ndate: 2021-12-14T10:53:00Z\nheadimg: /a.png\nthumbnail: /a.png\n---\n"
    assert found(text) == [("PK301", 5, 1)]
    assert found(text, settings=Settings(keep_image_field="thumbnail")) == [("PK301", 4, 1)]
    fixed, _ = fix_document(Document.from_text(text), Settings(keep_image_field="thumbnail"), ALL, unsafe=True)
    assert fixed.text == "---\ntitle: x\ndate: 2021-12-14T10:53:00Z\nthumbnail: /a.png\n---\n"


def test_noqa_comment_silences_one_line():
    text = "---\ntitle: x\ndate: Tue, 14 Dec 2021 02:53:00 GMT  # noqa: PK202\nlang: no  # noqa\n---\n"
    assert found(text) == []
    text = "---\ntitle: x\ndate: Tue, 14 Dec 2021 02:53:00 GMT  # noqa: PK201\n---\n"
    assert codes(text) == ["PK202"]


def test_select_ignore_and_severity():
    text = "---\ntitle: 1e3\ndate: Tue, 14 Dec 2021 02:53:00 GMT\n---\n"
    assert codes(text, selection=Selection.build(select=["PK2"])) == ["PK202"]
    assert codes(text, selection=Selection.build(ignore=["wrong-type"])) == ["PK202"]
    selection = Selection.build(severity={"PK202": "error"})
    result = check_document(Document.from_text(text), Settings(), selection)
    assert {d.code: d.severity.label for d in result.diagnostics} == {"PK103": "error", "PK202": "error"}


def test_traps_of_other_engines_are_warnings_unless_config_says_otherwise():
    text = "title: x\ndate: 2021-12-14T10:53:00Z\n---\nbody\n"  # no opening fence: Hexo reads it
    result = check_document(Document.from_text(text), Settings(), ALL)
    assert [(d.code, d.severity.label) for d in result.diagnostics] == [("PK001", "warning")]
    result = check_document(Document.from_text(text), Settings(engine="jekyll"), ALL)
    assert [(d.code, d.severity.label) for d in result.diagnostics] == [("PK001", "error")]
    result = check_document(Document.from_text(text), Settings(), Selection.build(severity={"PK001": "error"}))
    assert [(d.code, d.severity.label) for d in result.diagnostics] == [("PK001", "error")]


def test_per_file_ignores_match_globs():
    text = "---\ntitle: x\ndate: Tue, 14 Dec 2021 02:53:00 GMT\n---\n"
    selection = Selection.build(per_file_ignores={"drafts/**": ["PK202"]})
    assert codes(text, path="drafts/a/b.md", selection=selection) == []
    assert codes(text, path="posts/b.md", selection=selection) == ["PK202"]


def test_unknown_codes_are_errors():
    with pytest.raises(ValueError, match="PK999"):
        Selection.build(select=["PK999"])


def test_project_rules_list_all_posts():
    posts = {
        "a.md": "---\ntitle: 同一个标题\ndate: 2021-01-01T00:00:00Z\ncover: https://e.cn/logo.png\n---\n",
        "b.md": "---\ntitle: 同一个标题 \ndate: 2021-01-02T00:00:00Z\ncover: https://e.cn/logo.png\n---\n",
        "c.md": "---\ntitle: 同一个标题\ndate: 2021-01-03T00:00:00Z\ncover: https://picsum.photos/1\n---\n",
    }
    results = [check_document(Document.from_text(t, p), Settings(), ALL) for p, t in posts.items()]
    diags = project_diagnostics(results, ALL)
    titles = sorted((d.path, d.message) for d in diags if d.code == "PK401")
    assert len(titles) == 3
    assert "b.md" in titles[0][1] and "c.md" in titles[0][1]
    reused = sorted(d.path for d in diags if d.code == "PK303")
    assert reused == ["a.md", "b.md"]  # the random-picture placeholder is PK302's business


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ('"大新闻": 今天?.md', 1),
        (" .md", 1),
        ("CON.md", 1),
        ("a\x07b.md", 1),
        ("很" * 90 + ".md", 1),
        ("ok-name.md", 0),
        ("ends-with-dot..md", 1),
        ("\u202egnp.exe.md", 1),
        ("a\u2066b\u2069.md", 1),
        ("a\u200eb.md", 1),
        ("a\u200fb.md", 1),
        ("a\u061cb.md", 1),
        ("a\u202ab.md", 1),
        ("👩\u200d👧.md", 0),
    ],
)
def test_file_name(name, expected):
    assert codes(GOOD, path=f"source/_posts/{name}").count("PK402") == expected


def test_file_name_names_the_bidi_control_and_shows_the_real_order():
    result = check_document(Document.from_text(GOOD, "source/_posts/\u202egnp.exe.md"), Settings(), ALL)
    messages = [d.message for d in result.diagnostics if d.code == "PK402"]
    assert messages == ["file name '<U+202E>gnp.exe.md' contains the bidi control U+202E, which changes how the name is shown"]


def test_every_rule_is_documented():
    for code, module in RULES.items():
        doc = module.__doc__ or ""
        assert doc.startswith(f"{module.NAME} ({code}): "), code
        for heading in ("## What it checks", "## Why it matters", "## Example", "## Fix"):
            assert heading in doc, (code, heading)
        assert module.FIX in (None, "safe", "unsafe", "both")


def test_readme_documents_every_rule():
    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for code, module in RULES.items():
        assert f"| {code} | {module.NAME} | {module.DEFAULT.label} |" in readme, code
