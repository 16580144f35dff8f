"""Every command's --help fits an 80-column terminal with every option name printed whole."""

from __future__ import annotations

import unicodedata

import pytest
import typer
from conftest import run_postkit

from postkit.cli import app

COMMAND = typer.main.get_command(app)
SUBCOMMANDS = sorted(COMMAND.commands)  # type: ignore[attr-defined]


def display_width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line)


@pytest.mark.parametrize("name", ["", *SUBCOMMANDS])
def test_help_fits_80_columns_and_names_every_option_whole(name):
    args = [name, "--help"] if name else ["--help"]
    result = run_postkit(*args, env={"COLUMNS": "80", "LINES": "50", "TERM": "dumb"})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines and all(display_width(line) <= 80 for line in lines), result.stdout
    assert "…" not in result.stdout, result.stdout
    command = COMMAND.commands[name] if name else COMMAND  # type: ignore[attr-defined]
    for parameter in command.params:
        for option in [*parameter.opts, *getattr(parameter, "secondary_opts", [])]:
            if option.startswith("-"):
                assert option in result.stdout.split() or f"{option}," in result.stdout, (option, result.stdout)


def test_every_subcommand_is_covered():
    assert {"validate", "convert", "traditional", "rules", "images", "import"} <= set(SUBCOMMANDS)


@pytest.mark.parametrize("name", SUBCOMMANDS)
def test_every_option_help_is_printed_whole(name):
    # Rich reads [word] as markup and drops it: no help text may lose a word that way.
    # A wide terminal prints each help text on one line, beside its option.
    result = run_postkit(name, "--help", env={"COLUMNS": "1000", "LINES": "50", "TERM": "dumb"})
    printed = " ".join(result.stdout.split())
    command = COMMAND.commands[name]  # type: ignore[attr-defined]
    for parameter in command.params:
        help_text = getattr(parameter, "help", None)
        if help_text:
            assert " ".join(help_text.split()) in printed, (parameter.name, help_text)
