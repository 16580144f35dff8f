"""The postkit command line: thin Typer commands that parse options, call the core, print, and exit.

Exit codes follow ruff: 0 clean, 1 problems found, 2 usage, config or
internal error. No traceback reaches the user for bad input.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Callable, Optional

import typer

from postkit import __version__

app = typer.Typer(
    name="postkit",
    help="Validate, convert, translate and image-check Markdown blog posts with YAML front matter (Hexo, Hugo, Jekyll).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_ERROR = 0, 1, 2
PROGRESS_THRESHOLD = 100


def _version(value: bool) -> None:
    if value:
        typer.echo(f"postkit {__version__}")
        raise typer.Exit(EXIT_CLEAN)


@app.callback()
def main(
    version: Annotated[
        Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = None,
) -> None:
    """postkit: make generated Markdown blog posts correct and clean."""


def fail(message: str) -> typer.Exit:
    """Print ``postkit: error: message`` on stderr and return the exit-2 exception to raise."""
    typer.echo(f"postkit: error: {message}", err=True)
    return typer.Exit(EXIT_ERROR)


def split_codes(values: Optional[list[str]]) -> Optional[list[str]]:
    """``--select PK1,PK202 --select PK3`` as one list; ``None`` when the option was not given."""
    if values is None:
        return None
    return [code.strip() for value in values for code in value.split(",") if code.strip()]


def show_progress() -> bool:
    """Progress bars only on a terminal, never under pre-commit or CI."""
    return sys.stderr.isatty() and not os.environ.get("PRE_COMMIT") and not os.environ.get("CI")


class _Progress:
    """A Rich progress bar on stderr for long runs, or nothing."""

    def __init__(self, total: int, label: str, threshold: int = PROGRESS_THRESHOLD) -> None:
        self.bar = None
        if total >= threshold and show_progress():
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

            self.bar = Progress(
                f"[bold]{label}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                console=Console(stderr=True), transient=True,
            )
            self.task = self.bar.add_task(label, total=total)

    def __enter__(self) -> Callable[[str], None] | None:
        if self.bar is None:
            return None
        self.bar.start()
        return lambda _path: self.bar.advance(self.task)  # type: ignore[union-attr]

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def _stdout_console():  # noqa: ANN202 - Rich is imported lazily to keep start-up fast
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def print_styled(lines: list[list[tuple[str, str | None]]]) -> None:
    """Print styled lines: through Rich with colours on a terminal, as plain text elsewhere."""
    if not sys.stdout.isatty():
        from postkit.report import plain

        sys.stdout.write(plain(lines))
        return
    from rich.text import Text

    console = _stdout_console()
    for line in lines:
        text = Text()
        for piece, style in line:
            text.append(piece, style=style)
        console.print(text)


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
    Optional[int], typer.Option("--jobs", "-j", min=1, help="Worker processes for large trees. Default: every core.", show_default=False)
]
ConfigOption = Annotated[
    Optional[Path], typer.Option("--config", help="Read this config file instead of searching for one.", show_default=False)
]


@app.command()
def validate(
    paths: PathsArgument = None,
    output_format: FormatOption = None,
    select: Annotated[Optional[list[str]], typer.Option("--select", help="Only these rule codes, prefixes or names (comma-separated; replaces config 'select').", show_default=False)] = None,
    ignore: Annotated[Optional[list[str]], typer.Option("--ignore", help="Skip these rule codes, prefixes or names (comma-separated; replaces config 'ignore').", show_default=False)] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 1 on warnings too.")] = False,
    fix: Annotated[bool, typer.Option("--fix", help="Apply safe fixes in place.")] = False,
    unsafe_fixes: Annotated[bool, typer.Option("--unsafe-fixes", help="With --fix or --diff, apply unsafe fixes too.")] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Print the fixes as a unified diff; write nothing.")] = False,
    exclude: ExcludeOption = None,
    config_file: ConfigOption = None,
    jobs: JobsOption = None,
) -> None:
    """Check front matter: required keys, dates, image fields and YAML traps."""
    from postkit import engine, report
    from postkit.config import ConfigError, load_config
    from postkit.paths import default_paths, discover
    from postkit.rules import RULES

    chosen_format = output_format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "full")
    if chosen_format not in report.FORMATS:
        raise fail(f"--format must be one of {', '.join(report.FORMATS)}, not {chosen_format!r}")
    targets = paths or default_paths(Path.cwd())
    try:
        config = load_config(Path(targets[0]), config_file)
        settings = engine.settings_for(config)
        selection = engine.selection_for(config, split_codes(select), split_codes(ignore))
    except (ConfigError, ValueError) as error:
        raise fail(str(error)) from None
    files = discover(targets, [*config.get("exclude", []), *(exclude or [])], str(config.root))
    with _Progress(len(files), "validate") as progress:
        run = engine.validate_files(
            files, settings, selection, fix=fix, unsafe=unsafe_fixes, diff=diff, progress=progress, jobs=jobs
        )
    summary = report.Summary.of(run.diagnostics, run.files, run.fixes_applied, run.fixed_files)
    failing = summary.errors + (summary.warnings if strict else 0)
    if diff:
        sys.stdout.write("".join(run.diffs))
        typer.echo(f"{len(run.diffs)} file(s) would be fixed ({run.fixes_applied} fixes).", err=True)
        raise typer.Exit(EXIT_PROBLEMS if run.diffs or failing else EXIT_CLEAN)
    if chosen_format == "full":
        print_styled(report.full(run.diagnostics, summary, lambda p, n: run.source_lines.get((p, n))))
    elif chosen_format == "sarif":
        rules = [(code, m.NAME, m.DEFAULT, m.__doc__ or "") for code, m in RULES.items()]
        sys.stdout.write(report.sarif(run.diagnostics, summary, rules))
    else:
        writer = {"concise": report.concise, "json": report.to_json, "github": report.github}[chosen_format]
        sys.stdout.write(writer(run.diagnostics, summary))
    raise typer.Exit(EXIT_PROBLEMS if failing else EXIT_CLEAN)


@app.command()
def convert(
    paths: PathsArgument = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Write converted posts into this folder, mirroring the tree.", show_default=False)] = None,
    in_place: Annotated[bool, typer.Option("--in-place", help="Rewrite the posts themselves (atomically).")] = False,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 if any post would change (CI and pre-commit).")] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Print unified diffs; write nothing.")] = False,
    base_url: Annotated[Optional[str], typer.Option("--base-url", help="Resolve relative links and images against this URL.", show_default=False)] = None,
    exclude: ExcludeOption = None,
    config_file: ConfigOption = None,
    jobs: JobsOption = None,
) -> None:
    """Convert HTML post bodies to clean Markdown that renders the same in Hexo."""
    from functools import partial

    from postkit.batch import mirror_path
    from postkit.convert.post import DEFAULT_BASE_URL_KEYS, convert_post

    if out is not None and in_place:
        raise fail("--out and --in-place cannot be used together")
    config, files = _load_and_discover(paths, exclude, config_file)
    writes = out is not None or in_place
    to_stdout = not writes and not check and not diff
    if to_stdout and len(files) != 1:
        raise fail(f"{len(files)} posts found: use --out DIR to write a converted tree or --in-place to rewrite them (one post alone goes to stdout)")
    if out is not None:
        targets = [mirror_path(path, paths or ["."], str(out)) for path in files]
    else:
        targets = [None if to_stdout else path for path in files]
    keys = tuple(config.section("convert").get("base-url-keys", DEFAULT_BASE_URL_KEYS))
    site_source = str(config.site_root / "source") if config.site_root else None
    transform = partial(convert_post, base_url=base_url, base_url_keys=keys, site_source=site_source)
    _run_batch("convert", files, targets, transform, check=check, diff=diff, jobs=jobs, to_stdout=to_stdout)


OPENCC_CONFIGS = ("s2t", "s2tw", "s2twp", "s2hk", "t2s", "tw2s", "hk2s")


@app.command()
def traditional(
    paths: PathsArgument = None,
    opencc_config: Annotated[Optional[str], typer.Option("--config", help="OpenCC config: s2t (default), s2tw, s2twp, s2hk, or the reverse t2s, tw2s, hk2s.", show_default=False)] = None,
    suffix: Annotated[Optional[str], typer.Option("--suffix", help="Name copies post.SUFFIX.md instead of the BCP 47 tag (zh-Hant, zh-TW, zh-HK, zh-Hans).", show_default=False)] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Write the copies into this folder, mirroring the tree, under their own names.", show_default=False)] = None,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 if any copy is missing or stale (CI and pre-commit).")] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Print unified diffs of the copies; write nothing.")] = False,
    convert_html: Annotated[bool, typer.Option("--convert", help="Convert HTML bodies to Markdown first (postkit convert).")] = False,
    skip_non_chinese: Annotated[Optional[bool], typer.Option("--skip-non-chinese/--copy-non-chinese", help="Skip posts with no Chinese text (default: copy them with only lang set).", show_default=False)] = None,
    exclude: ExcludeOption = None,
    config_file: Annotated[Optional[Path], typer.Option("--config-file", help="Read this postkit config file instead of searching for one.", show_default=False)] = None,
    jobs: JobsOption = None,
) -> None:
    """Write Traditional Chinese copies of posts (OpenCC), never touching URLs, code or keys."""
    from functools import partial

    from postkit.batch import mirror_path
    from postkit.convert.traditional_post import copy_text

    config, files = _load_and_discover(paths, exclude, config_file)
    settings = config.section("traditional")
    chosen = opencc_config or settings.get("config", "s2t")
    if chosen not in OPENCC_CONFIGS:
        raise fail(f"--config must be one of {', '.join(OPENCC_CONFIGS)}, not {chosen!r}")
    suffix = suffix if suffix is not None else settings.get("suffix")
    if suffix is not None and not suffix.strip(". "):
        raise fail("--suffix must not be empty")
    from postkit.convert.traditional import DEFAULT_FRONT_MATTER_KEYS, DEFAULT_LANG_KEY, copy_path

    targets = [mirror_path(path, paths or ["."], str(out)) if out else copy_path(path, chosen, suffix) for path in files]
    transform = partial(
        copy_text,
        config=chosen,
        keys=tuple(settings.get("keys", DEFAULT_FRONT_MATTER_KEYS)),
        lang_key=settings.get("lang-key", DEFAULT_LANG_KEY),
        skip_non_chinese=skip_non_chinese if skip_non_chinese is not None else settings.get("skip-non-chinese", False),
        convert_html=convert_html,
        suffix=suffix,
    )
    _run_batch("traditional", files, targets, transform, check=check, diff=diff, jobs=jobs, changed_label="written")


def _load_and_discover(paths: Optional[list[str]], exclude: Optional[list[str]], config_file: Optional[Path]):  # noqa: ANN202
    """Config and the posts to work on, as every command finds them; exits 2 on a config error."""
    from postkit.config import ConfigError, load_config
    from postkit.paths import default_paths, discover

    targets = paths or default_paths(Path.cwd())
    try:
        config = load_config(Path(targets[0]), config_file)
    except ConfigError as error:
        raise fail(str(error)) from None
    return config, discover(targets, [*config.get("exclude", []), *(exclude or [])], str(config.root))


def _run_batch(
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
) -> None:
    """Run a batch command's transform over ``files`` (with a progress bar on a terminal), report, and exit."""
    from postkit.batch import Job, run_jobs

    with _Progress(len(files), label, threshold=50) as progress:
        outcomes = run_jobs(
            [Job(path, target) for path, target in zip(files, targets)], transform,
            check=check, diff=diff, workers=jobs, progress=progress and (lambda job: progress(job.source)),
        )
    _finish_batch(outcomes, to_stdout=to_stdout, check=check, diff=diff, changed_label=changed_label)


