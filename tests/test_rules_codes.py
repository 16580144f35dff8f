"""Every code a command can print is explained by `postkit rules CODE`."""

from __future__ import annotations

import re

from conftest import ROOT, run_postkit

CODE = re.compile(r"""["'`]((?:PK|IMG|IMP|TRD|CNV|OUT)\d{3})["'`]""")


def codes_in_source() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "src" / "postkit").rglob("*.py"):
        found.update(CODE.findall(path.read_text(encoding="utf-8")))
    return found


def test_every_code_in_the_source_has_documentation(cli):
    codes = codes_in_source()
    assert {"IMP003", "TRD101", "CNV001", "OUT001", "IMG302", "PK202"} <= codes
    listing = run_postkit("rules").stdout
    for code in sorted(codes):
        assert re.search(rf"^{code}\s", listing, re.M), f"{code} is not in 'postkit rules'"
        result = cli("rules", code)  # in-process: one interpreter for the eighty codes
        assert result.exit_code == 0, (code, result.stderr)
        assert f"({code})" in result.stdout or code in result.stdout.splitlines()[0], code


def test_other_codes_follow_the_rules_template_and_a_name_works_too():
    result = run_postkit("rules", "not-a-feed")
    assert result.returncode == 0
    for heading in ("## What it means", "## Why it matters", "## Example", "## Fix"):
        assert heading in result.stdout
    assert run_postkit("rules", "IMP999").returncode == 2
