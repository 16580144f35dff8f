"""Quotation marks for the region: “”/‘’ as Taiwan and Hong Kong write them, 「」/『』, and back."""

from __future__ import annotations

# Outer quotes are 「」, quotes inside them 『』, inside those 「」 again.
_FORWARD_LEVELS = (("「", "」"), ("『", "』"))
_OPENING = {"“": "”", "‘": "’"}
_CLOSING = {"”": "“", "’": "‘"}
_REVERSE = str.maketrans({"「": "“", "」": "”", "『": "‘", "』": "’"})


def forward_quotes(texts: list[str], stack: list | None = None) -> list[str]:
    """Map “” and ‘’ to 「」 and 『』 by nesting depth, over texts read in order as one text.

    An opening quote takes 「 at depth 0 and 『 one level in, alternating
    deeper; its closing quote takes the matching mark. A closing mark with no
    opening one (an apostrophe: don’t) and a closing mark that does not match
    the innermost open quote are left as they are. A blank line ends every
    open quote, as a paragraph does. stack, when given, holds the quotes
    left open by an earlier call and is updated in place.
    """
    if stack is None:
        stack = []  # (closing mark expected, closing mark to write)
    result = []
    for text in texts:
        if not any(mark in text for mark in "“”‘’"):
            if "\n\n" in text:
                stack.clear()
            result.append(text)
            continue
        out = []
        previous = ""
        for character in text:
            if character == "\n" and previous == "\n":
                stack.clear()
            if character in _OPENING:
                opening, closing = _FORWARD_LEVELS[len(stack) % 2]
                stack.append((_OPENING[character], closing))
                out.append(opening)
            elif character in _CLOSING and stack and stack[-1][0] == character:
                out.append(stack.pop()[1])
            else:
                out.append(character)
            previous = character
        result.append("".join(out))
    return result


def reverse_quotes(texts: list[str]) -> list[str]:
    """Map 「」 and 『』 back to “” and ‘’ (the reverse configs)."""
    return [text.translate(_REVERSE) for text in texts]
