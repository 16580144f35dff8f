"""One import run: fetch each feed, turn its new items into posts, write them, and say what happened.

A feed that cannot be fetched or read is one problem and the others go on;
an item with no title or no link is one problem and the other items go on.
An item is already imported when a post in the target folder has its
``guid`` (or, when the guid is its link, that ``link``), else its ``link``.
Such an item is skipped, unless its ``updated`` is newer than the post's
and ``--update`` is given: then the feed's values and the body are
rewritten, and only in a post postkit wrote (``date`` stays when the feed
gives no publication date, since it came from the old ``updated``). A new
post never replaces a file: a taken name gets the item's stable suffix.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from postkit.core.document import Document, ReadError, create_atomic, read_document, write_atomic
from postkit.core.parallel import map_files
from postkit.feeds.fetch import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT, FetchError, Fetched, fetch_url, is_url, make_client, read_file
from postkit.feeds.names import DEFAULT_NEW_POST_NAME, identity_suffix, post_path
from postkit.feeds.parse import FeedError, Item, parse_feed
from postkit.feeds.post import (
    FEED_KEYS, ItemError, PostSettings, RenderedPost, front_matter_entries, local_time, merge_front_matter, render_post,
)
from postkit.feeds.store import ExistingPost, ImportState, PostIndex, index_posts

if TYPE_CHECKING:
    from postkit.traditional.settings import CopySettings

WRITTEN, UPDATED, WOULD_WRITE, WOULD_UPDATE = "written", "updated", "would write", "would update"
IMPORTED, NEWER, SKIPPED, FAILED = "already imported", "newer in feed", "skipped", "failed"


@dataclass(frozen=True)
class FeedSource:
    """A feed to import (a URL or a file) and how its items become posts."""

    source: str
    settings: PostSettings


@dataclass(frozen=True)
class Options:
    """Where and how a run writes."""

    into: Path
    state_folder: Path
    new_post_name: str = DEFAULT_NEW_POST_NAME
    filename_case: int = 0
    since: dt.datetime | None = None
    limit: int | None = None
    update: bool = False
    dry_run: bool = False
    traditional: CopySettings | None = None
    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES
    conditional: bool = True
    jobs: int | None = None


@dataclass(frozen=True)
class Problem:
    """Something to report as ``source:line:col: CODE message`` (no position for fetch problems)."""

    source: str
    code: str
    message: str
    line: int | None = None
    col: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}:{self.col}" if self.line is not None else self.source
        return f"{where}: {self.code} {self.message}"


@dataclass(frozen=True)
class Row:
    """One item's outcome: the post's path (relative to the target folder), title, date and cover."""

    feed: str
    status: str
    path: str
    title: str
    date: str = ""
    cover: str = ""


@dataclass
class FeedReport:
    """What happened to one feed: its format, item count, outcome counts, and whether it was unchanged (304)."""

    source: str
    kind: str = ""
    items: int = 0
    counts: Counter = field(default_factory=Counter)
    not_modified: bool = False
    failed: bool = False


@dataclass
class Report:
    """A whole run: each feed's report, each item's row, the problems and the notes (``dated at import``)."""

    feeds: list[FeedReport] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: Counter = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)


def _identity(item: Item) -> str:
    return item.guid or item.link


def _write_new(
    item: Item, text: str, date: dt.datetime, options: Options, index: PostIndex, state: ImportState, timezone: str | None
) -> str:
    """Write a new post under a free name; return its relative path."""
    local = local_time(date, timezone)
    identity = _identity(item)

    def name(suffix: str = "") -> str:
        return post_path(options.new_post_name, item.title, local, identity, filename_case=options.filename_case, suffix=suffix)

    candidates = [name(), name(identity_suffix(identity))]
    for relative in _candidates(candidates, name, identity):
        if relative.casefold() in index.names or os.path.lexists(options.into / relative):
            continue
        # create_atomic refuses a name another process took since the check above.
        if options.dry_run or create_atomic(options.into / relative, text.encode("utf-8")):
            if not options.dry_run:
                state.posts[relative] = identity
            return relative
    raise ItemError("no free file name")  # unreachable: the numbered names never run out


def _candidates(first: list[str], name: Callable[[str], str], identity: str):  # noqa: ANN202 - a generator of names
    yield from first
    for number in range(2, 10_000):
        yield name(f"{identity_suffix(identity)}-{number}")


def _write_traditional(relative: str, text: str, options: Options, state: ImportState) -> str | None:
    """Write the OpenCC copy of a post postkit just wrote, as ``postkit traditional`` would; return a problem message, or ``None``."""
    from postkit.core.batch import Skip, TransformError
    from postkit.traditional.post import copy_path

    settings = options.traditional
    assert settings is not None
    copy_relative = copy_path(relative, settings.config, settings.suffix)
    target = options.into / copy_relative
    if target.exists() and copy_relative not in state.posts:
        return f"{copy_relative} exists and postkit did not write it; the copy is not written"
    try:
        copy, _notes = settings.copy(Document.from_text(text, str(options.into / relative)))
    except Skip:
        return None
    except TransformError as error:
        return f"the {settings.config} copy cannot be made: {error}"
    if not options.dry_run:
        if copy_relative in state.posts:
            write_atomic(target, copy.encode("utf-8"))
        elif not create_atomic(target, copy.encode("utf-8")):
            return f"{copy_relative} exists and postkit did not write it; the copy is not written"
        state.posts[copy_relative] = state.posts.get(relative, "")
    return None


def _update(
    existing: ExistingPost, item: Item, settings: PostSettings, options: Options, state: ImportState, now: dt.datetime
) -> str:
    """Rewrite the feed's values and body of a post postkit wrote; returns the new text.

    Raises:
        ItemError: the post cannot be read or its front matter is not a mapping.
    """
    try:
        document = read_document(options.into / existing.path)
    except ReadError as error:
        raise ItemError(f"cannot read {existing.path}: {error.message}") from None
    span = document.front_matter
    if span is None:
        raise ItemError(f"{existing.path} has no front matter")
    rendered = render_post(item, settings, now)
    entries = front_matter_entries(item, settings, rendered.date, rendered.cover)
    managed = (*FEED_KEYS, settings.image_field)
    if item.published is None:
        # The date came from 'updated', which has just moved: keep the post's date (and its permalink).
        managed = tuple(key for key in managed if key != "date")
    merged = merge_front_matter(document.yaml_text, entries, managed)
    text = document.text[: span.start] + merged + document.text[span.end : span.body_start] + rendered.body
    if not options.dry_run:
        write_atomic(options.into / existing.path, document.encoded(text))
    return text


def _fetch(source: str, options: Options, state: ImportState, client_holder: list) -> Fetched:
    if not is_url(source):
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]+://", source):
            raise FetchError("IMP004", "only http and https URLs are fetched")
        return read_file(source, options.max_bytes)
    if not client_holder:
        client_holder.append(make_client())
    remembered = state.http.get(source, {}) if options.conditional else {}
    return fetch_url(
        client_holder[0], source, etag=remembered.get("etag"), last_modified=remembered.get("last-modified"),
        max_bytes=options.max_bytes, timeout=options.timeout,
    )


def _selected(items: list[Item], options: Options) -> list[Item]:
    if options.since is not None:
        items = [item for item in items if item.date is None or item.date >= options.since]
    return items[: options.limit] if options.limit is not None else items


def run_import(
    sources: list[FeedSource],
    options: Options,
    *,
    now: dt.datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Import every feed of ``sources`` into ``options.into``; never raises for a bad feed, item or file.

    ``progress(done, total)`` is called as a feed's work advances: once per
    new item rendered and once per item imported (``total`` counts both).
    ``options.jobs`` worker processes render long feeds (one process below
    ``core.parallel``'s threshold).
    """
    now = now or dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    report = Report()
    state = ImportState.load(options.state_folder)
    if state.warning:
        report.warnings.append(state.warning)
    indexes: list[PostIndex] = []

    def index() -> PostIndex:
        # Read the posts already there only when a feed has items: an unchanged feed (304) costs nothing.
        if not indexes:
            indexes.append(index_posts(options.into, state.posts) if options.into.is_dir() else PostIndex())
        return indexes[0]

    client_holder: list = []
    try:
        for feed_source in sources:
            report.feeds.append(_import_feed(feed_source, options, state, index, report, now, client_holder, progress))
    finally:
        if client_holder:
            client_holder[0].close()
        # Saved even when Ctrl-C stops the run: the posts written so far stay known as postkit's.
        if not options.dry_run:
            try:
                state.save()
            except OSError as error:
                report.warnings.append(f"{state.path}: cannot save the import cache: {error.strerror or error}")
    return report


