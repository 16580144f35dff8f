"""duplicate-image (PK301): two image fields of one post hold the same URL.

## What it checks
The fields listed in `image-fields` (default `headimg, thumbnail, cover,
banner, index_img, top_img, image, og_image`). RSS-to-Hexo generators write
the first picture of the article into several of them (`headimg` equal to
`thumbnail`).

## Why it matters
Themes that show both print the same picture twice, and the redundant field
is one more hot-linked URL to keep alive.

## Example
```yaml
headimg: https://img.example.cn/a.png
thumbnail: https://img.example.cn/a.png
```

## Fix
An unsafe fix removes the duplicate field's line. It keeps the field named
by `keep-image-field`, or else the first of the group in `image-fields`
order. Unsafe because a theme may read only the field that is removed: set
`keep-image-field` to the one your theme uses.
"""

from __future__ import annotations

from typing import Iterator

from postkit.core.diagnostics import Applicability, Fix, Severity
from postkit.validate.rules.base import Post, Problem
from postkit.validate.rules.image_values import image_entries, url_of

CODE = "PK301"
NAME = "duplicate-image"
DEFAULT = Severity.WARNING
FIX = "unsafe"


def check(post: Post) -> Iterator[Problem]:
    groups: dict[str, list[tuple[str, object, object]]] = {}
    for key, key_node, value_node in image_entries(post):
        url = url_of(value_node)
        if url and url.strip():
            groups.setdefault(url.strip(), []).append((key, key_node, value_node))
    keep = post.settings.keep_image_field
    for fields in groups.values():
        if len(fields) < 2:
            continue
        names = [name for name, _, _ in fields]
        kept = keep if keep in names else names[0]
        kept_line = next(post.front_matter.position(k.start_mark)[0] for n, k, _ in fields if n == kept)  # type: ignore[attr-defined]
        for name, key_node, value_node in fields:
            if name == kept:
                continue
            edit = post.front_matter.removal(key_node, value_node)  # type: ignore[arg-type]
            fix = Fix(f"remove {name} (keep {kept})", (edit,), Applicability.UNSAFE) if edit else None
            yield post.problem_at(key_node, f"{name} holds the same URL as {kept} (line {kept_line})", fix)  # type: ignore[arg-type]
