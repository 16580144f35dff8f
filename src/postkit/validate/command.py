"""``postkit validate`` and ``postkit rules``: parse options, call the engine, print, exit.

Importing this module costs Typer alone: the engine and the rule modules
load when a command runs.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from postkit import console
from postkit.core.config import register_section
from postkit.console import ConfigOption, ExcludeOption, FormatOption, JobsOption, PathsArgument
from postkit.validate.config_schema import SECTION

register_section("validate", SECTION)


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
    drafts: Annotated[bool, typer.Option("--drafts", help="At a Hexo site root, check source/_drafts too.")] = False,
) -> None:
    """Check front matter: required keys, dates, image fields and YAML traps."""
    from postkit.core import report
    from postkit.core.paths import default_paths, discover
    from postkit.validate import engine
    from postkit.validate.rules import RULES
    from postkit.validate.site import site_targets

    chosen_format = console.chosen_format(output_format, report.FORMATS)
    targets = paths or default_paths(Path.cwd())
    config = console.load_config(Path(targets[0]), config_file)
    try:
        settings = engine.settings_for(config)
        selection = engine.selection_for(config, console.split_codes(select), console.split_codes(ignore))
    except ValueError as error:
        raise console.fail(str(error)) from None
    targets, outside_site = site_targets(targets, drafts)
    files = discover(targets, [*config.get("exclude", []), *(exclude or []), *outside_site], str(config.root), site_root=str(config.site_root) if config.site_root else None)
    with console.Progress(len(files), "validate") as progress:
        run = engine.validate_files(
            files, settings, selection, fix=fix, unsafe=unsafe_fixes, diff=diff, progress=progress, jobs=jobs,
            max_size=config.max_post_size,
        )
    summary = report.Summary.of(run.diagnostics, run.files, run.fixes_applied, run.fixed_files)
    failing = summary.errors + (summary.warnings if strict else 0)
    if diff:
        sys.stdout.write("".join(run.diffs))
        # stdout stays a patch; on stderr, name what the patch leaves, since that is what makes the exit code 1.
        unfixed = [d for d in run.diagnostics if _counts_for_exit(d, strict) and not _fixed_by_diff(d, unsafe_fixes)]
        if unfixed:
            sys.stderr.write(report.concise(unfixed, report.Summary.of(unfixed, run.files, 0, 0)))
        typer.echo(f"{len(run.diffs)} file(s) would be fixed ({run.fixes_applied} fixes).", err=True)
        raise typer.Exit(console.EXIT_PROBLEMS if run.diffs or failing else console.EXIT_CLEAN)
    if chosen_format == "full":
        console.print_styled(report.full(run.diagnostics, summary, lambda p, n: run.source_lines.get((p, n))))
    elif chosen_format == "sarif":
        rules = [(code, m.NAME, m.DEFAULT, m.__doc__ or "") for code, m in RULES.items()]
        sys.stdout.write(report.sarif(run.diagnostics, summary, rules))
    else:
        writer = {"concise": report.concise, "json": report.to_json, "github": report.github}[chosen_format]
        sys.stdout.write(writer(run.diagnostics, summary))
    raise typer.Exit(console.EXIT_PROBLEMS if failing else console.EXIT_CLEAN)


def _counts_for_exit(diagnostic, strict: bool) -> bool:  # noqa: ANN001 - a core Diagnostic
    """True for an error, or a warning under ``--strict``: a diagnostic that makes validate exit 1."""
    from postkit.core.diagnostics import Severity

    return diagnostic.severity >= (Severity.WARNING if strict else Severity.ERROR)


def _fixed_by_diff(diagnostic, unsafe: bool) -> bool:  # noqa: ANN001 - a core Diagnostic
    """True when ``--diff`` (with ``--unsafe-fixes`` or not) applies this diagnostic's fix."""
    from postkit.core.diagnostics import Applicability

    return diagnostic.fix is not None and (unsafe or diagnostic.fix.applicability is Applicability.SAFE)


def rules(
    code: Annotated[
        Optional[str],
        typer.Argument(help="A code (PK202, IMG302) or name (date-format, hotlink-protected) to explain.", show_default=False),
    ] = None,
) -> None:
    """List every rule of postkit validate and every reason of postkit images, or print one's documentation."""
    # reasons.py and the codes modules are tables with no imports beyond the core: validate's
    # start-up stays free of the image checker, OpenCC and feedparser.
    from postkit.images.reasons import BY_CODE, REASONS
    from postkit.validate.rules import RULES, lookup

    other_codes = _other_codes()
    if code is None:
        _print_rule_table(RULES, REASONS.values(), other_codes)
        return
    module = lookup(code)
    reason = (
        BY_CODE.get(code.upper())
        or REASONS.get(code.lower())
        or next((c for c in other_codes if code.upper() == c.code or code.lower() == c.name), None)
    )
    if module is None and reason is None:
        raise console.fail(f"no rule {code!r}; run 'postkit rules' for the list")
    doc = (module.__doc__ or "").strip() if module is not None else reason.doc().strip()
    if sys.stdout.isatty():
        from rich.markdown import Markdown

        console.stdout_console().print(Markdown(f"# {doc}"))
    else:
        typer.echo(doc)


def _other_codes() -> list:
    """The per-file and review codes of convert, traditional, import and the batch runner (``core.codes.Code``)."""
    from postkit.convert.codes import CODES as CONVERT_CODES
    from postkit.core.codes import OUTPUT_CODES
    from postkit.feeds.codes import CODES as IMPORT_CODES
    from postkit.traditional.codes import CODES as TRADITIONAL_CODES

    return [*CONVERT_CODES, *TRADITIONAL_CODES, *IMPORT_CODES, *OUTPUT_CODES]


def _print_rule_table(registry: dict, reasons, other_codes) -> None:  # noqa: ANN001 - Reason and Code values
    rows = [
        (code, m.NAME, m.DEFAULT.label, m.FIX or "-", (m.__doc__ or "").strip().splitlines()[0].split(": ", 1)[-1])
        for code, m in registry.items()
    ]
    rows += [(r.code, r.name, r.severity.label, "-", f"postkit images: {r.summary}") for r in reasons]
    rows += [(c.code, c.name, c.severity, "-", f"postkit {c.command}: {c.summary}") for c in other_codes]
    if sys.stdout.isatty():
        from rich.table import Table

        table = Table("code", "name", "default", "fix", "checks", box=None, pad_edge=False)
        for row in rows:
            table.add_row(*row)
        console.stdout_console().print(table)
        return
    for code, name, level, fix, summary in rows:
        typer.echo(f"{code}  {name:<22} {level:<8} {fix:<7} {summary}")


def register(app: typer.Typer) -> None:
    """Add ``postkit validate`` to ``app``."""
    app.command("validate")(validate)


def register_rules(app: typer.Typer) -> None:
    """Add ``postkit rules`` to ``app``."""
    app.command("rules")(rules)
