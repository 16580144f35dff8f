"""postkit convert as a command: where output goes, what is kept byte-identical, and how failures are reported."""

from __future__ import annotations

import shutil

import pytest
from conftest import EXAMPLES, run_postkit, write

HTML_POST = "\n---\ntitle: '标题'\ndate: 2021-12-14T10:53:00+08:00\nlink: https://news.example.cn/2024/05/a.html\n---\n\n<p>第一段<strong>重点</strong>。</p><p><img src=\"/uploads/a.png\" alt=\"图\"> <a href=\"../list.html\">上一篇</a></p>"
HEAD = "\n---\ntitle: '标题'\ndate: 2021-12-14T10:53:00+08:00\nlink: https://news.example.cn/2024/05/a.html\n---\n"
MARKDOWN_POST = "---\ntitle: x\ndate: 2021-12-14T10:53:00+08:00\n---\n\n# 标题\n\n正文 <br> 第二行\n"


def test_single_post_goes_to_stdout(tmp_path, cli):
    post = write(tmp_path / "a.md", HTML_POST)
    result = cli("convert", str(post))
    assert result.exit_code == 0
    assert result.stdout.startswith(HEAD + "\n第一段**重点**。\n")
    assert post.read_text() == HTML_POST  # nothing written


def test_front_matter_key_gives_the_base_url_and_flag_overrides_it(tmp_path, cli):
    post = write(tmp_path / "a.md", HTML_POST)
    out = cli("convert", str(post)).stdout
    assert "![图](https://news.example.cn/uploads/a.png) [上一篇](https://news.example.cn/2024/list.html)" in out
    out = cli("convert", "--base-url", "https://mirror.example.cn/x/y.html", str(post)).stdout
    assert "![图](https://mirror.example.cn/uploads/a.png)" in out


def test_relative_links_are_counted_when_no_base_url(tmp_path, cli):
    post = write(tmp_path / "a.md", HTML_POST.replace("link: https://news.example.cn/2024/05/a.html\n", ""))
    result = run_postkit("convert", str(post))
    assert "![图](/uploads/a.png)" in result.stdout
    assert "relative links left" in result.stderr and " 2" in result.stderr.split("relative links left")[1].splitlines()[0]


def test_several_posts_need_out_or_in_place(tmp_path, cli):
    write(tmp_path / "a.md", HTML_POST)
    write(tmp_path / "b.md", HTML_POST)
    result = cli("convert", str(tmp_path))
    assert result.exit_code == 2
    assert "--out DIR" in result.stderr and "--in-place" in result.stderr
    assert cli("convert", "--out", str(tmp_path / "o"), "--in-place", str(tmp_path)).exit_code == 2


def test_out_mirrors_the_tree_and_keeps_sources(tmp_path, cli):
    source = tmp_path / "posts"
    write(source / "2021/a.md", HTML_POST)
    write(source / "b.md", MARKDOWN_POST)
    result = cli("convert", "--out", str(tmp_path / "out"), str(source))
    assert result.exit_code == 0
    converted = (tmp_path / "out/2021/a.md").read_text()
    assert converted.startswith(HEAD)
    assert (source / "2021/a.md").read_text() == HTML_POST
    # already Markdown: copied byte for byte, so that the mirrored tree is whole
    assert (tmp_path / "out/b.md").read_bytes() == (source / "b.md").read_bytes()
    assert "converted" in result.stdout and "skipped" in result.stdout
    assert summary_count(result.stdout, "copied unchanged") == 1


def summary_count(summary: str, row: str) -> int:
    line = next(line for line in summary.splitlines() if line.startswith(row))
    return int(line.split()[-1])


@pytest.mark.parametrize(
    "given",
    [["source/_posts"], ["source/_posts/2021/a.md", "source/_posts/b.md"], ["source"], ["source/_posts/2021"]],
)
def test_out_in_a_hexo_site_mirrors_relative_to_source_however_paths_are_given(tmp_path, monkeypatch, given):
    site = tmp_path / "blog"
    write(site / "_config.yml", "title: x\n")
    write(site / "source/_posts/2021/a.md", HTML_POST)
    write(site / "source/_posts/b.md", MARKDOWN_POST)
    monkeypatch.chdir(site)
    result = run_postkit("convert", "--out", str(tmp_path / "out"), *given)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out/_posts/2021/a.md").read_text().startswith(HEAD)
    if "source/_posts/2021" not in given:
        assert (tmp_path / "out/_posts/b.md").read_text() == MARKDOWN_POST
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.md")) == sorted(
        ["_posts/2021/a.md"] + ([] if "source/_posts/2021" in given else ["_posts/b.md"])
    )


def test_out_outside_a_site_mirrors_relative_to_the_common_parent_of_the_paths(tmp_path, monkeypatch):
    write(tmp_path / "feeds/one/a.md", HTML_POST)
    write(tmp_path / "feeds/two/b.md", MARKDOWN_POST)
    monkeypatch.chdir(tmp_path)
    result = run_postkit("convert", "--out", "out", "feeds/one/a.md", "feeds/two/b.md")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out/one/a.md").read_text().startswith(HEAD)
    assert (tmp_path / "out/two/b.md").read_text() == MARKDOWN_POST
    assert summary_count(result.stdout, "copied unchanged") == 1


