"""postkit traditional as a command: copy names, lang, --check, --out, and what never changes."""

from __future__ import annotations

from conftest import run_postkit, write

POST = "---\ntitle: 软件发布\ndate: 2021-12-14T10:53:00+08:00\ncover: https://例子.cn/发布/图片.png\ntags:\n  - 打印机\n---\n\n前头发生了什么？详见 [发布说明](https://例子.cn/发布/说明.html) 与 `后台 = 1`。\n"


def test_copy_is_a_sibling_with_a_bcp47_name_and_lang(tmp_path, cli):
    post = write(tmp_path / "post.md", POST)
    result = cli("traditional", str(post))
    assert result.exit_code == 0
    copy = (tmp_path / "post.zh-Hant.md").read_text()
    assert copy == (
        "---\ntitle: 軟件發佈\ndate: 2021-12-14T10:53:00+08:00\ncover: https://例子.cn/发布/图片.png\ntags:\n  - 打印機\nlang: zh-Hant\n---\n\n"
        "前頭發生了什麼？詳見 [發佈說明](https://例子.cn/发布/说明.html) 與 `后台 = 1`。\n"
    )
    assert post.read_text() == POST


def test_s2twp_uses_taiwan_phrases_and_never_touches_urls(tmp_path, cli):
    post = write(tmp_path / "post.md", POST)
    cli("traditional", "--config", "s2twp", str(post))
    copy = (tmp_path / "post.zh-TW.md").read_text()
    assert "title: 軟體釋出" in copy and "  - 印表機" in copy and "lang: zh-TW" in copy
    assert "https://例子.cn/发布/图片.png" in copy and "(https://例子.cn/发布/说明.html)" in copy
    assert "`后台 = 1`" in copy


def test_names_for_each_config_and_suffix(tmp_path, cli):
    post = write(tmp_path / "p.md", POST)
    for config, name in [("s2tw", "p.zh-TW.md"), ("s2hk", "p.zh-HK.md")]:
        cli("traditional", "--config", config, str(post))
        assert (tmp_path / name).exists()
    cli("traditional", "--suffix", "tc", str(post))
    assert "lang: zh-Hant" in (tmp_path / "p.tc.md").read_text()
    traditional = write(tmp_path / "t.md", "---\ntitle: 軟體發佈\n---\n這裡\n")
    cli("traditional", "--config", "t2s", str(traditional))
    assert (tmp_path / "t.zh-Hans.md").read_text() == "---\ntitle: 软体发布\nlang: zh-Hans\n---\n这里\n"


def test_running_twice_never_copies_a_copy_and_rewrites_nothing(tmp_path, cli):
    write(tmp_path / "post.md", POST)
    cli("traditional", "--config", "s2tw", str(tmp_path))
    copy = tmp_path / "post.zh-TW.md"
    inode, data = copy.stat().st_ino, copy.read_bytes()
    result = cli("traditional", "--config", "s2tw", str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["post.md", "post.zh-TW.md"]
    assert copy.stat().st_ino == inode and copy.read_bytes() == data
    assert "unchanged" in result.stdout


def test_check_reports_missing_and_stale_copies(tmp_path, cli):
    post = write(tmp_path / "post.md", POST)
    copy = tmp_path / "post.zh-Hant.md"
    missing = cli("traditional", "--check", str(tmp_path))
    assert missing.exit_code == 1
    assert f"missing: {copy}" in missing.stdout and "stale:" not in missing.stdout
    assert not copy.exists()
    cli("traditional", str(tmp_path))
    assert cli("traditional", "--check", str(tmp_path)).exit_code == 0
    post.write_text(POST.replace("前头", "后来"))
    stale = cli("traditional", "--check", str(tmp_path))
    assert stale.exit_code == 1
    assert f"stale: {copy}" in stale.stdout and "missing:" not in stale.stdout


def test_out_mirrors_the_tree(tmp_path, cli):
    write(tmp_path / "src/a/post.md", POST)
    cli("traditional", "--out", str(tmp_path / "tw"), str(tmp_path / "src"))
    assert "lang: zh-Hant" in (tmp_path / "tw/a/post.md").read_text()


def test_non_chinese_posts_are_copied_with_lang_or_skipped(tmp_path, cli):
    post = write(tmp_path / "en.md", "---\ntitle: Hello\n---\nNo Chinese here.\n")
    cli("traditional", str(post))
    assert (tmp_path / "en.zh-Hant.md").read_text() == "---\ntitle: Hello\nlang: zh-Hant\n---\nNo Chinese here.\n"
    other = write(tmp_path / "en2.md", "---\ntitle: Hello\n---\nNo Chinese here.\n")
    result = cli("traditional", "--skip-non-chinese", str(other))
    assert not (tmp_path / "en2.zh-Hant.md").exists() and "skipped" in result.stdout


def test_convert_flag_turns_html_into_markdown_first(tmp_path, cli):
    post = write(tmp_path / "h.md", "---\ntitle: 网页\n---\n\n<div><p>这是<strong>重点</strong>内容</p></div>")
    cli("traditional", "--convert", str(post))
    assert (tmp_path / "h.zh-Hant.md").read_text() == "---\ntitle: 網頁\nlang: zh-Hant\n---\n\n這是**重點**內容\n"


def test_bad_files_fail_alone_with_clear_messages(tmp_path):
    write(tmp_path / "gbk.md", "---\ntitle: 标题\n---\n正文".encode("gbk"))
    write(tmp_path / "yaml.md", "---\ntitle: a: b\n---\n正文")
    write(tmp_path / "ok.md", POST)
    result = run_postkit("traditional", str(tmp_path))
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert "gbk.md:2:8: PK000 not UTF-8" in result.stdout
    assert "yaml.md:2:9: PK002 front matter is not valid YAML" in result.stdout
    assert (tmp_path / "ok.zh-Hant.md").exists()
    assert not (tmp_path / "gbk.zh-Hant.md").exists()


def test_crlf_post_gives_crlf_copy(tmp_path, cli):
    post = write(tmp_path / "c.md", POST.replace("\n", "\r\n"))
    cli("traditional", str(post))
    data = (tmp_path / "c.zh-Hant.md").read_bytes()
    assert b"lang: zh-Hant\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")


def test_usage_errors(tmp_path, cli):
    write(tmp_path / "p.md", POST)
    assert cli("traditional", "--config", "s2x", str(tmp_path)).exit_code == 2
    assert cli("traditional", "--suffix", "", str(tmp_path)).exit_code == 2


def test_out_mirrors_as_convert_does_relative_to_the_sites_source(tmp_path):
    site = tmp_path / "blog"
    write(site / "_config.yml", "title: Blog\n")
    write(site / "source" / "_posts" / "post1.md", POST)
    for command in ("traditional", "convert"):
        result = run_postkit(command, "--out", str(tmp_path / command), "source/_posts", cwd=site)
        assert result.returncode == 0, result.stderr
    assert (tmp_path / "traditional" / "_posts" / "post1.md").is_file()
    assert (tmp_path / "convert" / "_posts" / "post1.md").is_file()
    assert "title: 軟件發佈" in (tmp_path / "traditional" / "_posts" / "post1.md").read_text(encoding="utf-8")


def test_out_outside_a_site_mirrors_relative_to_the_common_parent(tmp_path):
    write(tmp_path / "notes" / "a" / "one.md", POST)
    write(tmp_path / "notes" / "b" / "two.md", POST)
    result = run_postkit("traditional", "--out", str(tmp_path / "out"), "notes/a/one.md", "notes/b", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.md")) == ["a/one.md", "b/two.md"]
