"""``postkit images``: parse options, call ``postkit.images.run``, print, exit.

``cli.py`` registers it with one line, ``register(app)``. Importing this
module costs nothing beyond Typer: httpx, markdown-it and the checker load
only when the command runs, so ``postkit validate`` stays as fast as before.

Exit codes: 0 when no image is broken (warnings such as rate-limited are
allowed), 1 when one is, 2 for usage and config errors. With ``--localize``
(``postkit.images.localize``), pictures it could not store count as broken,
and ``--check`` exits 1 when a picture would be stored.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from postkit import console
from postkit.core.config import register_section
from postkit.images.config_schema import MAX_SECONDS, SECTION, header_value

register_section("images", SECTION)

FORMATS = ("full", "concise", "json", "github", "sarif", "markdown")
LOCALIZE_MODES = ("hotlinked", "all")


class _ImagesCommand(typer.core.TyperCommand):
    """Lets ``--localize`` stand alone: Typer options always take a value, so a bare one gets ``hotlinked``."""

    def parse_args(self, ctx, args: list[str]) -> list[str]:  # noqa: ANN001 - a click Context
        given = list(args)
        end = given.index("--") if "--" in given else len(given)
        for index in reversed(range(end)):
            if given[index] == "--localize" and (index + 1 == end or given[index + 1] not in LOCALIZE_MODES):
                given.insert(index + 1, "hotlinked")
        return super().parse_args(ctx, given)


def images(
    paths: Annotated[
        Optional[list[str]],
        typer.Argument(help="Posts or folders. Default: source/_posts in a Hexo site, else the current folder.", show_default=False),
    ] = None,
    offline: Annotated[bool, typer.Option("--offline", help="Check local images only; make no network request.")] = False,
    timeout: Annotated[
        Optional[float], typer.Option("--timeout", min=0.001, help="Read timeout in seconds. Default: 10 (config images.timeout).", show_default=False)
    ] = None,
    connect_timeout: Annotated[
        Optional[float],
        typer.Option("--connect-timeout", min=0.001, help="Connect timeout in seconds. Default: 5 (config images.connect-timeout).", show_default=False),
    ] = None,
    deadline: Annotated[
        Optional[float],
        typer.Option("--deadline", min=0.001, help="Seconds one URL may take in all, retries included. Default: 30 (config images.deadline).", show_default=False),
    ] = None,
    concurrency: Annotated[
        Optional[int], typer.Option("--concurrency", min=1, help="Requests at once in total. Default: 32.", show_default=False)
    ] = None,
    per_host: Annotated[
        Optional[int], typer.Option("--per-host", min=1, help="Requests at once per host. Default: 4.", show_default=False)
    ] = None,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Neither read nor write .postkit-cache/.")] = False,
    output_format: Annotated[
        Optional[str],
        typer.Option("--format", "-f", help="full, concise, json, github, sarif or markdown. Default: full (github under GitHub Actions).", show_default=False),
    ] = None,
    user_agent: Annotated[
        Optional[str], typer.Option("--user-agent", help="User-Agent header. Default: postkit/VERSION with the project URL.", show_default=False)
    ] = None,
    exclude: Annotated[
        Optional[list[str]], typer.Option("--exclude", help="Glob of paths to skip; repeatable. Adds to config 'exclude'.", show_default=False)
    ] = None,
    config_file: Annotated[
        Optional[Path], typer.Option("--config", help="Read this config file instead of searching for one.", show_default=False)
    ] = None,
    localize: Annotated[
        Optional[str],
        typer.Option(
            "--localize", metavar="[hotlinked|all]",
            help="Store remote images in source/ and point the posts at them: 'hotlinked' (default) or 'all' reachable ones.",
            show_default=False,
        ),
    ] = None,
    check: Annotated[bool, typer.Option("--check", help="With --localize: write nothing; exit 1 when a picture would be stored.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="With --localize: list what would be stored and rewritten; write nothing.")] = False,
) -> None:
    """Report every image a reader would not see: missing files, dead links, HTML error pages, hot-link protection."""
    from postkit.core import report
    from postkit.images import run as image_run
    from postkit.images.markdown_report import markdown
    from postkit.images.reasons import sarif_rules
    from postkit.core.paths import default_paths, discover

    chosen_format = console.chosen_format(output_format, FORMATS)
    for option, seconds in (("--timeout", timeout), ("--connect-timeout", connect_timeout), ("--deadline", deadline)):
        if seconds is not None and not 0 < seconds <= MAX_SECONDS:  # also refuses nan
            raise console.fail(f"{option} takes a number of seconds > 0 and at most {MAX_SECONDS:g}, not {seconds!r}")
    if user_agent is not None and not header_value(user_agent):
        raise console.fail(f"--user-agent must be a non-empty header value without line breaks or control characters, not {user_agent!r}")
    if (check or dry_run) and localize is None:
        raise console.fail("--check and --dry-run go with --localize")
    if localize is not None and localize not in LOCALIZE_MODES:
        raise console.fail(f"--localize takes 'hotlinked' or 'all', not {localize!r}")
    if localize is not None and offline:
        raise console.fail("--localize downloads pictures, so it cannot run with --offline")
    targets = paths or default_paths(Path.cwd())
    config = console.load_config(Path(targets[0]), config_file)
    try:
        settings = image_run.settings_for(
            config, targets, offline=offline, no_cache=no_cache, timeout=timeout, connect_timeout=connect_timeout, deadline=deadline,
            concurrency=concurrency, per_host=per_host, user_agent=user_agent,
        )
    except ValueError as error:
        raise console.fail(str(error)) from None
    files = discover(targets, [*config.get("exclude", []), *(exclude or [])], str(config.root), site_root=str(config.site_root) if config.site_root else None)
    plan = image_run.plan(files, settings)
    with console.Progress(0 if settings.offline else len(plan.wanted), "images", threshold=1, auto_refresh=False) as progress:
        # --localize stores the pictures the check already read whole, without asking again.
        results, stats = image_run.fetch(plan, settings, progress, keep_bodies=localize is not None)
    run = image_run.report(plan, results, settings, stats.network_down)
    run.stats = stats
    localized = None
    if localize is not None:
        from postkit.images import localize as localizer

        localized = localizer.run_for_command(config, plan, results, settings, localize, write=not (check or dry_run))
        run.diagnostics = localizer.without_fixed(run.diagnostics, localized)
    if stats.cache_warning:
        console.warn(stats.cache_warning)
    summary = report.Summary.of(run.diagnostics, run.files)
    if stats.network_down:
        summary = dataclasses.replace(summary, not_checked="remote images were not judged: the network is unavailable")
    diagnostics = run.diagnostics
    if chosen_format == "full":
        console.print_styled(report.full(diagnostics, summary, lambda p, n: run.source_lines.get((p, n))))
    elif chosen_format == "sarif":
        sys.stdout.write(report.sarif(diagnostics, summary, sarif_rules()))
    elif chosen_format == "markdown":
        sys.stdout.write(markdown(diagnostics, summary))
    else:
        writer = {"concise": report.concise, "json": report.to_json, "github": report.github}[chosen_format]
        sys.stdout.write(writer(diagnostics, summary))
    typer.echo(run_note(run, settings.offline), err=True)
    if stats.network_down:
        typer.echo(
            f"postkit images: the network is unavailable: none of the {run.remote_urls} remote URL(s) could be reached "
            "(every host failed at DNS or connect). The local checks ran and are reported above; remote images were "
            "not judged. Use --offline to check local images only.",
            err=True,
        )
        raise typer.Exit(console.EXIT_ERROR)
    if not settings.offline and run.remote_urls and not settings.site_url:
        typer.echo(
            "postkit images: no site URL (config 'url' or _config.yml 'url'), so images were fetched without a Referer "
            "and hot-link protection could not show.",
            err=True,
        )
    if localized is not None:
        for line in [*localizer.listing(localized), localizer.summary(localized), *localized.notes]:
            typer.echo(line, err=True)
        if check and localized.would_change:
            raise typer.Exit(console.EXIT_PROBLEMS)
    raise typer.Exit(console.EXIT_PROBLEMS if summary.errors else console.EXIT_CLEAN)


def run_note(run, offline: bool) -> str:  # noqa: ANN001 - an ImagesRun; typed loosely to keep imports lazy
    """One line for stderr: what was looked at, and what the network step did."""
    head = f"postkit images: {run.references} image reference(s) in {run.files} post(s), {run.remote_urls} unique remote URL(s)"
    if offline:
        return f"{head}; remote images not checked (--offline)."
    return f"{head}; {run.stats.requests} request(s) (GET of a bounded prefix, never HEAD), {run.stats.cache_hits} answer(s) from the cache."


def register(app: typer.Typer) -> None:
    """Add ``postkit images`` to the Typer ``app`` (the one line ``cli.py`` needs)."""
    app.command("images", cls=_ImagesCommand)(images)
