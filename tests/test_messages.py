"""Every command reports a bad post the same way: ``path:line:col: CODE message``, which editors jump to."""

from __future__ import annotations

import re

import pytest
from conftest import run_postkit, write

LOCATION = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (?P<code>[A-Z]+\d{3}) (?P<message>.+)$")

# One post per kind of failure that validate, convert and traditional all meet.
BAD_POSTS = {
    "gbk.md": "---\ntitle: 标题\n---\n正文".encode("gbk"),  # PK000: not UTF-8, at line 2, column 8
    "yaml.md": "---\ntitle: a: b\n---\n正文\n",  # PK002
    "unclosed.md": "\n---\ntitle: 标题\ndate: 2024-02-10T12:00:00+08:00\n\n正文\n",  # PK001
    "list.md": "---\n- 标题\n---\n正文\n",  # PK004
}


def located(output: str) -> dict[str, tuple[str, str, str, str]]:
    """``{file name: (line, col, code, message)}`` for each ``path:line:col: CODE message`` line."""
    found = {}
    for line in output.splitlines():
        match = LOCATION.match(line)
        if match:
            name = match["path"].replace("\\", "/").rsplit("/", 1)[-1]
            found[name] = (match["line"], match["col"], match["code"], match["message"])
    return found


def validate_errors(folder) -> dict[str, tuple[str, str, str, str]]:
    result = run_postkit("validate", "--format", "concise", "--select", "PK0", str(folder))
    return {name: (line, col, code, message.removeprefix("[error] ")) for name, (line, col, code, message) in located(result.stdout).items()}


@pytest.fixture
def bad_posts(tmp_path):
    for name, content in BAD_POSTS.items():
        write(tmp_path / name, content)
    return tmp_path


def test_traditional_reports_failures_as_validate_does(bad_posts):
    expected = validate_errors(bad_posts)
    assert set(expected) == set(BAD_POSTS)
    result = run_postkit("traditional", str(bad_posts))
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert located(result.stdout) == expected
    assert not list(bad_posts.glob("*.zh-Hant.md"))  # nothing written for a refused post


def test_traditional_refuses_unclosed_front_matter_with_pk001(bad_posts):
    result = run_postkit("traditional", "--check", str(bad_posts / "unclosed.md"))
    assert result.returncode == 1
    assert located(result.stdout) == {
        "unclosed.md": ("2", "1", "PK001", "the '---' at line 2 opens front matter that is never closed with '---'")
    }


def test_convert_reports_read_failures_as_validate_does(bad_posts):
    expected = validate_errors(bad_posts)["gbk.md"]
    result = run_postkit("convert", "--check", str(bad_posts / "gbk.md"))
    assert result.returncode == 1
    assert located(result.stdout + result.stderr)["gbk.md"] == expected


def test_a_transform_failure_keeps_its_code_and_place(tmp_path):
    # The batch runner that convert and traditional share reports a transform's own failure
    # (convert's CNV001 when an HTML body cannot be converted) at the place and with the code it names.
    from postkit.core.batch import Job, Status, TransformError, run_job
    from postkit.convert.post import CONVERSION_ERROR

    post = write(tmp_path / "p.md", "---\ntitle: x\n---\n\n<div>x</div>\n")

    def refuse(document):
        raise TransformError("cannot convert HTML body: broken", code=CONVERSION_ERROR, line=5)

    outcome = run_job(Job(str(post), None), refuse)
    assert outcome.status is Status.FAILED
    assert outcome.location_message == "5:1: CNV001 cannot convert HTML body: broken"


def test_validate_diff_names_the_errors_it_cannot_fix(tmp_path):
    unfixable = write(tmp_path / "nofix.md", "---\ntitle: x\ndate: Invalid Date\n---\nbody\n")
    fixable = write(tmp_path / "fix.md", "---\ntitle: x\ndate: Tue, 14 Dec 2021 02:53:00 GMT\n---\nbody\n")
    result = run_postkit("validate", "--diff", str(unfixable))
    assert result.returncode == 1
    assert result.stdout == ""  # no patch: the error has no fix
    assert located(result.stderr)["nofix.md"][:3] == ("3", "7", "PK201")
    assert "0 file(s) would be fixed" in result.stderr
    both = run_postkit("validate", "--diff", str(unfixable), str(fixable))
    assert both.returncode == 1
    assert both.stdout.startswith("--- a/") and "+date: 2021-12-14T02:53:00Z" in both.stdout  # stdout stays a patch
    assert set(located(both.stderr)) == {"nofix.md"}  # the fixed warning is in the patch, not repeated


def test_traditional_front_matter_it_cannot_edit_is_trd001(tmp_path):
    post = write(tmp_path / "flow.md", "---\n{title: 标题, date: 2024-02-10}\n---\n正文\n")
    result = run_postkit("traditional", str(post))
    assert result.returncode == 1
    line, col, code, message = located(result.stdout)["flow.md"]
    assert (line, col, code) == ("2", "1", "TRD001") and "flow mapping" in message
    assert not (tmp_path / "flow.zh-Hant.md").exists()
