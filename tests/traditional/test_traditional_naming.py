"""Names of Traditional (and Simplified) copies, and telling a copy from a source post (issue 4)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from postkit.traditional.post import TARGET_TAGS, copy_path, is_copy


def test_target_tags_are_the_bcp47_tags_of_issue_4():
    assert TARGET_TAGS == {
        "s2t": "zh-Hant",
        "s2tw": "zh-TW",
        "s2twp": "zh-TW",
        "s2hk": "zh-HK",
        "t2s": "zh-Hans",
        "tw2s": "zh-Hans",
        "hk2s": "zh-Hans",
    }


@pytest.mark.parametrize(
    ("config", "expected"),
    [("s2t", "post.zh-Hant.md"), ("s2tw", "post.zh-TW.md"), ("s2twp", "post.zh-TW.md"), ("s2hk", "post.zh-HK.md"), ("t2s", "post.zh-Hans.md")],
)
def test_copy_is_a_sibling_named_with_the_tag(config, expected):
    assert copy_path(Path("posts/post.md"), config) == Path("posts") / expected


def test_copy_path_keeps_the_type_it_was_given():
    assert copy_path("a/b.c.md", "s2twp") == "a/b.c.zh-TW.md"
    assert copy_path(PurePosixPath("a/README"), "s2t") == PurePosixPath("a/README.zh-Hant")


def test_suffix_overrides_the_tag():
    assert copy_path("post.md", "s2twp", suffix="tw") == "post.tw.md"
    assert copy_path("post.md", "s2twp", suffix=".tw") == "post.tw.md"
    with pytest.raises(ValueError):
        copy_path("post.md", "s2twp", suffix=".")


def test_copy_path_refuses_an_unknown_config():
    with pytest.raises(ValueError):
        copy_path("post.md", "s2x")


@pytest.mark.parametrize("name", ["post.zh-TW.md", "post.zh-tw.md", "post.zh-Hant.md", "post.zh-HK.md", "post.zh-Hans.md"])
def test_a_file_named_with_a_target_tag_is_a_copy(name):
    assert is_copy(name)


def test_a_copy_of_a_copy_is_never_made():
    copy = copy_path("post.md", "s2twp")
    assert is_copy(copy)
    assert is_copy(copy_path("post.md", "s2twp", suffix="tw"), suffix="tw")


def test_a_source_post_is_not_a_copy():
    assert not is_copy("post.md")
    assert not is_copy("zh-TW.md")
    assert not is_copy("post.md", "zh-CN", config="s2t")


def test_lang_holding_a_target_tag_of_the_same_direction_marks_a_copy():
    assert is_copy("post.md", "zh-TW", config="s2t")
    assert is_copy("post.md", "zh-hant", config="s2twp")
    assert is_copy("post.md", "zh-Hans", config="t2s")
    # A Simplified source that says so in lang is what s2t converts.
    assert not is_copy("post.md", "zh-Hans", config="s2t")
    assert not is_copy("post.md", "zh-TW", config="tw2s")
    assert is_copy("post.md", "zh-Hans")
    assert not is_copy("post.md", ["zh-TW"], config="s2t")


def test_copy_of_a_file_without_extension_is_recognised():
    assert is_copy(copy_path("README", "s2tw"))
    assert not is_copy("README")