def _finish_batch(outcomes: list, *, to_stdout: bool, check: bool, diff: bool, changed_label: str = "converted") -> None:
    """Print what a batch command did (stdout text, diffs, summary) and exit with its code."""
    from postkit.batch import Status, counts
    from postkit.document import ReadError, read_document
    from postkit.report import batch_summary

    if to_stdout and outcomes:
        outcome = outcomes[0]
        if outcome.status is not Status.FAILED:
            try:
                document = read_document(outcome.job.source)
            except ReadError as error:
                raise fail(f"{outcome.job.source}: {error.message}") from None
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
    failures = [(o.job.source, o.message) for o in outcomes if o.status is Status.FAILED]
    label = "would change" if check or diff else changed_label
    lines = batch_summary(counts(outcomes), failures, notes, changed_label=label)
    if check and not diff:
        # Name what would change, so that a CI or pre-commit log says which post to fix.
        lines = [[(f"would change: {o.job.target or o.job.source}", None)] for o in outcomes if o.status is Status.CHANGED] + lines
    if to_stdout:
        from postkit.report import plain

        sys.stderr.write(plain(lines))
    else:
        print_styled(lines)
    changed = any(o.status is Status.CHANGED for o in outcomes)
    raise typer.Exit(EXIT_PROBLEMS if failures or ((check or diff) and changed) else EXIT_CLEAN)


