"""The diagnostic record every check produces, and the fixes it may carry."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path


class Severity(enum.IntEnum):
    """How serious a diagnostic is; the order is the order of importance.

    ``ERROR`` makes ``postkit validate`` exit 1, ``WARNING`` does so only under
    ``--strict``, ``INFO`` never does ("Exit codes").
    """

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        """Lower-case name used in every output format: ``error``, ``warning``, ``info``."""
        return self.name.lower()

    @classmethod
    def parse(cls, value: str) -> Severity:
        """Read ``"error"``, ``"warning"`` or ``"info"`` (any case).

        Raises:
            ValueError: for any other word.
        """
        try:
            return cls[value.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {value!r} (use error, warning or info)") from None


class Applicability(str, enum.Enum):
    """Whether a fix is applied by ``--fix`` (safe) or needs ``--unsafe-fixes`` too (ruff's model)."""

    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True, order=True)
class Edit:
    """Replace ``text[start:end]`` with ``content``.

    Offsets are character offsets into ``Document.text`` (the decoded file
    without its BOM), so an edit touches only the characters of the value it
    changes and everything else stays byte-identical. The engine fills in
    ``start_position``/``end_position`` (1-based line and column) for the
    output formats.
    """

    start: int
    end: int
    content: str
    start_position: tuple[int, int] | None = field(default=None, compare=False)
    end_position: tuple[int, int] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Fix:
    """A set of non-overlapping edits that together repair one diagnostic."""

    message: str
    edits: tuple[Edit, ...]
    applicability: Applicability = Applicability.SAFE


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem found in one file.

    ``line`` and ``col`` start at 1 and point into the file as a reader sees
    it in an editor, never into the YAML block alone (STYLE.md, point 3).
    ``end_line``/``end_col`` delimit the offending span when known (exclusive
    end column). ``group`` is every post of a cross-file finding (the same
    title in many posts): one tuple shared by all its members, which the json
    and sarif formats write once. Instances sort by path, then position, then code.
    """

    path: str
    line: int
    col: int
    code: str
    name: str = field(compare=False)
    severity: Severity = field(compare=False)
    message: str = field(compare=False)
    fix: Fix | None = field(default=None, compare=False)
    end_line: int | None = field(default=None, compare=False)
    end_col: int | None = field(default=None, compare=False)
    group: tuple[str, ...] | None = field(default=None, compare=False)

    @property
    def file(self) -> Path:
        """The diagnostic's path as a :class:`~pathlib.Path`."""
        return Path(self.path)
