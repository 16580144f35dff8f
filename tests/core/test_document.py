"""document.py: finding front matter, line numbers, decoding and atomic writes."""

from __future__ import annotations

import dataclasses
import os
import stat

import pytest

from postkit.core.document import Document, ReadError, apply_edits, decode, read_document, write_atomic
from postkit.core.diagnostics import Edit


def test_front_matter_after_blank_lines_and_body_kept():
    text = "\n\n---\ntitle: 标题\n---\n\n正文"
    doc = Document.from_text(text)
    assert doc.front_matter is not None
    assert doc.front_matter.open_line == 3
    assert doc.front_matter.close_line == 5
    assert doc.yaml_text == "title: 标题\n"
    assert doc.body == "\n正文"
    assert doc.head + doc.body == text


def test_bom_is_recorded_and_stripped():
    doc = Document.from_text("\ufeff---\ntitle: 标题\n---\n正文")
    assert doc.bom
    assert doc.yaml_text == "title: 标题\n"
    assert doc.encoded() == "\ufeff---\ntitle: 标题\n---\n正文".encode()


def test_crlf_front_matter_and_newline_style():
    doc = Document.from_text("---\r\ntitle: x\r\n---\r\n\r\nbody\r\n")
    assert doc.newline == "\r\n"
    assert doc.yaml_text == "title: x\r\n"
    assert doc.body == "\r\nbody\r\n"
    assert doc.with_body("a\nb\n") == "---\r\ntitle: x\r\n---\r\na\r\nb\r\n"


def test_thematic_break_with_prose_is_not_front_matter():
    text = "---\n\nFirst paragraph that must survive.\n\n---\n\nMore."
    doc = Document.from_text(text)
    assert doc.front_matter is None
    assert doc.thematic_break_line == 1
    assert doc.body == text


def test_scalar_block_right_after_fence_is_front_matter():
    # Case B35: a scalar front matter is reported (PK004), not dropped or taken for body.
    doc = Document.from_text("---\n只是一句话\n---\n正文")
    assert doc.front_matter is not None
    assert doc.yaml_text == "只是一句话\n"


def test_blank_line_then_keys_is_still_front_matter():
    doc = Document.from_text("---\n\ntitle: x\n---\nbody")
    assert doc.front_matter is not None


def test_unclosed_fence_is_recorded():
    doc = Document.from_text("---\ntitle: x\nbody without fence\n")
    assert doc.front_matter is None
    assert doc.unclosed_fence_line == 1


def test_hexo_longer_fence_must_close_with_same_fence():
    doc = Document.from_text("-----\ntitle: x\n---\nstill yaml: y\n-----\nbody")
    assert doc.front_matter is not None
    assert doc.front_matter.close_line == 5


def test_positions_and_lines():
    doc = Document.from_text("ab\ncd\r\nef")
    assert doc.position(0) == (1, 1)
    assert doc.position(4) == (2, 2)
    assert doc.line(2) == "cd"
    assert doc.line(3) == "ef"
    assert doc.line(4) == ""
    assert doc.line_count == 3
    assert doc.offset(3, 2) == 8


def test_decode_rejects_non_utf8_with_line_and_column():
    with pytest.raises(ReadError) as info:
        decode("---\ntitle: ok\n".encode() + "标题".encode("gbk"), "p.md")
    assert info.value.line == 3
    assert info.value.col == 1
    assert "not UTF-8" in info.value.message


def test_decode_rejects_binary_and_utf16():
    with pytest.raises(ReadError, match="binary"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00", "x.md")
    with pytest.raises(ReadError, match="UTF-16"):
        decode("---\n".encode("utf-16"), "x.md")


def test_read_document_errors_are_read_errors(tmp_path):
    with pytest.raises(ReadError, match="no such file"):
        read_document(tmp_path / "missing.md")
    with pytest.raises(ReadError, match="folder"):
        read_document(tmp_path)


def test_apply_edits_rejects_overlaps():
    assert apply_edits("abcdef", [Edit(4, 5, "E"), Edit(0, 1, "A")]) == "AbcdEf"
    with pytest.raises(ValueError):
        apply_edits("abcdef", [Edit(0, 3, "x"), Edit(2, 4, "y")])


def test_write_atomic_keeps_mode_and_skips_unchanged(tmp_path):
    target = tmp_path / "post.md"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    assert write_atomic(target, b"new") is True
    assert target.read_bytes() == b"new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    inode = target.stat().st_ino
    assert write_atomic(target, b"new") is False
    assert target.stat().st_ino == inode  # not replaced
    assert [p.name for p in tmp_path.iterdir()] == ["post.md"]  # no temporary file left behind


def test_write_atomic_failure_leaves_old_file(tmp_path, monkeypatch):
    target = tmp_path / "post.md"
    target.write_bytes(b"old")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_atomic(target, b"new")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["post.md"]


def test_hugo_toml_front_matter_span():
    doc = Document.from_text('+++\ntitle = "x"\n+++\nbody')
    assert doc.front_matter is not None
    assert doc.front_matter.format == "toml"
    assert doc.yaml_text == 'title = "x"\n'
    assert doc.body == "body"


def test_create_atomic_writes_a_new_file_and_never_replaces_one(tmp_path):
    from postkit.core.document import create_atomic

    target = tmp_path / "sub" / "new.md"
    assert create_atomic(target, b"first") is True
    assert create_atomic(target, b"second") is False
    assert target.read_bytes() == b"first"
    assert sorted(p.name for p in target.parent.iterdir()) == ["new.md"]  # no temporary file left


class _CountingText(str):
    """A text that counts the characters ``find``, ``count`` and ``rfind`` scan (a measure of work, not of time)."""

    scanned = 0

    def find(self, sub, start=None, end=None):  # type: ignore[override]
        found = str.find(self, sub, *(a for a in (start, end) if a is not None))
        _CountingText.scanned += ((len(self) if found == -1 else found) if end is None else end) - (start or 0)
        return found

    def count(self, sub, start=None, end=None):  # type: ignore[override]
        _CountingText.scanned += (len(self) if end is None else end) - (start or 0)
        return str.count(self, sub, *(a for a in (start, end) if a is not None))

    def rfind(self, sub, start=None, end=None):  # type: ignore[override]
        _CountingText.scanned += (len(self) if end is None else end) - (start or 0)
        return str.rfind(self, sub, *(a for a in (start, end) if a is not None))


def test_lines_and_positions_past_the_head_take_linear_work_in_all() -> None:
    """Asking for every line and every line's position scans the text a bounded number of times, not once per line."""
    from postkit.core import document as module

    body = "".join(f"line {n} ![a](x{n}.png)\n" for n in range(20000))
    document = Document.from_text("---\ntitle: x\n---\n" + body, "p.md")
    document = dataclasses.replace(document, text=_CountingText(document.text))
    builds = []
    original = module.line_starts
    _CountingText.scanned = 0
    try:
        module.line_starts = lambda text: builds.append(1) or original(text)
        total = document.line_count
        for number in range(1, total + 1):
            document.line(number)
            assert document.position(document.offset(number, 3)) == (number, 3)
    finally:
        module.line_starts = original
    assert builds == [1]  # the whole-text index is built once
    assert _CountingText.scanned <= 4 * len(document.text)
