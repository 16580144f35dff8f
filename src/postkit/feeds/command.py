"""``postkit import``: parse options, import feed items as posts, print the summary, exit.

Importing this module costs Typer alone: feedparser, httpx, bs4 and
markdownify load when the command runs.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from postkit import console
from postkit.core.config import Section, is_str, list_of_str, register_section

IMAGE_FIELD_CHECK = (lambda v: isinstance(v, str) and v.strip() != "", "a front matter key such as 'cover'")
ITEM_CATEGORIES_CHECK = (lambda v: v in ("append", "tags", "drop"), "'append', 'tags' or 'drop'")
CATEGORY_CHECK = (lambda v: is_str(v) or list_of_str(v), "a path such as 'News/Tech' or a list of names")
FEED_KEYS: dict[str, tuple[Any, str]] = {
    "url": (lambda v: _is_url_or_path(v), "a valid URL or a file path"),
    "category": CATEGORY_CHECK,
    "tags": (list_of_str, "a list of strings"),
    "author": (is_str, "a string"),
    "image-field": IMAGE_FIELD_CHECK,
    "item-categories": ITEM_CATEGORIES_CHECK,
}


def _is_timeout(value: Any) -> bool:
    """A finite number of seconds in 0.1 .. 86400 (``nan``, ``inf`` and ``1e308`` are not)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and 0.1 <= value <= 86_400


def _is_url_or_path(value: Any) -> bool:
    """A string; when it has a scheme, a URL whose host and port can be read (``http://[::1`` cannot)."""
    from postkit.feeds.fetch import url_problem

    return is_str(value) and ("://" not in value or url_problem(value) is None)


def _check_feed_tables(table: dict[str, Any], _whole: dict[str, Any]) -> None:
    for number, feed in enumerate(table.get("feeds", []), 1):
        where = f"[[tool.postkit.import.feeds]] number {number}"
        if "url" not in feed:
            raise ValueError(f"{where} has no 'url'")
        for key, value in feed.items():
            if key not in FEED_KEYS:
                raise ValueError(f"{where}: unknown key {key!r}; known keys: {', '.join(FEED_KEYS)}")
            check, description = FEED_KEYS[key]
            if not check(value):
                raise ValueError(f"{where}: {key!r} must be {description}, not {value!r}")


register_section(
    "import",
    Section(
        keys={
            "feeds": (lambda v: isinstance(v, list) and all(isinstance(f, dict) for f in v), "a list of [[tool.postkit.import.feeds]] tables"),
            "image-field": IMAGE_FIELD_CHECK,
            "item-categories": ITEM_CATEGORIES_CHECK,
            "timeout": (_is_timeout, "a number of seconds from 0.1 to 86400 (the whole time one feed may take)"),
            "max-bytes": (lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 < v <= 2**53, "a number of bytes from 1 to 2**53"),
        },
        check=_check_feed_tables,
    ),
)



