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

## Fix
A safe fix quotes the value exactly as written: `lang: 'no'`, which keeps
what Hexo already reads. For `0755`, which YAML 1.2 reads as the number
755, quoting changes Hexo's value, so that fix is unsafe.
"""

from __future__ import annotations

from typing import Iterator

import yaml

from postkit.core.diagnostics import Applicability, Fix, Severity
from postkit.validate.rules.wrong_type import KEYS as TYPED_KEYS
from postkit.validate.rules.base import Post, Problem
from postkit.validate.rules.scalars import quoted_source, yaml11_reading

CODE = "PK104"
NAME = "ambiguous-scalar"
DEFAULT = Severity.WARNING
FIX = "both"


def check(post: Post) -> Iterator[Problem]:
    root = post.front_matter.root
    if root is None or not post.front_matter.is_mapping:
        return
    stack: list[tuple[yaml.Node, yaml.Node]] = []
    for key_node, value_node in root.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value in TYPED_KEYS:
            continue
        stack.append((value_node, key_node))
    stack.reverse()  # pop in document order, so an anchor is met before its aliases
    seen: set[int] = set()
    while stack:
        node, owner = stack.pop()
        if id(node) in seen:
            continue  # an anchored node is checked once, where it is written
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack.extend((item, node) for item in reversed(node.value))
        elif isinstance(node, yaml.MappingNode):
            stack.extend((value, key) for key, value in reversed(node.value))
        else:
            readings = yaml11_reading(node)
            if readings:
                quoted = quoted_source(post.front_matter, node)
                # Quoting keeps YAML 1.2's reading when that is a string; when YAML 1.2 reads a
                # number (octal-looking 0755), quoting changes what Hexo sees, so it is unsafe.
                keeps_hexo = readings[1].startswith("the string")
                fix = Fix(
                    f"quote it: {quoted}",
                    (post.front_matter.replace_scalar(node, quoted),),
                    Applicability.SAFE if keeps_hexo else Applicability.UNSAFE,
                )
                yield post.problem_at(
                    node,
                    f"{node.value} is {readings[0]} to YAML 1.1 (PyYAML, Jekyll) but {readings[1]} to YAML 1.2 (Hexo, Hugo)",
                    fix,
                    owner=owner,
                )