def _import_feed(
    feed_source: FeedSource,
    options: Options,
    state: ImportState,
    index: Callable[[], PostIndex],
    report: Report,
    now: dt.datetime,
    client_holder: list,
    progress: Callable[[int, int], None] | None,
) -> FeedReport:
    source, settings = feed_source.source, feed_source.settings
    feed_report = FeedReport(source)
    try:
        fetched = _fetch(source, options, state, client_holder)
    except FetchError as error:
        report.problems.append(Problem(source, error.code, error.message))
        feed_report.failed = True
        return feed_report
    if fetched.not_modified:
        feed_report.not_modified = True
        return feed_report
    assert fetched.body is not None
    try:
        feed = parse_feed(fetched.body, fetched.content_type)
    except FeedError as error:
        report.problems.append(Problem(source, error.code, error.message, error.line, error.col))
        feed_report.failed = True
        return feed_report
    feed_report.kind = feed.kind
    for line, col, message in feed.warnings:
        report.warnings.append(f"{source}:{line}:{col}: {message}")
    items = _selected(feed.items, options)
    feed_report.items = len(items)
    posts = index() if items else PostIndex()
    # Conversion is most of the work and pure: new items are rendered first, across cores for long
    # feeds; matching and writing then go in feed order, one at a time.
    new = [item for item in items if item.title and item.link and posts.find(item.guid, item.link) is None]
    total, done = len(new) + len(items), 0

    def advance(_item: object = None) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    render = partial(_render, settings=settings, now=now)
    prerendered = dict(zip((item.index for item in new), map_files(render, new, jobs=options.jobs, progress=advance)))
    problems_before = len(report.problems)
    for item in items:
        status = _import_item(item, source, settings, options, state, posts, report, now, prerendered.get(item.index))
        feed_report.counts[status] += 1
        advance()
    # Any item problem (failed, skipped for a missing title or link, copy not written) keeps the feed
    # uncached: the next run fetches it whole and reports the same problem, never a 304 with exit 0.
    clean = len(report.problems) == problems_before
    if is_url(source) and not options.dry_run:
        validators = {k: v for k, v in (("etag", fetched.etag), ("last-modified", fetched.last_modified)) if v}
        if validators and clean:
            state.http[source] = validators
        else:
            state.http.pop(source, None)
    return feed_report


