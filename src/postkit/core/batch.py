"""Rewrite many posts with one pure text transform: in place, into a mirrored tree, or to stdout.

Shared by ``postkit convert`` and ``postkit traditional``. The transform is
pure (a Document in, new text out); this module does the reading, the
comparing, the diffing and the atomic writing, one file at a time, and one
file's failure never stops the others.
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass, field
from typing import Callable, Sequence

from postkit.core.document import MAX_POST_SIZE, Document, ReadError, decode, read_document, unified_diff, write_atomic


# The codes of a failed file. A failure that validate also reports keeps validate's
# code (PK000 read-error, PK001 no-front-matter, PK002 yaml-syntax, PK004
# not-a-mapping, PK005 unsupported-format); the others are the batch's own.
READ_ERROR = "PK000"
WRITE_ERROR = "OUT001"
TOO_DEEP = "OUT002"
CANNOT_PROCESS = "OUT003"  # a transform's failure that names no code of its own


class TransformError(Exception):
    """A transform cannot handle this post; the message says why (the file is left untouched).

    ``line`` and ``col`` (1-based) locate the cause in the post, and ``code``
    names it, so that the report reads ``path:line:col: CODE message``.
    """

    def __init__(self, message: str, *, code: str = CANNOT_PROCESS, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.line = line
        self.col = col


# The summary row for posts copied unchanged into a mirrored tree.
COPIED_NOTE = "copied unchanged"


class Status(str, enum.Enum):
    """What happened to one file, as the summary table counts it."""

    CHANGED = "converted"
    UNCHANGED = "unchanged"
    SKIPPED = "skipped"
    FAILED = "failed"


class Skip(Exception):
    """Raised by a transform to leave a post alone, with the reason (``already Markdown``).

    ``copy=True`` asks for the post to be copied unchanged to a target that is not the post
    itself (a mirrored ``--out`` tree stays whole); the outcome notes it as ``copied``.
    """

    def __init__(self, reason: str, *, copy: bool = False) -> None:
        super().__init__(reason)
        self.copy = copy


Transform = Callable[[Document], "str | tuple[str, dict[str, int]]"]
"""A pure function from a post to its new full text.

It may also return ``(text, notes)``, where ``notes`` are counts for the
summary (``{"relative links left": 2}``), raise :class:`Skip` to leave the
post alone, or raise :class:`TransformError` to fail it.
"""


@dataclass(frozen=True)
class Job:
    """One post to transform: read ``source``; write ``target`` (``None``: print to stdout)."""

    source: str
    target: str | None


@dataclass
class Outcome:
    """The result of one job, picklable so that worker processes can return it.

    A failure has a ``code`` and its ``line``/``col`` in the source post.
    ``target_missing`` tells a copy that does not exist yet from a stale one.
    """

    job: Job
    status: Status
    message: str = ""
    text: str | None = None
    diff: str | None = None
    notes: dict[str, int] = field(default_factory=dict)
    code: str = ""
    line: int = 1
    col: int = 1
    target_missing: bool = False

    @property
    def location_message(self) -> str:
        """``line:col: CODE message``, the part of a failure's report line after ``path:``."""
        return f"{self.line}:{self.col}: {self.code} {self.message}"


def mirror_target(path: str, out_dir: str, given: list[str], site_source: str | None) -> str:
    """Where ``--out`` puts ``path``: the same way however the paths were given.

    In a Hexo site, a post under ``source/`` keeps its path relative to
    ``source/`` (``_posts/a.md``); anything else keeps its path relative to
    the common parent folder of the paths given (a file counts by its folder).
    """
    absolute = os.path.realpath(path)
    if site_source is not None:
        source = os.path.realpath(site_source)
        if absolute.startswith(source.rstrip(os.sep) + os.sep):
            return os.path.join(out_dir, os.path.relpath(absolute, source))
    return os.path.join(out_dir, os.path.relpath(absolute, common_parent(given)))


def common_parent(given: list[str]) -> str:
    """The deepest folder holding every given path (a folder counts as itself, a file by its folder)."""
    folders = [os.path.realpath(p) if os.path.isdir(p) else os.path.dirname(os.path.realpath(p)) for p in given]
    return os.path.commonpath(folders) if folders else os.getcwd()