def test_in_place_leaves_markdown_posts_untouched_and_copies_none(tmp_path):
    post = write(tmp_path / "b.md", MARKDOWN_POST)
    write(tmp_path / "a.md", HTML_POST)
    before = post.stat().st_mtime_ns
    result = run_postkit("convert", "--in-place", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert post.read_text() == MARKDOWN_POST and post.stat().st_mtime_ns == before
    assert "copied unchanged" not in result.stdout


def test_summary_counts_images_that_lose_their_referrer_policy_and_names_the_tools(tmp_path):
    body = '<p><img src="https://img.example.cn/a.png" referrerpolicy="no-referrer"><img src="https://img.example.cn/b.png"></p>'
    post = write(tmp_path / "a.md", HTML_POST.split("\n\n<p>")[0] + "\n\n" + body)
    result = run_postkit("convert", str(post))
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stderr.splitlines() if "referrerpolicy" in line)
    assert "postkit images" in line and "--localize" in line and line.split()[-1] == "1"


def test_in_place_is_atomic_idempotent_and_keeps_crlf_and_bom(tmp_path, cli):
    post = write(tmp_path / "a.md", ("\ufeff" + HTML_POST).replace("\n", "\r\n"))
    assert cli("convert", "--in-place", str(post)).exit_code == 0
    data = post.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf\r\n---\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")  # every line break is CRLF
    inode = post.stat().st_ino
    again = cli("convert", "--in-place", str(post))
    assert post.read_bytes() == data and post.stat().st_ino == inode
    assert "unchanged       1" in again.stdout.replace("  ", " ") or "unchanged" in again.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


def test_check_and_diff_write_nothing(tmp_path, cli):
    post = write(tmp_path / "a.md", HTML_POST)
    clean = write(tmp_path / "b.md", MARKDOWN_POST)
    assert cli("convert", "--check", str(post)).exit_code == 1
    assert cli("convert", "--check", str(clean)).exit_code == 0
    result = cli("convert", "--diff", str(post))
    assert result.exit_code == 1
    assert "+第一段**重点**。" in result.stdout
    assert post.read_text() == HTML_POST


def test_one_failure_does_not_stop_the_others(tmp_path, cli):
    write(tmp_path / "bad.md", "---\ntitle: x\n---\n<p>坏</p>".encode("gbk"))
    good = write(tmp_path / "good.md", HTML_POST)
    result = cli("convert", "--in-place", str(tmp_path))
    assert result.exit_code == 1
    assert "bad.md:4:4: PK000 not UTF-8" in result.stdout
    assert good.read_text().startswith(HEAD + "\n第一段")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("<div>" * 5000 + "深" + "</div>" * 5000, "深"),
        ("<p>" + "大" * 10 + "<b>未闭合<p>段落</div></span>", "未闭合"),
        ("", None),
        ("只有文字，没有标签。", None),
        ("<p>" + ("很长的正文。" * 100 + "</p><p>") * 2900 + "</p>", "很长的正文。"),
    ],
    ids=["deep", "broken", "empty", "text only", "5 MB"],
)
def test_bad_bodies_convert_or_fail_cleanly(tmp_path, body, expected):
    post = write(tmp_path / "p.md", "---\ntitle: x\n---\n" + body)
    result = run_postkit("convert", "--in-place", str(post))
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode in (0, 1)
    text = post.read_text()
    if expected is None:
        assert text == "---\ntitle: x\n---\n" + body  # skipped, untouched
    elif result.returncode == 0:
        assert text.startswith("---\ntitle: x\n---\n") and expected in text
    else:
        assert "p.md:" in result.stdout and text == "---\ntitle: x\n---\n" + body


def test_examples_convert_and_validate_still_finds_the_same_front_matter_problems(tmp_path, cli):
    folder = tmp_path / "examples"
    shutil.copytree(EXAMPLES, folder)
    before = cli("validate", "--format", "concise", str(folder)).stdout
    assert cli("convert", "--in-place", str(folder)).exit_code == 0
    after = cli("validate", "--format", "concise", str(folder)).stdout
    assert before == after  # conversion never touches the front matter


def test_stdout_keeps_the_bom_and_check_names_the_posts(tmp_path, cli):
    post = write(tmp_path / "bom.md", "\ufeff" + HTML_POST)
    result = run_postkit("convert", str(post))
    assert result.stdout.startswith("\ufeff" + HEAD)
    other = write(tmp_path / "clean.md", MARKDOWN_POST)
    out = cli("convert", "--check", str(tmp_path)).stdout
    assert f"would change: {post}" in out and str(other) not in out


def test_site_paths_the_blog_has_stay_site_paths(tmp_path, cli):
    write(tmp_path / "_config.yml", "url: https://blog.example.cn\n")
    write(tmp_path / "source/images/a.png", b"\x89PNG\r\n\x1a\n")
    post = write(
        tmp_path / "source/_posts/p.md",
        "---\ntitle: t\nlink: https://news.example.cn/2024/05/a.html\n---\n\n<p><img src=\"/images/a.png\" alt=\"有\"> <img src=\"/images/b.png\" alt=\"无\"></p>",
    )
    out = cli("convert", str(post)).stdout
    assert "![有](/images/a.png)" in out
    assert "![无](https://news.example.cn/images/b.png)" in out


def test_out_inside_the_input_folder_is_not_converted_again(tmp_path, monkeypatch):
    for case, out_name in (("top", "out"), ("deeper", "sub/out"), ("relative", "rel")):
        source = tmp_path / case
        write(source / "a.md", HTML_POST)
        write(source / "sub/b.md", MARKDOWN_POST)
        out = source / out_name
        for _ in range(3):
            if case == "relative":
                result = run_postkit("convert", "--out", out_name, ".", cwd=source)
            else:
                result = run_postkit("convert", "--out", str(out), str(source))
            assert result.returncode == 0, result.stdout + result.stderr
        assert sorted(str(path.relative_to(out)) for path in out.rglob("*.md")) == ["a.md", "sub/b.md"]
