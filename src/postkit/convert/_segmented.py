"""Convert plain text with OpenCC one segmented word at a time, keeping OpenCC's phrases whole."""

from __future__ import annotations

import re
import threading
from typing import Callable

from ._opencc_adapter import LoadedConfig

# Every CJK ideograph block, so the segmenter sees whole clauses even around
# characters no dictionary key uses (的, 了 ...), which keeps its context.
_CJK_RANGES = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x3134F),
)
# OpenCC joins several batched words with this separator; no dictionary key or
# value contains it, so maximum matching never crosses it.
_SEPARATOR = "\n"
# Bound on memoised words: a long-running process keeps a steady footprint.
_CACHE_LIMIT = 300_000
_RUN_CACHE_LENGTH = 12


def _character_class(characters: frozenset[str]) -> str:
    points = sorted({ord(c) for c in characters if c != _SEPARATOR})
    ranges = [list(r) for r in _CJK_RANGES]
    for point in points:
        ranges.append([point, point])
    ranges.sort()
    merged: list[list[int]] = []
    for low, high in ranges:
        if merged and low <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], high)
        else:
            merged.append([low, high])
    parts = []
    for low, high in merged:
        parts.append(re.escape(chr(low)) if low == high else f"{re.escape(chr(low))}-{re.escape(chr(high))}")
    return "[" + "".join(parts) + "]+"


class SegmentedConverter:
    """OpenCC conversion where a segmenter, not maximum matching alone, decides word boundaries.

    OpenCC converts by forward maximum matching over its phrase dictionaries,
    so a phrase that straddles a word boundary wins (前头发生 → 前頭髮生). The
    segmenter (jieba) knows the boundary. Tokens are grouped back into one unit
    wherever an OpenCC phrase covers whole tokens (打印|机 → 打印机 → 印表機 in
    s2twp), so regional phrase dictionaries still apply; a phrase that starts
    or ends inside a token is ignored. Each unit is converted by OpenCC alone
    and memoised.
    """

    def __init__(self, loaded: LoadedConfig, segment: Callable[[str], list[str]]) -> None:
        self.loaded = loaded
        self._segment = segment
        self._run_pattern = re.compile(_character_class(loaded.key_characters))
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
        """Convert every run of convertible characters in text; the rest is kept."""
        pieces = []
        position = 0
        for match in self._run_pattern.finditer(text):
            pieces.append(text[position : match.start()])
            pieces.append(self._convert_run(match.group()))
            position = match.end()
        if position == 0:
            return text
        pieces.append(text[position:])
        return "".join(pieces)

    def _convert_run(self, run: str) -> str:
        cached = self._cache.get(run)
        if cached is not None:
            return cached
        units = self._units(self._segment(run))
        cache = self._cache
        missing = list(dict.fromkeys(unit for unit in units if unit not in cache))
        if missing:
            converted = self.loaded.convert(_SEPARATOR.join(missing)).split(_SEPARATOR)
            if len(converted) != len(missing):
                # Defensive: should OpenCC ever rewrite the separator, fall back
                # to one call per unit rather than misalign the results.
                converted = [self.loaded.convert(unit) for unit in missing]
            with self._lock:
                if len(cache) > _CACHE_LIMIT:
                    cache.clear()
                cache.update(zip(missing, converted))
        result = "".join([cache.get(unit) or self.loaded.convert(unit) for unit in units])
        if len(run) <= _RUN_CACHE_LENGTH:
            cache[run] = result
        return result

    def _units(self, tokens: list[str]) -> list[str]:
        """Group tokens by forward maximum matching over whole tokens against OpenCC's phrase keys."""
        keys = self.loaded.phrase_keys
        prefixes = self.loaded.phrase_prefixes
        longest = self.loaded.longest_phrase
        units = []
        index = 0
        count = len(tokens)
        while index < count:
            candidate = tokens[index]
            end = index
            probe = index
            while candidate in prefixes and probe + 1 < count:
                probe += 1
                candidate += tokens[probe]
                if len(candidate) > longest:
                    break
                if candidate in keys:
                    end = probe
            if end == index:
                units.append(tokens[index])
            else:
                units.append("".join(tokens[index : end + 1]))
            index = end + 1
        return units
