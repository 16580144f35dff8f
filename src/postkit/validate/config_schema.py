"""The config keys of ``postkit validate``: rule selection and the post shape it checks.

They sit in ``[tool.postkit]`` itself, as ruff's ``select`` and ``ignore``
do. This module imports only the core config module; the rule registry loads
only when a config file names rule codes.
"""

from __future__ import annotations

from typing import Any

from postkit.core.config import Section, is_str, list_of_str, table_of


def _check(table: dict[str, Any], _whole: dict[str, Any]) -> None:
    """Rule codes, severities, date formats and the kept image field must name things that exist."""
    from postkit.core.image_urls import DEFAULT_IMAGE_FIELDS

    if any(key in table for key in ("select", "ignore", "severity", "per-file-ignores")):
        from postkit.validate.engine import expand_codes

        for key in ("select", "ignore"):
            expand_codes(table.get(key, []))
        for pattern, word in table.get("severity", {}).items():
            expand_codes([pattern])
            if word.lower() not in ("error", "warning", "info"):
                raise ValueError(f"severity of {pattern} must be 'error', 'warning' or 'info', not {word!r}")
        for codes in table.get("per-file-ignores", {}).values():
            expand_codes(codes)
    if "date-formats" in table:
        from postkit.validate.rules.dates import FormatError, validate_format

        try:
            for name in table["date-formats"]:
                validate_format(name)
        except FormatError as error:
            raise ValueError(str(error)) from None
    if "engine" in table and table["engine"] not in ("hexo", "jekyll", "hugo"):
        raise ValueError(f"'engine' is {table['engine']!r}; use 'hexo', 'jekyll' or 'hugo'")
    if "keep-image-field" in table:
        fields = table.get("image-fields", DEFAULT_IMAGE_FIELDS)
        if table["keep-image-field"] not in fields:
            raise ValueError(
                f"'keep-image-field' is {table['keep-image-field']!r}, which is not one of the image fields ({', '.join(fields)})"
            )


SECTION = Section(
    keys={
        "required": (list_of_str, "a list of strings"),
        "date-formats": (list_of_str, "a list of strings"),
        "select": (list_of_str, "a list of rule codes"),
        "ignore": (list_of_str, "a list of rule codes"),
        "severity": (table_of(is_str), "a table of code = 'error' | 'warning' | 'info'"),
        "per-file-ignores": (table_of(list_of_str), "a table of glob = [codes]"),
        "keep-image-field": (is_str, "a string (an image field name)"),
        "engine": (is_str, "'hexo', 'jekyll' or 'hugo'"),
        "template-tags": (list_of_str, "a list of tag names (theme and plugin Nunjucks tags)"),
    },
    check=_check,
    top_level=True,
)
