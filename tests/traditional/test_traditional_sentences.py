"""Accuracy of Simplified→Traditional conversion on the hand-written sentence set (issue 4)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from postkit.traditional.opencc import load_config
from postkit.traditional.segment import SegmentedConverter
from postkit.traditional.post import CONFIGS, convert_text, get_converter

SENTENCES = Path(__file__).with_name("sentences.tsv")
# At least 97 % of the set right with s2t and with s2twp.
TARGETS = {"s2t": 0.97, "s2twp": 0.97}


def _rows() -> list[tuple[str, str, str, str]]:
    rows = []
    for line in SENTENCES.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            config, source, expected, reason = line.split("\t")
            rows.append((config, source, expected, reason))
    return rows


ROWS = _rows()
BY_CONFIG: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
for _config, _source, _expected, _reason in ROWS:
    BY_CONFIG[_config].append((_source, _expected, _reason))


def test_sentence_set_has_300_or_more_sentences_for_every_config():
    assert len(ROWS) >= 300
    assert set(BY_CONFIG) == set(CONFIGS)
    assert all(len(BY_CONFIG[config]) >= 5 for config in CONFIGS)
    assert all(reason.strip() for *_ignored, reason in ROWS)


@pytest.mark.parametrize("config", sorted(TARGETS))
def test_sentence_set_meets_the_accuracy_target(config):
    wrong = []
    for source, expected, reason in BY_CONFIG[config]:
        converted = convert_text(source, config)
        if converted != expected:
            wrong.append(f"{source} -> {converted}, expected {expected} ({reason})")
    score = 1 - len(wrong) / len(BY_CONFIG[config])
    assert score >= TARGETS[config], f"{config}: {score:.1%} right; wrong:\n" + "\n".join(wrong)


@pytest.mark.parametrize("config", sorted(BY_CONFIG))
def test_segmentation_fixes_more_sentences_than_it_breaks(config):
    opencc_convert = load_config(config).convert
    fixed, broken = [], []
    for source, expected, _reason in BY_CONFIG[config]:
        ours_right = convert_text(source, config) == expected
        opencc_right = opencc_convert(source) == expected
        if ours_right and not opencc_right:
            fixed.append(source)
        elif opencc_right and not ours_right:
            broken.append(f"{source} -> {convert_text(source, config)}, OpenCC alone gives {expected}")
    assert not broken or len(broken) < len(fixed), f"fixed {len(fixed)}, broken:\n" + "\n".join(broken)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("前头发生", "前頭發生"),
        ("粉丝发送", "粉絲發送"),
        ("被发明", "被發明"),
        ("参与制造", "參與製造"),
        ("而不是只蜗居", "而不是只蝸居"),
    ],
)
def test_issue_maximum_matching_errors_are_fixed(source, expected):
    assert convert_text(source, "s2t") == expected


def test_regional_phrase_split_into_single_character_tokens_is_joined_again():
    # A segmenter that cuts every character apart: 打印机 and 软件 can only
    # reach TWPhrases if the tokens are grouped back into OpenCC's phrase.
    converter = SegmentedConverter(load_config("s2twp"), list)
    assert converter.convert("激光打印机和软件") == "雷射印表機和軟體"


def test_phrase_straddling_a_token_boundary_is_not_used():
    converter = SegmentedConverter(load_config("s2t"), lambda text: ["前头", "发生"] if text == "前头发生" else list(text))
    assert converter.convert("前头发生") == "前頭發生"


def test_b22_s2t_writes_opencc_standard_and_s2tw_writes_taiwan_forms():
    assert convert_text("里面 | 这里 | 后来", "s2t") == "裏面 | 這裏 | 後來"
    assert convert_text("里面 | 这里 | 后来", "s2tw") == "裡面 | 這裡 | 後來"


def test_converter_is_built_once_per_config():
    assert get_converter("s2t") is get_converter("s2t")
    assert get_converter("s2t") is not get_converter("s2tw")


def test_unknown_config_is_refused():
    with pytest.raises(ValueError, match="s2x"):
        get_converter("s2x")


def test_result_does_not_depend_on_what_was_converted_before():
    import rjieba
    from functools import partial

    text = "前头发生了什么，他参与制造了打印机，而不是只蜗居。皇后来了。"
    fresh = SegmentedConverter(load_config("s2twp"), partial(rjieba.cut, hmm=False))
    warmed = SegmentedConverter(load_config("s2twp"), partial(rjieba.cut, hmm=False))
    for source, _expected, _reason in BY_CONFIG["s2twp"]:
        warmed.convert(source)
    warmed.convert_many(["前头", "发生了什么", "他参与", "制造了打印机"])
    assert warmed.convert(text) == fresh.convert(text) == "前頭發生了什麼，他參與製造了印表機，而不是只蝸居。皇后來了。"
