"""Message codes outside the rule registries, documented in the rules' template for ``postkit rules``.

validate's rules (PK) and the image checker's reasons (IMG) have registries
of their own. The other commands report per-file failures and notes with
codes too; each command keeps a table of :class:`Code` beside its code, and
this module holds the codes of the core's batch runner (OUT).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    """One message code: ``code`` (``OUT001``), kebab-case ``name``, the ``command`` that reports it, its severity and docs."""

    code: str
    name: str
    command: str
    severity: str
    summary: str
    meaning: str
    why: str
    example: str
    fix: str

    def doc(self) -> str:
        """The code's documentation in the rules' template: what it means, why, an example, the fix."""
        return (
            f"{self.name} ({self.code}): {self.summary}\n\n## What it means\n{self.meaning}\n\n## Why it matters\n{self.why}"
            f"\n\n## Example\n{self.example}\n\n## Fix\n{self.fix}\n"
        )


OUTPUT_CODES = (
    Code(
        "OUT001", "write-error", "convert, traditional", "error", "the output file cannot be written",
        "The converted post or copy could not be written: a read-only folder, a full disk, a name the file system refuses.",
        "Nothing was written for this post; the original is untouched and the other posts went on.",
        "```\nsource/_posts/a.md:1:1: OUT001 cannot write source/_posts/a.zh-Hant.md: Permission denied\n```",
        "Make the folder writable or free some space, then run the command again.",
    ),
    Code(
        "OUT002", "nested-too-deeply", "convert, traditional", "error", "the post nests too deeply to process",
        "The post's structure (HTML elements, lists, quotes) nests deeper than the converter can follow.",
        "A page that deep is almost always broken markup; converting it would take unbounded time or memory.",
        "```\nsource/_posts/a.md:5:1: OUT002 HTML nests too deeply to convert\n```",
        "Repair the markup at the source (unclosed tags), or convert the post by hand.",
    ),
    Code(
        "OUT003", "cannot-process", "convert, traditional", "error", "the post cannot be processed",
        "The post failed for a reason that has no code of its own; the message says which.",
        "Nothing was written for this post; the other posts went on.",
        "```\nsource/_posts/a.md:1:1: OUT003 the post is larger than max-post-size (10,000,000 bytes)\n```",
        "Do what the message says; report it as a bug when it names none.",
    ),
)
