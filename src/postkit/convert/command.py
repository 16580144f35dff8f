"""``postkit convert``: parse options, convert each post's HTML body to Markdown, report, exit.

Importing this module costs Typer alone: bs4 and markdownify load when the
command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from postkit import console
from postkit.console import ConfigOption, ExcludeOption, JobsOption, PathsArgument
from postkit.core.config import Section, list_of_str, register_section

register_section("convert", Section(keys={"base-url-keys": (list_of_str, "a list of front matter keys")}))


def convert(
    paths: PathsArgument = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Write converted posts into this folder, mirroring the tree (relative to source/ in a Hexo site); Markdown posts are copied.", show_default=False)] = None,
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

    from postkit.convert.post import DEFAULT_BASE_URL_KEYS, convert_post
    from postkit.core.batch import mirror_target

    if out is not None and in_place:
        raise console.fail("--out and --in-place cannot be used together")
    config, files = console.load_and_discover(paths, exclude, config_file)
    if out is not None:
        files = _outside(files, out, paths or [])
    writes = out is not None or in_place
    to_stdout = not writes and not check and not diff
    if to_stdout and len(files) != 1:
        raise console.fail(f"{len(files)} posts found: use --out DIR to write a converted tree or --in-place to rewrite them (one post alone goes to stdout)")
    site_source = str(config.site_root / "source") if config.site_root else None
    if out is not None:
        # Mirrored relative to the site's source/ in a Hexo site, else to the common parent of the
        # paths given; posts already in Markdown are copied, so the tree is whole.
        targets = [mirror_target(path, str(out), paths or ["."], site_source) for path in files]
    else:
        targets = [None if to_stdout else path for path in files]
    keys = tuple(config.section("convert").get("base-url-keys", DEFAULT_BASE_URL_KEYS))
    transform = partial(
        convert_post, base_url=base_url, base_url_keys=keys, site_source=site_source, copy_markdown=out is not None
    )
    console.run_batch(
        "convert", files, targets, transform, check=check, diff=diff, jobs=jobs, to_stdout=to_stdout, max_size=config.max_post_size
    )


def _outside(files: list[str], out: Path, paths: list[str]) -> list[str]:
    """``files`` less those found inside the ``--out`` folder, so a second run does not convert its own output.

    A post named on the command line itself is kept.
    """
    import os

    folder = os.path.realpath(out) + os.sep
    named = {os.path.realpath(path) for path in paths if os.path.isfile(path)}
    return [path for path in files if not os.path.realpath(path).startswith(folder) or os.path.realpath(path) in named]


def register(app: typer.Typer) -> None:
    """Add ``postkit convert`` to ``app``."""
    app.command("convert")(convert)
