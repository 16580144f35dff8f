"""image-field (PK302): an image field is empty, not a URL or site path, or a known placeholder.

## What it checks
Each field in `image-fields` must hold an `http`/`https` URL, a
protocol-relative `//host/path`, or a site path such as `/img/a.png`.
Reported, each with its reason:

- empty (`thumbnail: ''`) or null;
- spaces around the URL;
- a relative path, another scheme, or a `data:` URI;
- a placeholder: the words `undefined`/`null` or a URL ending in them
  (a template printed a missing value), or a random-picture service such as
  picsum.photos (the full table is `PLACEHOLDER_HOSTS` in
  `postkit/rules/image_values.py`).

## Why it matters
Themes print the field into `<img>` and `og:image`: an empty one shows a
broken picture, a relative one breaks on every page but the post itself,
and a random service shows a different picture on every view.

## Example
```yaml
thumbnail: ''
cover: https://picsum.photos/400/300
```

## Fix
A safe fix trims spaces around a URL. An unsafe fix removes an empty field's
line. Other values need a real picture.
"""

from __future__ import annotations

from typing import Iterator

import yaml

from postkit.diagnostics import Applicability, Fix, Severity
from postkit.rules.base import Post, Problem
from postkit.rules.image_values import image_entries, problem_with, url_of

CODE = "PK302"
NAME = "image-field"
DEFAULT = Severity.WARNING
FIX = "both"


def check(post: Post) -> Iterator[Problem]:
    front_matter = post.front_matter
    for key, key_node, value_node in image_entries(post):
        if isinstance(value_node, yaml.ScalarNode) and value_node.tag == "tag:yaml.org,2002:null":
            fix = Fix(f"remove the empty {key}", (front_matter.removal(key_node, value_node),), Applicability.UNSAFE)
            yield post.problem_at(key_node, f"{key} is empty (null)", fix)
            continue
        url = url_of(value_node)
        if url is None:
            if not isinstance(value_node, yaml.ScalarNode):
                yield post.problem_at(value_node, f"{key} is a list or mapping; themes expect one URL")
            else:
                yield post.problem_at(value_node, f"{key} is {value_node.value!r}, not a URL")
            continue
        reason = problem_with(url)
        if reason is None:
            continue
        fix = None
        if reason == "is empty":
            fix = Fix(f"remove the empty {key}", (front_matter.removal(key_node, value_node),), Applicability.UNSAFE)
        elif reason == "has spaces around the URL" and problem_with(url.strip()) is None:
            quoted = "'" + url.strip().replace("'", "''") + "'" if value_node.style else url.strip()
            fix = Fix(f"trim it: {url.strip()}", (front_matter.replace_scalar(value_node, quoted),))  # type: ignore[arg-type]
        yield post.problem_at(value_node if front_matter.source(value_node) else key_node, f"{key} {reason}", fix)
