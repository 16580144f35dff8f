"""Where YAML 1.1 (PyYAML, Jekyll's Psych) and YAML 1.2 (Hexo's js-yaml, Hugo) read a plain scalar differently.

Shared by wrong-type (PK103) and ambiguous-scalar (PK104).
"""

from __future__ import annotations

import re

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


def yaml11_reading(node: yaml.ScalarNode) -> tuple[str, str] | None:
    """How YAML 1.1 and YAML 1.2 read a plain scalar, when they differ; else ``None``.

    Returns ``(yaml_1_1, yaml_1_2)`` descriptions, e.g. ``("the boolean
    False", "the string 'no'")`` for ``no`` (case B31) or ``("the number
    600", "the string '10:00'")`` for ``10:00``.
    """
    if not is_plain(node):
        return None
    text = node.value
    if node.tag == "tag:yaml.org,2002:bool" and text in YAML11_ONLY_BOOLEANS:
        value = text.lower() in ("yes", "on", "y")
        return f"the boolean {value}", f"the string {text!r}"
    if node.tag in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float"):
        if _OCTAL_11.match(text) and "_" not in text:
            return f"the number {build_scalar(text)!r}", f"the number {int(text, 10)!r}"
        if _SEXAGESIMAL.match(text) or _BINARY.match(text) or _UNDERSCORE_NUMBER.match(text):
            return f"the number {build_scalar(text)!r}", f"the string {text!r}"
    return None


def quoted_source(front_matter: ParsedFrontMatter, node: yaml.ScalarNode) -> str:
    """The scalar's text exactly as written, as a single-quoted YAML string."""
    return quote(front_matter.source(node))