def _category_path(value: str | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    parts = value.split("/") if isinstance(value, str) else value
    return tuple(part.strip() for part in parts if part.strip())


def _parse_since(value: str, timezone: str | None) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise console.fail(f"--since must be a date or an RFC 3339 time such as 2024-01-31 or 2024-01-31T08:00:00+08:00, not {value!r}") from None
    if parsed.tzinfo is None:
        from zoneinfo import ZoneInfo

        parsed = parsed.replace(tzinfo=ZoneInfo(timezone) if timezone else dt.timezone.utc)
    return parsed


def import_feeds(
    feeds: Annotated[Optional[list[str]], typer.Argument(metavar="[FEED]...", help="Feed URLs (http, https) or files. Default: the feeds listed in the config (tool.postkit.import.feeds tables).", show_default=False)] = None,
    into: Annotated[Optional[Path], typer.Option("--into", help="Write posts into this folder. Default: source/_posts of the Hexo site here.", show_default=False)] = None,
    category: Annotated[Optional[str], typer.Option("--category", help="Category path for every post, such as 'News/Tech' (replaces the config's).", show_default=False)] = None,
    tag: Annotated[Optional[list[str]], typer.Option("--tag", help="A tag for every post; repeatable (adds to the config's).", show_default=False)] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="Only items published at or after this date or time (site timezone when it has no offset).", show_default=False)] = None,
    limit: Annotated[Optional[int], typer.Option("--limit", min=0, help="At most N items of each feed, in the feed's order.", show_default=False)] = None,
    update: Annotated[bool, typer.Option("--update", help="Rewrite posts postkit imported when the feed's 'updated' is newer (feed values and body only).")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Write nothing; print the table of what would be written.")] = False,
    keep_html: Annotated[bool, typer.Option("--keep-html", help="Keep the item's HTML as the body instead of converting it to Markdown.")] = False,
    traditional: Annotated[Optional[str], typer.Option("--traditional", help="Also write each post's OpenCC copy with this config (s2t, s2tw, s2twp, s2hk ...), as postkit traditional does.", show_default=False)] = None,
    image_field: Annotated[Optional[str], typer.Option("--image-field", help="Front matter key of the cover picture. Default: cover.", show_default=False)] = None,
    timeout: Annotated[Optional[float], typer.Option("--timeout", min=0.1, max=86400, help="Seconds one feed may take in all: connecting, headers, body, redirects and a Retry-After wait. Default: 60.", show_default=False)] = None,
    max_bytes: Annotated[Optional[int], typer.Option("--max-bytes", min=1, help="Refuse feeds larger than this many bytes. Default: 20 MiB.", show_default=False)] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Fetch every feed whole: send no ETag or Last-Modified from earlier runs.")] = False,
    jobs: console.JobsOption = None,
    config_file: console.ConfigOption = None,
) -> None:
    """Import RSS, Atom and JSON Feed items as Hexo posts that pass postkit validate."""
    from postkit.feeds.fetch import DEFAULT_MAX_BYTES, DEFAULT_TIMEOUT
    from postkit.feeds.names import hexo_naming
    from postkit.feeds.post import DEFAULT_IMAGE_FIELD, PostSettings
    from postkit.feeds.run import FeedSource, Options, run_import
    from postkit.feeds.store import CACHE_FOLDER

    if timeout is not None and not math.isfinite(timeout):
        raise console.fail(f"--timeout must be a number of seconds from 0.1 to 86400, not {timeout}")
    if traditional is not None:
        from postkit.traditional.opencc import CONFIGS

        if traditional not in CONFIGS:
            raise console.fail(f"--traditional must be one of {', '.join(CONFIGS)}, not {traditional!r}")
    if into is None:
        cwd = Path.cwd()
        if not (cwd / "_config.yml").is_file():
            raise console.fail("not in a Hexo site (no _config.yml here): give --into DIR")
        into = cwd / "source" / "_posts"
    if into.exists() and not into.is_dir():
        raise console.fail(f"--into {into}: not a folder")
    config = console.load_config(into if into.exists() else into.parent if into.parent.exists() else Path.cwd(), config_file)
    section = config.section("import")
    timezone = config.timezone
    default_field = image_field or section.get("image-field", DEFAULT_IMAGE_FIELD)
    default_mode = section.get("item-categories", "append")

    def settings_for(table: dict[str, Any]) -> PostSettings:
        return PostSettings(
            timezone=timezone,
            image_field=image_field or table.get("image-field", default_field),
            category_path=_category_path(category if category is not None else table.get("category")),
            item_categories=table.get("item-categories", default_mode),
            tags=tuple(dict.fromkeys([*table.get("tags", []), *(tag or [])])),
            author=table.get("author"),
            keep_html=keep_html,
        )

    if feeds:
        sources = [FeedSource(feed, settings_for({})) for feed in feeds]
    else:
        tables = section.get("feeds", [])
        if not tables:
            raise console.fail("no FEED given and no [[tool.postkit.import.feeds]] in the config")
        base = config.root
        sources = [
            FeedSource(t["url"] if "://" in t["url"] or Path(t["url"]).is_absolute() else str(base / t["url"]), settings_for(t))
            for t in tables
        ]
    copy_settings = None
    if traditional is not None:
        from postkit.traditional.settings import SettingsError, resolve_settings

        try:
            # The settings postkit traditional would use, so that its --check finds the copies fresh.
            copy_settings = resolve_settings(traditional, config.section("traditional"))
        except SettingsError as error:
            raise console.fail(str(error)) from None
    new_post_name, filename_case = hexo_naming(config.site_root)
    options = Options(
        into=into,
        state_folder=(config.site_root or into) / CACHE_FOLDER,
        new_post_name=new_post_name,
        filename_case=filename_case,
        since=_parse_since(since, timezone) if since else None,
        limit=limit,
        update=update,
        dry_run=dry_run,
        traditional=copy_settings,
        timeout=timeout or section.get("timeout", DEFAULT_TIMEOUT),
        max_bytes=max_bytes or section.get("max-bytes", DEFAULT_MAX_BYTES),
        conditional=not no_cache,
        jobs=jobs,
    )
    bar: list = []

    def progress(done: int, total: int) -> None:
        if done == 1:
            # No refresh thread: long feeds are rendered in forked worker processes.
            bar[:] = [console.Progress(total, "import", threshold=50, auto_refresh=False)]
            bar.append(bar[0].__enter__())
        if bar and bar[1] is not None:
            bar[1]("")
        if done == total and bar:
            bar[0].__exit__(None, None, None)
            bar.clear()

    report = run_import(sources, options, progress=progress)
    _print_report(report, options)
    raise typer.Exit(console.EXIT_PROBLEMS if report.problems else console.EXIT_CLEAN)


