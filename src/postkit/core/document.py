"""A post as text: where its front matter starts and ends, its body, and atomic reads and writes.

This is the only module that touches post files on disk. Everything else
works on :class:`Document` values, which are pure text.
"""

from __future__ import annotations

import bisect
import os
import re
import stat
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from postkit.core.diagnostics import Edit

BOM = "\ufeff"
# Hexo accepts three or more dashes and wants the same fence to close the block;
# Jekyll also closes YAML with "...".
# Hugo writes TOML front matter between "+++" fences.
_FENCE = re.compile(r"(-{3,}|\+{3})[ \t]*\r?\n?$")
_KEY_LINE = re.compile(r"""^(?:[^\s#:"'\[\]{}>|*&!%@`,-][^:]*|"[^"]*"|'[^']*'):(?:[ \t]|\r?$)""")


# The largest post read by default (config ``max-post-size``): ten times a long article, and
# small enough that the work a post costs (20 times its size at most) stays in memory.
MAX_POST_SIZE = 10_000_000


def describe_size(size: int) -> str:
    """``10 MB`` for 10,000,000 bytes: the largest unit that keeps a whole number when it can."""
    for unit, factor in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3)):
        if size >= factor:
            value = size / factor
            return f"{value:g} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes"


def unclosed_fence_message(line: int) -> str:
    """PK001's message for an opening ``---`` at ``line`` that is never closed (validate and traditional say the same)."""
    return f"the '---' at line {line} opens front matter that is never closed with '---'"


