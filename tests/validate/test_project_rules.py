"""Cross-file rules: language copies are one post, groups stay linear, a Hexo site root is checked as Hexo builds it."""

from __future__ import annotations

import json

from conftest import run_postkit, write

POST = "---\ntitle: {title}\ndate: 2021-12-14T10:53:00Z\nheadimg: https://img.example.cn/{image}.png\nthumbnail: https://img.example.cn/{image}.png\n{extra}---\n正文\n"


def post(title: str, image: str = "a", extra: str = "") -> str:
    return POST.format(title=title, image=image, extra=extra)


def run_json(*args: str, cwd=None) -> dict:
    result = run_postkit("validate", "--format", "json", *args, cwd=cwd)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def codes_by_file(data: dict) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for d in data["diagnostics"]:
        found.setdefault(d["path"].rsplit("/", 1)[-1], []).append(d["code"])
    return {name: sorted(codes) for name, codes in found.items()}


def test_a_post_and_its_language_copies_are_one_post(tmp_path):
    write(tmp_path / "post.md", post("Hexo 入门"))
    write(tmp_path / "post.zh-TW.md", post("Hexo 入门", extra="lang: zh-TW\n"))
    write(tmp_path / "post.zh-HK.md", post("Hexo 入门", extra="lang: zh-HK\n"))
    found = codes_by_file(run_json(str(tmp_path)))
    assert found == {"post.md": ["PK301"]}  # headimg == thumbnail, once, on the original


def test_a_copy_in_a_mirrored_tree_is_one_post_with_its_original(tmp_path):
    write(tmp_path / "source" / "_posts" / "post.md", post("Hexo 入门"))
    write(tmp_path / "build" / "zh-TW" / "post.md", post("Hexo 入門", extra="lang: zh-TW\n"))
    write(tmp_path / "build" / "zh-HK" / "post.md", post("Hexo 入門", extra="lang: zh-HK\n"))
    found = codes_by_file(run_json(str(tmp_path)))
    assert found == {"post.md": ["PK301"]}


def test_a_title_shared_by_two_different_posts_is_still_reported(tmp_path):
    write(tmp_path / "a.md", post("周报", "a"))
    write(tmp_path / "a.zh-TW.md", post("周报", "a", "lang: zh-TW\n"))
    write(tmp_path / "b.md", post("周报", "b"))
    data = run_json("--select", "PK401", str(tmp_path))
    messages = {d["path"].rsplit("/", 1)[-1]: d["message"] for d in data["diagnostics"]}
    assert sorted(messages) == ["a.md", "b.md"]
    assert messages["a.md"].endswith("b.md") and "zh-TW" not in messages["a.md"]


def test_a_copy_alone_is_checked_as_a_post(tmp_path):
    write(tmp_path / "post.zh-TW.md", post("Hexo 入門", extra="lang: zh-TW\n"))
    assert codes_by_file(run_json(str(tmp_path))) == {"post.zh-TW.md": ["PK301"]}


def test_large_groups_name_five_posts_and_list_the_group_once(tmp_path):
    for number in range(40):
        write(tmp_path / f"p{number:02d}.md", post("每日早报", "logo", extra=""))
    data = run_json("--select", "PK401,PK303", str(tmp_path))
    titles = [d for d in data["diagnostics"] if d["code"] == "PK401"]
    assert len(titles) == 40
    assert all(d["message"].count(".md") == 5 and d["message"].endswith("and 34 more") for d in titles)
    assert {d["group"] for d in data["diagnostics"]} == {0, 1}
    assert [len(g["posts"]) for g in data["groups"]] == [40, 40]
    concise = run_postkit("validate", "--format", "concise", "--select", "PK303", str(tmp_path)).stdout
    assert "the same image is used by 39 other post(s)" in concise and "and 34 more" in concise
    sarif = json.loads(run_postkit("validate", "--format", "sarif", "--select", "PK401", str(tmp_path)).stdout)
    run = sarif["runs"][0]
    assert len(run["properties"]["groups"]) == 1 and len(run["properties"]["groups"][0]["posts"]) == 40
    assert {r["properties"]["group"] for r in run["results"]} == {0}


def test_a_hexo_site_root_is_checked_as_hexo_builds_it(tmp_path):
    site = tmp_path / "blog"
    write(site / "_config.yml", "title: blog\ntimezone: Asia/Shanghai\n")
    good = "---\ntitle: 文章\ndate: 2021-12-14 10:53:00\n---\n正文\n"
    write(site / "source" / "_posts" / "a.md", good)
    write(site / "source" / "about" / "index.md", good)
    write(site / "source" / "_drafts" / "draft.md", "no front matter\n")
    write(site / "source" / "_data" / "notes.md", "no front matter\n")
    write(site / "source" / "_posts" / "_unknown_route" / "skipped.md", "no front matter\n")
    write(site / "scaffolds" / "post.md", "---\ntitle: {{ title }}\ndate: {{ date }}\ntags:\n---\n")
    write(site / "themes" / "landscape" / "README.md", "# Landscape\n")
    write(site / "node_modules" / "x" / "README.md", "# x\n")
    write(site / "public" / "index.md", "x\n")
    result = run_postkit("validate", "--format", "concise", ".", cwd=site)
    assert result.returncode == 0, result.stdout
    assert "2 files" in result.stdout or "All checks passed" in result.stdout
    with_drafts = run_postkit("validate", "--format", "concise", "--drafts", ".", cwd=site)
    assert with_drafts.returncode == 1 and "_drafts/draft.md:1:1: PK001" in with_drafts.stdout
    assert "scaffolds" not in with_drafts.stdout and "themes" not in with_drafts.stdout
