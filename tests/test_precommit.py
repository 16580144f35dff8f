"""The hooks in .pre-commit-hooks.yaml and the README's pre-commit snippet, run by the real pre-commit.

The hooks come from a git repository that holds this working tree as one commit
(``hook_repository`` in conftest.py), and every test shares one PRE_COMMIT_HOME,
so the hook environment is built once per run. The tests stay in one xdist
worker (``xdist_group``), one after the other, as a developer's commits would.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, write

PRE_COMMIT = Path(sys.executable).with_name("pre-commit")
POSTKIT = Path(sys.executable).with_name("postkit")
GOOD = "---\ntitle: 好文章\ndate: 2024-02-10T12:00:00+08:00\n---\n\n正文\n"
BAD = "\n---\ntitle: 坏文章\ndate: Invalid Date\n---\n\n正文\n"
HTML = "---\ntitle: 网页正文\ndate: 2024-02-10T12:00:00+08:00\n---\n\n<div><p>第一段<strong>重点</strong></p></div>"

pytestmark = [
    pytest.mark.xdist_group("pre-commit"),
    pytest.mark.skipif(not PRE_COMMIT.exists() or shutil.which("git") is None, reason="pre-commit (test extra) or git missing"),
]


def git(*args: str, cwd: Path, env: dict[str, str] | None = None) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


def blog(path: Path, posts: dict[str, str], pre_commit_home: Path, config: str) -> dict[str, str]:
    """A git repository of posts with ``config`` as its .pre-commit-config.yaml; returns pre-commit's environment."""
    path.mkdir(parents=True, exist_ok=True)
    git("init", "-q", cwd=path)
    for name, text in posts.items():
        write(path / name, text)
    (path / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(pre_commit_home),
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.cn",
        "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.cn",
    }
    env.pop("GITHUB_ACTIONS", None)
    git("add", ".", cwd=path, env=env)
    return env


