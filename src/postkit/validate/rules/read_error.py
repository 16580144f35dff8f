"""read-error (PK000): the file cannot be read as a UTF-8 text post.

## What it checks
The file could not be opened or read (missing, a folder, no permission), it
is binary (it holds NUL bytes, or starts with a UTF-16/32 byte order mark), or
its bytes are not valid UTF-8. The diagnostic points at the first bad byte.

## Why it matters
Hexo, Hugo and Jekyll read posts as UTF-8. A post saved as GBK or Big5 by an
editor or a feed generator shows mojibake on the site or breaks the build.
postkit never guesses an encoding and never rewrites such a file.

## Example
A post saved in GBK: `not UTF-8: byte 0xd6 cannot be decoded` at line 2.

## Fix
Re-save the file as UTF-8 (`iconv -f GBK -t UTF-8 post.md -o post.md`).
"""

from __future__ import annotations

from postkit.core.diagnostics import Severity
from postkit.core.document import ReadError
from postkit.validate.rules.base import Problem

CODE = "PK000"
NAME = "read-error"
DEFAULT = Severity.ERROR
FIX = None


def problem(error: ReadError) -> Problem:
    """Turn a :class:`~postkit.core.document.ReadError` into this rule's problem."""
    return Problem(error.line, error.col, error.message)
