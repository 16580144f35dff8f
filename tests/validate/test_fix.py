"""--fix, --unsafe-fixes and --diff: only the bytes of the changed values move, atomically."""

from __future__ import annotations

import os
import shutil
import stat

from conftest import EXAMPLES, write

from postkit.core.document import read_document


def changed_lines(before: bytes, after: bytes) -> list[tuple[str, str]]:
    """The (old, new) lines that differ, for fixes that keep the line count."""
    old, new = before.split(b"\n"), after.split(b"\n")
    assert len(old) == len(new), "a safe fix must not add or remove lines"
    return [(a.decode(), b.decode()) for a, b in zip(old, new) if a != b]


def test_fix_edits_only_the_values(tmp_path, cli):
    post = write(
        tmp_path / "p.md",
        "\n---\ntitle: on  # keep this comment\ncategories: \n - 新闻\ndate: Tue, 14 Dec 2021 02:53:00 GMT\n"
        "lang: no\nheadimg: 'https://e.cn/a.png'\nthumbnail: 'https://e.cn/a.png'\n---\n\n<p>正文</p>",
    )
    before = post.read_bytes()
    result = cli("validate", str(post), "--fix", "--format", "concise")
    after = post.read_bytes()
    assert changed_lines(before, after) == [
        ("title: on  # keep this comment", "title: 'on'  # keep this comment"),
        ("date: Tue, 14 Dec 2021 02:53:00 GMT", "date: 2021-12-14T02:53:00Z"),
        ("lang: no", "lang: 'no'"),
    ]
    assert after.endswith(b"<p>\xe6\xad\xa3\xe6\x96\x87</p>")  # no final newline added
    assert "Fixed 3 problems in 1 file." in result.stdout
    # the unsafe duplicate-image fix is still reported, not applied
    assert "PK301" in result.stdout
    assert result.exit_code == 0


def test_unsafe_fixes_remove_duplicate_image(tmp_path, cli):
    post = write(tmp_path / "p.md", "---\ntitle: x\ndate: 2021-12-14T02:53:00Z\nheadimg: /a.png\nthumbnail: /a.png\nthumbnail2: ''\n---\nbody")
    cli("validate", str(post), "--fix", "--unsafe-fixes")
    assert post.read_text() == "---\ntitle: x\ndate: 2021-12-14T02:53:00Z\nheadimg: /a.png\nthumbnail2: ''\n---\nbody"


def test_fix_keeps_crlf_bom_and_mode(tmp_path, cli):
    post = write(tmp_path / "p.md", "\ufeff---\r\ntitle: yes\r\ndate: 2021-12-14T02:53:00Z\r\n---\r\nbody\r\n")
    os.chmod(post, 0o600)
    cli("validate", str(post), "--fix")
    assert post.read_bytes() == "\ufeff---\r\ntitle: 'yes'\r\ndate: 2021-12-14T02:53:00Z\r\n---\r\nbody\r\n".encode()
    assert stat.S_IMODE(post.stat().st_mode) == 0o600


def test_fix_is_idempotent_and_clean_files_are_not_rewritten(tmp_path, cli):
    folder = tmp_path / "examples"
    shutil.copytree(EXAMPLES, folder)
    cli("validate", str(folder), "--fix", "--unsafe-fixes")
    first = {p.name: (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino) for p in folder.iterdir()}
    result = cli("validate", str(folder), "--fix", "--unsafe-fixes", "--format", "concise")
    second = {p.name: (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino) for p in folder.iterdir()}
    assert first == second
    assert "Fixed" not in result.stdout


def test_diff_shows_fixes_and_writes_nothing(tmp_path, cli):
    post = write(tmp_path / "p.md", "---\ntitle: x\ndate: Tue, 14 Dec 2021 02:53:00 GMT\n---\nbody")
    before = post.read_bytes()
    result = cli("validate", str(post), "--diff")
    assert post.read_bytes() == before
    assert "-date: Tue, 14 Dec 2021 02:53:00 GMT" in result.stdout
    assert "+date: 2021-12-14T02:53:00Z" in result.stdout
    assert result.exit_code == 1
    clean = write(tmp_path / "clean.md", "---\ntitle: x\ndate: 2021-12-14T02:53:00Z\n---\n")
    assert cli("validate", str(clean), "--diff").exit_code == 0


def test_fix_never_rewrites_unreadable_or_broken_files(tmp_path, cli):
    gbk = write(tmp_path / "gbk.md", "---\ntitle: 标题\n---\n".encode("gbk"))
    broken = write(tmp_path / "broken.md", "---\ntitle: a: b\ndate: Tue, 14 Dec 2021 02:53:00 GMT\n---\n")
    before = (gbk.read_bytes(), broken.read_bytes())
    result = cli("validate", str(tmp_path), "--fix", "--unsafe-fixes", "--format", "concise")
    assert (gbk.read_bytes(), broken.read_bytes()) == before
    assert "PK000" in result.stdout and "PK002" in result.stdout


def test_fixed_document_rereads_identically(tmp_path, cli):
    post = write(tmp_path / "p.md", "---\ntitle: 10:00\ndate: 2021/12/14\n---\n正文")
    cli("validate", str(post), "--fix")
    document = read_document(post)
    assert document.yaml_text == "title: '10:00'\ndate: 2021-12-14\n"
