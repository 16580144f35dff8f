"""The post rules (front matter, and the body where the generator reads it), one module each, in an explicit registry keyed by code.

Nothing is discovered by magic (yamllint's ``rules/__init__.py``): a new rule
is imported and listed here. Codes never change once released.
"""

from __future__ import annotations

from types import ModuleType

from postkit.validate.rules import (
    ambiguous_scalar,
    date_format,
    duplicate_image,
    duplicate_key,
    duplicate_title,
    empty_value,
    file_name,
    image_field,
    invalid_date,
    mangled_title,
    missing_key,
    naive_date,
    no_front_matter,
    not_a_mapping,
    read_error,
    reused_image,
    template_hazard,
    unsupported_format,
    updated_before_date,
    wrong_type,
    yaml_syntax,
)

RULES: dict[str, ModuleType] = {
    module.CODE: module
    for module in (
        read_error,
        no_front_matter,
        yaml_syntax,
        duplicate_key,
        not_a_mapping,
        unsupported_format,
        missing_key,
        empty_value,
        wrong_type,
        ambiguous_scalar,
        mangled_title,
        invalid_date,
        date_format,
        naive_date,
        updated_before_date,
        duplicate_image,
        image_field,
        reused_image,
        duplicate_title,
        file_name,
        template_hazard,
    )
}
BY_NAME: dict[str, ModuleType] = {module.NAME: module for module in RULES.values()}


def lookup(code_or_name: str) -> ModuleType | None:
    """The rule module for a code (``PK202``, any case) or a name (``date-format``)."""
    return RULES.get(code_or_name.upper()) or BY_NAME.get(code_or_name.lower())


def is_project_rule(module: ModuleType) -> bool:
    """True for rules that compare posts with each other (``SCOPE = "project"``)."""
    return getattr(module, "SCOPE", "post") == "project"


def runs_on(module: ModuleType, front_matter_format: str | None) -> bool:
    """True when the rule applies to a post whose front matter is in ``front_matter_format``.

    Rules read YAML; on TOML front matter only rules marked ``ANY_FORMAT``
    (file-level checks) run.
    """
    return front_matter_format in (None, "yaml") or getattr(module, "ANY_FORMAT", False)
