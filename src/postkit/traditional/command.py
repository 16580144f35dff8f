"""``postkit traditional``: parse options, write each post's Chinese-script copy, report, exit.

Importing this module costs Typer alone: OpenCC, jieba and markdown-it load
when the command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from postkit import console
from postkit.console import ExcludeOption, JobsOption, PathsArgument
from postkit.core.config import Section, is_bool, is_str, list_of_str, register_section

REVIEW_FORMATS = ("full", "concise", "json", "github", "sarif", "markdown")


def _is_opencc_config(value: object) -> bool:
    # The list lives with OpenCC's loading code; importing it waits until a config file names one.
    from postkit.traditional.opencc import CONFIGS

    return value in CONFIGS


def _suffix_problem(suffix: str) -> str | None:
    """Why ``suffix`` cannot tag a copy's file name (post.SUFFIX.md), or ``None`` when it can."""
    tag = suffix.strip(". ")
    if not tag:
        return "must not be empty"
    if "/" in suffix or "\\" in suffix:
        return "must be a file-name tag such as 'zh-TW', not a path"
    if any(ord(character) < 32 or ord(character) == 127 for character in suffix):
        return "must not hold control characters"
    return None


register_section(
    "traditional",
    Section(
        keys={
            "config": (_is_opencc_config, "an OpenCC config: s2t, s2tw, s2twp, s2hk, t2s, tw2s or hk2s"),
            "keys": (list_of_str, "a list of front matter keys"),
            "lang-key": (is_str, "a string (a front matter key)"),
            "suffix": (lambda v: is_str(v) and _suffix_problem(v) is None, "a file-name tag such as 'zh-TW' (no '/', '\\' or control characters)"),
            "skip-non-chinese": (is_bool, "true or false"),
            "phrases": (lambda v: isinstance(v, dict), "a table of Simplified word = Traditional word, and tables per OpenCC config"),
            "punctuation": (is_bool, "true or false"),
        }
    ),
)


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
    phrases_file: Annotated[Optional[Path], typer.Option("--phrases", help="Read a phrase table from this TOML file: word = \"form\" entries and one table per OpenCC config (such as s2twp), or a pyproject.toml. It adds to config 'phrases'.", show_default=False)] = None,
    punctuation: Annotated[Optional[bool], typer.Option("--punctuation/--no-punctuation", help="Quote as the region does: “”‘’ → 「」『』 (reverse configs: back). Default: on for s2tw, s2twp, s2hk.", show_default=False)] = None,
    review: Annotated[bool, typer.Option("--review", help="Also list every place where the form written was a choice (one-to-many characters, regional phrases, phrase tables, rules). Changes nothing written.")] = False,
    output_format: Annotated[Optional[str], typer.Option("--format", "-f", help="--review output: full, concise, json, github, sarif or markdown. Default: full (github under GitHub Actions).", show_default=False)] = None,
) -> None:
    """Write Traditional Chinese copies of posts (OpenCC), never touching URLs, code or keys."""
    from postkit.traditional.post import copy_path
    from postkit.traditional.settings import SettingsError, resolve_settings

    config, files = console.load_and_discover(paths, exclude, config_file)
    section = config.section("traditional")
    chosen = opencc_config or section.get("config", "s2t")
    from postkit.traditional.opencc import CONFIGS

    if chosen not in CONFIGS:
        raise console.fail(f"--config must be one of {', '.join(CONFIGS)}, not {chosen!r}")
    problem = None if suffix is None else _suffix_problem(suffix)
    if problem is not None:
        raise console.fail(f"--suffix {problem} (got {suffix!r})")
    chosen_format = console.chosen_format(output_format, REVIEW_FORMATS) if review else None
    try:
        settings = resolve_settings(
            chosen, section, suffix=suffix, punctuation=punctuation, skip_non_chinese=skip_non_chinese,
            convert_html=convert_html, phrases_file=phrases_file, source=str(config.source) if config.source else None,
        )
    except SettingsError as error:
        raise console.fail(str(error)) from None
    if out:
        from postkit.core.batch import mirror_target

        site_source = str(config.site_root / "source") if config.site_root else None
        targets = [mirror_target(path, str(out), paths or ["."], site_source) for path in files]
    else:
        targets = [copy_path(path, chosen, settings.suffix) for path in files]
    if review:
        from postkit.traditional.review import print_review

        print_review(files, chosen, settings.keys, settings.phrases, settings.suffix, chosen_format)
    console.run_batch(
        "traditional", files, targets, settings.copy, check=check, diff=diff, jobs=jobs, changed_label="written",
        max_size=config.max_post_size, summary_to_stderr=review and chosen_format != "full",
    )


def register(app: typer.Typer) -> None:
    """Add ``postkit traditional`` to ``app``."""
    app.command("traditional")(traditional)
