"""Shared test helpers: the real corpus and cases (skipped when absent), and CLI runners."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import pytest
from typer.testing import CliRunner

from postkit.cli import app

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
CASES = SHARED / "cases"
EXAMPLES = ROOT / "examples"


@contextlib.contextmanager
def one_at_a_time(name: str) -> Iterator[None]:
    """Hold a file lock under build/ while a one-time set-up runs (npm ci, a hook repository).

    Tests run in several xdist worker processes; the first one to get here does the
    set-up and the others wait for it, then find it done.
    """
    from filelock import FileLock

    locks = ROOT / "build" / "locks"
    locks.mkdir(parents=True, exist_ok=True)
    with FileLock(str(locks / f"{name}.lock")):
        yield


@pytest.fixture(scope="session")
def hexo_site() -> Path:
    """build/hexo with Hexo 7 installed from tests/hexo's lock file, once per session; skips without node."""
    import shutil

    from hexo_render import install_hexo

    if not (shutil.which("node") and shutil.which("npm")):
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


def pytest_configure(config: pytest.Config) -> None:
    # Known even when pytest-xdist is not loaded (-p no:xdist).
    config.addinivalue_line("markers", "xdist_group(name): run these tests in one xdist worker, one after the other")


@pytest.fixture(scope="session")
def run_tmp(tmp_path_factory) -> Path:
    """A folder for this pytest run that every xdist worker shares (the plain temporary folder without xdist)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session", autouse=True)
def user_cache(run_tmp: Path) -> Iterator[Path]:
    """A user cache folder ($XDG_CACHE_HOME) for this run, shared by the workers, so tests never write into ~/.cache."""
    folder = run_tmp / "xdg-cache"
    folder.mkdir(exist_ok=True)
    saved = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(folder)
    yield folder
    if saved is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = saved


@pytest.fixture(scope="session")
def pre_commit_home(run_tmp: Path) -> Path:
    """One PRE_COMMIT_HOME for the whole run, so that a hook environment is built once, not per test.

    pre-commit locks its own store, so workers that share it never build the same environment twice.
    """
    home = run_tmp / "pre-commit-home"
    home.mkdir(exist_ok=True)
    return home


@pytest.fixture(scope="session")
def hook_repository(run_tmp: Path) -> tuple[Path, str]:
    """A git repository holding this working tree as one commit on ``main``: ``(path, commit)``.

    pre-commit installs hooks from a commit, so the working tree's files (tracked
    and untracked, less what .gitignore skips) are committed to a repository of
    their own. The commit's dates are fixed, so the same files give the same commit.
    """
    import shutil

    repository = run_tmp / "postkit-repository"
    with one_at_a_time("hook-repository"):
        head = repository / ".git" / "postkit-commit"
        if not head.exists():
            listed = subprocess.run(
                ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                cwd=ROOT, check=True, capture_output=True,
            ).stdout.decode("utf-8", "surrogateescape")
            for name in filter(None, listed.split("\0")):
                source = ROOT / name
                if source.is_file():  # a file deleted but not yet committed is left out
                    target = repository / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, target)
            env = {
                **os.environ,
                "GIT_AUTHOR_NAME": "postkit tests", "GIT_AUTHOR_EMAIL": "tests@example.cn",
                "GIT_COMMITTER_NAME": "postkit tests", "GIT_COMMITTER_EMAIL": "tests@example.cn",
                "GIT_AUTHOR_DATE": "2024-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2024-01-01T00:00:00Z",
            }
            for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "--no-verify", "-m", "postkit under test"]):
                subprocess.run(["git", *command], cwd=repository, env=env, check=True, capture_output=True)
            sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=repository, check=True, capture_output=True, text=True).stdout.strip()
            head.write_text(sha)
    return repository, head.read_text().strip()
