"""Run one function over many files across CPU cores, in order, with a progress callback."""

from __future__ import annotations

import os
import signal
import sys
import threading
from typing import Callable, Iterator, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many files a process pool costs more than it saves.
PARALLEL_THRESHOLD = 200
# How often a worker without a parent-death signal looks for its parent, in seconds.
PARENT_POLL = 0.2
_PR_SET_PDEATHSIG = 1

_parent_pid: int | None = None


def default_jobs() -> int:
    """The CPU cores this process may use (``sched_getaffinity`` where available)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - macOS and Windows
        return max(1, os.cpu_count() or 1)


# Windows' process pools take at most 61 workers (WaitForMultipleObjects' limit).
WINDOWS_MAX_WORKERS = 61
# More workers than this many per core only add start-up time and memory.
WORKERS_PER_CORE = 4


def effective_jobs(requested: int | None, items: int) -> int:
    """How many worker processes a run over ``items`` files starts for ``--jobs requested``.

    ``None`` means every core. Never more than the files, never more than
    four per core (61 on Windows), never fewer than one.
    """
    cores = default_jobs()
    wanted = cores if requested is None else requested
    ceiling = WORKERS_PER_CORE * cores
    if sys.platform == "win32":
        ceiling = min(ceiling, WINDOWS_MAX_WORKERS)
    return max(1, min(wanted, items, ceiling))


def parent_alive() -> bool:
    """False in a worker whose parent has died (it was re-parented); True everywhere else."""
    return _parent_pid is None or os.getppid() == _parent_pid


def watch_parent(parent_pid: int, leave_interrupt_to_parent: bool = True) -> None:
    """Make this worker process die with its parent, so that it never runs, or writes, on its own.

    On Linux the kernel sends SIGKILL when the parent exits
    (``PR_SET_PDEATHSIG``); elsewhere a daemon thread polls for the parent.
    A parent that died before this call is caught by the check that follows.
    With ``leave_interrupt_to_parent`` Ctrl-C is ignored here and left to
    the parent, which stops the pool: a worker that printed its own
    KeyboardInterrupt would only add a traceback.
    """
    global _parent_pid
    _parent_pid = parent_pid
    if leave_interrupt_to_parent:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    armed = False
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
        except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
            armed = False
    if not armed:
        threading.Thread(target=_poll_parent, name="postkit-parent-watch", daemon=True).start()
    if not parent_alive():
        os._exit(1)


def _poll_parent() -> None:  # pragma: no cover - Linux uses the parent-death signal
    import time

    while parent_alive():
        time.sleep(PARENT_POLL)
    os._exit(1)


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
    Workers die with this process (:func:`watch_parent`); when the caller
    stops early (Ctrl-C, an error) the work not yet started is cancelled.
    """
    jobs = effective_jobs(jobs, len(items))
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
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=watch_parent, initargs=(os.getpid(),))
    finished = False
    try:
        for item, result in zip(items, pool.map(func, items, chunksize=chunk)):
            if progress:
                progress(item)
            yield result
        finished = True
    finally:
        # Leaving early must not wait for every queued chunk to run (and write).
        pool.shutdown(wait=finished, cancel_futures=not finished)
