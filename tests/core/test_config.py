"""Config: found by walking up, strict about keys and types, and overridden by the command line."""

from __future__ import annotations

import json

from conftest import write

WARN = "---\ntitle: x\ndate: Tue, 14 Dec 2021 02:53:00 GMT\n---\n"


def codes(result) -> list[str]:
    return [d["code"] for d in json.loads(result.stdout)["diagnostics"]]


def test_pyproject_table_found_walking_up(tmp_path, cli):
    write(tmp_path / "pyproject.toml", '[project]\nname = "blog"\n\n[tool.postkit]\nignore = ["PK202"]\n')
    post = write(tmp_path / "source/_posts/deep/a.md", WARN)
    assert codes(cli("validate", "--format", "json", str(post))) == []


def test_pyproject_without_table_is_passed_over(tmp_path, cli):
    write(tmp_path / ".postkit.toml", 'ignore = ["PK202"]\n')
    write(tmp_path / "blog/pyproject.toml", '[project]\nname = "blog"\n')
    post = write(tmp_path / "blog/a.md", WARN)
    assert codes(cli("validate", "--format", "json", str(post))) == []


def test_nearest_config_wins(tmp_path, cli):
    write(tmp_path / ".postkit.toml", 'ignore = ["PK202"]\n')
    write(tmp_path / "blog/postkit.toml", 'severity = { PK202 = "error" }\n')
    post = write(tmp_path / "blog/a.md", WARN)
    result = cli("validate", "--format", "json", str(post))
    assert [(d["code"], d["severity"]) for d in json.loads(result.stdout)["diagnostics"]] == [("PK202", "error")]
    assert result.exit_code == 1


def test_command_line_overrides_config(tmp_path, cli):
    write(tmp_path / ".postkit.toml", 'ignore = ["PK202"]\n')
    post = write(tmp_path / "a.md", WARN)
    assert codes(cli("validate", "--format", "json", "--ignore", "PK203", str(post))) == ["PK202"]
    # precedence is per option, as in ruff: --select replaces 'select' but the config's 'ignore' stands
    assert codes(cli("validate", "--format", "json", "--select", "PK2", str(post))) == []
    assert codes(cli("validate", "--format", "json", "--select", "PK2", "--ignore", "", str(post))) == ["PK202"]


def test_explicit_config_file(tmp_path, cli):
    write(tmp_path / ".postkit.toml", 'ignore = ["PK202"]\n')
    other = write(tmp_path / "other.toml", 'required = ["title", "date", "author"]\n')
    post = write(tmp_path / "a.md", WARN)
    assert codes(cli("validate", "--format", "json", "--config", str(other), str(post))) == ["PK101", "PK202"]
    assert cli("validate", "--config", str(tmp_path / "nope.toml"), str(post)).exit_code == 2


def readme_config_examples() -> str:
    """Every TOML example of the README's "Configuration" section, joined into one file."""
    import re

    from conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```toml\n(.*?)```", section, re.S)
    assert len(blocks) >= 2 and all("[tool.postkit" in block for block in blocks)
    return "\n".join(blocks)


def test_explicit_config_file_with_tool_postkit_tables_is_read(tmp_path, cli):
    # --config with a file that is not named pyproject.toml but holds [tool.postkit] tables (the README's example)
    config = write(tmp_path / "blog-config.toml", readme_config_examples())
    post = write(tmp_path / "a.md", "---\ntitle: x\ndate: Tue, 14 Dec 2021 02:53:00 GMT\n---\n")
    result = cli("validate", "--format", "json", "--config", str(config), str(post))
    assert result.exit_code == 1, result.stderr  # severity PK202 = "error" from [tool.postkit.severity]
    assert "unknown key" not in result.stderr
    diagnostics = json.loads(result.stdout)["diagnostics"]
    assert [(d["code"], d["severity"]) for d in diagnostics] == [("PK202", "error")]
    assert "2021-12-14T10:53:00+08:00" in diagnostics[0]["fix"]["edits"][0]["content"]  # timezone = "Asia/Shanghai"
    for command in ("convert", "traditional"):
        option = "--config-file" if command == "traditional" else "--config"
        assert cli(command, option, str(config), "--check", str(post)).exit_code in (0, 1)
    assert cli("images", "--offline", "--config", str(config), str(post)).exit_code in (0, 1)


