"""The ``fm:`` cases from ../shared/cases, each fixed as a whole kind, in our own values.

Each test names the case it comes from. ``test_shared_case_inputs`` also runs
the cases' own inputs, all of them in one test (skipped, with its reason, when ../shared is absent).
"""

from __future__ import annotations

import pytest
import yaml
from conftest import shared_cases

from postkit.core.document import Document
from postkit.validate.engine import Selection, check_document, fix_document
from postkit.validate.rules.base import Settings

ALL = Selection.build()


def diagnostics(text: str, settings: Settings | None = None):
    return check_document(Document.from_text(text, "post.md"), settings or Settings(), ALL).diagnostics


def codes(text: str, settings: Settings | None = None) -> list[str]:
    return [d.code for d in diagnostics(text, settings)]


@pytest.mark.parametrize(
    "date",
    ["2023-04-01T08:30:00+08:00", "2023-04-01 08:30:00 +08:00", "2023-04-01T00:30:00.250Z", "2023-04-01t00:30:00z"],
)
def test_b24_iso_dates_with_offset_are_accepted_and_never_rewritten(date):
    text = f"---\ntitle: on\ndate: {date}\n---\n正文"
    assert codes(text) == ["PK103"]
    fixed, applied = fix_document(Document.from_text(text), Settings(), ALL)
    assert applied == 1
    assert fixed.text == f"---\ntitle: 'on'\ndate: {date}\n---\n正文"  # the date's bytes are untouched


def test_b25_naive_date_is_flagged_and_read_in_site_timezone():
    text = "---\ntitle: 标题\ndate: 2019-07-01 00:30:00\nupdated: 2019-06-30T17:00:00Z\n---\n"
    assert codes(text) == ["PK203"]
    # In Asia/Shanghai the date is 2019-06-30T16:30Z, so updated (17:00Z) is after it;
    # read as UTC it would be before it.
    assert codes(text, Settings(timezone="Asia/Shanghai")) == []
    assert codes(text, Settings(timezone="UTC")) == ["PK205"]


@pytest.mark.parametrize("prefix", ["\ufeff", "\ufeff\n\n", "\n", "\ufeff\r\n"])
def test_b27_bom_and_blank_lines_before_front_matter(prefix):
    text = prefix + "---\ntitle: 标题\ndate: 2023-01-01T00:00:00Z\n---\n正文"
    document = Document.from_text(text)
    assert document.front_matter is not None
    assert document.body == "正文"
    assert codes(text) == []


def test_b28_crlf_front_matter_and_fix_keep_crlf():
    text = "---\r\ntitle: \"标题\"\r\ndate: Sat, 01 Apr 2023 00:30:00 +0000\r\n---\r\n\r\n正文"
    assert codes(text) == ["PK202"]
    fixed, _ = fix_document(Document.from_text(text), Settings(), ALL)
    assert fixed.text == "---\r\ntitle: \"标题\"\r\ndate: 2023-04-01T00:30:00Z\r\n---\r\n\r\n正文"


@pytest.mark.parametrize(
    ("title", "col", "hint"),
    [
        ("模型评测: 三个发现", 12, "quote the whole value"),
        ("[译] 一篇文章", 12, "is read as a YAML list; quote the whole value"),
        ("{草稿} 周报", 13, "is read as a YAML mapping; quote the whole value"),
        ("'它's 新版本'", 11, "a quote inside a quoted value ends it early"),
        ("@用户 的回复", 8, "quote it"),
    ],
)
def test_b29_unquoted_titles_that_break_yaml_get_a_readable_error(title, col, hint):
    [diagnostic] = diagnostics(f"\n---\ntitle: {title}\ndate: 2023-01-01T00:00:00Z\n---\n")
    assert (diagnostic.code, diagnostic.line, diagnostic.col) == ("PK002", 3, col)
    assert hint in diagnostic.message


def test_b29_full_width_colon_is_fine():
    assert codes("---\ntitle: 模型评测：三个发现\ndate: 2023-01-01T00:00:00Z\n---\n") == []


def test_b31_yaml11_booleans_are_reported_and_fixed_to_strings():
    text = "---\ntitle: 标题\ndate: 2023-01-01T00:00:00Z\ntags: [yes, off, 标签]\ncategories:\n  - On\nlang: no\nstatus: Off\n---\n"
    assert codes(text) == ["PK103", "PK103", "PK103", "PK104", "PK104"]
    fixed, _ = fix_document(Document.from_text(text), Settings(), ALL)
    data = yaml.safe_load(fixed.yaml_text)
    assert data == {
        "title": "标题", "date": data["date"], "tags": ["yes", "off", "标签"], "categories": ["On"], "lang": "no", "status": "Off",
    }
    assert codes(fixed.text) == []


def test_b32_tabs():
    assert codes("---\ntitle: x\ndate: 2023-01-01T00:00:00Z\ntags:\t\n  - 标签\n---\n") == []
    [diagnostic] = diagnostics("---\ntitle: x\ndate: 2023-01-01T00:00:00Z\ntags:\n\t- 标签\n---\n")
    assert (diagnostic.code, diagnostic.line) == ("PK002", 5)
    assert "tabs" in diagnostic.message


def test_b34_duplicate_keys_at_every_depth():
    text = "---\ntitle: x\ndate: 2023-01-01T00:00:00Z\nimage: a.jpg\nmeta:\n  og: 1\n  og: 2\nimage: b.jpg\n---\n"
    found = [(d.code, d.line) for d in diagnostics(text) if d.code == "PK003"]
    assert found == [("PK003", 7), ("PK003", 8)]
    assert "first at line 4" in [d for d in diagnostics(text) if d.line == 8][0].message


def test_b35_empty_and_scalar_front_matter():
    assert codes("---\n---\n正文") == ["PK101", "PK101"]
    assert codes("---\n# only a comment\n---\n正文") == ["PK101", "PK101"]
    assert codes("---\n只是一句话\n---\n正文") == ["PK004"]
    assert codes("---\n- 列表\n---\n正文") == ["PK004"]


# What postkit reports for each case's own input (inputs joined by "  ||  " are separate posts).
SHARED_EXPECTED = {
    "B24": [[]],
    "B25": [["PK101", "PK203"]],
    "B27": [["PK101"]],
    "B28": [["PK101"]],
    "B29": [["PK002"], ["PK002"]],
    "B31": [["PK101", "PK101", "PK103", "PK103", "PK103", "PK103", "PK104"]],
    "B32": [["PK101", "PK101"], ["PK002"]],
    "B34": [["PK003", "PK101", "PK302"]],  # cover: a.jpg is also a relative path
    "B35": [["PK101", "PK101"], ["PK004"]],
}


def test_shared_case_inputs():
    # One test over every case (not a parameter per case), so that an absent ../shared
    # gives one skip with its reason rather than an empty parameter set.
    cases = shared_cases("fm:")
    if not cases:
        pytest.skip("../shared/cases is absent")
    assert {case["id"] for case in cases} == set(SHARED_EXPECTED)  # every case has an expectation
    for case in cases:
        posts = [part.split("   (")[0].strip(" ") for part in case["input"].split("  ||  ")]
        got = [sorted(codes(post)) for post in posts]
        assert got == [sorted(x) for x in SHARED_EXPECTED[case["id"]]], case["id"]
