"""The ``markdown`` output format: a report to paste into an issue ("--format markdown").

A pure function from diagnostics to GitHub-flavoured Markdown: a summary,
an overview table of reasons, then one table per reason with one row per
URL and every post, line and column that uses it.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Sequence

from postkit.core.diagnostics import Diagnostic, Severity
from postkit.core.report import Summary, printable, shown

MAX_PLACES = 20  # per URL; the rest is counted


def _cell(text: str) -> str:
    """Text safe inside a table cell: no pipe, no line break (control characters escaped), no raw HTML."""
    return (
        printable(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("|", "\\|").replace("\r", " ").replace("\n", " ")
    )


def _code(text: str) -> str:
    """``text`` as a code span that survives any backticks inside it (control characters escaped: a row stays one line)."""
    text = printable(text)
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    # GFM splits table cells at "|" even inside code spans; "\|" keeps it.
    escaped = text.replace("|", "\\|")
    return f"{fence}{pad}{escaped}{pad}{fence}"


def _link(url: str) -> str:
    """A clickable autolink for an http(s) URL, else a code span."""
    if url.lower().startswith(("http://", "https://")) and not any(c in url for c in " <>|`\n"):
        return f"<{url}>"
    return _code(url)


def markdown(diagnostics: Sequence[Diagnostic], summary: Summary, title: str = "postkit images") -> str:
    """A Markdown report of ``diagnostics``, grouped by reason code, then by URL.

    Diagnostics that carry a ``url`` (``run.ImageDiagnostic``) are grouped
    so that each broken URL is one row listing every place it is used; any
    other diagnostic is its own row. Errors come before warnings and infos.
    """
    out = [f"## {title}", "", printable(summary.text().replace("\n", " ")), ""]
    if not diagnostics:
        return "\n".join(out)
    groups: dict[tuple[str, str, Severity], dict[str, list[Diagnostic]]] = defaultdict(lambda: defaultdict(list))
    for d in diagnostics:
        key = getattr(d, "url", "") or f"{d.path}:{d.line}:{d.col}"
        groups[(d.code, d.name, d.severity)][key].append(d)
    order = sorted(groups, key=lambda item: (-item[2], item[0]))
    out += ["| code | reason | severity | URLs | places |", "|---|---|---|---:|---:|"]
    for code, name, severity in order:
        by_url = groups[(code, name, severity)]
        places = sum(len(found) for found in by_url.values())
        out.append(f"| {code} | {name} | {severity.label} | {len(by_url)} | {places} |")
    for code, name, severity in order:
        out += ["", f"### {code} {name} ({severity.label})", "", "| URL | what happened | where |", "|---|---|---|"]
        for key, found in groups[(code, name, severity)].items():
            first = found[0]
            url = getattr(first, "url", "")
            detail = getattr(first, "detail", "") or first.message
            where = [_code(f"{shown(d.path)}:{d.line}:{d.col}") for d in found[:MAX_PLACES]]
            if len(found) > MAX_PLACES:
                where.append(f"and {len(found) - MAX_PLACES} more")
            shown_url = _link(url) if url else "-"
            out.append(f"| {shown_url} | {_cell(detail)} | {'<br>'.join(where)} |")
    out.append("")
    return "\n".join(out)
