"""The codes ``postkit convert`` reports of its own, documented for ``postkit rules``."""

from __future__ import annotations

from postkit.core.codes import Code

CODES = (
    Code(
        "CNV001", "cannot-convert", "convert", "error", "the HTML body cannot be converted",
        "The body looks like HTML, but the parser or the converter gave up on it.",
        "The post is left untouched, so its HTML still shows raw in the theme's Markdown pipeline.",
        "```\nsource/_posts/a.md:5:1: CNV001 cannot convert HTML body: ...\n```",
        "Open the post at the line given and repair the markup, or keep the body as HTML.",
    ),
)
