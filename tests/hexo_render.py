"""Hexo 7's own post renderer for tests: the committed npm lock installed once into build/hexo.

Needs node and npm. The first use installs tests/hexo/package-lock.json with `npm ci` into
build/hexo (the registry must be reachable); later uses reuse it while the lock file is the same.
Tests that use it skip when node or npm is absent (``needs_hexo``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import one_at_a_time

ROOT = Path(__file__).resolve().parents[1]
HEXO_SPEC = ROOT / "tests" / "hexo"
SITE = ROOT / "build" / "hexo"

needs_hexo = pytest.mark.skipif(not (shutil.which("node") and shutil.which("npm")), reason="node and npm are needed to run Hexo")


def install_hexo() -> Path:
    """npm ci the committed lock file into build/hexo, unless the same lock is installed there."""
    with one_at_a_time("hexo"):  # xdist workers: one installs, the others wait and reuse it
        return _install_hexo()


def _install_hexo() -> Path:
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


def render_with_hexo(posts: list[dict], tmp_path: Path) -> dict[str, dict]:
    """Render ``[{name, body}]`` Markdown bodies with Hexo's post renderer; ``{name: {html} or {error}}``."""
    site = install_hexo()
    posts_file = tmp_path / "posts.json"
    posts_file.write_text(json.dumps(posts, ensure_ascii=False), encoding="utf-8")
    result = subprocess.run(
        ["node", str(HEXO_SPEC / "render.js"), str(site), str(posts_file)],
        capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return {item["name"]: item for item in json.loads(result.stdout)}
