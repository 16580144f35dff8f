"""What an image field holds: a usable URL, a site path, or a known placeholder.

Shared by duplicate-image (PK301), image-field (PK302) and reused-image
(PK303). What a URL itself says (a placeholder, an unusable scheme) is
``postkit.core.image_urls``, which ``postkit images`` reads too.
"""

from __future__ import annotations

import yaml

from postkit.validate.rules.base import Post


def image_entries(post: Post) -> list[tuple[str, yaml.Node, yaml.Node]]:
    """``(key, key_node, value_node)`` for each configured image field present in the post."""
    cached = post.cache.get("image_entries")
    if cached is None:
        cached = []
        if post.front_matter.is_mapping:
            for key in post.settings.image_fields:
                entry = post.entry(key)
                if entry is not None:
                    cached.append((key, entry[0], entry[1]))
        post.cache["image_entries"] = cached
    return cached


def url_of(node: yaml.Node) -> str | None:
    """The string held by an image field's value node, or ``None`` for lists, numbers and null."""
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str":
        return node.value
    return None
