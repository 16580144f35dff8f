"""Hexo's own reader and renderer over many posts at once, for the validate tests (one node process each).

The npm install of Hexo 7 is hexo_render's, shared by every test that runs Hexo.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from hexo_render import HEXO_SPEC


def read_with_hexo(site: Path, files: list[Path], timezones: list[str], work: Path) -> dict[str, dict]:
    """What Hexo shows for each post file (tests/hexo/read.js), in one node process, keyed by path."""
    listing = work / "hexo-read.json"
    listing.write_text(json.dumps({"files": [str(f) for f in files], "timezones": timezones}), encoding="utf-8")
    result = subprocess.run(
        ["node", str(HEXO_SPEC / "read.js"), str(site), str(listing)],
        capture_output=True, text=True, timeout=600, env={**os.environ, "TZ": "UTC"},
    )
    assert result.returncode == 0, result.stderr
    return {item["file"]: item for item in json.loads(result.stdout)}


def render_with_hexo(site: Path, bodies: dict[str, str], work: Path) -> dict[str, dict]:
    """Render Markdown bodies with Hexo's own post renderer (tests/hexo/render.js), in one node process."""
    posts = work / "hexo-render.json"
    posts.write_text(json.dumps([{"name": name, "body": body} for name, body in bodies.items()], ensure_ascii=False), encoding="utf-8")
    result = subprocess.run(
        ["node", str(HEXO_SPEC / "render.js"), str(site), str(posts)],
        capture_output=True, text=True, timeout=600, env={**os.environ, "TZ": "UTC"},
    )
    assert result.returncode == 0, result.stderr
    return {item["name"]: item for item in json.loads(result.stdout)}