def test_unknown_key_exits_2_and_names_it(tmp_path, cli):
    write(tmp_path / ".postkit.toml", 'requried = ["title"]\n')
    result = cli("validate", str(write(tmp_path / "a.md", WARN)))
    assert result.exit_code == 2
    assert "unknown key 'requried' (did you mean 'required'?)" in result.stderr
    assert ".postkit.toml" in result.stderr


def test_wrong_types_and_values_exit_2(tmp_path, cli):
    post = write(tmp_path / "a.md", WARN)
    for body, needle in [
        ('required = "title"\n', "'required' must be a list of strings"),
        ('severity = { PK202 = "fatal" }\n', "must be 'error', 'warning' or 'info'"),
        ('select = ["PK9"]\n', "'PK9' matches no rule"),
        ('timezone = "Mars/Olympus"\n', "unknown timezone 'Mars/Olympus'"),
        ('date-formats = ["HH:mm"]\n', "needs YYYY"),
        ("per-file-ignores = { \"x/*\" = \"PK202\" }\n", "'per-file-ignores' must be a table of glob = [codes]"),
        ("required = [\n", "not valid TOML"),
    ]:
        write(tmp_path / ".postkit.toml", body)
        result = cli("validate", str(post))
        assert result.exit_code == 2, body
        assert needle in result.stderr, (body, result.stderr)


def test_timezone_config_and_hexo_config(tmp_path, cli):
    naive = "---\ntitle: x\ndate: 2016-02-19 00:55:35\n---\n"
    site = tmp_path / "site"
    post = write(site / "source/_posts/a.md", naive)
    assert codes(cli("validate", "--format", "json", str(post))) == ["PK203"]
    write(site / "_config.yml", "timezone: Asia/Shanghai\nurl: https://blog.example.cn\n")
    assert codes(cli("validate", "--format", "json", str(post))) == []
    write(site / "_config.yml", "timezone: Nowhere/City\n")
    result = cli("validate", str(post))
    assert result.exit_code == 2 and "_config.yml" in result.stderr and "Nowhere/City" in result.stderr
    write(site / "_config.yml", "title: [broken\n")
    result = cli("validate", str(post))
    assert result.exit_code == 2 and "not valid YAML" in result.stderr


def test_config_exclude_and_per_file_ignores(tmp_path, cli):
    write(tmp_path / ".postkit.toml", 'exclude = ["drafts"]\n[per-file-ignores]\n"imported/**" = ["PK202"]\n')
    write(tmp_path / "drafts/a.md", WARN)
    write(tmp_path / "imported/2021/b.md", WARN)
    write(tmp_path / "posts/c.md", WARN.replace("title: x", "title: y"))
    result = cli("validate", "--format", "json", str(tmp_path))
    found = {(d["path"].replace(str(tmp_path) + "/", ""), d["code"]) for d in json.loads(result.stdout)["diagnostics"]}
    assert found == {("posts/c.md", "PK202")}
    assert json.loads(result.stdout)["summary"]["files"] == 2


def test_image_fields_and_keep_field(tmp_path, cli):
    write(tmp_path / ".postkit.toml", 'image-fields = ["banner", "poster"]\nkeep-image-field = "poster"\n')
    post = write(tmp_path / "a.md", "---\ntitle: x\ndate: 2021-12-14T02:53:00Z\nbanner: /a.png\nposter: /a.png\nthumbnail: ''\n---\n")
    result = cli("validate", "--format", "json", str(post))
    [diagnostic] = json.loads(result.stdout)["diagnostics"]
    assert (diagnostic["code"], diagnostic["location"]["line"]) == ("PK301", 4)
