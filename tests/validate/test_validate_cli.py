"""The validate and rules commands: formats, exit codes, paths, and clean errors."""

from __future__ import annotations

import json
import re

import jsonschema
import pytest
from conftest import EXAMPLES, ROOT, run_postkit, write

from postkit.validate.rules import RULES

SCHEMA = json.loads((ROOT / "docs" / "validate-output.schema.json").read_text())
BAD = "---\ntitle: 坏日期\ndate: Invalid Date\n---\n"
WARN = "---\ntitle: 旧格式\ndate: Tue, 14 Dec 2021 02:53:00 GMT\n---\n"
CLEAN = "---\ntitle: x\ndate: 2021-12-14T02:53:00Z\n---\n"


def test_exit_codes(tmp_path, cli):
    assert cli("validate", str(write(tmp_path / "clean.md", CLEAN))).exit_code == 0
    assert cli("validate", str(write(tmp_path / "warn.md", WARN))).exit_code == 0
    assert cli("validate", "--strict", str(tmp_path / "warn.md")).exit_code == 1
    assert cli("validate", str(write(tmp_path / "bad.md", BAD))).exit_code == 1
    assert cli("validate", "--format", "yaml", str(tmp_path)).exit_code == 2
    assert cli("validate", "--select", "PK999", str(tmp_path)).exit_code == 2
    assert cli("validate", "--no-such-option").exit_code == 2


def test_concise_format(tmp_path, cli):
    post = write(tmp_path / "bad.md", BAD)
    result = cli("validate", "--format", "concise", str(post))
    lines = result.stdout.splitlines()
    assert lines[0] == f"{post}:3:7: PK201 [error] date: 'Invalid Date' is not a date in any format Hexo or postkit can read; Hexo silently falls back to the file's birth time"
    assert lines[-1].startswith("Found 1 problem (1 error, 0 warnings, 0 info) in 1 of 1 file.")


def test_full_format_groups_by_file_and_shows_the_line(tmp_path, cli):
    write(tmp_path / "a.md", BAD)
    write(tmp_path / "b.md", WARN)
    result = cli("validate", str(tmp_path))
    out = result.stdout
    assert out.index("a.md") < out.index("PK201") < out.index("b.md") < out.index("PK202")
    assert "3 │ date: Invalid Date" in out
    assert re.search(r"│       \^{12}\n", out)  # caret under the value, as wide as it
    assert "fix: write 2021-12-14T02:53:00Z" in out
    assert "Found 2 problems (1 error, 1 warning, 0 info) in 2 of 2 files." in out


def test_json_format_matches_documented_schema(cli):
    result = cli("validate", "--format", "json", str(EXAMPLES))
    data = json.loads(result.stdout)
    jsonschema.validate(data, SCHEMA)
    assert data["summary"]["errors"] == sum(d["severity"] == "error" for d in data["diagnostics"])
    fixes = [d["fix"] for d in data["diagnostics"] if d["code"] == "PK202"]
    assert fixes == [
        {
            "applicability": "safe",
            "message": "write 2021-12-14T02:53:00Z",
            "edits": [{"content": "2021-12-14T02:53:00Z", "location": {"line": 11, "column": 7}, "end_location": {"line": 11, "column": 36}}],
        }
    ]


def test_github_format_and_auto_selection(tmp_path, cli):
    post = write(tmp_path / "a,b.md", BAD + "")
    result = cli("validate", str(post), env={"GITHUB_ACTIONS": "true"})
    first = result.stdout.splitlines()[0]
    assert first.startswith(f"::error file={str(post).replace(',', '%2C')},line=3,col=7,endLine=3,endColumn=19,title=PK201 invalid-date::")
    assert result.stdout.splitlines()[-1].startswith("Found 1 problem")
    info = write(tmp_path / "n.md", "---\ntitle: x\ndate: 2021-12-14 10:00:00\n---\n")
    assert cli("validate", "--format", "github", str(info)).stdout.startswith("::notice ")


