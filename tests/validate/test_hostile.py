"""Bugs found by attacking postkit validate with hostile input; each test pins the fixed behaviour."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import time

import pytest
from conftest import run_postkit, write

from postkit.core.document import Document
from postkit.validate.engine import Selection, check_document, fix_document
from postkit.validate.rules.base import Settings

ALL = Selection.build()


def fixed(text: str, settings: Settings | None = None, unsafe: bool = False) -> str:
    return fix_document(Document.from_text(text), settings or Settings(), ALL, unsafe)[0].text


def found(text: str, settings: Settings | None = None):
    return [(d.code, d.line, d.col) for d in check_document(Document.from_text(text, "p.md"), settings or Settings(), ALL).diagnostics]


def test_alias_as_duplicate_image_is_reported_at_its_key_without_a_fix():
    text = "---\ntitle: t\ndate: 2021-01-01T00:00:00Z\nheadimg: &img https://a.com/x.png\nthumbnail: *img\n---\nbody\n"
    assert fixed(text, unsafe=True) == text
    assert ("PK301", 5, 1) in found(text)


def test_fixes_keep_anchors_and_tags():
    text = "---\ntitle: t\ndate: 2021-01-01T00:00:00Z\nlang: &l no\nother: *l\n---\n"
    assert fixed(text) == "---\ntitle: t\ndate: 2021-01-01T00:00:00Z\nlang: &l 'no'\nother: *l\n---\n"
    text = "---\ntitle: t\ndate: &d Tue, 14 Dec 2021 02:53:00 GMT\nupdated: *d\n---\n"
    assert fixed(text) == "---\ntitle: t\ndate: &d 2021-12-14T02:53:00Z\nupdated: *d\n---\n"
    text = '---\ntitle: t\ndate: !!str "Tue, 14 Dec 2021 02:53:00 GMT"\n---\n'
    assert fixed(text) == '---\ntitle: t\ndate: !!str "2021-12-14T02:53:00Z"\n---\n'


def test_aliased_values_are_reported_at_the_key_that_uses_them():
    text = "---\ntitle: t\ndate: 2021-01-01T00:00:00Z\nbase: &b [[x]]\nauthor: me\ntags: *b\n---\n"
    assert found(text) == [("PK103", 6, 1)]


@pytest.mark.parametrize(
    "date",
    ["0099/01/01 00:00:00", "Tue, 14 Dec 0021 02:53:00 GMT", "Sat, 01 Jan 0000 00:00:00 GMT", "14 Dec 2021 02:53:00 XYZ"],
)
def test_date_fixes_never_change_or_break_a_date(date):
    text = f"---\ntitle: t\ndate: {date}\n---\n"
    assert fixed(text) == text


def test_minus_zero_zone_is_utc_and_microseconds_survive():
    shanghai = Settings(timezone="Asia/Shanghai")
    # Hexo with 'timezone' set reads an offset's UTC digits as local time: the fix is the local time itself.
    assert fixed("---\ntitle: t\ndate: 14 Dec 2021 02:53:00 -0000\n---\n", shanghai) == "---\ntitle: t\ndate: 2021-12-14 10:53:00\n---\n"
    jekyll = Settings(timezone="Asia/Shanghai", engine="jekyll")
    assert fixed("---\ntitle: t\ndate: 14 Dec 2021 02:53:00 -0000\n---\n", jekyll) == "---\ntitle: t\ndate: 2021-12-14T10:53:00+08:00\n---\n"
    strict = Settings(date_formats=("rfc3339",))
    # a naive date cannot become RFC 3339 (it needs an offset) without a timezone: no fix
    assert fixed("---\ntitle: t\ndate: 2021/12/14 02:53:00\n---\n", strict) == "---\ntitle: t\ndate: 2021/12/14 02:53:00\n---\n"
    text = "---\ntitle: t\ndate: 2021-12-14 02:53:00.123456 +08:00\n---\n"
    assert fixed(text, strict) == "---\ntitle: t\ndate: 2021-12-14T02:53:00.123456+08:00\n---\n"


def test_missing_opening_fence_fix_only_when_it_is_safe():
    assert fixed("title: Hello\ndate: 2021-01-01T00:00:00Z\n-----\nBody\n") == "title: Hello\ndate: 2021-01-01T00:00:00Z\n-----\nBody\n"
    prose = "Note: this post was moved to https://new.example.com/post.\n\n---\n\nOld content here.\n"
    assert fixed(prose) == prose
    assert fixed("title: Hello\ndate: 2021-01-01T00:00:00Z\n---\nBody\n").startswith("---\ntitle: Hello")


def test_noqa_on_the_title_is_not_a_cut_title():
    assert found("---\ntitle: Weekly digest  # noqa: PK401\ndate: 2021-01-01T00:00:00Z\n---\n") == []


@pytest.mark.parametrize("value", ["title: 2021-13-45", "tags: [2021-02-30]", "categories: 0000-01-01", "title: !!binary aGVsbG8="])
def test_odd_scalars_never_crash(value):
    title = "" if value.startswith("title") else "title: t\n"
    codes = [code for code, _, _ in found(f"---\n{title}{value}\ndate: 2021-01-01T00:00:00Z\n---\n")]
    assert codes and set(codes) <= {"PK103"}


def test_far_future_date_with_timezone_does_not_crash():
    assert found("---\ntitle: t\ndate: Fri, 31 Dec 9999 20:00:00 GMT\n---\n", Settings(timezone="Asia/Shanghai")) == [("PK202", 3, 7)]


def test_tool_that_is_not_a_table_is_a_config_error(tmp_path):
    post = write(tmp_path / "a.md", "---\ntitle: t\ndate: 2021-01-01T00:00:00Z\n---\n")
    write(tmp_path / "pyproject.toml", 'tool = "x"\n')
    result = run_postkit("validate", str(post))
    assert result.returncode == 2 and "'tool' must be a table" in result.stderr
    write(tmp_path / "pyproject.toml", "[tool]\npostkit = 1\n")
    result = run_postkit("validate", str(post), "--config", str(tmp_path / "pyproject.toml"))
    assert result.returncode == 2 and "[tool.postkit] must be a table" in result.stderr


def test_long_file_names_are_fixed_and_one_write_error_does_not_stop_the_run(tmp_path):
    long_name = "新" * 82 + ".md"
    for name in ("aa.md", long_name):
        write(tmp_path / name, "---\ntitle: t\ndate: Tue, 14 Dec 2021 02:53:00 GMT\n---\n")
    locked = tmp_path / "locked"
    write(locked / "c.md", "---\ntitle: u\ndate: Tue, 14 Dec 2021 02:53:00 GMT\n---\n")
    os.chmod(locked, stat.S_IRUSR | stat.S_IXUSR)
    try:
        result = run_postkit("validate", "--fix", "--format", "concise", str(tmp_path))
        writable = os.access(locked, os.W_OK)  # root may write anyway
    finally:
        os.chmod(locked, 0o755)
    assert "GMT" not in (tmp_path / long_name).read_text() and "GMT" not in (tmp_path / "aa.md").read_text()
    if not writable:
        assert "c.md:1:1: PK000 [error] cannot write the fixed file" in result.stdout
    assert "Traceback" not in result.stderr and result.returncode in (0, 1)


def test_non_utf8_file_names_in_every_format(tmp_path):
    name = os.fsdecode(b"\xff.md")
    write(tmp_path / name, "---\ntitle: 1e3\ndate: 2021-01-01T00:00:00Z\n---\n")
    for output in ("sarif", "json", "concise", "github", "full"):
        result = run_postkit("validate", "--format", output, str(tmp_path))
        assert result.returncode == 1, (output, result.stderr)
    log = json.loads(run_postkit("validate", "--format", "sarif", str(tmp_path)).stdout)
    assert log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("%FF.md")


def test_pipes_and_devices_are_not_read(tmp_path):
    os.mkfifo(tmp_path / "x.md")
    write(tmp_path / "ok.md", "---\ntitle: t\ndate: 2021-01-01T00:00:00Z\n---\n")
    result = subprocess.run(
        [str(sys.executable).replace("python", "postkit"), "validate", "--format", "concise", str(tmp_path), "/dev/zero"],
        capture_output=True, text=True, timeout=60,
    )
    assert "x.md:1:1: PK000 [error] not a regular file" in result.stdout
    assert "/dev/zero:1:1: PK000 [error] not a regular file" in result.stdout


def test_large_front_matter_with_noqa_and_many_fixes_stays_linear():
    lines = "".join(f"k{i}: no\n" for i in range(8000))
    text = f"---\ntitle: t  # noqa\ndate: 2021-01-01T00:00:00Z\n{lines}---\n"
    started = time.perf_counter()
    result = fix_document(Document.from_text(text), Settings(), ALL)
    elapsed = time.perf_counter() - started
    assert result[1] == 8000
    assert elapsed < 30, elapsed  # was quadratic: minutes; a generous bound against regressions


def test_line_separators_do_not_shift_line_numbers():
    text = '---\ntitle: "新闻\u2028标题"\nauthor: x\ndate: Tue, 14 Dec 2021 02:53:00 GMT\n---\n'
    assert found(text) == [("PK202", 4, 7)]
    # Lines break at LF only, as in git: the diagnostic and its fix agree on the line.
    text = "---\n# comment\rtitle: t\ndate: Tue, 14 Dec 2021 02:53:00 GMT\n---\n"
    [diagnostic] = check_document(Document.from_text(text), Settings(), ALL).diagnostics
    assert (diagnostic.line, diagnostic.fix.edits[0].start_position[0]) == (3, 3)


def test_diff_with_line_separator_is_a_valid_patch(tmp_path, cli):
    post = write(tmp_path / "p.md", '---\ntitle: t\nsummary: "a\u2028b"\ndate: Tue, 14 Dec 2021 02:53:00 GMT\n---\nbody\n')
    patch = cli("validate", post.name, "--diff", cwd=tmp_path).stdout
    assert "\\ No newline" not in patch
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "d.patch").write_text(patch, encoding="utf-8")
    subprocess.run(["git", "apply", "--check", "d.patch"], cwd=tmp_path, check=True)


def test_control_character_after_cjk_is_located_in_characters():
    text = '---\ntitle: 中文标题中文标题\nauthor: 作者作者\ndate: 2021-01-01T00:00:00Z\nsummary: "a\x01b"\n---\nbody\n'
    assert found(text) == [("PK002", 5, 12)]


def test_unlistable_folder_is_reported(tmp_path):
    write(tmp_path / "sub/bad.md", "---\ntitle: no\n---\n")
    write(tmp_path / "ok.md", "---\ntitle: t\ndate: 2021-01-01T00:00:00Z\n---\n")
    os.chmod(tmp_path / "sub", 0)
    try:
        result = subprocess.run(
            ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
             str(sys.executable).replace("python", "postkit"), "validate", "--format", "concise", str(tmp_path)],
            capture_output=True, text=True, timeout=60,
        )
    except FileNotFoundError:
        pytest.skip("setpriv is not available")
    finally:
        os.chmod(tmp_path / "sub", 0o755)
    if "Permission denied" in result.stderr and not result.stdout:
        pytest.skip("the unprivileged user cannot run the virtualenv here")
    assert "sub:1:1: PK000 [error] cannot list this folder" in result.stdout


def test_empty_select_is_a_usage_error_and_late_nul_is_binary(tmp_path, cli):
    post = write(tmp_path / "a.md", "---\ntitle: t\ndate: Invalid Date\n---\n")
    assert cli("validate", "--select", "", str(post)).exit_code == 2
    late = write(tmp_path / "late.md", b"---\ntitle: t\ndate: 2021-01-01T00:00:00Z\n---\n" + b"x" * 9000 + b"\x00")
    assert "PK000" in cli("validate", "--format", "concise", str(late)).stdout