def run_job(
    job: Job, transform: Transform, *, check: bool = False, diff: bool = False, max_size: int | None = MAX_POST_SIZE
) -> Outcome:
    """Transform one post and write it where the job says, unless ``check`` or ``diff``.

    The target is compared with the new text first: a file is written only
    when its content changes, atomically, keeping the source's BOM and
    newline style (``Document.encoded``). Never raises for a bad post: read
    errors (a post over ``max_size`` bytes among them), :class:`TransformError`
    and :class:`Skip` become the outcome.

    Raises:
        OSError: the target cannot be written (reported by the caller).
    """
    try:
        document = read_document(job.source, max_size)
    except ReadError as error:
        return Outcome(job, Status.FAILED, error.message, code=READ_ERROR, line=error.line, col=error.col)
    notes: dict[str, int] = {}
    try:
        result = transform(document)
        if isinstance(result, tuple):
            result, notes = result
    except Skip as reason:
        if reason.copy and job.target is not None and os.path.abspath(job.target) != os.path.abspath(job.source):
            if not check and not diff:
                with open(job.source, "rb") as handle:  # byte for byte, whatever the encoding details
                    write_atomic(job.target, handle.read())
            return Outcome(job, Status.SKIPPED, str(reason), notes={COPIED_NOTE: 1})
        return Outcome(job, Status.SKIPPED, str(reason))
    except TransformError as error:
        return Outcome(job, Status.FAILED, error.message, code=error.code, line=error.line, col=error.col)
    except RecursionError:
        return Outcome(job, Status.FAILED, "the post is nested too deeply to process", code=TOO_DEEP)
    current = _current_text(job, document, max_size)
    if result == current:
        return Outcome(job, Status.UNCHANGED, notes=notes)
    missing = job.target is not None and not os.path.lexists(job.target)
    outcome = Outcome(job, Status.CHANGED, notes=notes, target_missing=missing)
    if job.target is None:
        outcome.text = result
        return outcome
    if diff:
        outcome.diff = unified_diff(job.target, current or "", result)
    if not check and not diff:
        write_atomic(job.target, document.encoded(result))
    return outcome


def _current_text(job: Job, document: Document, max_size: int | None) -> str | None:
    if job.target is None or os.path.abspath(job.target) == os.path.abspath(job.source):
        return document.text
    try:
        with open(job.target, "rb") as handle:
            data = handle.read() if max_size is None else handle.read(max_size + 1)
    except OSError:
        return None
    if max_size is not None and len(data) > max_size:
        return None  # an oversized target is replaced, not compared
    try:
        return decode(data, job.target).text
    except ReadError:
        return None


def run_jobs(
    jobs: Sequence[Job],
    transform: Transform,
    *,
    check: bool = False,
    diff: bool = False,
    workers: int | None = None,
    progress: Callable[[Job], None] | None = None,
    max_size: int | None = MAX_POST_SIZE,
) -> list[Outcome]:
    """Run every job, across processes for large batches, and return outcomes in job order.

    ``transform`` must be picklable (a module-level function or a
    ``functools.partial`` of one) because large batches run in a process
    pool. A target that cannot be written, and a post over ``max_size``
    bytes, become failed outcomes.
    """
    from functools import partial

    from postkit.core.parallel import map_files

    work = partial(_safe_run_job, transform=transform, check=check, diff=diff, max_size=max_size)
    return list(map_files(work, jobs, jobs=workers, progress=progress))


def _safe_run_job(job: Job, transform: Transform, check: bool, diff: bool, max_size: int | None = MAX_POST_SIZE) -> Outcome:
    try:
        return run_job(job, transform, check=check, diff=diff, max_size=max_size)
    except OSError as error:
        return Outcome(job, Status.FAILED, f"cannot write {job.target}: {error.strerror or error}", code=WRITE_ERROR)


def counts(outcomes: Sequence[Outcome]) -> dict[str, int]:
    """How many files ended in each status, in the summary's order."""
    table = {status.value: 0 for status in Status}
    for outcome in outcomes:
        table[outcome.status.value] += 1
    return table
