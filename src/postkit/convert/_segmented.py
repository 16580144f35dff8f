"""Convert plain text with OpenCC one segmented word at a time, keeping OpenCC's phrases whole."""

from __future__ import annotations

import re
import threading
from typing import Callable

from ._opencc_adapter import LoadedConfig

# Every CJK ideograph block, so the segmenter sees whole clauses even around
# characters no dictionary key uses, which keeps its context.
_CJK_RANGES = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x3134F),
)
# Private-use characters that no dictionary key or value contains, so OpenCC's
# maximum matching never crosses them, and that jieba cuts as tokens of their
# own. RUN_SEPARATOR joins the runs (or texts) converted in one call;
# UNIT_SEPARATOR marks the word boundaries OpenCC must respect.
RUN_SEPARATOR = "\ue000"
UNIT_SEPARATOR = "\ue001"
# Bound on memoised runs: a long-running process keeps a steady footprint.
_CACHE_LIMIT = 200_000


def _character_class(characters: frozenset[str]) -> str:
    points = {ord(c) for c in characters} - {ord(RUN_SEPARATOR), ord(UNIT_SEPARATOR)}
    ranges = sorted([list(r) for r in _CJK_RANGES] + [[p, p] for p in points])
    merged: list[list[int]] = []
    for low, high in ranges:
        if merged and low <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    parts = [re.escape(chr(low)) if low == high else f"{re.escape(chr(low))}-{re.escape(chr(high))}" for low, high in merged]
    return "[" + "".join(parts) + "]+"


class SegmentedConverter:
    """OpenCC conversion where a segmenter, not maximum matching alone, decides word boundaries.

    OpenCC converts by forward maximum matching over its phrase dictionaries,
    so a phrase that straddles a word boundary wins (前头发生 → 前頭髮生). The
    segmenter (jieba) knows the boundary. Tokens are grouped back into one unit
    wherever an OpenCC phrase covers whole tokens (打印|机 → 打印机 → 印表機 in
    s2twp), so regional phrase dictionaries still apply; a phrase that starts
    or ends inside a token is ignored. OpenCC then converts the units with a
    boundary mark between them. Runs of convertible characters are memoised.
    """

    def __init__(self, loaded: LoadedConfig, segment: Callable[[str], list[str]]) -> None:
        self.loaded = loaded
        self._segment = segment
        # Capturing, so split() returns the runs between the other text.
        self._run_pattern = re.compile("(" + _character_class(loaded.key_characters) + ")")
        # Keys and their proper prefixes: every string a token group can begin with.
        self._phrase_starts = loaded.phrase_keys | loaded.phrase_prefixes
        self._cache: dict[str, str] = {}
        self._lock = threading.Lock()

    def needs_conversion(self, text: str) -> bool:
        """False when text is already in the target script.

        Text with a character only the source script uses is converted. Text
        with characters only the target script uses and none of the source's
        is left as it is, so a Traditional post stays byte-identical under s2t
        (its 台 is not turned into 臺). Text of shared characters only (后台)
        is converted, because OpenCC's phrases are the best reading of it.
        """
        characters = set(text)
        if not characters.isdisjoint(self.loaded.source_only):
            return True
        return characters.isdisjoint(self.loaded.target_only)

    def convert(self, text: str) -> str:
        """Convert text word by word; characters no dictionary key holds come back as they were."""
        # pieces alternates: text without convertible characters, a run of them, ...
        pieces = self._run_pattern.split(text)
        if len(pieces) == 1:
            return text
        runs = pieces[1::2]
        cache = self._cache
        todo = [run for run in dict.fromkeys(runs) if run not in cache]
        if todo:
            converted = dict(zip(todo, self._convert_runs(todo)))
            with self._lock:
                if len(cache) + len(converted) > _CACHE_LIMIT:
                    cache.clear()
                cache.update(converted)
            get = cache.get
            pieces[1::2] = [converted.get(run) or get(run) for run in runs]
        else:
            pieces[1::2] = map(cache.__getitem__, runs)
        return "".join(pieces)

    def convert_many(self, texts: list[str]) -> list[str]:
        """convert() of each text, in one pass over all of them."""
        if len(texts) < 2 or any(RUN_SEPARATOR in text or UNIT_SEPARATOR in text for text in texts):
            return [self.convert(text) for text in texts]
        return self.convert(RUN_SEPARATOR.join(texts)).split(RUN_SEPARATOR)

    def _convert_runs(self, runs: list[str]) -> list[str]:
        """Cut all runs in one call, group the words into units, convert with OpenCC in one call."""
        units = self._units(self._segment(RUN_SEPARATOR.join(runs)))
        converted = self.loaded.convert(UNIT_SEPARATOR.join(units)).replace(UNIT_SEPARATOR, "")
        result = converted.split(RUN_SEPARATOR)
        if len(result) != len(runs):
            raise RuntimeError("OpenCC changed a private-use separator; cannot align the converted text")
        return result

    def _units(self, tokens: list[str]) -> list[str]:
        """Group tokens by forward maximum matching over whole tokens against OpenCC's phrase keys."""
        keys = self.loaded.phrase_keys
        prefixes = self.loaded.phrase_prefixes
        starts = self._phrase_starts
        longest = self.loaded.longest_phrase
        count = len(tokens)
        # A merge can start only where a token and the next one begin a key
        # (about 1 token in 80); one comprehension finds those places.
        candidates = [
            index
            for index, (token, following) in enumerate(zip(tokens, tokens[1:]))
            if token in prefixes and token + following in starts
        ]
        if not candidates:
            return tokens
        units: list[str] = []
        position = 0
        for index in candidates:
            if index < position:
                continue
            candidate = tokens[index]
            end = probe = index
            while candidate in starts and probe + 1 < count:
                probe += 1
                candidate += tokens[probe]
                if len(candidate) > longest:
                    break
                if candidate in keys:
                    end = probe
            if end > index:
                units.extend(tokens[position:index])
                units.append("".join(tokens[index : end + 1]))
                position = end + 1
        units.extend(tokens[position:])
        return units
