"""Run one function over many files across CPU cores, in order, with a progress callback."""

from __future__ import annotations

import os
from typing import Callable, Iterator, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many files a process pool costs more than it saves.
PARALLEL_THRESHOLD = 200


def default_jobs() -> int:
    """The CPU cores this process may use (``sched_getaffinity`` where available)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS and Windows
        return max(1, os.cpu_count() or 1)


def map_files(
    func: Callable[[T], R],
    items: Sequence[T],
    *,
    jobs: int | None = None,
    progress: Callable[[T], None] | None = None,
    threshold: int = PARALLEL_THRESHOLD,
) -> Iterator[R]:
    """Yield ``func(item)`` for every item, in the order of ``items``.

    With more than one job and at least ``threshold`` items the calls run in
    a process pool (``fork`` where the platform has it), in chunks, so
    ``func`` and its results must be picklable and ``func`` must catch its
    own per-file errors. ``progress(item)`` is called as each result arrives.
    """
    jobs = default_jobs() if jobs is None else max(1, jobs)
    if jobs == 1 or len(items) < threshold:
        for item in items:
            result = func(item)
            if progress:
                progress(item)
            yield result
        return
    # Imported here: a one-file run (the pre-commit case) never pays for them.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    chunk = max(1, min(64, len(items) // (jobs * 8)))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        for item, result in zip(items, pool.map(func, items, chunksize=chunk)):
            if progress:
                progress(item)
            yield result
