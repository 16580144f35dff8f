"""Output formats for diagnostics: full (Rich), concise, json, github and sarif.

Each format is a pure function from diagnostics and a :class:`Summary` to
text (``full`` returns lines of styled segments, which ``cli.py`` prints
through Rich on a terminal).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePath
from typing import Callable, Iterable, Sequence
from urllib.parse import quote

from postkit import __version__
from postkit.core.diagnostics import Applicability, Diagnostic, Severity

FORMATS = ("full", "concise", "json", "github", "sarif")
PROJECT_URL = "https://github.com/postkit/postkit"
JSON_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Summary:
    """Counts printed at the end of every format.

    ``fixable`` counts diagnostics whose fix ``--fix`` applies;
    ``unsafe_fixable`` those that also need ``--unsafe-fixes``; ``fixed`` the
    fixes applied in this run, over ``fixed_files`` files. ``label`` names
    what the diagnostics are when they are not problems ("review note"):
    the text then counts them by that name alone.
    """

    files: int
    files_with_problems: int
    errors: int
    warnings: int
    infos: int
    fixable: int
    unsafe_fixable: int
    fixed: int = 0
    fixed_files: int = 0
    # What the run could not check (say, remote images with no network): "All checks passed" would be untrue.
    not_checked: str = ""
    # What the diagnostics are called in the summary: "problem", or "review note" for traditional --review.
    label: str = "problem"

    @classmethod
    def of(
        cls, diagnostics: Sequence[Diagnostic], files: int, fixed: int = 0, fixed_files: int = 0, label: str = "problem"
    ) -> Summary:
        """Count ``diagnostics`` by severity and fix applicability."""
        levels = Counter(d.severity for d in diagnostics)
        fixes = Counter(d.fix.applicability for d in diagnostics if d.fix is not None)
        return cls(
            files=files,
            files_with_problems=len({d.path for d in diagnostics}),
            errors=levels[Severity.ERROR],
            warnings=levels[Severity.WARNING],
            infos=levels[Severity.INFO],
            fixable=fixes[Applicability.SAFE],
            unsafe_fixable=fixes[Applicability.UNSAFE],
            fixed=fixed,
            fixed_files=fixed_files,
            label=label,
        )

    @property
    def problems(self) -> int:
        """All diagnostics, whatever their severity."""
        return self.errors + self.warnings + self.infos

    def as_dict(self) -> dict[str, int]:
        """The counts as a JSON object (the ``summary`` member of the json format)."""
        return {
            "files": self.files,
            "files_with_problems": self.files_with_problems,
            "problems": self.problems,
            "errors": self.errors,
            "warnings": self.warnings,
            "infos": self.infos,
            "fixable": self.fixable,
            "unsafe_fixable": self.unsafe_fixable,
            "fixed": self.fixed,
            "fixed_files": self.fixed_files,
        }

    def text(self) -> str:
        """One or two plain sentences: what was found, and what ``--fix`` would do."""
        lines = []
        if self.fixed:
            lines.append(f"Fixed {_count(self.fixed, 'problem')} in {_count(self.fixed_files, 'file')}.")
        if self.label != "problem":
            if self.problems:
                lines.append(f"Found {_count(self.problems, self.label)} in {self.files_with_problems} of {_count(self.files, 'file')}.")
            else:
                lines.append(f"No {self.label}s in {_count(self.files, 'file')}.")
        elif not self.problems and self.not_checked:
            lines.append(f"No problems in what was checked ({_count(self.files, 'file')}), but {self.not_checked}.")
        elif not self.problems:
            lines.append(f"All checks passed: {_count(self.files, 'file')}, no problems.")
        else:
            parts = [_count(self.errors, "error"), _count(self.warnings, "warning"), _count(self.infos, "info", "info")]
            lines.append(
                f"Found {_count(self.problems, 'problem')} ({', '.join(parts)}) "
                f"in {self.files_with_problems} of {_count(self.files, 'file')}."
            )
            hints = []
            if self.fixable:
                hints.append(f"{self.fixable} fixable with --fix")
            if self.unsafe_fixable:
                hints.append(f"{self.unsafe_fixable} more with --fix --unsafe-fixes")
            if hints:
                lines.append("; ".join(hints) + ".")
        return "\n".join(lines)


_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _surrogate_text(char: str) -> str:
    code = ord(char)
    # A byte that was not UTF-8 (Python's surrogateescape keeps it as U+DC80..U+DCFF) shows as \xHH.
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def unsurrogate(text: str) -> str:
    """``text`` as valid Unicode: a byte of a file name that was not UTF-8 becomes the four characters ``\\xHH``."""
    return _SURROGATE.sub(lambda m: _surrogate_text(m.group()), text) if _SURROGATE.search(text) else text


def printable(text: str, keep: str = "") -> str:
    """``text`` safe to print on a terminal or in one log line.

    Bytes that were not UTF-8 become ``\\xHH`` (:func:`unsurrogate`); control
    characters but those in ``keep`` become ``\\n``, ``\\r``, ``\\t`` or ``\\xHH``,
    so that a file name can neither send terminal escapes nor split a
    ``path:line:col`` line.
    """
    text = unsurrogate(text)
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(lambda m: m.group() if m.group() in keep else _NAMED.get(m.group(), f"\\x{ord(m.group()):02x}"), text)


def shown(path: str) -> str:
    """A path as text that any output can carry: see :func:`printable`."""
    return printable(path)


def _json_text(text: str) -> str:
    """JSON text written with ``ensure_ascii=False``, with any lone surrogate as the JSON string ``\\xHH``: always valid UTF-8."""
    return _SURROGATE.sub(lambda m: _surrogate_text(m.group()).replace("\\", "\\\\"), text) if _SURROGATE.search(text) else text


def _count(number: int, word: str, plural: str | None = None) -> str:
    return f"{number} {word if number == 1 else plural or word + 's'}"


def concise(diagnostics: Iterable[Diagnostic], summary: Summary) -> str:
    """``path:line:col: CODE [severity] message`` lines, then the summary."""
    lines = [f"{shown(d.path)}:{d.line}:{d.col}: {d.code} [{d.severity.label}] {printable(d.message)}" for d in diagnostics]
    lines.append(summary.text())
    return "\n".join(lines) + "\n"


def _position(pair: tuple[int, int] | None) -> dict[str, int] | None:
    return None if pair is None else {"line": pair[0], "column": pair[1]}


def diagnostic_dict(d: Diagnostic) -> dict[str, object]:
    """One diagnostic as the json format writes it (see README, "JSON output")."""
    fix = None
    if d.fix is not None:
        fix = {
            "applicability": d.fix.applicability.value,
            "message": d.fix.message,
            "edits": [
                {
                    "content": edit.content,
                    "location": _position(edit.start_position),
                    "end_location": _position(edit.end_position),
                }
                for edit in d.fix.edits
            ],
        }
    return {
        "path": unsurrogate(d.path),
        "code": d.code,
        "name": d.name,
        "severity": d.severity.label,
        "message": d.message,
        "location": {"line": d.line, "column": d.col},
        "end_location": {"line": d.end_line, "column": d.end_col} if d.end_line and d.end_col else None,
        "fix": fix,
    }


def _groups(diagnostics: Iterable[Diagnostic]) -> tuple[dict[int, int], list[dict[str, object]]]:
    """Number each shared post list once: ``(id(tuple) -> index, [{"id", "code", "posts"}])``."""
    index: dict[int, int] = {}
    listed: list[dict[str, object]] = []
    for d in diagnostics:
        if d.group is not None and id(d.group) not in index:
            index[id(d.group)] = len(listed)
            listed.append({"id": len(listed), "code": d.code, "posts": [unsurrogate(p) for p in d.group]})
    return index, listed


def to_json(diagnostics: Iterable[Diagnostic], summary: Summary) -> str:
    """A JSON document: ``{"version", "tool", "diagnostics": [...], "groups": [...], "summary": {...}}``.

    A diagnostic of a cross-file finding carries ``"group": N``, the index of
    its full post list in ``groups``, which holds each list once.
    """
    diagnostics = list(diagnostics)
    index, listed = _groups(diagnostics)
    items = []
    for d in diagnostics:
        item = diagnostic_dict(d)
        if d.group is not None:
            item["group"] = index[id(d.group)]
        items.append(item)
    document = {
        "version": JSON_SCHEMA_VERSION,
        "tool": {"name": "postkit", "version": __version__},
        "diagnostics": items,
        "groups": listed,
        "summary": summary.as_dict(),
    }
    import json  # only the json and sarif formats pay for it

    return _json_text(json.dumps(document, ensure_ascii=False, indent=2)) + "\n"


_GITHUB_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github(diagnostics: Iterable[Diagnostic], summary: Summary) -> str:
    """GitHub Actions workflow commands (``::error file=...,line=...::message``), then the summary."""
    lines = []
    for d in diagnostics:
        # GitHub's own escapes (%25, %0D, %0A, %3A, %2C) for what it decodes; other controls as \xHH.
        props = [f"file={_escape_property(printable(d.path, keep=chr(10) + chr(13)))}", f"line={d.line}", f"col={d.col}"]
        if d.end_line and d.end_col:
            props += [f"endLine={d.end_line}", f"endColumn={d.end_col}"]
        props.append(f"title={_escape_property(f'{d.code} {d.name}')}")
        lines.append(f"::{_GITHUB_LEVEL[d.severity]} {','.join(props)}::{_escape_data(printable(d.message, keep=chr(10) + chr(13)))}")
    lines.append(summary.text())
    return "\n".join(lines) + "\n"


_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _artifact(path: str) -> dict[str, str]:
    # ':' is escaped too, so that "a:b.md" is not read as a URI with the scheme "a".
    raw = os.fsencode(PurePath(path).as_posix())  # the file name's own bytes, even when not UTF-8
    return {"uri": quote(raw, safe="/@!$&'()*+,;=-._~")}


def sarif(
    diagnostics: Sequence[Diagnostic],
    summary: Summary,
    rules: Sequence[tuple[str, str, Severity, str]] = (),
) -> str:
    """A SARIF 2.1.0 log with one run; ``rules`` is ``(code, name, default severity, doc)``.

    Columns are Unicode code points (``columnKind: unicodeCodePoints``), as
    in every other format. The summary is in ``runs[0].properties.summary``;
    the post list of each cross-file finding is in ``runs[0].properties.groups``
    once, and its results point at it with ``properties.group``.
    """
    index = {code: i for i, (code, _, _, _) in enumerate(rules)}
    group_index, groups = _groups(diagnostics)
    results = []
    for d in diagnostics:
        region: dict[str, int] = {"startLine": d.line, "startColumn": d.col}
        if d.end_line and d.end_col:
            region.update(endLine=d.end_line, endColumn=d.end_col)
        result: dict[str, object] = {
            "ruleId": d.code,
            "level": _SARIF_LEVEL[d.severity],
            "message": {"text": d.message},
            "locations": [{"physicalLocation": {"artifactLocation": _artifact(d.path), "region": region}}],
        }
        if d.code in index:
            result["ruleIndex"] = index[d.code]
        if d.group is not None:
            result["properties"] = {"group": group_index[id(d.group)]}
        if d.fix is not None and all(e.start_position and e.end_position for e in d.fix.edits):
            result["fixes"] = [
                {
                    "description": {"text": f"{d.fix.message} ({d.fix.applicability.value})"},
                    "artifactChanges": [
                        {
                            "artifactLocation": _artifact(d.path),
                            "replacements": [
                                {
                                    "deletedRegion": {
                                        "startLine": e.start_position[0],  # type: ignore[index]
                                        "startColumn": e.start_position[1],  # type: ignore[index]
                                        "endLine": e.end_position[0],  # type: ignore[index]
                                        "endColumn": e.end_position[1],  # type: ignore[index]
                                    },
                                    "insertedContent": {"text": e.content},
                                }
                                for e in d.fix.edits
                            ],
                        }
                    ],
                }
            ]
        results.append(result)
    driver_rules = [
        {
            "id": code,
            "name": name,
            "shortDescription": {"text": (doc.strip().splitlines() or [name])[0]},
            "fullDescription": {"text": doc.strip()},
            "help": {"text": doc.strip(), "markdown": doc.strip()},
            "defaultConfiguration": {"level": _SARIF_LEVEL[level]},
        }
        for code, name, level, doc in rules
    ]
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "postkit",
                        "version": __version__,
                        "informationUri": PROJECT_URL,
                        "rules": driver_rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": results,
                "properties": {"summary": summary.as_dict(), "groups": groups},
            }
        ],
    }
    import json

    return _json_text(json.dumps(log, ensure_ascii=False, indent=2)) + "\n"


_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}

Segment = tuple[str, str | None]
"""A piece of text and its Rich style name (``None`` for plain)."""


def display_width(text: str) -> int:
    """Terminal columns ``text`` takes: East Asian wide and full-width characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 0 if unicodedata.combining(ch) else 1 for ch in text)


