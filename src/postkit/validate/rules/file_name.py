"""file-name (PK402): the post's file name breaks on other systems or tools.

## What it checks
The file name (not the folders above it) for:
- control characters (U+0000 to U+001F, U+007F);
- Unicode bidi controls (U+202A to U+202E, U+2066 to U+2069, U+200E,
  U+200F, U+061C): they reorder how the name is shown, so `\u202egnp.exe`
  displays as `exe.png`;
- `<`, `>`, `:`, `"`, `\\`, `|`, `?`, `*`, which Windows forbids;
- a stem that is empty or only whitespace (` .md`);
- a name ending in a space or a dot before the extension, which Windows strips;
- a Windows device name (`CON`, `NUL`, `COM1` ...);
- more than 255 bytes in UTF-8, the limit of ext4, APFS and NTFS. Chinese
  titles used as file names reach it at about 85 characters.

## Why it matters
The repository cannot be checked out on Windows, archives and CI caches
fail, and Hexo derives the permalink from the file name, so odd characters
end up in URLs.

## Example
`source/_posts/新闻/"大新闻": 今天?.md`

## Fix
Rename the file (and keep the old URL with a redirect or a `permalink`).
There is no automatic fix.
"""

from __future__ import annotations

import re
import os.path
from typing import Iterator

from postkit.core.diagnostics import Severity
from postkit.validate.rules.base import Post, Problem

CODE = "PK402"
NAME = "file-name"
DEFAULT = Severity.WARNING
FIX = None
ANY_FORMAT = True

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_FORBIDDEN = re.compile(r'[<>:"\\|?*]')
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_DEVICE = re.compile(r"^(?:CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])$", re.IGNORECASE)
MAX_BYTES = 255


def _escape_bidi(name: str) -> str:
    """``name`` with each bidi control written as ``<U+202E>``, so the message shows the real order."""
    return _BIDI.sub(lambda match: f"<U+{ord(match.group()):04X}>", name)


def check(post: Post) -> Iterator[Problem]:
    name = os.path.basename(post.path)
    if not name or post.path == "<string>":
        return
    stem = name.rsplit(".", 1)[0] if "." in name else name
    if _CONTROL.search(name):
        yield Problem(1, 1, f"file name '{name}' contains a control character")
    bidi = sorted(set(_BIDI.findall(name)))
    if bidi:
        shown = _escape_bidi(name)
        codes = " ".join(f"U+{ord(char):04X}" for char in bidi)
        yield Problem(1, 1, f"file name '{shown}' contains the bidi control {codes}, which changes how the name is shown")
    forbidden = sorted(set(_FORBIDDEN.findall(name)))
    if forbidden:
        yield Problem(1, 1, f"file name '{name}' contains {' '.join(forbidden)}, which Windows does not allow")
    if not stem.strip():
        yield Problem(1, 1, f"file name '{name}' has a stem that is empty or only whitespace")
    elif stem != stem.rstrip(" ."):
        yield Problem(1, 1, f"file name '{name}' ends in a space or dot before the extension, which Windows strips")
    if _DEVICE.match(stem.split(".")[0].strip()):
        yield Problem(1, 1, f"file name '{name}' is a Windows device name")
    size = len(name.encode("utf-8", errors="surrogateescape"))
    if size > MAX_BYTES:
        yield Problem(1, 1, f"file name is {size} bytes in UTF-8, more than the {MAX_BYTES} most file systems allow")
