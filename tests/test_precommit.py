"""The hooks in .pre-commit-hooks.yaml, run by the real pre-commit on a temporary git repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, write

PRE_COMMIT = Path(sys.executable).with_name("pre-commit")
GOOD = "---\ntitle: 好文章\ndate: 2024-02-10T12:00:00+08:00\n---\n\n正文\n"
BAD = "\n---\ntitle: 坏文章\ndate: Invalid Date\n---\n\n正文\n"
HTML = "---\ntitle: 网页正文\ndate: 2024-02-10T12:00:00+08:00\n---\n\n<div><p>第一段<strong>重点</strong></p></div>"


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    if not PRE_COMMIT.exists() or shutil.which("git") is None:
        pytest.skip("pre-commit (test extra) or git missing")
    repo = tmp_path_factory.mktemp("blog")
    git("init", "-q", cwd=repo)
    write(repo / "source/_posts/good.md", GOOD)
    write(repo / "source/_posts/bad.md", BAD)
    write(repo / "source/_posts/html.md", HTML)
    git("add", ".", cwd=repo)
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("pre-commit-home")),
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.cn",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.cn",
    }
    env.pop("GITHUB_ACTIONS", None)
    return repo, env


def try_repo(hook: str, files: list[str], repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(PRE_COMMIT), "try-repo", str(ROOT), hook, "--verbose", "--files", *files],
        cwd=repo, env=env, capture_output=True, text=True, timeout=600,
    )


def test_validate_hook_fails_on_bad_post(hook_repo):
    repo, env = hook_repo
    result = try_repo("postkit-validate", ["source/_posts/bad.md"], repo, env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "postkit validate" in result.stdout and "Failed" in result.stdout
    assert "PK201" in result.stdout and "source/_posts/bad.md" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_validate_hook_passes_good_post(hook_repo):
    repo, env = hook_repo
    result = try_repo("postkit-validate", ["source/_posts/good.md"], repo, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout


def test_convert_hook_rewrites_html_and_fails_as_a_fixer(hook_repo):
    repo, env = hook_repo
    post = repo / "source/_posts/html.md"
    result = try_repo("postkit-convert", ["source/_posts/html.md", "source/_posts/good.md"], repo, env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "files were modified by this hook" in result.stdout
    assert post.read_text(encoding="utf-8") == "---\ntitle: 网页正文\ndate: 2024-02-10T12:00:00+08:00\n---\n\n第一段**重点**\n"
    again = try_repo("postkit-convert", ["source/_posts/html.md"], repo, env)
    assert again.returncode == 0, again.stdout


def test_traditional_hook_fails_on_missing_copy_and_passes_when_up_to_date(hook_repo):
    repo, env = hook_repo
    post = "source/_posts/good.md"
    missing = try_repo("postkit-traditional", [post], repo, env)
    assert missing.returncode == 1, missing.stdout + missing.stderr
    assert not (repo / "source/_posts/good.zh-Hant.md").exists()  # --check writes nothing
    subprocess.run([str(PRE_COMMIT.with_name("postkit")), "traditional", post], cwd=repo, check=True, capture_output=True)
    git("add", ".", cwd=repo)
    current = try_repo("postkit-traditional", [post, "source/_posts/good.zh-Hant.md"], repo, env)
    assert current.returncode == 0, current.stdout + current.stderr


def test_every_hook_is_documented_in_readme():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for hook in hooks:
        assert f"id: {hook['id']}" in readme, hook["id"]
