"""Word-level corrections on top of OpenCC: phrase tables (postkit's own and the user's) and context rules.

Each works on the words the segmenter found, after OpenCC converted them, so
a table entry for 参数 never touches 参数化, and a rule sees the word before
and after the one it corrects.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

from postkit.traditional.opencc import CONFIGS, FORWARD_CONFIGS

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
# The numerals of a reduplicated measure word: 一只只, 一个个, 一条条.
_NUMERALS = frozenset("一")
# What may follow 干 (dry) at the end of a clause: 干了, 干透了, 干吗 (is it dry?).
_DRY_TAILS = frozenset({"", "了", "透", "透了"})
_CLAUSE_END_PARTICLES = frozenset({"了", "吗", "呢", "啦", "吧", "啊", "没有"})
# A suffix that makes a new word of the one before it (参数化, 现代化): a
# table entry for 参数 does not reach into 参数化 unless it is listed too.
_DERIVING_SUFFIXES = ("化",)
# What one pours water on (沖): 冲咖啡, 冲了个澡. 冲 is otherwise to rush (衝).
_POURED = frozenset({"咖啡", "茶", "澡", "凉", "奶粉", "茶叶", "蛋花", "泡面", "麦片"})
# Words between a noun and 干 that jieba does not tag as adverbs: 墙还没干.
_NEGATIONS = frozenset({"没", "没有", "未", "还没", "还未", "尚未"})


@dataclass(frozen=True)
class Phrase:
    """One table entry: the word as the source script writes it, the form to write, and where it comes from."""

    word: str
    to: str
    origin: str  # "postkit" (the shipped table) or "user"
    reference: str = ""
    not_before: tuple[str, ...] = ()
    not_after: tuple[str, ...] = ()


class PhraseTableError(ValueError):
    """A phrase table entry postkit cannot use; the message names the entry."""


def builtin_phrases(config: str) -> dict[str, Phrase]:
    """postkit's own table for an OpenCC config: dictionary gaps OpenCC has not fixed, each with its public reference."""
    # Beside this module; importlib.resources would cost more than the file.
    data = tomllib.loads(Path(__file__).with_name("phrases.toml").read_text(encoding="utf-8"))
    table: dict[str, Phrase] = {}
    for entry in data.get("phrase", []):
        if config in entry["configs"]:
            table[entry["word"]] = Phrase(
                word=entry["word"],
                to=entry["to"],
                origin="postkit",
                reference=entry["reference"],
                not_before=tuple(entry.get("not-before", ())),
                not_after=tuple(entry.get("not-after", ())),
            )
    return table


def user_phrases(table: Mapping[str, object], config: str, where: str, *, source_only: frozenset[str], target_only: frozenset[str]) -> dict[str, Phrase]:
    """The user's phrase table for one config, checked; raises PhraseTableError naming a bad entry.

    table: `word = "form"` entries that apply to the forward configs (s2t,
    s2tw, s2twp, s2hk), and sub-tables named after an OpenCC config whose
    entries apply to that config alone and win over the shared ones. where
    names the table in messages (a file, or the config key). A key must be a
    non-empty word of the source script (no character only the target script
    writes: 發 in a key for s2t is refused), a value must hold Chinese.
    """
    chosen: dict[str, Phrase] = {}
    for key, value in table.items():
        if key in CONFIGS:
            continue
        if isinstance(value, Mapping):
            raise PhraseTableError(f"{where}: [{key}] is not an OpenCC config ({', '.join(CONFIGS)})")
        if config in FORWARD_CONFIGS:
            chosen[key] = _check(key, value, where, source_only, target_only)
        else:
            _check(key, value, where, frozenset(), frozenset())
    for name in CONFIGS:
        section = table.get(name)
        if section is None:
            continue
        if not isinstance(section, Mapping):
            raise PhraseTableError(f"{where}: {name} must be a table of word = \"form\" entries")
        for key, value in section.items():
            if name == config:
                chosen[key] = _check(key, value, f"{where} [{name}]", source_only, target_only)
            else:
                _check(key, value, f"{where} [{name}]", frozenset(), frozenset())
    return chosen


def _check(key: str, value: object, where: str, source_only: frozenset[str], target_only: frozenset[str]) -> Phrase:
    if not key.strip():
        raise PhraseTableError(f"{where}: an entry has an empty word")
    if not _HAN.search(key):
        raise PhraseTableError(f"{where}: {key!r} is not a Chinese word")
    if not isinstance(value, str) or not _HAN.search(value):
        raise PhraseTableError(f"{where}: {key} = {value!r}: the form to write must be Chinese text")
    written_only_in_target = sorted(set(key) & target_only)
    if written_only_in_target:
        raise PhraseTableError(
            f"{where}: {key} = {value!r}: the word must be written as the source text writes it; "
            f"{''.join(written_only_in_target)} does not occur in it"
        )
    return Phrase(word=key, to=value, origin="user")


@dataclass(frozen=True)
class Correction:
    """What a table or a rule did to one word: its new form and why."""

    to: str
    kind: str  # "user phrase", "postkit phrase", "rule"
    reason: str


