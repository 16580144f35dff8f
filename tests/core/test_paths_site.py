"""Files named one by one inside a Hexo site but outside its source/ folder are not posts."""

from __future__ import annotations

from conftest import run_postkit, write

SCAFFOLD = "---\ntitle: {{ title }}\ndate: {{ date }}\ntags:\n---\n"
POST = "---\ntitle: 好\ndate: 2021-12-14 10:53:00\n---\n正文\n"


def site(tmp_path):
    write(tmp_path / "_config.yml", "title: Blog\n")
    write(tmp_path / "scaffolds" / "post.md", SCAFFOLD)
    write(tmp_path / "themes" / "plain" / "README.md", "# A theme\n")
    write(tmp_path / "README.md", "# My blog\n")
    write(tmp_path / "source" / "_posts" / "a.md", POST)
    return ["scaffolds/post.md", "themes/plain/README.md", "README.md", "source/_posts/a.md"]


def test_validate_skips_named_files_hexo_does_not_build(tmp_path):
    result = run_postkit("validate", *site(tmp_path), "--format", "concise", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "scaffolds" not in result.stdout and "README" not in result.stdout


def test_traditional_and_images_skip_them_too(tmp_path):
    names = site(tmp_path)
    result = run_postkit("traditional", "--check", *names, cwd=tmp_path)
    assert "missing: source/_posts/a.zh-Hant.md" in result.stdout and "README" not in result.stdout
    assert "scaffolds" not in result.stdout + result.stderr
    assert run_postkit("images", "--offline", *names, cwd=tmp_path).returncode == 0


def test_outside_a_hexo_site_a_named_file_is_still_checked(tmp_path):
    write(tmp_path / "scaffolds" / "post.md", SCAFFOLD)
    result = run_postkit("validate", "scaffolds/post.md", "--format", "concise", cwd=tmp_path)
    assert result.returncode == 1 and "scaffolds/post.md" in result.stdout