@app.command()
def rules(
    code: Annotated[Optional[str], typer.Argument(help="A rule code (PK202) or name (date-format) to explain.", show_default=False)] = None,
) -> None:
    """List every rule, or print one rule's documentation."""
    from postkit.rules import RULES, lookup

    if code is None:
        _print_rule_table(RULES)
        return
    module = lookup(code)
    if module is None:
        raise fail(f"no rule {code!r}; run 'postkit rules' for the list")
    doc = (module.__doc__ or "").strip()
    if sys.stdout.isatty():
        from rich.markdown import Markdown

        _stdout_console().print(Markdown(f"# {doc}"))
    else:
        typer.echo(doc)


def _print_rule_table(registry: dict) -> None:
    rows = [
        (code, m.NAME, m.DEFAULT.label, m.FIX or "-", (m.__doc__ or "").strip().splitlines()[0].split(": ", 1)[-1])
        for code, m in registry.items()
    ]
    if sys.stdout.isatty():
        from rich.table import Table

        table = Table("code", "name", "default", "fix", "checks", box=None, pad_edge=False)
        for row in rows:
            table.add_row(*row)
        _stdout_console().print(table)
        return
    for code, name, level, fix, summary in rows:
        typer.echo(f"{code}  {name:<22} {level:<8} {fix:<7} {summary}")


# Registered from its own module; it imports httpx only when it runs.
from postkit.images.command import register as _register_images  # noqa: E402

_register_images(app)


def run() -> None:
    """Console-script entry point: run the app, turning unexpected errors into exit 2 without a traceback."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("postkit: interrupted", err=True)
        sys.exit(130)
    except Exception as error:  # a bug in postkit: say so plainly; POSTKIT_DEBUG=1 shows the traceback
        if os.environ.get("POSTKIT_DEBUG"):
            raise
        typer.echo(f"postkit: internal error: {type(error).__name__}: {error} (set POSTKIT_DEBUG=1 for details)", err=True)
        sys.exit(EXIT_ERROR)


