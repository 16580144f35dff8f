"""Where YAML 1.1 (PyYAML, Jekyll's Psych) and YAML 1.2 (Hexo's js-yaml, Hugo) read a plain scalar differently.

Shared by wrong-type (PK103) and ambiguous-scalar (PK104).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from postkit.core.front_matter import ParsedFrontMatter, build_scalar, quote

# YAML 1.1 booleans that the YAML 1.2 core schema reads as strings.
YAML11_ONLY_BOOLEANS = frozenset("yes Yes YES no No NO on On ON off Off OFF y Y n N".split())
YAML12_BOOLEANS = frozenset("true True TRUE false False FALSE".split())
_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$")
_OCTAL_11 = re.compile(r"^[-+]?0[0-7_]+$")
_BINARY = re.compile(r"^[-+]?0b[0-1_]+$")
_UNDERSCORE_NUMBER = re.compile(r"^[-+]?[0-9][0-9_]*_[0-9_]*(?:\.[0-9_]*)?$")


def is_plain(node: yaml.Node) -> bool:
    """True for an unquoted scalar (the only kind whose type YAML guesses)."""
    return isinstance(node, yaml.ScalarNode) and node.style in (None, "")


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return f"the string {value!r}"
    if isinstance(value, bool):
        return f"the boolean {value}"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if value is None:
        return "null"
    return f"the date {value!r}"


def _build(text: str, version: str) -> Any:
    if version == "1.1":
        return build_scalar(text)
    from postkit.validate.reading import Yaml12Loader

    try:
        return yaml.load(text, Loader=Yaml12Loader)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError):
        return text


_STR_TAG = "tag:yaml.org,2002:str"
_SKIPPED = frozenset({"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:null", "tag:yaml.org,2002:merge", "tag:yaml.org,2002:value"})
_RESOLVERS: dict[str, yaml.resolver.BaseResolver] = {}


def _tag(text: str, version: str) -> str:
    """The tag a YAML version's table resolves a plain scalar to (no building)."""
    resolver = _RESOLVERS.get(version)
    if resolver is None:
        if version == "1.1":
            resolver = yaml.resolver.Resolver()
        else:
            from postkit.validate.reading import Yaml12Loader

            class _Resolver12(yaml.resolver.BaseResolver):
                yaml_implicit_resolvers = Yaml12Loader.yaml_implicit_resolvers

            resolver = _Resolver12()
        _RESOLVERS[version] = resolver
    return resolver.resolve(yaml.ScalarNode, text, (True, False))


def readings(node: yaml.ScalarNode) -> tuple[Any, Any] | None:
    """``(yaml_1_1_value, yaml_1_2_value)`` of a plain scalar when the two versions differ; else ``None``.

    YAML 1.1 is PyYAML's table (Jekyll's Psych); YAML 1.2 is js-yaml's core
    schema (Hexo; Hugo's go-yaml v3 reads the same forms).
    """
    if not is_plain(node) or not _CANDIDATE.match(node.value):
        return None
    text = node.value
    old_tag, new_tag = _tag(text, "1.1"), _tag(text, "1.2")
    if old_tag == _STR_TAG == new_tag or _SKIPPED & {old_tag, new_tag}:
        return None  # a string to both, or a date or null to one: nothing to compare here
    if old_tag == new_tag and old_tag == "tag:yaml.org,2002:bool":
        return None
    old, new = _build(text, "1.1"), _build(text, "1.2")
    if type(old) is type(new) and (old == new or old != old and new != new):
        return None
    if old is None or new is None or not isinstance(old, (str, bool, int, float)) or not isinstance(new, (str, bool, int, float)):
        return None  # dates and nulls: the date rules and empty-value (PK102) speak about those
    return old, new


# Only texts that can be a non-string in either version need resolving (keeps the rule cheap):
# numbers, dates and sexagesimals start with a digit, a sign or a dot; the rest are a few words.
_CANDIDATE = re.compile(r"^(?:[-+.0-9~<=]|(?:yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|true|True|TRUE|false|False|FALSE|null|Null|NULL)$)")


def yaml11_reading(node: yaml.ScalarNode) -> tuple[str, str] | None:
    """How YAML 1.1 and YAML 1.2 read a plain scalar, when they differ; else ``None``.

    Returns ``(yaml_1_1, yaml_1_2)`` descriptions, e.g. ``("the boolean
    False", "the string 'no'")`` for ``no`` (case B31) or ``("the number
    600", "the string '10:00'")`` for ``10:00``.
    """
    found = readings(node)
    return None if found is None else (_describe(found[0]), _describe(found[1]))


def quoted_source(front_matter: ParsedFrontMatter, node: yaml.ScalarNode) -> str:
    """The scalar's text exactly as written, as a single-quoted YAML string."""
    return quote(front_matter.source(node))
