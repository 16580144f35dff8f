"""The postkit command line: the Typer app, with each command registered from its own package.

Nothing imports this module; it only gathers the commands. Each command's
``command.py`` parses its options, calls into its package, prints through
``postkit.console`` and exits with ruff's codes: 0 clean, 1 problems found,
2 usage, config or internal error. No traceback reaches the user.
"""

from __future__ import annotations

import os
import sys
from typing import Annotated, Optional

import typer

from postkit import __version__, console
from postkit.convert import command as convert_command
from postkit.feeds import command as feeds_command
from postkit.images import command as images_command
from postkit.traditional import command as traditional_command
from postkit.validate import command as validate_command

# The order here is the order of `postkit --help`.
COMMANDS = {
    "validate": validate_command.register,
    "convert": convert_command.register,
    "traditional": traditional_command.register,
    "rules": validate_command.register_rules,
    "images": images_command.register,
    "import": feeds_command.register,
}


def _version(value: bool) -> None:
    if value:
        typer.echo(f"postkit {__version__}")
        raise typer.Exit(console.EXIT_CLEAN)


def main(
    version: Annotated[
        Optional[bool], typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = None,
) -> None:
    """postkit: make generated Markdown blog posts correct and clean."""


def make_app(names: Optional[set[str]] = None) -> typer.Typer:
    """The postkit app with every command, or only the ``names`` given."""
    new_app = typer.Typer(
        name="postkit",
        help="Validate, convert, translate, image-check and import (RSS, Atom, JSON Feed) Markdown blog posts with YAML front matter (Hexo, Hugo, Jekyll).",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    new_app.callback()(main)
    for name, register in COMMANDS.items():
        if names is None or name in names:
            register(new_app)
    return new_app


app = make_app()


EXIT_INTERRUPTED = 128 + 2  # killed by SIGINT, as shells report it


def run() -> None:
    """Console-script entry point: run the app, turning unexpected errors into exit 2 without a traceback.

    Ctrl-C prints ``postkit: interrupted`` and exits 130. Typer turns the
    KeyboardInterrupt into a silent exit 130 before it gets here, and no
    command exits 130 on its own, so that exit code is the interrupt.
    """
    # Typer builds the options of every registered command before it runs one; a run
    # of one command (the pre-commit case) builds only that command's.
    argv = sys.argv[1:]
    chosen = make_app({argv[0]}) if argv and argv[0] in COMMANDS else app
    try:
        chosen()
    except KeyboardInterrupt:
        _interrupted()
    except SystemExit as leaving:
        if leaving.code == EXIT_INTERRUPTED:
            _interrupted()
        raise
    except Exception as error:  # a bug in postkit: say so plainly; POSTKIT_DEBUG=1 shows the traceback
        if os.environ.get("POSTKIT_DEBUG"):
            raise
        typer.echo(f"postkit: internal error: {type(error).__name__}: {error} (set POSTKIT_DEBUG=1 for details)", err=True)
        sys.exit(console.EXIT_ERROR)


def _interrupted() -> None:
    sys.stdout.flush()
    typer.echo("postkit: interrupted", err=True)
    sys.exit(EXIT_INTERRUPTED)
