"""OpenCC's own test cases: every pair OpenCC alone gets right, postkit gets right too.

The cases are read by path from ../shared/peers/opencc-testcases.json
(OpenCC's test/testcases/testcases.json); the test skips when it is absent.
Two layouts: all cases of a config as the paragraphs of one post, and each
case as its own post, since postkit judges a post's script as a whole.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from postkit.traditional.opencc import CONFIGS, load_config
from postkit.traditional.post import get_converter

SUITE = Path(__file__).resolve().parents[2].parent / "shared" / "peers" / "opencc-testcases.json"


def _cases() -> dict[str, list[tuple[str, str, str]]]:
    if not SUITE.is_file():
        return {}
    # The file has a trailing comma before a closing brace.
    data = json.loads(re.sub(r",(\s*[}\]])", r"\1", SUITE.read_text(encoding="utf-8")))
    by_config: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for case in data["cases"]:
        for config, expected in case["expected"].items():
            if config in CONFIGS:
                by_config[config].append((case["id"], case["input"], expected))
    return by_config


CASES = _cases()
pytestmark = pytest.mark.skipif(not CASES, reason=f"OpenCC's test cases not found at {SUITE}")


def _opencc_right(config: str) -> list[tuple[str, str, str]]:
    convert = load_config(config).convert
    return [(case_id, source, expected) for case_id, source, expected in CASES[config] if convert(source) == expected]


def test_the_suite_covers_every_config_postkit_offers():
    assert set(CASES) == set(CONFIGS)
    assert sum(len(cases) for cases in CASES.values()) >= 380


@pytest.mark.parametrize("config", CONFIGS)
def test_each_case_as_its_own_post(config):
    converter = get_converter(config)
    wrong = [
        f"{case_id}: {source} -> {converter.convert_body(source)}, OpenCC alone and the suite: {expected}"
        for case_id, source, expected in _opencc_right(config)
        if converter.convert_body(source) != expected
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("config", CONFIGS)
def test_all_cases_as_paragraphs_of_one_post(config):
    right = _opencc_right(config)
    # Every case of the config is a paragraph, so the post is judged as a whole.
    every = CASES[config]
    converted = get_converter(config).convert_body("\n\n".join(source for _id, source, _expected in every)).split("\n\n")
    assert len(converted) == len(every)
    by_id = {case_id: text for (case_id, _source, _expected), text in zip(every, converted)}
    wrong = [
        f"{case_id}: {source} -> {by_id[case_id]}, expected {expected}"
        for case_id, source, expected in right
        if by_id[case_id] != expected
    ]
    assert not wrong, "\n".join(wrong)


def test_segmentation_wins_stay_where_opencc_alone_is_wrong():
    s2t = get_converter("s2t")
    opencc = load_config("s2t").convert
    for source, expected in [("前头发生", "前頭發生"), ("参与制造", "參與製造"), ("可是只有", "可是只有")]:
        assert s2t.convert_text(source) == expected
        assert opencc(source) != expected