def _print_report(report, options) -> None:  # noqa: ANN001 - a feeds.run Report and Options
    from postkit.feeds.fetch import is_url
    from postkit.feeds.run import FAILED, IMPORTED, NEWER, SKIPPED, UPDATED, WOULD_UPDATE, WOULD_WRITE, WRITTEN, relative_to_cwd

    for message in report.warnings:
        console.warn(message)
    for problem in report.problems:
        typer.echo(str(problem), err=True)
    if options.dry_run:
        rows = [[row.status, row.path, row.date, row.title, row.cover] for row in report.rows if row.status in (WOULD_WRITE, WOULD_UPDATE)]
        console.print_table(f"Would write into {relative_to_cwd(options.into)}", ["status", "file", "date", "title", "cover"], rows, fold=(1, 3, 4))
    written_label, updated_label = (WOULD_WRITE, WOULD_UPDATE) if options.dry_run else (WRITTEN, UPDATED)
    columns = ["feed", "format", "items", WRITTEN, UPDATED, "existing", "newer", SKIPPED, FAILED]
    rows = []
    for feed in report.feeds:
        kind = "error" if feed.failed else "not modified (304)" if feed.not_modified else feed.kind
        counts = [feed.counts[name] for name in (written_label, updated_label, IMPORTED, NEWER, SKIPPED, FAILED)]
        shown = relative_to_cwd(Path(feed.source)) if not is_url(feed.source) and Path(feed.source).exists() else feed.source
        rows.append([shown, kind, str(feed.items), *(str(count) for count in counts)])
    console.print_table("Import summary (dry run: nothing written)" if options.dry_run else "Import summary", columns, rows, fold=(0, 1))
    notes = [f"{count} {name}" for name, count in sorted(report.notes.items())]
    newer = sum(feed.counts[NEWER] for feed in report.feeds)
    if newer:
        notes.append(f"{newer} newer in the feed: run with --update to rewrite them")
    if notes:
        typer.echo("; ".join(notes))


def register(app: typer.Typer) -> None:
    """Add ``postkit import`` to ``app``."""
    app.command("import")(import_feeds)