def test_sarif_format(tmp_path, cli):
    write(tmp_path / "bad.md", BAD)
    write(tmp_path / "warn.md", WARN)
    log = json.loads(cli("validate", "--format", "sarif", str(tmp_path)).stdout)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(RULES)
    results = {r["ruleId"]: r for r in run["results"]}
    assert results["PK201"]["level"] == "error"
    assert rules[results["PK201"]["ruleIndex"]]["id"] == "PK201"
    region = results["PK201"]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 3, "startColumn": 7, "endLine": 3, "endColumn": 19}
    replacement = results["PK202"]["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert replacement["insertedContent"]["text"] == "2021-12-14T02:53:00Z"
    assert run["properties"]["summary"]["problems"] == 2


def test_folder_search_skips_and_excludes(tmp_path, cli):
    for rel in ["a.md", "b.markdown", "sub/c.md", ".hidden/d.md", "node_modules/e.md", "public/f.md", ".git/g.md", "drafts/h.md", "x.txt"]:
        write(tmp_path / rel, BAD)
    result = cli("validate", "--format", "json", "--exclude", "drafts", str(tmp_path))
    paths = sorted({d["path"].replace(str(tmp_path) + "/", "") for d in json.loads(result.stdout)["diagnostics"]})
    assert paths == ["a.md", "b.markdown", "sub/c.md"]


def test_default_path_in_hexo_site(tmp_path, cli):
    write(tmp_path / "_config.yml", "title: 站点\ntimezone: Asia/Shanghai\n")
    write(tmp_path / "source/_posts/a.md", "---\ntitle: x\ndate: 2021-12-14 10:00:00\n---\n")
    write(tmp_path / "README.md", "not a post")
    result = cli("validate", "--format", "concise", cwd=tmp_path)
    assert result.stdout.strip() == "All checks passed: 1 file, no problems."  # README.md not searched; timezone read


def test_unreadable_files_give_pk000_and_others_go_on(tmp_path, cli):
    write(tmp_path / "gbk.md", "---\ntitle: 标题\n---\n".encode("gbk"))
    write(tmp_path / "bin.md", b"\x00\x01\x02")
    write(tmp_path / "ok.md", CLEAN)
    result = cli("validate", "--format", "concise", str(tmp_path), str(tmp_path / "missing.md"))
    assert sorted(re.findall(r"(\w+\.md):\d+:\d+: (PK\d+)", result.stdout)) == [
        ("bin.md", "PK000"), ("gbk.md", "PK000"), ("missing.md", "PK000"),
    ]
    assert "3 of 4 files" in result.stdout
    assert result.exit_code == 1


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe\x00\x00garbage", b"---\n" + b"a: [" * 5000 + b"\n---\n", b"---\n" + b"- " * 5000 + b"x\n---\n", b"---\n&a [*a]\n---\n", b"---\n!!python/object:os.system x\n---\n"],
    ids=["utf32", "deep flow", "deep block", "recursive alias", "python tag"],
)
def test_hostile_input_never_shows_a_traceback(tmp_path, content):
    write(tmp_path / "x.md", content)
    result = run_postkit("validate", "--format", "concise", str(tmp_path / "x.md"))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert re.search(r"x\.md:\d+:\d+: PK00[0-4]", result.stdout)


def test_rules_lists_and_documents(cli):
    listing = cli("rules").stdout
    for code, module in RULES.items():
        assert re.search(rf"^{code}\s+{module.NAME}\s+{module.DEFAULT.label}\s+{module.FIX or '-'}\s", listing, re.M)
    doc = cli("rules", "PK202").stdout
    assert doc.strip() == RULES["PK202"].__doc__.strip()
    assert cli("rules", "date-format").stdout == doc
    assert cli("rules", "PK999").exit_code == 2


def test_validate_does_not_import_heavy_libraries(tmp_path):
    write(tmp_path / "a.md", CLEAN)
    probe = (
        "import sys\nfrom postkit.cli import app\n"
        "try:\n    app(['validate', sys.argv[1]])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('bs4', 'markdownify', 'opencc', 'httpx', 'lxml') if m in sys.modules))\n"
    )
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", probe, str(tmp_path / "a.md")], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"
