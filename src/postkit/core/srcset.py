"""Parse a srcset attribute as the HTML Living Standard does: shared by the image checker and the converter."""

from __future__ import annotations

from typing import Iterator

SPACE = " \t\n\r\f"


def srcset_entries(value: str) -> Iterator[tuple[str, int, str]]:
    """``(url, offset, descriptors)`` of each candidate in a srcset value, URL still raw.

    Follows "parse a srcset attribute": candidates are split at commas
    outside parentheses; a URL is the run of non-space characters (commas
    inside it stay: ``c_fill,w_640/a.jpg``) and loses trailing commas;
    ``descriptors`` is the text after it (``640w``, ``2x``), stripped.
    A candidate written as a template tag (``{% asset_path a.png %} 2x``)
    keeps the whole tag as its URL.
    """
    index = 0
    length = len(value)
    while index < length:
        while index < length and (value[index] in SPACE or value[index] == ","):
            index += 1
        if index >= length:
            return
        start = index
        if value.startswith("{%", index) and value.find("%}", index) != -1:
            # A template tag (Hexo's {% asset_path name %}) is rendered into one URL before a browser reads it.
            index = value.find("%}", index) + 2
        while index < length and value[index] not in SPACE:
            index += 1
        url = value[start:index]
        descriptors_start = index
        if url.endswith(","):
            url = url.rstrip(",")
            descriptors = ""
        else:
            depth = 0
            while index < length:
                char = value[index]
                if char == "(":
                    depth = 1
                elif char == ")":
                    depth = 0
                elif char == "," and not depth:
                    break
                index += 1
            descriptors = value[descriptors_start:index].strip(SPACE)
            index += 1
        if url:
            yield url, start, descriptors


def srcset_candidates(value: str) -> Iterator[tuple[str, int]]:
    """``(url, offset)`` of each candidate in a srcset value, URLs still raw (see :func:`srcset_entries`)."""
    for url, offset, _ in srcset_entries(value):
        yield url, offset


def largest_srcset_candidate(value: str) -> str:
    """The candidate URL a wide screen would pick: the largest width (``w``) or density (``x``); ``""`` if none.

    A candidate without a descriptor counts as ``1x``; ties keep the first.
    """
    best_url, best_score = "", -1.0
    for url, _, descriptors in srcset_entries(value):
        score = 1.0
        for descriptor in descriptors.split():
            unit = descriptor[-1:].lower()
            if unit in ("w", "x"):
                try:
                    score = float(descriptor[:-1])
                except ValueError:
                    score = 1.0
                break
        if score > best_score:
            best_url, best_score = url, score
    return best_url