def full(
    diagnostics: Sequence[Diagnostic],
    summary: Summary,
    source_line: Callable[[str, int], str | None],
) -> list[list[Segment]]:
    """Lines of styled segments: diagnostics grouped by file, each with its line and a caret.

    ``source_line(path, line)`` returns the text of a line for display, or
    ``None`` when it is not known (unreadable files). The CLI prints the
    segments through Rich on a terminal and as plain text elsewhere, so
    pre-commit and CI logs never pay for importing Rich.
    """
    out: list[list[Segment]] = []
    current = None
    for d in diagnostics:
        if d.path != current:
            if current is not None:
                out.append([])
            out.append([(shown(d.path), "bold underline")])
            current = d.path
        out.append([
            ("  ", None),
            (f"{d.line}:{d.col}".ljust(8), "dim"),
            (d.severity.label.ljust(8), _STYLE[d.severity]),
            (f"{d.code} ", "bold"),
            (f"{d.name}  ", "dim"),
            (printable(d.message), None),
        ])
        line = source_line(d.path, d.line)
        if line is not None and line.strip():
            # Control characters in the post show escaped; the caret counts them as printed.
            out.append([(f"{d.line:>6} │ ", "dim"), (printable(line, keep="\t").expandtabs(4), None)])
            prefix = printable(line[: d.col - 1], keep="\t").expandtabs(4)
            width = 1
            if d.end_line == d.line and d.end_col and d.end_col > d.col:
                width = max(1, display_width(printable(line[d.col - 1 : d.end_col - 1], keep="\t").expandtabs(4)))
            out.append([(" " * 6 + " │ ", "dim"), (" " * display_width(prefix) + "^" * width, _STYLE[d.severity])])
        if d.fix is not None:
            safe = d.fix.applicability is Applicability.SAFE
            out.append([(f"         {'fix' if safe else 'unsafe fix'}: {d.fix.message}", "green" if safe else "magenta")])
    if diagnostics:
        out.append([])
    style = "bold red" if summary.errors else "bold yellow" if summary.warnings else "bold green"
    for text in summary.text().splitlines():
        out.append([(text, style)])
    return out