class ReadError(Exception):
    """A file that cannot be read as a UTF-8 text post (diagnostic PK000).

    ``line`` and ``col`` (1-based) locate the problem when it has a place in
    the file, such as the first byte that is not UTF-8.
    """

    def __init__(self, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.col = col


def line_starts(text: str) -> list[int]:
    """The offset of each line's start in ``text`` (lines break at LF), in one pass."""
    starts = [0]
    append = starts.append
    found = text.find("\n")
    while found != -1:
        append(found + 1)
        found = text.find("\n", found + 1)
    return starts


@dataclass(frozen=True)
class FrontMatterSpan:
    """Where the YAML front matter block sits in ``Document.text``.

    Offsets are character offsets; lines are 1-based file lines. ``start`` is
    the first character after the opening fence's line break and ``end`` the
    first character of the closing fence line, so ``text[start:end]`` is the
    YAML handed to the parser. ``body_start`` is the first character after the
    closing fence's line break. ``format`` is ``"yaml"`` (``---`` fences) or
    ``"toml"`` (Hugo's ``+++`` fences).
    """

    open_line: int
    close_line: int
    start: int
    end: int
    body_start: int
    format: str = "yaml"

    @property
    def first_line(self) -> int:
        """File line number of the first YAML line (the one after the opening fence)."""
        return self.open_line + 1


@dataclass(frozen=True)
class Document:
    """One post: its decoded text and the position of its front matter.

    ``text`` is the file decoded as UTF-8 without its BOM; ``bom`` records
    whether one was there so that writing back restores it. ``newline`` is the
    line ending of the first line (``"\\r\\n"`` or ``"\\n"``), used when new
    lines are produced. ``front_matter`` is ``None`` when the post has no
    front matter block (PK001).
    """

    path: str
    text: str
    bom: bool = False
    newline: str = "\n"
    front_matter: FrontMatterSpan | None = None
    unclosed_fence_line: int | None = None
    thematic_break_line: int | None = None

    @classmethod
    def from_text(cls, text: str, path: str = "<string>") -> Document:
        """Split ``text`` into front matter and body; never raises.

        A leading BOM and blank lines before the opening ``---`` are accepted,
        as Hexo accepts them (case B27). An opening ``---`` followed by a blank
        line and prose rather than ``key:`` lines is a thematic break, not front
        matter, so the paragraph after it is kept as body (PK001).
        """
        bom = text.startswith(BOM)
        if bom:
            text = text[1:]
        first_break = text.find("\n")
        newline = "\r\n" if first_break > 0 and text[first_break - 1] == "\r" else "\n"
        span, unclosed, thematic = _find_front_matter(text)
        return cls(path, text, bom, newline, span, unclosed, thematic)

    @property
    def yaml_text(self) -> str:
        """The YAML between the fences, or ``""`` when there is no front matter."""
        span = self.front_matter
        return self.text[span.start : span.end] if span else ""

    @property
    def body(self) -> str:
        """Everything after the closing fence (the whole text when there is no front matter)."""
        span = self.front_matter
        return self.text[span.body_start :] if span else self.text

    @property
    def head(self) -> str:
        """Everything before the body: blank lines, fences and YAML, byte-identical."""
        span = self.front_matter
        return self.text[: span.body_start] if span else ""

    @cached_property
    def _head_index(self) -> tuple[list[int], int]:
        """Line starts up to the end of the front matter (or the first 64 KiB), and that limit.

        Rules look at the front matter, at the top; bodies can be megabytes
        long, so only the head is indexed and later lines are scanned for.
        """
        limit = self.front_matter.body_start if self.front_matter else min(len(self.text), 65536)
        starts = [0]
        found = self.text.find("\n", 0, limit)
        while found != -1:
            starts.append(found + 1)
            found = self.text.find("\n", found + 1, limit)
        return starts, limit

    @cached_property
    def _line_index(self) -> list[int]:
        """Every line start of the whole text, built once, the first time a line past the head is asked for."""
        return line_starts(self.text)

    def _line_start(self, number: int) -> int:
        """Offset where 1-based line ``number`` starts (``len(text)`` past the end)."""
        starts, _ = self._head_index
        if number <= len(starts):
            return starts[number - 1]
        starts = self._line_index
        return starts[number - 1] if number <= len(starts) else len(self.text)

    @property
    def line_count(self) -> int:
        """Number of lines, counting a last line without a line break."""
        return self.text.count("\n") + (0 if self.text.endswith("\n") or not self.text else 1)

    def position(self, offset: int) -> tuple[int, int]:
        """Turn a character offset into a 1-based ``(line, column)`` pair (lines break at LF only)."""
        starts, limit = self._head_index
        if offset < limit:
            index = bisect.bisect_right(starts, offset) - 1
            return index + 1, offset - starts[index] + 1
        starts = self._line_index
        index = bisect.bisect_right(starts, offset) - 1
        return index + 1, offset - starts[index] + 1

    def offset(self, line: int, col: int = 1) -> int:
        """Turn a 1-based ``(line, column)`` into a character offset (clamped to the text)."""
        return min(self._line_start(max(line, 1)) + col - 1, len(self.text))

    def line(self, number: int) -> str:
        """The text of 1-based line ``number`` without its line break (``""`` past the end)."""
        if number < 1:
            return ""
        start = self._line_start(number)
        if start >= len(self.text) and not (start == 0 and number == 1):
            return ""
        end = self.text.find("\n", start)
        return self.text[start : len(self.text) if end == -1 else end].rstrip("\r")

    def line_span(self, first: int, last: int) -> tuple[int, int]:
        """Offsets covering whole lines ``first``..``last`` including the last line break."""
        return self.offset(first), self._line_start(last + 1)

    def with_body(self, body: str) -> str:
        """The full text with the body replaced; the head stays byte-identical.

        ``body`` uses ``"\\n"`` line breaks and gets the document's own style.
        """
        if self.newline != "\n":
            body = body.replace("\r\n", "\n").replace("\n", self.newline)
        return self.head + body

    def encoded(self, text: str | None = None) -> bytes:
        """``text`` (default: the document's own) as UTF-8 bytes, with the BOM restored."""
        text = self.text if text is None else text
        return ((BOM if self.bom else "") + text).encode("utf-8")


def _find_front_matter(text: str) -> tuple[FrontMatterSpan | None, int | None, int | None]:
    """Locate the front matter block; return ``(span, unclosed_line, thematic_break_line)``."""
    pos = 0
    line_no = 1
    length = len(text)
    # Skip blank lines before the opening fence.
    while pos < length:
        end = text.find("\n", pos)
        end = length if end == -1 else end + 1
        if text[pos:end].strip():
            break
        pos = end
        line_no += 1
    if pos >= length:
        return None, None, None
    end = text.find("\n", pos)
    end = length if end == -1 else end + 1
    opening = _FENCE.match(text, pos, end)
    if not opening or end == length and not text.endswith("\n"):
        return None, None, None
    dashes = opening.group(1)
    open_line = line_no
    start = end
    cursor = end
    line_no += 1
    first_content: str | None = None
    first_is_blank = None
    while cursor < length:
        stop = text.find("\n", cursor)
        stop = length if stop == -1 else stop + 1
        line = text[cursor:stop]
        stripped = line.rstrip("\r\n").rstrip(" \t")
        if stripped == dashes or (stripped == "..." and dashes != "+++"):
            if dashes == "+++":
                return FrontMatterSpan(open_line, line_no, start, cursor, stop, "toml"), None, None
            if first_is_blank and first_content is not None and not _KEY_LINE.match(first_content):
                return None, None, open_line
            span = FrontMatterSpan(open_line, line_no, start, cursor, stop)
            return span, None, None
        if first_is_blank is None:
            first_is_blank = not stripped
        if first_content is None and stripped and not stripped.lstrip().startswith("#"):
            first_content = stripped
        cursor = stop
        line_no += 1
    return None, open_line, None


def decode(data: bytes, path: str) -> Document:
    """Decode raw file bytes into a :class:`Document`.

    Raises:
        ReadError: the bytes look binary (a NUL byte, or a UTF-16/32 BOM), or
            are not valid UTF-8; the message names the line and column of the
            first bad byte (PK000).
    """
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ReadError("file is UTF-16 or UTF-32 encoded; posts must be UTF-8")
    nul = data.find(b"\x00")
    if nul != -1:
        line = data.count(b"\n", 0, nul) + 1
        raise ReadError("binary file (it contains NUL bytes), not a text post", line, nul - data.rfind(b"\n", 0, nul))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        before = data[: error.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        col = len(before[line_start:].decode("utf-8", errors="replace")) + 1
        bad = data[error.start : error.start + 1].hex()
        raise ReadError(f"not UTF-8: byte 0x{bad} cannot be decoded", line, col) from None
    return Document.from_text(text, path)


def read_document(path: str | os.PathLike[str], max_size: int | None = MAX_POST_SIZE) -> Document:
    """Read and decode one post of at most ``max_size`` bytes (``None``: no limit).

    Raises:
        ReadError: the file cannot be opened or read (missing, a folder, no
            permission), is larger than ``max_size`` (the message names the
            limit and the ``max-post-size`` key), or :func:`decode` rejects
            its bytes.
    """
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            try:
                os.listdir(path)
            except OSError as error:
                raise ReadError(f"cannot list this folder: {error.strerror or error}") from None
            raise ReadError("is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            # A pipe or a device would block or never end; a post is a regular file.
            raise ReadError("not a regular file (a pipe, socket or device)")
        if max_size is not None and info.st_size > max_size:
            raise ReadError(_too_large(info.st_size, max_size))
        with open(path, "rb") as handle:
            if max_size is None:
                data = handle.read()
            else:
                # Read one byte past the limit rather than trust st_size: the file may grow meanwhile.
                data = handle.read(max_size + 1)
                if len(data) > max_size:
                    raise ReadError(_too_large(max(os.fstat(handle.fileno()).st_size, len(data)), max_size))
    except IsADirectoryError:
        raise ReadError("is a folder, not a file") from None
    except FileNotFoundError:
        raise ReadError("no such file") from None
    except PermissionError:
        raise ReadError("permission denied") from None
    except OSError as error:
        raise ReadError(f"cannot read: {error.strerror or error}") from None
    return decode(data, os.fspath(path))


def _too_large(size: int, limit: int) -> str:
    return (
        f"the post is {describe_size(size)}, larger than the max-post-size limit of {describe_size(limit)}; "
        "raise max-post-size in the config to read it"
    )


def apply_edits(text: str, edits: list[Edit] | tuple[Edit, ...]) -> str:
    """Apply non-overlapping character edits to ``text``.

    Raises:
        ValueError: two edits overlap.
    """
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    for before, after in zip(ordered, ordered[1:]):
        if after.start < before.end:
            raise ValueError(f"overlapping edits at offsets {before.start} and {after.start}")
    pieces = []
    cursor = 0
    for edit in ordered:
        pieces.append(text[cursor : edit.start])
        pieces.append(edit.content)
        cursor = edit.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def write_atomic(path: str | os.PathLike[str], data: bytes, *, durable: bool = False) -> bool:
    """Write ``data`` to ``path`` atomically, only if it differs from what is there.

    The bytes go to a temporary file in the same folder and are renamed over
    the target, so a crash or Ctrl-C leaves either the old or the new file,
    never half of one; when an existing file is replaced, the data is flushed
    to disk (fsync) before the rename, so a power cut cannot leave it empty.
    ``durable`` flushes a new file too, for a file that another write will
    point at (a localized picture before its post). The file mode is kept. Returns
    ``True`` when the file was written, ``False`` when it already held
    ``data``.

    Raises:
        OSError: the folder is not writable or the disk is full; the target
            is left untouched.
    """
    # Write through symlinks: replacing the link itself would leave the real post unfixed.
    target = Path(os.path.realpath(path))
    replacing = True
    try:
        if target.read_bytes() == data:
            return False
        mode = stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
        replacing = False
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporary_files(target.parent)
    # A short temporary name: the post's own name may already be near the 255-byte limit.
    import tempfile  # only a write needs it; a check-only run never loads it

    fd, tmp = tempfile.mkstemp(prefix=".postkit-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if replacing or durable:
                # The rename must not reach the disk before the data, or a power cut could leave
                # an empty post where a good one was. A new file has no old content to lose,
                # unless something written after it already points at it.
                os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return True


# mkstemp(prefix=".postkit-", suffix=".tmp") names: eight characters from its alphabet in between.
_TEMPORARY_NAME = re.compile(r"\.postkit-[a-z0-9_]{8}\.tmp")
# A write takes well under this; a temporary file older than this was left by a killed run.
STALE_TEMPORARY_AGE = 60.0
_swept_folders: set[str] = set()


def remove_stale_temporary_files(folder: str | os.PathLike[str], now: float | None = None) -> list[str]:
    """Delete the temporary files a killed postkit run left in ``folder``; return their paths.

    Only postkit's own are touched: regular files (not links) named as
    :func:`write_atomic` names them, owned by this user, and older than
    :data:`STALE_TEMPORARY_AGE` seconds, so a write in progress in another
    run is left alone. Each folder is swept once per process; errors are
    ignored, since the sweep only tidies up.
    """
    import time

    key = os.fspath(folder)
    if now is None:
        if key in _swept_folders:
            return []
        _swept_folders.add(key)
        now = time.time()
    removed = []
    uid = os.getuid() if hasattr(os, "getuid") else None
    try:
        with os.scandir(key) as entries:
            for entry in entries:
                if not _TEMPORARY_NAME.fullmatch(entry.name):
                    continue
                try:
                    info = entry.stat(follow_symlinks=False)
                    if not stat.S_ISREG(info.st_mode) or (uid is not None and info.st_uid != uid):
                        continue
                    if now - info.st_mtime > STALE_TEMPORARY_AGE:
                        os.unlink(entry.path)
                        removed.append(entry.path)
                except OSError:
                    continue
    except OSError:
        pass
    return removed


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def _lines(text: str) -> list[str]:
    pieces = text.split("\n")
    lines = [piece + "\n" for piece in pieces[:-1]]
    if pieces[-1]:
        lines.append(pieces[-1])
    return lines


def unified_diff(path: str, before: str, after: str) -> str:
    """A unified diff of one file's fix, as ``git diff`` would show it."""
    import difflib

    # Split at LF only, as git does: str.splitlines also breaks at U+2028, NEL and lone CR.
    lines = difflib.unified_diff(_lines(before), _lines(after), f"a/{path}", f"b/{path}")
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def create_atomic(path: str | os.PathLike[str], data: bytes) -> bool:
    """Write a new file at ``path`` atomically, never replacing one that exists; ``False`` when one does.

    The bytes go to a temporary file in the same folder, which is then
    hard-linked to ``path``: the link fails when ``path`` exists, even if
    another process created it a moment ago, and a crash leaves no half
    file. Where the file system has no hard links, the target is checked
    and the temporary file renamed, which leaves only that moment open.

    Raises:
        OSError: the folder is not writable or the disk is full.
    """
    import tempfile

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".postkit-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o666 & ~_umask())
        try:
            os.link(tmp, target)
        except FileExistsError:
            return False
        except OSError:
            if os.path.lexists(target):
                return False
            os.replace(tmp, target)
            return True
        return True
    finally:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
