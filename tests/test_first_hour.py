"""What a new user meets first: installing postkit from a wheel, and `make demo` on examples/."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT

from postkit import __version__


def test_wheel_builds_installs_into_a_fresh_venv_and_runs(tmp_path, hook_repository):
    """`pip wheel` of this working tree (in an isolated build, as pipx and uv build it), installed into a new venv.

    The wheel goes in with ``--no-deps``, and the new venv sees the dependencies
    already installed in this venv through a ``.pth`` line: installing lxml,
    OpenCC and the rest again would double this test's time. This venv's
    editable postkit is not visible there (its ``.pth`` files are not read), so
    the postkit that runs is the wheel's. The full install, dependencies
    resolved from the package index into a fresh environment, is what
    pre-commit does for the hook tests in test_precommit.py.
    """
    source, _commit = hook_repository
    dist = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(source)],
        capture_output=True, text=True, timeout=900,
    )
    assert built.returncode == 0, built.stdout + built.stderr
    wheels = list(dist.glob("postkit-*.whl"))
    assert [wheel.name for wheel in wheels] == [f"postkit-{__version__}-py3-none-any.whl"]
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=300)
    (site_packages,) = venv.glob("lib/python3*/site-packages")
    dependencies = next(Path(p) for p in sys.path if p.endswith("site-packages") and Path(p).is_dir())
    (site_packages / "postkit-test-dependencies.pth").write_text(f"{dependencies}\n", encoding="utf-8")
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv / "bin" / "python"), "install", "--quiet", "--no-deps", str(wheels[0])],
        capture_output=True, text=True, timeout=900,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    version = subprocess.run([str(venv / "bin" / "postkit"), "--version"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"postkit {__version__}"
    # The installed copy is the wheel's, not this working tree's source.
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import postkit; print(postkit.__file__)"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert str(venv) in where.stdout, where.stdout
    example = subprocess.run([str(venv / "bin" / "postkit"), "validate", str(EXAMPLES / "clean-post.md")], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert example.returncode == 0, example.stdout + example.stderr


def digest(folder: Path) -> dict[str, tuple[str, int]]:
    return {
        str(path.relative_to(folder)): (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns)
        for path in sorted(folder.rglob("*")) if path.is_file()
    }


@pytest.mark.skipif(shutil.which("make") is None, reason="make is needed for `make demo`")
def test_make_demo_shows_every_command_and_leaves_examples_alone():
    stamp = subprocess.run(["make", "-q", ".venv/.installed"], cwd=ROOT, capture_output=True)
    if stamp.returncode != 0:
        pytest.skip(".venv is missing or older than pyproject.toml; `make demo` would rebuild it")
    before = digest(EXAMPLES)
    result = subprocess.run(["make", "demo"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert digest(EXAMPLES) == before  # nothing under examples/ was written
    headings = [line for line in result.stdout.splitlines() if line.startswith("==> ")]
    assert [re.match(r"==> (postkit \w+(?: --offline)?)", line).group(1) for line in headings] == [
        "postkit validate", "postkit convert", "postkit traditional", "postkit images --offline",
    ]
    assert not [line for line in result.stdout.splitlines() if line.startswith((".venv/", "rm -rf", "echo "))]  # no echoed recipes
    assert "PK201" in result.stdout and "IMG304" in result.stdout  # validate's and images' findings
    converted = (ROOT / "build/demo/html-body.md").read_text(encoding="utf-8")
    copy = (ROOT / "build/demo/html-body.zh-Hant.md").read_text(encoding="utf-8")
    assert "<div" not in converted.split("\n---\n", 1)[1] and "**“头信息”**" in converted or "“**头信息**”" in converted
    assert "lang: zh-Hant" in copy and "頭信息" in copy