def plain(lines: list[list[Segment]]) -> str:
    """Styled lines as plain text, one per line."""
    return "".join("".join(text for text, _ in line) + "\n" for line in lines)


def batch_summary(
    counts: dict[str, int],
    failures: Sequence[tuple[str, str]],
    notes: dict[str, int],
    changed_label: str = "converted",
) -> list[list[Segment]]:
    """The end of ``convert`` and ``traditional``: one line per failed file, then a table of counts.

    ``failures`` are ``(path, "line:col: CODE message")``, printed as
    ``path:line:col: CODE message`` like every other diagnostic.

    ``counts`` maps ``converted``/``unchanged``/``skipped``/``failed`` to
    numbers; ``changed_label`` renames the first row (``would change`` under
    ``--check``); ``notes`` adds rows such as ``relative links left``.
    """
    out: list[list[Segment]] = [[(shown(path), "bold"), (f":{printable(message)}", "red")] for path, message in failures]
    if failures:
        out.append([])
    rows = [(changed_label if name == "converted" else name, number) for name, number in counts.items()]
    rows += list(notes.items())
    width = max(len(name) for name, _ in rows)
    for name, number in rows:
        style = "red" if name == "failed" and number else "green" if name == changed_label and number else None
        out.append([(f"{name.ljust(width)}  {number:>6}", style)])
    return out
