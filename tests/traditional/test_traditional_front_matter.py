"""Script conversion of front matter values, in place, and setting `lang` on a copy (issue 4)."""

from __future__ import annotations

import pytest

from postkit.traditional.post import (
    DEFAULT_FRONT_MATTER_KEYS,
    FrontMatterError,
    convert_front_matter,
    set_front_matter_value,
)

FRONT_MATTER = """title: '二上美国_黑名单_，商汤发布'
categories:
 - 新媒体
 -  - 高科技发布
headimg: 'https://例子.cn/发布/图片.png'
author: 高科技行业门户
comments: false
date: Tue, 14 Dec 2021 02:53:00 GMT
thumbnail: 'https://例子.cn/发布/图片.png'
tags: [软件, "发布"]
description: "后台\\u53d1布\\n说明"
excerpt: |
  后台发布
  第二行
summary: 后台发布
发布: 后台
"""

EXPECTED = """title: '二上美國_黑名單_，商湯發佈'
categories:
 - 新媒體
 -  - 高科技發佈
headimg: 'https://例子.cn/发布/图片.png'
author: 高科技行業門戶
comments: false
date: Tue, 14 Dec 2021 02:53:00 GMT
thumbnail: 'https://例子.cn/发布/图片.png'
tags: [軟件, "發佈"]
description: "後臺\\u53d1布\\n說明"
excerpt: |
  後臺發佈
  第二行
summary: 后台发布
发布: 后台
"""


def test_default_keys_are_the_ones_issue_4_lists():
    assert DEFAULT_FRONT_MATTER_KEYS == ("title", "description", "excerpt", "categories", "tags", "author")


def test_only_values_of_the_listed_keys_convert_and_every_other_byte_stays():
    assert convert_front_matter(FRONT_MATTER, config="s2t") == EXPECTED


def test_double_quoted_escapes_survive_and_still_parse():
    import yaml

    converted = yaml.safe_load(convert_front_matter(FRONT_MATTER, config="s2t"))
    assert converted["description"] == "後臺\u53d1布\n說明"


def test_key_list_is_configurable():
    converted = convert_front_matter(FRONT_MATTER, keys=["summary"], config="s2t")
    assert "summary: 後臺發佈\n" in converted
    assert "title: '二上美国_黑名单_，商汤发布'\n" in converted


def test_each_value_already_traditional_is_left_as_it_is():
    front_matter = "title: 台灣的後台系統\ntags:\n  - 后台\n"
    assert convert_front_matter(front_matter, config="s2t") == "title: 台灣的後台系統\ntags:\n  - 後臺\n"


def test_alias_of_a_converted_value_is_converted_once():
    front_matter = "title: &name 发布\nauthor: *name\n"
    assert convert_front_matter(front_matter, config="s2t") == "title: &name 發佈\nauthor: *name\n"


def test_empty_front_matter_is_returned_as_it_is():
    assert convert_front_matter("", config="s2t") == ""
    assert convert_front_matter("# 只有注释\n", config="s2t") == "# 只有注释\n"


@pytest.mark.parametrize("front_matter", ["title: 'broken\n", "- a list\n- not a mapping\n"])
def test_front_matter_postkit_cannot_edit_raises(front_matter):
    with pytest.raises(FrontMatterError):
        convert_front_matter(front_matter, config="s2t")


def test_lang_is_appended_when_missing():
    assert set_front_matter_value("title: 發佈\n", "lang", "zh-TW") == "title: 發佈\nlang: zh-TW\n"
    assert set_front_matter_value("title: 發佈", "lang", "zh-TW") == "title: 發佈\nlang: zh-TW\n"
    assert set_front_matter_value("", "lang", "zh-Hant") == "lang: zh-Hant\n"


def test_lang_is_replaced_in_place_when_present():
    front_matter = "lang: zh-CN # source\ntitle: x\n"
    assert set_front_matter_value(front_matter, "lang", "zh-HK") == "lang: zh-HK # source\ntitle: x\n"
    assert set_front_matter_value("lang: 'zh-CN'\n", "lang", "zh-HK") == "lang: zh-HK\n"
    assert set_front_matter_value("lang:\ntitle: x\n", "lang", "zh-HK") == "lang: zh-HK\ntitle: x\n"


def test_setting_the_same_lang_again_changes_nothing():
    front_matter = "title: x\nlang: 'zh-TW'\n"
    assert set_front_matter_value(front_matter, "lang", "zh-TW") == front_matter


def test_lang_key_is_configurable():
    assert set_front_matter_value("title: x\n", "language", "zh-TW") == "title: x\nlanguage: zh-TW\n"


def test_lang_value_must_be_a_plain_scalar():
    with pytest.raises(ValueError):
        set_front_matter_value("title: x\n", "lang", "zh TW: bad")


def test_lang_cannot_be_added_to_a_flow_mapping_or_replace_a_list():
    with pytest.raises(FrontMatterError):
        set_front_matter_value("{title: x}\n", "lang", "zh-TW")
    with pytest.raises(FrontMatterError):
        set_front_matter_value("lang: [zh-CN]\n", "lang", "zh-TW")


def test_convert_post_converts_body_and_listed_values_and_sets_lang():
    from postkit.traditional.post import convert_post

    front_matter = "title: 后台\ndate: 2021-03-22 04:50:45\nheadimg: 'https://例子.cn/发布.png'\n"
    body = "<p>这个后台发布了</p>"
    converted_front_matter, converted_body = convert_post(front_matter, body, "s2twp")
    assert converted_front_matter == (
        "title: 後臺\ndate: 2021-03-22 04:50:45\nheadimg: 'https://例子.cn/发布.png'\nlang: zh-TW\n"
    )
    assert converted_body == "<p>這個後臺釋出了</p>"


def test_convert_post_judges_a_title_of_shared_characters_by_its_body():
    from postkit.traditional.post import convert_post

    # 台北 alone would be converted (臺北); in a Traditional post it stays.
    converted_front_matter, converted_body = convert_post("title: 台北\n", "<p>這是台北的後台。</p>", "s2t")
    assert converted_front_matter == "title: 台北\nlang: zh-Hant\n"
    assert converted_body == "<p>這是台北的後台。</p>"


def test_convert_post_can_leave_lang_out():
    from postkit.traditional.post import convert_post

    assert convert_post("title: 后台\n", "后台", "s2t", lang_key=None) == ("title: 後臺\n", "後臺")
