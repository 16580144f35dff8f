"""How many worker processes a run starts: never one per file for a huge --jobs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import run_postkit, write

from postkit.core import parallel
from postkit.core.parallel import default_jobs, effective_jobs, map_files


def test_jobs_are_capped_by_files_and_cores() -> None:
    cores = default_jobs()
    assert effective_jobs(99999, 10_000) == parallel.WORKERS_PER_CORE * cores
    assert effective_jobs(99999, 3) == 3
    assert effective_jobs(None, 10_000) == cores
    assert effective_jobs(2, 10_000) == 2
    assert effective_jobs(0, 10) == 1
    assert effective_jobs(5, 0) == 1


def test_windows_pool_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel.sys, "platform", "win32")
    monkeypatch.setattr(parallel, "default_jobs", lambda: 64)
    assert effective_jobs(99999, 10_000) == parallel.WINDOWS_MAX_WORKERS


def _pid(_: int) -> int:
    return os.getpid()


def test_map_files_starts_no_more_workers_than_the_cap() -> None:
    items = list(range(400))
    pids = set(map_files(_pid, items, jobs=99999, threshold=1))
    assert len(pids) <= parallel.WORKERS_PER_CORE * default_jobs()


def test_validate_with_a_huge_jobs_count_finishes(tmp_path: Path) -> None:
    for n in range(250):
        write(tmp_path / f"p{n}.md", f"---\ntitle: post {n}\ndate: 2024-01-01T00:00:00Z\n---\nbody\n")
    result = run_postkit("validate", ".", "-j", "99999", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
