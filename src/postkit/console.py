"""What every command shares at the terminal: exit codes, error messages, progress bars, styled printing.

The one place that writes to the terminal on the commands' behalf
(pre-commit's ``output.py``). Exit codes follow ruff: 0 clean, 1 problems
found, 2 usage, config, environment or internal error.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Callable, Optional

import typer

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_ERROR = 0, 1, 2
PROGRESS_THRESHOLD = 100

# Options that several commands share, declared once so that their help reads the same.
PathsArgument = Annotated[
    Optional[list[str]],
    typer.Argument(help="Posts or folders. Default: source/_posts in a Hexo site, else the current folder.", show_default=False),
]
FormatOption = Annotated[
    Optional[str],
    typer.Option("--format", "-f", help="full, concise, json, github or sarif. Default: full (github under GitHub Actions).", show_default=False),
]
ExcludeOption = Annotated[
    Optional[list[str]], typer.Option("--exclude", help="Glob of paths to skip; repeatable. Adds to config 'exclude'.", show_default=False)
]
JobsOption = Annotated[
    Optional[int], typer.Option("--jobs", "-j", min=1, metavar="N", help="Worker processes for large trees. Default: every core.", show_default=False)
]
ConfigOption = Annotated[
    Optional[Path], typer.Option("--config", help="Read this config file instead of searching for one.", show_default=False)
]


def fail(message: str) -> typer.Exit:
    """Print ``postkit: error: message`` on stderr and return the exit-2 exception to raise."""
    typer.echo(f"postkit: error: {message}", err=True)
    return typer.Exit(EXIT_ERROR)


def warn(message: str) -> None:
    """Print ``postkit: warning: message`` on stderr."""
    typer.echo(f"postkit: warning: {message}", err=True)


def split_codes(values: Optional[list[str]]) -> Optional[list[str]]:
    """``--select PK1,PK202 --select PK3`` as one list; ``None`` when the option was not given."""
    if values is None:
        return None
    return [code.strip() for value in values for code in value.split(",") if code.strip()]


def chosen_format(output_format: Optional[str], formats: tuple[str, ...]) -> str:
    """The ``--format`` in force (github under GitHub Actions by default); exits 2 on an unknown one."""
    chosen = output_format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "full")
    if chosen not in formats:
        raise fail(f"--format must be one of {', '.join(formats)}, not {chosen!r}")
    return chosen


def load_config(start: Path, config_file: Optional[Path]):  # noqa: ANN201 - a core Config; imported lazily
    """The config for a run starting at ``start``; prints its deprecation warnings, exits 2 on a config error."""
    from postkit.core.config import ConfigError, load_config as load

    try:
        config = load(start, config_file)
    except ConfigError as error:
        raise fail(str(error)) from None
    for message in config.warnings:
        warn(message)
    return config


def load_and_discover(paths: Optional[list[str]], exclude: Optional[list[str]], config_file: Optional[Path]):  # noqa: ANN201
    """Config and the posts to work on, as every command finds them; exits 2 on a config error."""
    from postkit.core.paths import default_paths, discover

    targets = paths or default_paths(Path.cwd())
    config = load_config(Path(targets[0]), config_file)
    return config, discover(targets, [*config.get("exclude", []), *(exclude or [])], str(config.root), site_root=str(config.site_root) if config.site_root else None)


def show_progress() -> bool:
    """Progress bars only on a terminal, never under pre-commit or CI."""
    return sys.stderr.isatty() and not os.environ.get("PRE_COMMIT") and not os.environ.get("CI")


class Progress:
    """A Rich progress bar on stderr for long runs, or nothing.

    ``auto_refresh=False`` draws from the caller's thread only (at most ten
    frames a second): the image checker forks worker processes, and forking
    a process that runs a refresh thread can deadlock the child.
    """

    def __init__(self, total: int, label: str, threshold: int = PROGRESS_THRESHOLD, auto_refresh: bool = True) -> None:
        self.bar = None
        self.auto_refresh = auto_refresh
        self.shown_at = 0.0
        if total >= threshold and total and show_progress():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as RichProgress, TimeRemainingColumn

            self.bar = RichProgress(
                f"[bold]{label}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                console=Console(stderr=True), transient=True, auto_refresh=auto_refresh,
            )
            self.task = self.bar.add_task(label, total=total)

    def __enter__(self) -> Callable[[str], None] | None:
        if self.bar is None:
            return None
        self.bar.start()
        if not self.auto_refresh:
            self.bar.refresh()
        return self._advance

    def _advance(self, _item: str) -> None:
        assert self.bar is not None
        self.bar.advance(self.task)
        if not self.auto_refresh:
            import time

            now = time.monotonic()
            if now - self.shown_at >= 0.1:
                self.shown_at = now
                self.bar.refresh()

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def stdout_console():  # noqa: ANN201 - Rich is imported lazily to keep start-up fast
    """A Rich console on stdout, without highlighting or wrapping."""
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def print_styled(lines: list[list[tuple[str, str | None]]]) -> None:
    """Print styled lines: through Rich with colours on a terminal, as plain text elsewhere."""
    if not sys.stdout.isatty():
        from postkit.core.report import plain

        sys.stdout.write(plain(lines))
        return
    from rich.text import Text

    console = stdout_console()
    for line in lines:
        text = Text()
        for piece, style in line:
            text.append(piece, style=style)
        console.print(text)


def run_batch(
    label: str,
    files: list[str],
    targets: list,
    transform: Callable,
    *,
    check: bool,
    diff: bool,
    jobs: Optional[int],
    to_stdout: bool = False,
    changed_label: str = "converted",
    max_size: int | None = None,
    summary_to_stderr: bool = False,
) -> None:
    """Run a batch command's transform over ``files`` (with a progress bar on a terminal), report, and exit.

    ``max_size`` is the config's ``max-post-size`` (``None``: postkit's default).
    ``summary_to_stderr`` keeps stdout for a report printed before (``traditional --review --format json``).
    """
    from postkit.core.batch import Job, run_jobs
    from postkit.core.document import MAX_POST_SIZE

    with Progress(len(files), label, threshold=50) as progress:
        outcomes = run_jobs(
            [Job(path, target) for path, target in zip(files, targets)], transform,
            check=check, diff=diff, workers=jobs, progress=progress and (lambda job: progress(job.source)),
            max_size=max_size or MAX_POST_SIZE,
        )
    finish_batch(
        outcomes, to_stdout=to_stdout, check=check, diff=diff, changed_label=changed_label, summary_to_stderr=summary_to_stderr
    )


def _check_verdict(outcome) -> str:  # noqa: ANN001 - a core.batch Outcome; imported lazily
    job = outcome.job
    if job.target is None or os.path.abspath(job.target) == os.path.abspath(job.source):
        return "would change"
    return "missing" if outcome.target_missing else "stale"


def finish_batch(
    outcomes: list, *, to_stdout: bool, check: bool, diff: bool, changed_label: str = "converted", summary_to_stderr: bool = False
) -> None:
    """Print what a batch command did (stdout text, diffs, summary) and exit with its code."""
    from postkit.core.batch import Status, counts
    from postkit.core.document import ReadError, read_document
    from postkit.core.report import batch_summary, plain

    if to_stdout and outcomes:
        outcome = outcomes[0]
        if outcome.status is not Status.FAILED:
            try:
                document = read_document(outcome.job.source)
            except ReadError as error:
                raise fail(f"{outcome.job.source}:{error.line}:{error.col}: PK000 {error.message}") from None
            # Bytes, so that a BOM before the front matter comes out as it went in.
            text = outcome.text if outcome.status is Status.CHANGED else None
            sys.stdout.flush()
            sys.stdout.buffer.write(document.encoded(text))
            sys.stdout.buffer.flush()
    if diff:
        sys.stdout.write("".join(o.diff for o in outcomes if o.diff))
    notes: dict[str, int] = {}
    for outcome in outcomes:
        for name, number in outcome.notes.items():
            notes[name] = notes.get(name, 0) + number
    failures = [(o.job.source, o.location_message) for o in outcomes if o.status is Status.FAILED]
    label = "would change" if check or diff else changed_label
    lines = batch_summary(counts(outcomes), failures, notes, changed_label=label)
    if check and not diff:
        # Name what would change, so that a CI or pre-commit log says which post to fix: a copy
        # written beside its post is "missing" or "stale", a post rewritten in place "would change".
        lines = [[(f"{_check_verdict(o)}: {o.job.target or o.job.source}", None)] for o in outcomes if o.status is Status.CHANGED] + lines
    if to_stdout or summary_to_stderr:
        sys.stderr.write(plain(lines))
    else:
        print_styled(lines)
    changed = any(o.status is Status.CHANGED for o in outcomes)
    raise typer.Exit(EXIT_PROBLEMS if failures or ((check or diff) and changed) else EXIT_CLEAN)


def print_table(title: str, columns: list[str], rows: list[list[str]], fold: tuple[int, ...] = (0,)) -> None:
    """A table on stdout: Rich's on a terminal, columns aligned as plain text elsewhere (logs, pipes).

    On a narrow terminal only the columns in ``fold`` (by index) wrap; the others keep their width.
    """
    if sys.stdout.isatty():
        from rich import box
        from rich.table import Table

        table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD)
        for index, column in enumerate(columns):
            widest = max([len(column), *(len(row[index]) for row in rows)])
            table.add_column(column, overflow="fold", no_wrap=index not in fold, min_width=min(widest, 16) if index in fold else None)
        for row in rows:
            table.add_row(*row)
        stdout_console().print(table)
        return
    from postkit.core.report import display_width

    widths = [max([display_width(column), *(display_width(row[i]) for row in rows)]) for i, column in enumerate(columns)]

    def line(cells: list[str]) -> str:
        return "  ".join(cell + " " * (width - display_width(cell)) for cell, width in zip(cells, widths)).rstrip() + "\n"

    sys.stdout.write(title + "\n" + line(columns) + "".join(line(row) for row in rows))
