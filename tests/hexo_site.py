"""One npm install of Hexo 7 (tests/hexo/package-lock.json) in build/hexo, shared by every test that runs Hexo."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEXO_SPEC = ROOT / "tests" / "hexo"
SITE = ROOT / "build" / "hexo"


def have_node() -> bool:
    """True when node and npm are on PATH (the Hexo tests skip otherwise)."""
    return bool(shutil.which("node") and shutil.which("npm"))


def install_hexo() -> Path:
    """npm ci the committed lock file into build/hexo, unless the same lock is installed there."""
    lock = (HEXO_SPEC / "package-lock.json").read_bytes()
    installed = SITE / "node_modules" / ".package-lock.json"
    if installed.exists() and (SITE / "package-lock.json").read_bytes() == lock:
        return SITE
    SITE.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(HEXO_SPEC / name, SITE / name)
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=SITE, check=True, timeout=900, stdout=subprocess.DEVNULL,
    )
    return SITE


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
