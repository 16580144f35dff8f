"""Shared test helpers: the real corpus and cases (skipped when absent), and CLI runners."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from postkit.cli import app

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
CASES = SHARED / "cases"
EXAMPLES = ROOT / "examples"


@pytest.fixture(scope="session")
def hexo_site() -> Path:
    """build/hexo with Hexo 7 installed from tests/hexo's lock file, once per session; skips without node."""
    from hexo_site import have_node, install_hexo

    if not have_node():
        pytest.skip("node and npm are needed to run Hexo")
    return install_hexo()


@pytest.fixture
def corpus() -> Path:
    """``../shared/corpus`` (read-only): tests that need it skip when it is absent."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is absent")
    return CORPUS


def shared_cases(area_prefix: str) -> list[dict]:
    """The ``../shared/cases`` entries whose area starts with ``area_prefix`` (empty when absent)."""
    if not CASES.is_dir():
        return []
    cases = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(CASES.glob("B*.json"))]
    return [case for case in cases if case["area"].startswith(area_prefix)]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch):
    """Run ``postkit ARGS`` in-process; returns the click Result (exit_code, stdout, stderr)."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    runner = CliRunner()

    def invoke(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None):
        old = Path.cwd()
        if cwd is not None:
            os.chdir(cwd)
        try:
            return runner.invoke(app, list(args), env=env, catch_exceptions=False)
        finally:
            os.chdir(old)

    return invoke


def run_postkit(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the installed ``postkit`` console script in a subprocess (real exit codes and stderr)."""
    full_env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "POSTKIT_DEBUG")}
    full_env.update(env or {})
    script = Path(sys.executable).with_name("postkit")
    return subprocess.run(
        [str(script), *args], cwd=cwd, env=full_env, capture_output=True, text=True, encoding="utf-8", timeout=120
    )


def write(path: Path, text: str | bytes) -> Path:
    """Write a post (text as UTF-8 with no newline translation, or raw bytes)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path