def _render(item: Item, settings: PostSettings, now: dt.datetime) -> RenderedPost | str:
    """``render_post``, with a conversion error as its message (worker processes return it)."""
    try:
        return render_post(item, settings, now)
    except ItemError as error:
        return str(error)


def _import_item(
    item: Item,
    source: str,
    settings: PostSettings,
    options: Options,
    state: ImportState,
    index: PostIndex,
    report: Report,
    now: dt.datetime,
    prerendered: RenderedPost | str | None = None,
) -> str:
    """Import one item; returns its status and adds its row or problem to ``report``.

    ``prerendered`` is the item's post (or its conversion error) when it was rendered ahead.
    """
    missing = [name for name, value in (("title", item.title), ("link", item.link)) if not value]
    if missing:
        what = " and no ".join(missing)
        report.problems.append(Problem(source, "IMP006", f"item {item.index + 1} has no {what}; skipped", item.line, item.col))
        return SKIPPED
    existing = index.find(item.guid, item.link)
    timezone = settings.timezone
    if existing is not None:
        newer = item.updated is not None and existing.updated is not None and item.updated.replace(microsecond=0) > existing.updated
        if not newer:
            report.rows.append(Row(source, IMPORTED, existing.path, item.title))
            return IMPORTED
        if not options.update:
            report.rows.append(Row(source, NEWER, existing.path, item.title))
            return NEWER
        if existing.path not in state.posts:
            report.problems.append(Problem(
                source, "IMP007", f"item {item.index + 1} is newer than {existing.path}, which postkit did not write; not updated",
                item.line, item.col,
            ))
            return FAILED
        try:
            text = _update(existing, item, settings, options, state, now)
        except (ItemError, OSError) as error:
            message = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
            report.problems.append(Problem(source, "IMP008", f"item {item.index + 1}: cannot update {existing.path}: {message}", item.line, item.col))
            return FAILED
        row_status = WOULD_UPDATE if options.dry_run else UPDATED
        report.rows.append(Row(source, row_status, existing.path, item.title))
        if options.traditional:
            _traditional_problem(existing.path, text, options, state, report, source, item)
        return row_status
    try:
        rendered = prerendered if prerendered is not None else _render(item, settings, now)
        if isinstance(rendered, str):
            raise ItemError(rendered)
        relative = _write_new(item, rendered.text, rendered.date, options, index, state, timezone)
    except (ItemError, OSError) as error:
        message = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
        report.problems.append(Problem(source, "IMP008", f"item {item.index + 1} not written: {message}", item.line, item.col))
        return FAILED
    report.notes.update(rendered.notes)
    index.add(ExistingPost(relative, item.guid or None, item.link or None, item.updated), relative)
    status = WOULD_WRITE if options.dry_run else WRITTEN
    date_text = local_time(rendered.date, timezone).strftime("%Y-%m-%d %H:%M")
    report.rows.append(Row(source, status, relative, item.title, date_text, rendered.cover or ""))
    if options.traditional:
        _traditional_problem(relative, rendered.text, options, state, report, source, item)
    return status


def _traditional_problem(
    relative: str, text: str, options: Options, state: ImportState, report: Report, source: str, item: Item
) -> None:
    try:
        message = _write_traditional(relative, text, options, state)
    except OSError as error:
        message = f"the copy cannot be written: {error.strerror or error}"
    if message:
        report.problems.append(Problem(source, "IMP009", f"item {item.index + 1}: {message}", item.line, item.col))


def relative_to_cwd(path: Path) -> str:
    """``path`` relative to the current folder when it lies below it, else as it is."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return str(path) if relative.startswith("..") else relative
