"""Make the Traditional (or Simplified) copy of one post: converted body and values, ``lang`` set, the rest byte-identical."""

from __future__ import annotations

import re

from postkit.core.batch import Skip, TransformError
from postkit.core.document import Document, unclosed_fence_message
from postkit.core.front_matter import parse

_LONE_LF = re.compile(r"(?<!\r)\n")
NOT_EDITABLE = "TRD001"  # front matter that parses but cannot be edited in place (flow mapping, a list under a converted key)


def copy_text(
    document: Document,
    config: str,
    keys: tuple[str, ...],
    lang_key: str,
    *,
    skip_non_chinese: bool = False,
    convert_html: bool = False,
    suffix: str | None = None,
    phrases: dict | None = None,
    punctuation: bool = False,
) -> tuple[str, dict[str, int]]:
    """The full text of the post's converted copy, and notes for the summary.

    ``config`` is an OpenCC config name; the front matter values of ``keys``
    and the body are converted with protected spans (URLs, code, tags, Hexo
    tags, keys, dates) kept byte-identical; ``lang_key`` gets the BCP 47 tag.
    With ``convert_html`` an HTML body first becomes Markdown (``postkit
    convert``). A post with no Chinese is copied with only ``lang`` set,
    unless ``skip_non_chinese``. ``phrases`` is the user's checked phrase
    table (``rules.user_phrases``); ``punctuation`` maps quotation marks for
    the region.

    Raises:
        Skip: the post is itself a copy (by name or ``lang``), or has no
            Chinese and ``skip_non_chinese`` is set.
        TransformError: the front matter is not valid YAML or not a mapping,
            or an HTML body cannot be converted.
    """
    from postkit.convert.post import CR_ONLY_MESSAGE, cr_only_line_breaks, hexo_document
    from postkit.traditional.post import FrontMatterError, convert_post, is_copy, looks_chinese

    if cr_only_line_breaks(document.text):
        raise TransformError(CR_ONLY_MESSAGE)
    front_matter = parse(document)
    lang = front_matter.value(lang_key) if front_matter.is_mapping else None
    if is_copy(document.path, lang, config=config, suffix=suffix):
        raise Skip("is itself a converted copy")
    span = document.front_matter
    if span is None and document.unclosed_fence_line is not None:
        line = document.unclosed_fence_line
        raise TransformError(unclosed_fence_message(line), code="PK001", line=line)
    hexo_span = hexo_document(document).front_matter if span is None else span
    if span is None and hexo_span is not None:
        form = "in the ';;;' JSON form" if document.text[hexo_span.end : hexo_span.end + 3] == ";;;" else "with no opening '---' line"
        raise TransformError(
            f"Hexo reads front matter here {form}; postkit edits only YAML front matter between '---' lines, so no copy is written",
            code=NOT_EDITABLE,
            line=hexo_span.close_line,
        )
    if span is not None and span.format != "yaml":
        raise TransformError("TOML front matter is not supported; postkit edits YAML front matter", code="PK005", line=span.open_line)
    if front_matter.error is not None:
        error = front_matter.error
        raise TransformError(f"front matter is not valid YAML: {error.message}", code="PK002", line=error.line, col=error.col)
    if span is not None and not front_matter.is_mapping:
        kind = "a list" if isinstance(front_matter.data, list) else "a single value"
        raise TransformError(f"front matter is {kind}, not a mapping of keys to values", code="PK004", line=span.first_line)
    notes: dict[str, int] = {}
    if convert_html:
        from postkit.convert.post import convert_post as html_post

        try:
            text, notes = html_post(document)
            document = Document.from_text(("\ufeff" if document.bom else "") + text, document.path)
        except Skip:
            pass
    yaml_text = document.yaml_text
    body = document.body
    if skip_non_chinese and not looks_chinese(body + "\n" + yaml_text):
        raise Skip("has no Chinese text")
    try:
        new_front_matter, new_body = convert_post(
            yaml_text, body, config, keys=keys, lang_key=lang_key, phrases=phrases, punctuation=punctuation
        )
    except FrontMatterError as error:
        raise TransformError(str(error), code=NOT_EDITABLE, line=span.first_line if span else 1) from None
    if document.newline == "\r\n":
        new_front_matter = _LONE_LF.sub("\r\n", new_front_matter)
    span = document.front_matter
    if span is None:
        newline = document.newline
        return f"---{newline}{new_front_matter.rstrip(chr(10)).rstrip(chr(13))}{newline}---{newline}{new_body}", notes
    text = document.text
    return text[: span.start] + new_front_matter + text[span.end : span.body_start] + new_body, notes
