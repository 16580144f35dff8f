"""Attacks that once stopped a whole run: each now gives the post its own diagnostic and the run goes on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import run_postkit, write

from postkit.core.document import Document
from postkit.validate.engine import Selection, check_document
from postkit.validate.rules.base import Settings

GOOD = "---\ntitle: fine\ndate: 2024-01-01T00:00:00Z\n---\nbody\n"


def _run(tmp_path: Path, name: str, text: str, *extra: str):
    write(tmp_path / name, text)
    write(tmp_path / "good.md", GOOD)
    return run_postkit("validate", ".", "--format", "json", *extra, cwd=tmp_path)


def test_self_referencing_alias_is_checked_and_the_run_goes_on(tmp_path: Path) -> None:
    result = _run(tmp_path, "loop.md", "---\ntitle: &a [*a]\ndate: 2024-01-01T00:00:00Z\n---\nb\n")
    assert result.returncode == 1, result.stderr
    assert "internal error" not in result.stderr
    found = json.loads(result.stdout)["diagnostics"]
    assert {d["path"] for d in found} == {"loop.md"}
    # JavaScript joins a list that holds itself as '' where it recurs.
    assert any(d["code"] == "PK103" and "Hexo shows ''" in d["message"] for d in found)


def test_deeply_nested_json_front_matter_is_pk002(tmp_path: Path) -> None:
    text = ';;;\n"title": ' + "[" * 100000 + "]" * 100000 + "\n;;;\nb\n"
    result = _run(tmp_path, "deep.md", text)
    assert result.returncode == 1, result.stderr
    assert "internal error" not in result.stderr
    found = json.loads(result.stdout)["diagnostics"]
    deep = [d for d in found if d["code"] == "PK002"]
    assert len(deep) == 1 and "too deeply" in deep[0]["message"] and deep[0]["location"]["line"] == 2


def test_overlong_number_says_it_is_too_long(tmp_path: Path) -> None:
    result = _run(tmp_path, "long.md", "---\ntitle: x\ndate: " + "1" * 5001 + "\n---\nb\n")
    assert result.returncode == 1, result.stderr
    found = [d for d in json.loads(result.stdout)["diagnostics"] if d["code"] == "PK002"]
    assert len(found) == 1
    assert "5001 digits long" in found[0]["message"] and "tag" not in found[0]["message"]


def test_a_rule_that_fails_on_one_post_reports_there(monkeypatch: pytest.MonkeyPatch) -> None:
    from postkit.validate.rules import wrong_type

    def broken(post):
        raise RuntimeError("boom")

    monkeypatch.delenv("POSTKIT_DEBUG", raising=False)
    monkeypatch.setattr(wrong_type, "check", broken)
    document = Document.from_text("---\ntitle: x\n---\nb\n", "p.md")
    result = check_document(document, Settings(), Selection.build())
    failed = [d for d in result.diagnostics if d.code == "PK000"]
    assert len(failed) == 1 and "PK103" in failed[0].message and "RuntimeError: boom" in failed[0].message
    assert any(d.code == "PK101" for d in result.diagnostics)  # the other rules still ran
    monkeypatch.setenv("POSTKIT_DEBUG", "1")
    with pytest.raises(RuntimeError):
        check_document(document, Settings(), Selection.build())


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--timeout", "nan"], "--timeout"),
        (["--deadline", "nan"], "--deadline"),
        (["--deadline", "inf"], "--deadline"),
        (["--connect-timeout", "1e300"], "--connect-timeout"),
        (["--user-agent", "a\r\nX: y"], "--user-agent"),
    ],
)
def test_images_options_out_of_range_are_usage_errors(tmp_path: Path, args: list[str], named: str) -> None:
    write(tmp_path / "p.md", "---\ntitle: x\n---\n![a](a.png)\n")
    result = run_postkit("images", "--offline", "p.md", *args, cwd=tmp_path)
    assert result.returncode == 2
    assert named in result.stderr and "internal error" not in result.stderr


@pytest.mark.parametrize(
    ("toml", "named", "command"),
    [
        ("[tool.postkit]\nmax-post-size = 99999999999999999999999\n", "max-post-size", "validate"),
        ("[tool.postkit]\nmax-post-size = '" + "9" * 400 + " GB'\n", "max-post-size", "validate"),
        ("[tool.postkit.images]\ndeadline = inf\n", "deadline", "images"),
        ("[tool.postkit.images]\ntimeout = nan\n", "timeout", "images"),
        ("[tool.postkit.images]\ncache-ttl = " + "9" * 400 + "\n", "cache-ttl", "images"),
        ("[tool.postkit.images]\nlocalize-max-size = '" + "9" * 400 + " MB'\n", "localize-max-size", "images"),
        ("[tool.postkit.images]\nlocalize-max-size = " + "9" * 40 + "\n", "localize-max-size", "images"),
    ],
)
def test_config_numbers_out_of_range_are_config_errors(tmp_path: Path, toml: str, named: str, command: str) -> None:
    write(tmp_path / "pyproject.toml", toml)
    write(tmp_path / "p.md", GOOD)
    result = run_postkit(command, "p.md", cwd=tmp_path)
    assert result.returncode == 2
    assert named in result.stderr and "pyproject.toml" in result.stderr and "internal error" not in result.stderr


def test_a_bad_phrase_entry_names_the_config_file(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.postkit.traditional.phrases]\n"" = "軟體"\n')
    write(tmp_path / "p.md", GOOD)
    result = run_postkit("traditional", "--check", "p.md", cwd=tmp_path)
    assert result.returncode == 2
    assert str(tmp_path / "pyproject.toml") in result.stderr and "empty word" in result.stderr


def _posts_with_hostile_names(tmp_path: Path) -> tuple[bytes, bytes]:
    bad = b"bad\xff\xfe.md"
    escape = b"esc\x1b[31mred\nx.md"
    for name in (bad, escape):
        with open(os.path.join(os.fsencode(tmp_path), name), "wb") as handle:
            handle.write(b"---\ntitle: same\n---\nbody\n")
    return bad, escape


def _raw_run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "POSTKIT_DEBUG")}
    return subprocess.run([str(Path(sys.executable).with_name("postkit")), *args], cwd=tmp_path, env=env, capture_output=True, timeout=120)


@pytest.mark.parametrize("output_format", ["json", "sarif"])
def test_json_and_sarif_are_valid_utf8_for_non_utf8_file_names(tmp_path: Path, output_format: str) -> None:
    _posts_with_hostile_names(tmp_path)
    result = _raw_run(tmp_path, "validate", ".", "--format", output_format)
    assert result.returncode == 1
    text = result.stdout.decode("utf-8")  # strict: raises on any byte that is not UTF-8
    document = json.loads(text)
    if output_format == "json":
        paths = {d["path"] for d in document["diagnostics"]}
        assert "bad\\xff\\xfe.md" in paths and "esc\x1b[31mred\nx.md" in paths
        assert any("also used by bad\\xff\\xfe.md" in d["message"] for d in document["diagnostics"])
    else:
        uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in document["runs"][0]["results"]}
        assert "bad%FF%FE.md" in uris


@pytest.mark.parametrize("output_format", ["full", "concise", "github"])
def test_text_formats_escape_control_characters_in_paths_and_messages(tmp_path: Path, output_format: str) -> None:
    _posts_with_hostile_names(tmp_path)
    result = _raw_run(tmp_path, "validate", ".", "--format", output_format)
    assert result.returncode == 1
    text = result.stdout.decode("utf-8")
    assert "\x1b" not in text
    assert "bad\\xff\\xfe.md" in text
    if output_format == "concise":
        diagnostics = text.splitlines()[:-1]
        assert diagnostics and all(line.startswith(("bad\\xff\\xfe.md:", "esc\\x1b[31mred\\nx.md:")) for line in diagnostics)
    if output_format == "github":
        commands = [line for line in text.splitlines() if line.startswith("::")]
        assert any("file=esc\\x1b[31mred%0Ax.md," in line for line in commands)
        assert all(line.startswith("::") for line in text.splitlines()[: len(commands)])


def test_images_markdown_rows_stay_one_line(tmp_path: Path) -> None:
    write(tmp_path / "p.md", '---\ntitle: x\n---\n<img src="mis|sing\n.png">\n')
    result = _raw_run(tmp_path, "images", "--offline", "p.md", "--format", "markdown")
    assert result.returncode == 1
    rows = [line for line in result.stdout.decode("utf-8").splitlines() if line.startswith("| ") and "p.md:4" in line]
    assert len(rows) == 1
    assert rows[0].count(" | ") == 2 and "mis\\|sing\\n.png" in rows[0]


def test_a_failure_anywhere_in_one_post_is_that_posts_diagnostic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from postkit.validate import engine

    def broken(document, settings, selection, unsafe=False):
        raise MemoryError("no room")

    monkeypatch.delenv("POSTKIT_DEBUG", raising=False)
    monkeypatch.setattr(engine, "fix_document", broken)
    write(tmp_path / "a.md", GOOD)
    write(tmp_path / "b.md", GOOD)
    run = engine.validate_files([str(tmp_path / "a.md"), str(tmp_path / "b.md")], Settings(), Selection.build(), diff=True, jobs=1)
    assert [(d.path.rsplit("/", 1)[-1], d.code) for d in run.diagnostics] == [("a.md", "PK000"), ("b.md", "PK000")]
    assert "MemoryError: no room" in run.diagnostics[0].message
