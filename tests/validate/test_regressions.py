"""Bugs found by trying postkit as a new user would; each test pins the fixed behaviour."""

from __future__ import annotations

import json
import os

from conftest import write

from postkit.core.document import Document
from postkit.validate.engine import Selection, check_document, fix_document
from postkit.validate.rules.base import Settings

ALL = Selection.build()


def found(text: str, settings: Settings | None = None):
    return check_document(Document.from_text(text, "p.md"), settings or Settings(), ALL).diagnostics


def test_unsafe_fixes_never_delete_a_flow_style_front_matter(tmp_path, cli):
    text = '---\n{title: d, date: 2021-01-01T00:00:00Z, headimg: "https://i.e/z.png", thumbnail: "https://i.e/z.png", cover: ""}\n---\n'
    post = write(tmp_path / "d.md", text)
    result = cli("validate", str(post), "--fix", "--unsafe-fixes", "--format", "concise")
    assert post.read_text() == text
    assert "PK301" in result.stdout and "PK302" in result.stdout


def test_unsafe_fix_skips_entries_sharing_a_line():
    document = Document.from_text("---\ntitle: x\ndate: 2021-01-01T00:00:00Z\nheadimg: /a.png\nthumbnail: /a.png\n---\n")
    fixed, applied = fix_document(document, Settings(), ALL, unsafe=True)
    assert applied == 1 and "thumbnail" not in fixed.text


def test_fix_writes_through_a_symlink(tmp_path, cli):
    real = write(tmp_path / "real/p.md", "---\ntitle: Yes\ndate: 2021-01-01T00:00:00Z\n---\n")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    cli("validate", str(link), "--fix")
    assert link.is_symlink()
    assert real.read_text() == "---\ntitle: 'Yes'\ndate: 2021-01-01T00:00:00Z\n---\n"


def test_diff_keeps_the_bom_so_patches_apply(tmp_path, cli):
    post = write(tmp_path / "b.md", "\ufeff---\ntitle: x\ndate: Tue, 14 Dec 2021 02:53:00 GMT\n---\n")
    out = cli("validate", str(post), "--diff").stdout
    assert " \ufeff---\n" in out or "-\ufeff---\n" in out


def test_diff_exits_1_when_errors_remain_without_fixes(tmp_path, cli):
    post = write(tmp_path / "i.md", "---\ntitle: x\ndate: Invalid Date\n---\n")
    assert cli("validate", str(post), "--diff").exit_code == 1


def test_dates_that_are_lists_or_mappings_are_invalid():
    codes = [(d.code, d.line) for d in found("---\ntitle: x\ndate: {a: 1}\nupdated: [2021]\n---\n")]
    assert codes == [("PK201", 3), ("PK201", 4)]
    assert "is a mapping" in found("---\ntitle: x\ndate: {a: 1}\n---\n")[0].message
    assert "is an integer" in found("---\ntitle: x\ndate: 2021\n---\n")[0].message


def test_control_character_gets_one_line_message_at_its_column():
    [diagnostic] = found("---\ntitle: a\x07b\ndate: 2021-01-01T00:00:00Z\n---\n")
    assert (diagnostic.code, diagnostic.line, diagnostic.col) == ("PK002", 2, 9)
    assert "\n" not in diagnostic.message and "U+0007" in diagnostic.message


def test_fixes_that_change_hexo_values_are_unsafe():
    comments = [d for d in found("---\ntitle: x\ndate: 2021-01-01T00:00:00Z\ncomments: no\n---\n") if d.code == "PK103"]
    assert comments[0].fix.applicability.value == "unsafe"
    octal, word = found("---\ntitle: x\ndate: 2021-01-01T00:00:00Z\nmode: 0755\nlang: no\n---\n")
    assert (octal.code, octal.fix.applicability.value) == ("PK104", "unsafe")
    assert (word.code, word.fix.applicability.value) == ("PK104", "safe")


def test_date_fix_uses_the_first_allowed_format_in_site_time():
    settings = Settings(date_formats=("YYYY-MM-DD HH:mm:ss", "iso8601"), timezone="Asia/Shanghai")
    fixed, _ = fix_document(Document.from_text("---\ntitle: x\ndate: Tue, 14 Dec 2021 02:53:00 GMT\n---\n"), settings, ALL)
    assert fixed.text == "---\ntitle: x\ndate: 2021-12-14 10:53:00\n---\n"


def test_trim_fix_keeps_the_quote_style():
    text = '---\ntitle: x\ndate: 2021-01-01T00:00:00Z\ncover: " https://img.example.cn/c\\u00e9.jpg "\n---\n'
    fixed, applied = fix_document(Document.from_text(text), Settings(), ALL)
    assert applied == 1
    assert fixed.text == text.replace('" https://img.example.cn/c\\u00e9.jpg "', '"https://img.example.cn/c\\u00e9.jpg"')


def test_double_star_glob_matches_no_folder(tmp_path, cli):
    write(tmp_path / "drafts/d.md", "---\ntitle: x\ndate: Invalid Date\n---\n")
    write(tmp_path / "ok.md", "---\ntitle: y\ndate: 2021-01-01T00:00:00Z\n---\n")
    assert cli("validate", "--exclude", "**/drafts/**", str(tmp_path)).exit_code == 0


def test_sarif_escapes_colons_in_paths(tmp_path, cli):
    write(tmp_path / "bad:name.md", "---\ntitle: x\ndate: Invalid Date\n---\n")
    log = json.loads(cli("validate", "--format", "sarif", str(tmp_path)).stdout)
    uri = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri.endswith("bad%3Aname.md")


def test_config_mistakes_that_used_to_pass_silently(tmp_path, cli):
    post = write(tmp_path / "site/source/_posts/a.md", "---\ntitle: x\ndate: 2021-01-01T00:00:00Z\n---\n")
    write(tmp_path / "site/.postkit.toml", 'keep-image-field = "poster"\n')
    result = cli("validate", str(post))
    assert result.exit_code == 2 and "'keep-image-field' is 'poster'" in result.stderr
    os.remove(tmp_path / "site/.postkit.toml")
    write(tmp_path / "site/_config.yml", "timezone: 8\n")
    result = cli("validate", str(post))
    assert result.exit_code == 2 and "'timezone' must be an IANA name" in result.stderr
    write(tmp_path / "site/_config.yml", "- a\n- b\n")
    assert cli("validate", str(post)).exit_code == 2


def test_cr_only_line_endings_are_explained():
    [diagnostic] = found("---\rtitle: x\rdate: 2021-01-01T00:00:00Z\r---\rbody")
    assert diagnostic.code == "PK001" and "CR only" in diagnostic.message
