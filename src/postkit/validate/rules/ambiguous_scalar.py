"""ambiguous-scalar (PK104): an unquoted value that YAML 1.1 and YAML 1.2 read differently.

## What it checks
Plain (unquoted) values anywhere in the front matter, other than those
wrong-type (PK103) checks, that YAML 1.1 reads as a boolean or number while
YAML 1.2 reads them as a string or another number: `yes`/`no`/`on`/`off`
(the "Norway problem"), sexagesimal `10:00` (= 600), octal `010`, binary
`0b11`, and numbers with `_`.

## Why it matters
Hexo (js-yaml) and Hugo read YAML 1.2; PyYAML, python-frontmatter and
Jekyll read YAML 1.1. The same post means different things to the site and
to every Python script that processes it (case B31: `lang: no` is `False`
to PyYAML, the string `"no"` to Hexo).

## Example
```yaml
lang: no
time: 10:00
```

## Severity
A warning: under `engine = "hexo"` or `"hugo"` the site reads YAML 1.2, so
the YAML 1.1 reading is a trap only other tools fall into, and the same holds
the other way round under `"jekyll"`. For `title`, tags and categories it
speaks only when the configured engine shows the text as written;
wrong-type (PK103) reports the rest as errors.

## Fix
A safe fix quotes the value exactly as written: `lang: 'no'`, which keeps
what Hexo already reads. For `0755`, which YAML 1.2 reads as the number
755, quoting changes Hexo's value, so that fix is unsafe.
"""

from __future__ import annotations

from typing import Iterator

import yaml

from postkit.core.diagnostics import Applicability, Fix, Severity
from postkit.validate.rules.wrong_type import ALIASES, KEYS
from postkit.validate.rules.base import Post, Problem
from postkit.validate.reading import YAML_VERSION
from postkit.validate.rules.scalars import _CANDIDATE, _describe, quoted_source, readings

CODE = "PK104"
NAME = "ambiguous-scalar"
DEFAULT = Severity.WARNING
FIX = "both"


# wrong-type (PK103) owns `comments`: a word there is judged by what the site does with it.
TYPED_KEYS = KEYS + tuple(ALIASES)


def _engine_keeps_text(post: Post, node: yaml.ScalarNode, old: object, new: object) -> bool:
    """True when the configured engine reads the scalar as the text written."""
    value = old if YAML_VERSION[post.engine] == "1.1" else new
    return isinstance(value, str)


def _candidates(root: yaml.MappingNode, with_aliases: bool) -> Iterator[tuple[yaml.ScalarNode, yaml.Node | None, bool]]:
    """``(scalar, owner, typed)`` for each plain scalar that a YAML version may read as a non-string.

    ``owner`` (the key or list a node belongs to) is tracked only when the
    front matter uses aliases, where it decides where a problem points.
    """
    stack: list[tuple[yaml.Node, yaml.Node | None, bool]] = []
    for key_node, value_node in root.value:
        typed = isinstance(key_node, yaml.ScalarNode) and key_node.value in TYPED_KEYS
        if typed and key_node.value == "comments":
            continue
        stack.append((value_node, key_node if with_aliases else None, typed))
    stack.reverse()  # pop in document order, so an anchor is met before its aliases
    seen: set[int] = set()
    while stack:
        node, owner, typed = stack.pop()
        if with_aliases:
            if id(node) in seen:
                continue  # an anchored node is checked once, where it is written
            seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if not node.style and _CANDIDATE.match(node.value):
                yield node, owner, typed
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, node if with_aliases else None, typed) for item in reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            stack.extend((value, key if with_aliases else None, typed) for key, value in reversed(node.value))


def check(post: Post) -> Iterator[Problem]:
    root = post.front_matter.root
    if root is None or not post.front_matter.is_mapping:
        return
    with_aliases = "*" in post.document.yaml_text
    for node, owner, typed in _candidates(root, with_aliases):
        found = readings(node)
        if not found:
            continue
        old, new = found
        keeps = _engine_keeps_text(post, node, old, new)
        if typed and not keeps:
            continue  # wrong-type (PK103) reports what the engine shows instead of the text
        quoted = quoted_source(post.front_matter, node)
        # Quoting keeps the configured engine's reading when that is the string; otherwise it
        # changes what the site shows (0755 is the number 755 to Hexo), so it is unsafe.
        fix = Fix(
            f"quote it: {quoted}",
            (post.front_matter.replace_scalar(node, quoted),),
            Applicability.SAFE if keeps else Applicability.UNSAFE,
        )
        yield post.problem_at(
            node,
            f"{node.value} is {_describe(old)} to YAML 1.1 (PyYAML, Jekyll) but {_describe(new)} to YAML 1.2 (Hexo, Hugo)",
            fix,
            owner=owner,
            other_engines=keeps,
        )
