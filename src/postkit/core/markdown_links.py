"""Where a CommonMark link destination ends: shared by the image collector and the script converter."""

from __future__ import annotations


def bare_destination_end(text: str, start: int, end: int) -> tuple[int, int]:
    """Scan a link destination written without ``<...>`` from ``start``; return ``(stop, open_parentheses)``.

    CommonMark 0.31 section 6.3 (as markdown-it implements it): the
    destination ends at a space, an ASCII control character or an unmatched
    ``)``; a backslash escapes the next character; parentheses nest. Other
    Unicode spaces, such as U+3000, are part of the destination. A result
    with ``open_parentheses > 0`` is not a valid destination.
    """
    index = start
    depth = 0
    while index < end:
        char = text[index]
        if char == "\\" and index + 1 < end:
            index += 2
            continue
        if char == " " or ord(char) < 0x20 or char == "\x7f":
            break
        if char == "(":
            depth += 1
        elif char == ")":
            if depth == 0:
                break
            depth -= 1
        index += 1
    return index, depth
