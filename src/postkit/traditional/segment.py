"""Convert plain text with OpenCC one segmented word at a time, keeping OpenCC's phrases whole."""

from __future__ import annotations

import re
import threading
from itertools import compress, islice
from operator import add, and_, not_
from typing import Callable

from postkit.traditional.opencc import LoadedConfig

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
# Longer texts are converted this many characters at a time, cut between
# clauses: the segmenter's tokens for a 10 MB post at once took 200 MB.
CHUNK = 1 << 17


def _character_class(characters: frozenset[str]) -> str:
    """A regex class of the CJK blocks plus every other character in characters."""
    blocks = [f"{re.escape(chr(low))}-{re.escape(chr(high))}" for low, high in _CJK_RANGES]
    others = sorted(
        character
        for character in characters - {RUN_SEPARATOR, UNIT_SEPARATOR}
        if not any(low <= ord(character) <= high for low, high in _CJK_RANGES)
    )
    return "[" + "".join(blocks) + "".join(map(re.escape, others)) + "]+"


def _script_counts(runs: list[str], no_source: tuple[bool, ...], no_target: tuple[bool, ...]) -> tuple[int, int]:
    """(characters in clauses of the source script, characters in clauses of the target script only)."""
    source = sum(map(len, compress(runs, map(not_, no_source))))
    target = sum(map(len, compress(runs, map(and_, no_source, map(not_, no_target)))))
    return source, target


def _leans_to_target(runs: list[str], no_source: tuple[bool, ...], no_target: tuple[bool, ...]) -> bool:
    source, target = _script_counts(runs, no_source, no_target)
    return target > source


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
        run_class = _character_class(loaded.key_characters)
        self._run_pattern = re.compile("(" + run_class + ")")
        # A character outside every run: where a long text may be cut.
        self._outside_run = re.compile("[^" + run_class[1:-2] + "]")
        self._source_only = loaded.source_only
        self._target_only = loaded.target_only
        self._cache: dict[str, tuple[str, bool, bool]] = {}
        self._lock = threading.Lock()

    def is_target_script(self, text: str) -> bool:
        """True when more of text is in clauses only the target script writes than in the source's.

        A clause counts for the source when it holds a character only the
        source script writes (发, 这 for s2*), for the target when it holds
        characters only the target writes (發, 這) and none of the source's,
        and for neither when it holds only characters both write (后台). This
        decides the last kind, which convert() cannot judge alone.
        """
        source = target = 0
        for chunk in self._chunks(text):
            runs = self._run_pattern.split(chunk)[1::2]
            if not runs:
                continue
            _converted, no_source, no_target = zip(*self._lookup(runs))
            chunk_source, chunk_target = _script_counts(runs, no_source, no_target)
            source += chunk_source
            target += chunk_target
        return target > source

    def _chunks(self, text: str) -> list[str]:
        """text cut into pieces of about CHUNK characters, never inside a run, so each converts alike."""
        if len(text) <= CHUNK:
            return [text]
        pieces = []
        start = 0
        while len(text) - start > CHUNK:
            outside = self._outside_run.search(text, start + CHUNK)
            if outside is None:
                break
            pieces.append(text[start : outside.start()])
            start = outside.start()
        pieces.append(text[start:])
        return pieces

    def convert(self, text: str, convert_shared: bool | None = None) -> str:
        """Convert text word by word, clause by clause.

        A clause (a run of CJK characters between punctuation, spaces or Latin
        text) converts when it holds a character only the source script
        writes (这个, or 這是一个 mixed), stays as it is when it holds
        characters only the target script writes and none of the source's
        (台灣的歷史, where OpenCC alone writes 臺灣), and follows
        convert_shared when it holds neither (后台); None means: unless the
        whole text is_target_script(). Characters no dictionary key holds
        always come back as they were.
        """
        if len(text) > CHUNK:
            if convert_shared is None:
                convert_shared = not self.is_target_script(text)
            return "".join(self._convert_chunk(chunk, convert_shared) for chunk in self._chunks(text))
        return self._convert_chunk(text, convert_shared)

    def _convert_chunk(self, text: str, convert_shared: bool | None) -> str:
        # pieces alternates: text without convertible characters, a run of them, ...
        pieces = self._run_pattern.split(text)
        if len(pieces) == 1:
            return text
        runs = pieces[1::2]
        converted, no_source, no_target = zip(*self._lookup(runs))
        if convert_shared is None:
            convert_shared = not _leans_to_target(runs, no_source, no_target)
        # Kept as written: target-only clauses, and shared ones unless converting them.
        keep = map(and_, no_source, map(not_, no_target)) if convert_shared else no_source
        # (converted, run)[keep] picks the run where keep is true, all at C speed.
        pieces[1::2] = map(tuple.__getitem__, zip(converted, runs), keep)
        return "".join(pieces)

    def convert_many(self, texts: list[str], convert_shared: bool | None = None) -> list[str]:
        """convert() of each text, in one pass over all of them; convert_shared None judges them together."""
        if any(RUN_SEPARATOR in text or UNIT_SEPARATOR in text for text in texts):
            if convert_shared is None:
                convert_shared = not self.is_target_script("\n".join(texts))
            return [self.convert(text, convert_shared) for text in texts]
        return self.convert(RUN_SEPARATOR.join(texts), convert_shared).split(RUN_SEPARATOR)

    def _lookup(self, runs: list[str]) -> list[tuple[str, bool, bool]]:
        """(converted run, holds no source-only character, holds no target-only character) of each run."""
        cache = self._cache
        todo = [run for run in dict.fromkeys(runs) if run not in cache]
        if todo:
            done = dict(
                zip(
                    todo,
                    zip(
                        self._convert_runs(todo),
                        map(self._source_only.isdisjoint, todo),
                        map(self._target_only.isdisjoint, todo),
                    ),
                )
            )
            results = list(map(done.get, runs, map(cache.get, runs)))
            with self._lock:
                # A fresh dict rather than clear(): another thread may be reading the old one.
                if len(self._cache) + len(done) > _CACHE_LIMIT:
                    self._cache = {}
                self._cache.update(done)
            return results
        return list(map(cache.__getitem__, runs))

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
        starts = self.loaded.phrase_starts
        longest = self.loaded.longest_phrase
        count = len(tokens)
        # A merge can start only where a token and the next one begin a key
        # (about 1 token in 80); C-level iteration finds those places.
        pairs = map(add, tokens, islice(tokens, 1, None))
        candidates = list(compress(range(count - 1), map(starts.__contains__, pairs)))
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