class WordRules:
    """Tables and context rules for one config, applied to a clause's words after OpenCC.

    phrases: the table (postkit's entries under the user's); tag: the
    segmenter's part of speech of one word ('n' for a noun, 'd' for an
    adverb), used by the rule for 干.
    """

    def __init__(self, config: str, phrases: Mapping[str, Phrase], tag: Callable[[str], str]) -> None:
        self.config = config
        self.phrases = dict(phrases)
        self._tag = tag
        self._forward = config in FORWARD_CONFIGS
        # What a clause must hold for any table entry or rule to apply; a
        # clause without it is left to OpenCC alone, at C speed.
        triggers = [re.escape(word) for word in sorted(self.phrases, key=len, reverse=True)]
        if self._forward:
            triggers += ["一(.)\\1", "干", "冲"] + (["信息"] if config == "s2twp" else [])
        else:
            # 著 as a whole clause; clauses are joined by U+E000 when converted together.
            triggers.append("(?<![^\ue000])著(?![^\ue000])")
        self.pattern = re.compile("|".join(triggers))

    def apply(self, words: list[str], outputs: list[str], keys: list[str]) -> dict[int, Correction]:
        """Correct outputs in place; words are the clause's words as written, keys their source-script spelling.

        Returns the corrections made, by word index.
        """
        made: dict[int, Correction] = {}
        phrases = self.phrases
        count = len(words)
        for index in range(count):
            key = keys[index]
            phrase = phrases.get(key)
            if phrase is not None and self._allowed(phrase, keys, index):
                if outputs[index] != phrase.to:
                    outputs[index] = phrase.to
                    kind = "user phrase" if phrase.origin == "user" else "postkit phrase"
                    made[index] = Correction(phrase.to, kind, phrase.reference or "your phrase table")
                continue
            if self._forward:
                if self.config == "s2twp" and key == "信息":
                    self._message(index, keys, outputs, made)
                self._reduplication(index, words, outputs, made)
                if key == "冲":
                    self._pour(index, keys, outputs, made)
                if "干" in key:
                    self._dry(index, keys, outputs, made)
            elif key == "著" and count == 1 and outputs[0] != "著":
                # A clause that is 著 alone is a byline (高爾基 著): the author wrote it.
                outputs[0] = "著"
                made[0] = Correction("著", "rule", "a clause of 著 alone is a byline (高爾基 著): authorship, not the particle 着")
        return made

    @staticmethod
    def _allowed(phrase: Phrase, keys: list[str], index: int) -> bool:
        after = keys[index + 1] if index + 1 < len(keys) else ""
        before = keys[index - 1] if index else ""
        if after.startswith(_DERIVING_SUFFIXES):
            return False
        return not any(after.startswith(word) for word in phrase.not_before) and not any(
            before.endswith(word) for word in phrase.not_after
        )

    @staticmethod
    def _reduplication(index: int, words: list[str], outputs: list[str], made: dict[int, Correction]) -> None:
        """一只只 → 一隻隻: the repeated measure word is the same word, so it takes the same form."""
        word = words[index]
        output = outputs[index]
        if len(output) != len(word):
            return
        characters = list(output)
        changed = False
        for position, character in enumerate(word):
            if position >= 2:
                numeral, first = word[position - 2], word[position - 1]
                first_out = characters[position - 1]
            elif position == 1:
                if index == 0 or not words[index - 1] or len(outputs[index - 1]) != len(words[index - 1]):
                    continue
                numeral, first, first_out = words[index - 1][-1], word[0], characters[0]
            else:
                previous = words[index - 1] if index else ""
                if len(previous) < 2 or len(outputs[index - 1]) != len(previous):
                    continue
                numeral, first, first_out = previous[-2], previous[-1], outputs[index - 1][-1]
            if numeral in _NUMERALS and first == character and characters[position] != first_out:
                characters[position] = first_out
                changed = True
        if changed:
            outputs[index] = "".join(characters)
            made[index] = Correction(outputs[index], "rule", "a reduplicated measure word (一只只) repeats the same word")

    @staticmethod
    def _message(index: int, keys: list[str], outputs: list[str], made: dict[int, Correction]) -> None:
        """一条信息 → 一條訊息 in s2twp: counted with 条 or 则, 信息 is a message, not 資訊 (information)."""
        if index and keys[index - 1][-1:] in ("条", "则") and outputs[index] != "訊息":
            outputs[index] = "訊息"
            made[index] = Correction("訊息", "rule", "信息 counted with 条 or 则 is a message (訊息), not information (資訊)")

    @staticmethod
    def _pour(index: int, keys: list[str], outputs: list[str], made: dict[int, Correction]) -> None:
        """冲了一杯咖啡 → 沖: 冲 with something water is poured on, within three words, is 沖, not 衝 (to rush)."""
        if outputs[index] == "沖" or not any(key in _POURED for key in keys[index + 1 : index + 4]):
            return
        outputs[index] = "沖"
        made[index] = Correction("沖", "rule", "冲 with what water is poured on (咖啡, 茶, 澡) is 沖, not 衝 (to rush)")

    def _dry(self, index: int, keys: list[str], outputs: list[str], made: dict[int, Correction]) -> None:
        """饼干已经干了 → 乾了: 干 closing a clause after a noun, across adverbs, is the adjective dry."""
        key = keys[index]
        negated = 0
        if key[:1] != "干":
            # 没干 is one phrase key; the negation in it is skipped like an adverb.
            negated = next((len(word) for word in _NEGATIONS if key.startswith(word + "干")), 0)
            if not negated:
                return
        if key[negated + 1 :] not in _DRY_TAILS or outputs[index][negated : negated + 1] == "乾":
            return
        if len(outputs[index]) != len(key):
            return
        following = keys[index + 1] if index + 1 < len(keys) else ""
        if following and following not in _CLAUSE_END_PARTICLES:
            return
        before = index - 1
        while before >= 0 and (keys[before] in _NEGATIONS or self._tag(keys[before]).startswith("d")):
            before -= 1
        if before < 0 or not self._tag(keys[before]).startswith("n"):
            return
        outputs[index] = outputs[index][:negated] + "乾" + outputs[index][negated + 1 :]
        made[index] = Correction(outputs[index], "rule", "干 closing a clause after its noun is the adjective dry (乾)")
