"""``--review``: the places in a post where the converted form was a choice, as diagnostics for an editor.

Each choice becomes an INFO diagnostic at the word's line and column in the
source post, with the word in its context, the form written and the
alternatives. The copy itself is not affected.
"""

from __future__ import annotations

from postkit.core.diagnostics import Diagnostic, Severity
from postkit.core.document import Document
from postkit.core.front_matter import parse

# Stable codes and names, as every postkit report has them.
KINDS = {
    "character": ("TRD101", "one-to-many-character", "a character with more than one form in the target script"),
    "regional phrase": ("TRD102", "regional-phrase", "a phrase the regional dictionary replaces (s2tw, s2twp, s2hk)"),
    "user phrase": ("TRD103", "user-phrase", "an entry of your phrase table"),
    "postkit phrase": ("TRD104", "postkit-phrase", "an entry of postkit's own table of OpenCC dictionary gaps"),
    "rule": ("TRD105", "context-rule", "a rule that reads the words around (一只只, 干 as dry, a byline 著)"),
}
_CONTEXT = 6  # characters of context on each side of the word


def sarif_rules() -> list[tuple[str, str, Severity, str]]:
    """SARIF rule descriptors for the review codes: (code, name, default severity, doc)."""
    return [(code, name, Severity.INFO, description) for code, name, description in KINDS.values()]


def review_document(document: Document, config: str, keys: tuple[str, ...], phrases: dict | None = None) -> list[Diagnostic]:
    """The review diagnostics of one post under an OpenCC config; [] for a post whose front matter does not parse."""
    from postkit.traditional.post import FrontMatterError, get_converter

    converter = get_converter(config, phrases)
    front_matter = parse(document)
    if front_matter.error is not None:
        return []
    text = document.text
    span = document.front_matter
    yaml_start = span.start if span is not None else 0
    body_start = span.body_start if span is not None else 0
    try:
        in_front_matter, in_body = converter.review_post(document.yaml_text, document.body, keys=keys)
    except FrontMatterError:
        return []
    diagnostics = []
    for offset, choices in ((yaml_start, in_front_matter), (body_start, in_body)):
        for choice in choices:
            start = offset + choice.start
            end = offset + choice.end
            diagnostics.append(_diagnostic(document.path, text, start, end, choice))
    return sorted(diagnostics)


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def _diagnostic(path: str, text: str, start: int, end: int, choice) -> Diagnostic:  # noqa: ANN001 - a segment.Choice
    code, name, _description = KINDS[choice.kind]
    line, column = _position(text, start)
    end_line, end_column = _position(text, end)
    before = text[max(0, start - _CONTEXT) : start].rsplit("\n", 1)[-1]
    after = text[end : end + _CONTEXT].split("\n", 1)[0]
    if choice.kind == "character":
        what = f"{text[start:end]} → {choice.chosen} in {choice.word}"
    else:
        what = f"{choice.word} → {choice.chosen}"
    alternatives = "、".join(choice.alternatives)
    message = f"{what} (…{before}[{text[start:end]}]{after}…); other forms: {alternatives}"
    if choice.reason:
        message += f"; {choice.reason}"
    return Diagnostic(
        path=str(path),
        line=line,
        col=column,
        code=code,
        name=name,
        severity=Severity.INFO,
        message=message,
        end_line=end_line,
        end_col=end_column,
    )


def review_files(files: list[str], config: str, keys: tuple[str, ...], phrases: dict | None, suffix: str | None) -> list[Diagnostic]:
    """Review diagnostics of every post the command would copy (copies, and files it cannot read, are left to it)."""
    from postkit.core.document import ReadError, read_document
    from postkit.traditional.post import is_copy, looks_chinese

    diagnostics: list[Diagnostic] = []
    for path in files:
        try:
            document = read_document(path)
        except ReadError:
            continue
        front_matter = parse(document)
        lang = front_matter.value("lang") if front_matter.is_mapping else None
        if is_copy(document.path, lang, config=config, suffix=suffix):
            continue
        if not looks_chinese(document.body + "\n" + document.yaml_text):
            continue
        diagnostics.extend(review_document(document, config, keys, phrases))
    return diagnostics


def print_review(
    files: list[str], config: str, keys: tuple[str, ...], phrases: dict | None, suffix: str | None, output_format: str
) -> None:
    """Print the review of files to stdout in output_format (a core.report format, or markdown)."""
    import sys

    from postkit import console
    from postkit.core import report

    diagnostics = review_files(files, config, keys, phrases, suffix)
    summary = report.Summary.of(diagnostics, len(files), label="review note")
    if output_format == "full":
        lines_of: dict[str, list[str]] = {}

        def source_line(path: str, number: int) -> str | None:
            if path not in lines_of:
                from postkit.core.document import ReadError, read_document

                try:
                    lines_of[path] = read_document(path).text.splitlines()
                except ReadError:
                    lines_of[path] = []
            lines = lines_of[path]
            return lines[number - 1] if 0 < number <= len(lines) else None

        console.print_styled(report.full(diagnostics, summary, source_line))
    elif output_format == "sarif":
        sys.stdout.write(report.sarif(diagnostics, summary, sarif_rules()))
    elif output_format == "markdown":
        from postkit.images.markdown_report import markdown

        sys.stdout.write(markdown(diagnostics, summary, title=f"postkit traditional --review ({config})"))
    else:
        writer = {"concise": report.concise, "json": report.to_json, "github": report.github}[output_format]
        output = writer(diagnostics, summary)
        sys.stdout.write(output if output.endswith("\n") else output + "\n")
    sys.stdout.flush()
