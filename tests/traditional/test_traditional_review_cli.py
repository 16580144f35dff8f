"""postkit traditional --review, --phrases and --punctuation as a user runs them."""

from __future__ import annotations

import json
import re

import pytest

from conftest import write

POST = (
    "---\ntitle: 自制饼干\ndate: 2024-01-01T10:00:00+08:00\n---\n"
    "他说：“前头发生了一件事，饼干已经干了。”\n\n一只只小鸟飞过，手机参数对比。`代码“不变”`\n"
)


def _copy(tmp_path, name="post.zh-TW.md"):
    return (tmp_path / name).read_text(encoding="utf-8")


@pytest.mark.parametrize("output_format", ["full", "concise", "json", "github", "sarif", "markdown"])
def test_review_never_changes_what_is_written(tmp_path, cli, output_format):
    post = write(tmp_path / "post.md", POST)
    assert cli("traditional", "--config", "s2twp", str(post)).exit_code == 0
    written = _copy(tmp_path)
    (tmp_path / "post.zh-TW.md").unlink()
    result = cli("traditional", "--config", "s2twp", "--review", "--format", output_format, str(post))
    assert result.exit_code == 0
    assert _copy(tmp_path) == written
    assert "自製" in result.stdout or "\\u81ea\\u88fd" in result.stdout


def test_review_lists_every_kind_with_line_column_context_and_alternatives(tmp_path, cli):
    post = write(tmp_path / "post.md", POST)
    phrases = write(tmp_path / "phrases.toml", '"对比" = "對照"\n')
    result = cli("traditional", "--config", "s2twp", "--review", "--format", "json", "--phrases", str(phrases), str(post))
    assert result.exit_code == 0
    diagnostics = json.loads(result.stdout)["diagnostics"]
    by_code = {}
    for diagnostic in diagnostics:
        by_code.setdefault(diagnostic["code"], []).append(diagnostic)
    assert {"TRD101", "TRD102", "TRD103", "TRD104", "TRD105"} <= set(by_code)
    hair = [d for d in by_code["TRD101"] if "发 → 發 in 发生" in d["message"]]
    assert hair and hair[0]["location"]["line"] == 5 and hair[0]["location"]["column"] == 7
    assert "髮" in hair[0]["message"] and "前头[发]生" in hair[0]["message"]
    assert any("参数 → 引數" in d["message"] and "參數" in d["message"] for d in by_code["TRD102"])
    assert any("对比 → 對照" in d["message"] for d in by_code["TRD103"])
    assert any(d["location"]["line"] == 2 and "自制 → 自製" in d["message"] for d in by_code["TRD104"])
    assert {d["message"].split(" (")[0] for d in by_code["TRD105"]} == {"干了 → 乾了", "只 → 隻"}
    assert all(d["severity"] == "info" for d in diagnostics)


def test_review_with_check_still_reports_and_exits_as_check_does(tmp_path, cli):
    post = write(tmp_path / "post.md", POST)
    result = cli("traditional", "--review", "--check", "--format", "concise", str(post))
    assert result.exit_code == 1
    assert "post.md:5:7: TRD101" in result.stdout
    assert not (tmp_path / "post.zh-Hant.md").exists()


def test_phrase_table_in_config_applies_per_config_and_on_word_boundaries(tmp_path, cli):
    write(
        tmp_path / "pyproject.toml",
        '[tool.postkit.traditional.phrases]\n"发布" = "發表"\n\n[tool.postkit.traditional.phrases.s2twp]\n"参数" = "參數"\n"性价比" = "性價比"\n',
    )
    post = write(tmp_path / "post.md", "手机参数对比，参数化设计，性价比高，发布了新一代大模型。\n")
    assert cli("traditional", "--config", "s2twp", str(post), cwd=tmp_path).exit_code == 0
    assert _copy(tmp_path) == "---\nlang: zh-TW\n---\n手機參數對比，引數化設計，性價比高，發表了新一代大模型。\n"
    assert cli("traditional", str(post), cwd=tmp_path).exit_code == 0
    assert _copy(tmp_path, "post.zh-Hant.md").endswith("手機參數對比，參數化設計，性價比高，發表了新一代大模型。\n")


@pytest.mark.parametrize(
    ("table", "named"),
    [
        ('"" = "參數"\n', "empty word"),
        ('"参数" = "parameters"\n', "参数 = 'parameters'"),
        ('"參數" = "參數"\n', "參數"),
        ('[s2twp]\n"發布" = "發布"\n', "[s2twp]"),
    ],
)
def test_a_bad_phrase_file_exits_2_and_names_the_entry(tmp_path, cli, table, named):
    post = write(tmp_path / "post.md", POST)
    phrases = write(tmp_path / "phrases.toml", table)
    result = cli("traditional", "--config", "s2twp", "--phrases", str(phrases), str(post))
    assert result.exit_code == 2
    assert named in result.stderr and "phrases.toml" in result.stderr
    assert not (tmp_path / "post.zh-TW.md").exists()