def pre_commit(*args: str, repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([str(PRE_COMMIT), *args], cwd=repo, env=env, capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def hook_blog(tmp_path_factory, hook_repository, pre_commit_home) -> tuple[Path, dict[str, str]]:
    """A blog whose config lists every hook of this repository, at its commit."""
    repository, commit = hook_repository
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    config = yaml.safe_dump({"repos": [{"repo": str(repository), "rev": commit, "hooks": [{"id": h["id"]} for h in hooks]}]})
    repo = tmp_path_factory.mktemp("blog")
    env = blog(repo, {"source/_posts/good.md": GOOD, "source/_posts/bad.md": BAD, "source/_posts/html.md": HTML}, pre_commit_home, config)
    return repo, env


def run_hook(hook: str, files: list[str], repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return pre_commit("run", hook, "--verbose", "--files", *files, repo=repo, env=env)


def test_validate_hook_fails_on_bad_post(hook_blog):
    repo, env = hook_blog
    result = run_hook("postkit-validate", ["source/_posts/bad.md"], repo, env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "postkit validate" in result.stdout and "Failed" in result.stdout
    assert "PK201" in result.stdout and "source/_posts/bad.md" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_validate_hook_passes_good_post(hook_blog):
    repo, env = hook_blog
    result = run_hook("postkit-validate", ["source/_posts/good.md"], repo, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout


def test_convert_hook_rewrites_html_and_fails_as_a_fixer(hook_blog):
    repo, env = hook_blog
    post = repo / "source/_posts/html.md"
    result = run_hook("postkit-convert", ["source/_posts/html.md", "source/_posts/good.md"], repo, env)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "files were modified by this hook" in result.stdout
    assert post.read_text(encoding="utf-8") == "---\ntitle: 网页正文\ndate: 2024-02-10T12:00:00+08:00\n---\n\n第一段**重点**\n"
    again = run_hook("postkit-convert", ["source/_posts/html.md"], repo, env)
    assert again.returncode == 0, again.stdout


def test_traditional_hook_fails_on_missing_copy_and_passes_when_up_to_date(hook_blog):
    repo, env = hook_blog
    post = "source/_posts/good.md"
    missing = run_hook("postkit-traditional", [post], repo, env)
    assert missing.returncode == 1, missing.stdout + missing.stderr
    assert "missing: source/_posts/good.zh-Hant.md" in missing.stdout
    assert not (repo / "source/_posts/good.zh-Hant.md").exists()  # --check writes nothing
    subprocess.run([str(POSTKIT), "traditional", post], cwd=repo, check=True, capture_output=True)
    git("add", ".", cwd=repo)
    current = run_hook("postkit-traditional", [post, "source/_posts/good.zh-Hant.md"], repo, env)
    assert current.returncode == 0, current.stdout + current.stderr


def readme_snippet() -> str:
    """The YAML block of the README's "pre-commit" section, as a user copies it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## pre-commit\n", 1)[1].split("\n## ", 1)[0]
    return re.search(r"```yaml\n(.*?)```", section, re.S).group(1)


def test_readme_snippet_works_as_written(tmp_path, hook_repository, pre_commit_home):
    """The README's snippet, with one change: ``repo:`` names a local repository of this working tree.

    The URL in the README is replaced by ``hook_repository`` (a git repository holding
    this working tree, with a ``main`` branch), since tests reach no network. ``rev:``
    stays as the README writes it, and ``pre-commit autoupdate --freeze``, as the
    README says to run, must pin it to that repository's commit.
    """
    repository, commit = hook_repository
    snippet = readme_snippet()
    url = yaml.safe_load(snippet)["repos"][0]["repo"]
    config = snippet.replace(f"repo: {url}", f"repo: {repository}", 1)
    assert config != snippet
    repo = tmp_path / "blog"
    # A whole Hexo site: pre-commit names every staged Markdown file, and the files Hexo does not
    # build as posts (a scaffold with its {{ title }} template, a theme's README, the site's README)
    # must not fail the hooks.
    site = {
        "_config.yml": "title: Blog\n",
        "scaffolds/post.md": "---\ntitle: {{ title }}\ndate: {{ date }}\ntags:\n---\n",
        "themes/plain/README.md": "# A theme\n",
        "README.md": "# My blog\n",
        "source/_posts/good.md": GOOD,
    }
    env = blog(repo, site, pre_commit_home, config)
    written_rev = yaml.safe_load(config)["repos"][0]["rev"]
    assert subprocess.run(["git", "rev-parse", "--verify", "-q", f"{written_rev}^{{commit}}"], cwd=repository, capture_output=True).returncode == 0, (
        f"the README's rev {written_rev!r} does not exist"
    )

    frozen = pre_commit("autoupdate", "--freeze", repo=repo, env=env)
    assert frozen.returncode == 0, frozen.stdout + frozen.stderr
    pinned = yaml.safe_load((repo / ".pre-commit-config.yaml").read_text(encoding="utf-8"))["repos"][0]
    assert pinned["rev"] == commit

    # The snippet's postkit-traditional hook uses s2twp, so the up-to-date copy is good.zh-TW.md.
    subprocess.run([str(POSTKIT), "traditional", "--config", "s2twp", "source/_posts/good.md"], cwd=repo, check=True, capture_output=True)
    git("add", ".", cwd=repo, env=env)
    passed = pre_commit("run", "--all-files", repo=repo, env=env)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    for hook in ("postkit validate", "postkit convert", "postkit traditional --check", "postkit images (offline)"):
        assert re.search(rf"^{re.escape(hook)}\.+Passed$", passed.stdout, re.M), (hook, passed.stdout)

    write(repo / "source/_posts/bad.md", BAD)
    git("add", ".", cwd=repo, env=env)
    failed = pre_commit("run", "--all-files", repo=repo, env=env)
    assert failed.returncode == 1
    assert re.search(r"^postkit validate\.+Failed$", failed.stdout, re.M) and "PK201" in failed.stdout


def test_every_hook_is_documented_in_readme():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for hook in hooks:
        assert f"id: {hook['id']}" in readme, hook["id"]
