"""The ``# noqa`` directive postkit reads in front matter comments (ruff's spelling)."""

from __future__ import annotations

import re

NOQA = re.compile(r"(?:^|\s)#\s*noqa(?::\s*(?P<codes>[A-Za-z0-9_,\s-]+))?", re.IGNORECASE)