def test_a_bad_phrase_table_in_config_exits_2(tmp_path, cli):
    write(tmp_path / "pyproject.toml", '[tool.postkit.traditional.phrases]\n"参数" = 3\n')
    post = write(tmp_path / "post.md", POST)
    result = cli("traditional", str(post), cwd=tmp_path)
    assert result.exit_code == 2
    assert "[tool.postkit.traditional.phrases]: 参数 = 3" in result.stderr


def test_punctuation_is_on_for_taiwan_and_hong_kong_and_off_for_s2t(tmp_path, cli):
    post = write(tmp_path / "post.md", POST)
    cli("traditional", "--config", "s2twp", str(post))
    assert "他說：「前頭發生了一件事，餅乾已經乾了。」" in _copy(tmp_path)
    assert "`代码“不变”`" in _copy(tmp_path)
    cli("traditional", "--config", "s2hk", str(post))
    assert "「前頭發生" in _copy(tmp_path, "post.zh-HK.md")
    cli("traditional", str(post))
    assert "他說：“前頭發生" in _copy(tmp_path, "post.zh-Hant.md")
    cli("traditional", "--punctuation", str(post))
    assert "他說：「前頭發生" in _copy(tmp_path, "post.zh-Hant.md")
    cli("traditional", "--config", "s2twp", "--no-punctuation", str(post))
    assert "他說：“前頭發生" in _copy(tmp_path)


def test_punctuation_from_config_and_reverse_configs_map_back(tmp_path, cli):
    write(tmp_path / "pyproject.toml", "[tool.postkit.traditional]\npunctuation = false\n")
    post = write(tmp_path / "post.md", POST)
    cli("traditional", "--config", "s2tw", str(post), cwd=tmp_path)
    assert "“前頭發生" in _copy(tmp_path)
    traditional = write(tmp_path / "t.md", "他說：「我讀了『紅樓夢』。」`「code」`\n")
    cli("traditional", "--config", "tw2s", "--punctuation", str(traditional), cwd=tmp_path)
    assert (tmp_path / "t.zh-Hans.md").read_text(encoding="utf-8").endswith("他说：“我读了‘红楼梦’。”`「code」`\n")


@pytest.mark.parametrize(
    "table",
    [
        '"对比" = "對照"\n[s2twp]\n"参数" = "規格"\n',
        '[tool.postkit.traditional.phrases]\n"对比" = "對照"\n[tool.postkit.traditional.phrases.s2twp]\n"参数" = "規格"\n',
    ],
    ids=["bare", "tool-tables"],
)
def test_a_phrase_file_is_read_in_the_bare_form_and_as_tool_tables(tmp_path, cli, table):
    post = write(tmp_path / "post.md", POST)
    phrases = write(tmp_path / "phrases.toml", table)
    result = cli("traditional", "--config", "s2twp", "--phrases", str(phrases), str(post))
    assert result.exit_code == 0, result.stderr
    assert "手機規格對照" in _copy(tmp_path)


def test_a_phrase_file_with_tool_tables_but_no_phrases_exits_2(tmp_path, cli):
    post = write(tmp_path / "post.md", POST)
    phrases = write(tmp_path / "pyproject.toml", '[tool.postkit.traditional]\npunctuation = false\n')
    result = cli("traditional", "--config", "s2twp", "--phrases", str(phrases), str(post))
    assert result.exit_code == 2
    assert "no [tool.postkit.traditional.phrases] table" in result.stderr


@pytest.mark.parametrize("output_format", ["full", "concise"])
def test_the_review_summary_counts_review_notes_not_problems(tmp_path, cli, output_format):
    post = write(tmp_path / "post.md", POST)
    result = cli("traditional", "--config", "s2twp", "--review", "--format", output_format, str(post))
    assert result.exit_code == 0
    assert re.search(r"Found \d+ review notes in 1 of 1 file\.", result.stdout), result.stdout
    assert "problem" not in result.stdout
    plain = write(tmp_path / "plain" / "en.md", "---\ntitle: Hello\n---\nNo Chinese here.\n")
    result = cli("traditional", "--config", "s2twp", "--review", "--format", output_format, str(plain))
    assert "No review notes in 1 file." in result.stdout
