"""postkit validate over the real generated posts in ../shared/corpus (skipped when absent)."""

from __future__ import annotations

import json
import re
import shutil
from collections import defaultdict
from pathlib import Path

from conftest import run_postkit

RFC2822_DATE = re.compile(r"^date: (?:[A-Z][a-z]{2}, )?\d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d (?:GMT|[+-]\d{4})\s*$", re.M)
HEADIMG = re.compile(r"^headimg: *'?([^'\n]+?)'?\s*$", re.M)
THUMBNAIL = re.compile(r"^thumbnail: *'?([^'\n]+?)'?\s*$", re.M)


def posts(corpus: Path) -> dict[str, str]:
    return {str(p): p.read_text(encoding="utf-8") for p in sorted(corpus.rglob("*.md"))}


def run_json(*args: str) -> tuple[int, dict, str]:
    result = run_postkit("validate", "--format", "json", *args)
    return result.returncode, json.loads(result.stdout), result.stderr


def by_path(data: dict) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = defaultdict(list)
    for d in data["diagnostics"]:
        found[d["path"]].append(d)
    return found


def test_corpus_findings(corpus):
    code, data, stderr = run_json(str(corpus))
    assert code == 1
    assert "Traceback" not in stderr
    texts = posts(corpus)
    assert data["summary"]["files"] == len(texts)
    found = by_path(data)

    rfc2822 = [path for path, text in texts.items() if RFC2822_DATE.search(text.split("\n---", 2)[1] if "\n---" in text else "")]
    assert len(rfc2822) >= 20
    for path in rfc2822:
        if any(d["code"] == "PK002" for d in found[path]):
            continue  # a post whose YAML does not parse gets PK002 only
        [diagnostic] = [d for d in found[path] if d["code"] == "PK202"]
        assert diagnostic["fix"]["applicability"] == "safe"
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", diagnostic["fix"]["edits"][0]["content"])

    invalid = [path for path, text in texts.items() if re.search(r"^date: Invalid Date\s*$", text, re.M)]
    assert len(invalid) >= 3
    for path in invalid:
        assert any(d["code"] == "PK201" for d in found[path]), path

    single_space = [path for path, text in texts.items() if re.search(r"^title: ' '\s*$", text, re.M)]
    assert single_space
    for path in single_space:
        assert any(d["code"] == "PK102" and d["location"]["line"] == 3 for d in found[path]), path

    broken = next(path for path in texts if "Supercycle" in path)
    [syntax] = [d for d in found[broken] if d["code"] == "PK002"]
    title_line = texts[broken].split("\n").index(next(l for l in texts[broken].split("\n") if l.startswith("title:"))) + 1
    assert syntax["location"]["line"] == title_line
    assert syntax["location"]["column"] == texts[broken].split("\n")[title_line - 1].index('Supercycle') + 1  # just after the quote that closed the title early

    twins = [
        path for path, text in texts.items()
        if HEADIMG.search(text) and THUMBNAIL.search(text) and HEADIMG.search(text).group(1) == THUMBNAIL.search(text).group(1)
    ]
    assert len(twins) >= 20
    for path in twins:
        assert any(d["code"] == "PK301" for d in found[path]), path


def test_corpus_fix_touches_only_fixed_values(corpus, tmp_path):
    copy = tmp_path / "corpus"
    shutil.copytree(corpus, copy)
    before = {p: p.read_bytes() for p in copy.rglob("*.md")}
    result = run_postkit("validate", "--fix", "--format", "json", str(copy))
    assert "Traceback" not in result.stderr
    data = json.loads(result.stdout)
    assert data["summary"]["fixed"] > 0
    assert not any(d["code"] == "PK202" and d["fix"] for d in data["diagnostics"])
    changed = 0
    for path, old in before.items():
        new = path.read_bytes()
        if new == old:
            continue
        changed += 1
        old_lines, new_lines = old.split(b"\n"), new.split(b"\n")
        assert len(old_lines) == len(new_lines), path
        for a, b in zip(old_lines, new_lines):
            if a != b:
                # only a value changed: the key before ':' is the same
                assert a.split(b":", 1)[0] == b.split(b":", 1)[0], (path, a, b)
    assert changed == data["summary"]["fixed_files"]
    again = run_postkit("validate", "--fix", "--format", "json", str(copy))
    assert json.loads(again.stdout)["summary"]["fixed"] == 0


def test_parallel_run_matches_serial_run(corpus):
    serial = run_postkit("validate", "--format", "json", "--jobs", "1", str(corpus))
    parallel = run_postkit("validate", "--format", "json", "--jobs", "2", str(corpus))
    assert json.loads(serial.stdout) == json.loads(parallel.stdout)
    assert json.loads(serial.stdout)["summary"]["files"] >= 200  # large enough to use the process pool
