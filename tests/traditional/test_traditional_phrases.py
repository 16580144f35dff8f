"""postkit's word rules and phrase tables: reduplicated measure words, 干 (dry), 自制 (C06), authorship 著 (C07), user phrases."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from postkit.traditional.opencc import load_config
from postkit.traditional.post import convert_text, get_converter, loaded_config
from postkit.traditional.rules import PhraseTableError, builtin_phrases, user_phrases


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("一只只小鸟飞过", "一隻隻小鳥飛過"),
        ("湖面上游着一只只白天鹅", "湖面上游着一隻隻白天鵝"),
        ("一条条小河流向大海", "一條條小河流向大海"),
        ("一张张照片摆在桌上", "一張張照片擺在桌上"),
        ("孩子们一个个走进教室", "孩子們一個個走進教室"),
    ],
)
def test_a_reduplicated_measure_word_takes_the_form_of_the_first(source, expected):
    assert convert_text(source, "s2t") == expected


def test_reduplication_holds_in_every_forward_config():
    for config in ("s2tw", "s2twp", "s2hk"):
        assert convert_text("一只只小鸟", config).startswith("一隻隻")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("饼干已经干了", "餅乾已經乾了"),
        ("衣服都干了吗？", "衣服都乾了嗎？"),
        ("墙还没干，别碰。", "牆還沒乾，別碰。"),
        ("头发快干了", "頭髮快乾了"),
    ],
)
def test_gan_closing_a_clause_after_its_noun_is_dry(source, expected):
    assert convert_text(source, "s2t") == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("他已经干了三年。", "他已經幹了三年。"),
        ("这件事他已经干了。", "這件事他已經幹了。"),
        ("我们一起干吧", "我們一起幹吧"),
        ("请不要干涉。", "請不要干涉。"),
    ],
)
def test_gan_after_a_person_or_in_a_word_is_not_dry(source, expected):
    assert convert_text(source, "s2t") == expected


# C06: 自制 (self-made) is 自製; OpenCC's STPhrases maps it to 自制, the spelling of self-control.
@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("而非中国自制的光刻机", "而非中國自製的光刻機"),
        ("中国自制率据估计约九成", "中國自製率據估計約九成"),
        ("这是我自制的果酱", "這是我自製的果醬"),
        ("他缺乏自制能力", "他缺乏自制能力"),
        ("自制力是一种能力", "自制力是一種能力"),
        ("他很有自制", "他很有自制"),
    ],
)
def test_c06_self_made_is_zizhi_with_the_product_character(source, expected):
    assert convert_text(source, "s2t") == expected
    assert convert_text(source, "s2tw") == expected.replace("種", "種")


# C07: tw2s turns authorship 著 into the particle 着 where TWVariantsRevPhrases lacks the word.
@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("本書由高爾基 著。", "本书由高尔基 著。"),
        ("魯迅 著", "鲁迅 著"),
        ("原著小說很長", "原著小说很长"),
        ("這本譯著很好", "这本译著很好"),
        ("他的專著出版了", "他的专著出版了"),
        ("先生的遺著", "先生的遗著"),
        ("請看拙著", "请看拙著"),
        ("他的論著很多", "他的论著很多"),
        ("本書由他編著", "本书由他编著"),
        ("成績卓著", "成绩卓著"),
        ("他們是當地的土著。", "他们是当地的土著。"),
        ("他讀著讀著睡著了。", "他读着读着睡着了。"),
        ("他穿著大衣，沉著應戰。", "他穿着大衣，沉着应战。"),
    ],
)
def test_c07_authorship_zhu_stays_in_the_reverse_configs(source, expected):
    assert convert_text(source, "tw2s") == expected


def test_c07_t2s_and_hk2s_already_keep_authorship_zhu():
    for config in ("t2s", "hk2s"):
        assert convert_text("本書由高爾基 著。原著小說很長", config) == "本书由高尔基 著。原著小说很长"


def test_c06_and_c07_cases_from_the_shared_reports():
    from pathlib import Path

    import json

    cases = Path(__file__).resolve().parents[2].parent / "shared" / "cases"
    if not (cases / "C06.json").is_file():
        pytest.skip("shared cases not found")
    from postkit.core.document import Document
    from postkit.traditional.post import convert_post

    for name, config in (("C06.json", "s2t"), ("C07.json", "tw2s")):
        case = json.loads((cases / name).read_text(encoding="utf-8"))
        document = Document.from_text(case["input"], name)
        _front_matter, body = convert_post(document.yaml_text, document.body, config)
        assert body.strip() == case["expected"]


def _table_entries() -> list[dict]:
    text = resources.files("postkit.traditional").joinpath("phrases.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)["phrase"]


@pytest.mark.parametrize("entry", _table_entries(), ids=lambda entry: entry["word"])
def test_every_shipped_entry_names_its_reference_and_fixes_what_opencc_gets_wrong(entry):
    assert "BYVoid/OpenCC#" in entry["reference"] or "dictionary" in entry["reference"]
    for config in entry["configs"]:
        opencc = load_config(config).convert
        # Nothing in the table repeats what OpenCC already does right.
        assert opencc(entry["word"]) != entry["to"]
        assert convert_text(entry["word"], config) == entry["to"]


def test_builtin_table_is_small():
    assert len(_table_entries()) <= 20
    assert set(builtin_phrases("s2t")) == {"自制", "冷面笑匠", "别着急"}
    assert builtin_phrases("s2twp")["别着急"].to == "別著急"


def _checked(table, config="s2twp"):
    loaded = loaded_config(config)
    return user_phrases(table, config, "phrases", source_only=loaded.source_only, target_only=loaded.target_only)


def test_user_phrase_applies_on_word_boundaries_only():
    phrases = _checked({"参数": "參數"})
    converter = get_converter("s2twp", phrases)
    assert converter.convert_text("手机参数对比") == "手機參數對比"
    # 参数化 is another word: the override must not reach into it.
    assert converter.convert_text("参数化设计") == get_converter("s2twp").convert_text("参数化设计")
    assert get_converter("s2twp").convert_text("手机参数对比") == "手機引數對比"


def test_user_phrases_per_config_win_over_the_shared_ones():
    table = {"发布": "發表", "s2twp": {"发布": "發布", "性价比": "性價比"}, "s2t": {"质量": "質量"}}
    phrases = _checked(table)
    assert {word: phrase.to for word, phrase in phrases.items()} == {"发布": "發布", "性价比": "性價比"}
    converter = get_converter("s2twp", phrases)
    assert converter.convert_text("发布了新一代大模型，性价比很高") == "發布了新一代大模型，性價比很高"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"": "參數"}, "empty word"),
        ({"参数": "parameters"}, "参数 = 'parameters'"),
        ({"参数": 3}, "参数 = 3"),
        ({"參數": "參數"}, "參數 = '參數'"),
        ({"s2twp": {"發布": "發布"}}, "[s2twp]"),
        ({"s2x": {"发布": "發布"}}, "[s2x]"),
    ],
)
def test_a_bad_user_table_names_the_entry(table, message):
    with pytest.raises(PhraseTableError, match=message.replace("[", r"\[").replace("]", r"\]")):
        _checked(table)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("他用热水冲了一杯咖啡。", "他用熱水沖了一杯咖啡。"),
        ("他冲了个澡。", "他沖了個澡。"),
        ("先冲茶再说。", "先沖茶再說。"),
        ("他冲向大门。", "他衝向大門。"),
        ("士兵冲了上去。", "士兵衝了上去。"),
    ],
)
def test_chong_with_what_water_is_poured_on_is_the_water_form(source, expected):
    assert convert_text(source, "s2t") == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("屏幕上显示了一条信息。", "螢幕上顯示了一條訊息。"),
        ("他发了一则信息。", "他發了一則訊息。"),
        ("信息时代来了。", "資訊時代來了。"),
        ("我们需要更多信息。", "我們需要更多資訊。"),
    ],
)
def test_s2twp_message_counted_with_a_measure_word_is_xunxi(source, expected):
    assert convert_text(source, "s2twp") == expected
