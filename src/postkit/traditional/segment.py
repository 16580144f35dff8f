"""Convert plain text with OpenCC one segmented word at a time, keeping OpenCC's phrases whole."""

from __future__ import annotations

import atexit
import functools
import marshal
import os
import re
import tempfile
import threading
from bisect import bisect_right
from itertools import accumulate, compress, filterfalse, islice, repeat
from operator import add, and_, itemgetter, not_
from typing import Callable

from dataclasses import dataclass
from pathlib import Path

from postkit.traditional.opencc import FORWARD_CONFIGS, LoadedConfig
from postkit.traditional.rules import WordRules

# Private-use characters that no dictionary key or value contains, so OpenCC's
# maximum matching never crosses them, and that jieba cuts as tokens of their
# own. RUN_SEPARATOR joins the runs (or texts) converted in one call;
# UNIT_SEPARATOR marks the word boundaries OpenCC must respect.
RUN_SEPARATOR = "\ue000"
UNIT_SEPARATOR = "\ue001"
# One-to-many characters whose other form only OpenCC's phrases write (了 →
# 瞭 in 瞭望): listing every 了 would bury the real choices in a review.
_QUIET = frozenset("了")
# Bound on memoised runs: a long-running process keeps a steady footprint.
_CACHE_LIMIT = 200_000
# Runs kept in the cache file between processes.
_PERSIST_LIMIT = 30_000
# Longer texts are converted this many characters at a time, cut between
# clauses: the segmenter's tokens for a 10 MB post at once took 200 MB.
CHUNK = 1 << 17


@dataclass(frozen=True)
class Choice:
    """A place where the converted form was a choice, not a mechanical mapping (``--review``).

    start and end are offsets of the word in the text given to review();
    kind is "character" (a one-to-many character), "regional phrase",
    "user phrase", "postkit phrase" or "rule".
    """

    start: int
    end: int
    word: str
    chosen: str
    alternatives: tuple[str, ...]
    kind: str
    reason: str = ""


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
    or ends inside a token is ignored, except that a one-character token may
    take the start of the next token into a phrase (周|线图 → 周线|图, where
    the segmenter is least sure). Text is cut and matched in one script, so
    mixed text (数據库) finds its phrase. OpenCC then converts the units with a
    boundary mark between them, and rules (phrase tables, context rules)
    correct single words. Runs of convertible characters are memoised.
    """

    def __init__(
        self,
        loaded: LoadedConfig,
        segment: Callable[[str], list[str]],
        rules: WordRules | None = None,
        cache_file: Path | None = None,
    ) -> None:
        self.loaded = loaded
        self._segment = segment
        self.rules = rules
        # Capturing, so split() returns the runs between the other text.
        run_class = loaded.run_characters
        self._run_pattern = re.compile("(" + run_class + ")")
        # A character outside every run: where a long text may be cut.
        self._outside_run = re.compile("[^" + run_class[1:-2] + "]")
        self._source_only = loaded.source_only
        self._target_only = loaded.target_only
        self._to_source = loaded.to_source
        self._one_to_many = frozenset(loaded.one_to_many)
        # Regional stages match phrases across the words of any run (性能 in 女性|能用), so they always cut.
        self._whole_runs_allowed = loaded.config in ("s2t", "t2s")
        # Simplified text has no regional forms for a reverse config to
        # spoil, and its shared characters convert as OpenCC converts them
        # (谿子 → 溪子), so the reverse configs always convert shared clauses.
        self._judges_shared = loaded.config in FORWARD_CONFIGS
        self._rule_words = frozenset(rules.phrases) if rules is not None else frozenset()
        # postkit's own rules all turn on a character of more than one form; a
        # table word without one (a user's 性价比) may still apply to a run that has none.
        # The reverse configs' byline rule (著 alone) is checked on every run.
        self._rules_reach_whole_runs = rules is not None and (
            any(map(self._one_to_many.isdisjoint, self._rule_words)) or loaded.config not in FORWARD_CONFIGS
        )
        self._cache: dict[str, tuple[str, str, bool, bool]] = {}
        self._lock = threading.Lock()
        # Runs converted by earlier processes: a pre-commit run over one post
        # whose clauses were all seen before loads neither OpenCC nor jieba.
        self._cache_file = cache_file
        self._cache_loaded = cache_file is None
        self._unsaved = 0

    @functools.cached_property
    def _grouping(self) -> tuple[frozenset[str], frozenset[str], int]:
        """Phrase keys, their prefixes and the longest length, with the table words.

        Table words group tokens as OpenCC's phrases do (譯|著 → 譯著).
        """
        loaded = self.loaded
        extra = self._rule_words - loaded.phrase_keys
        if not extra:
            return loaded.phrase_keys, loaded.phrase_starts, loaded.longest_phrase
        return (
            loaded.phrase_keys | extra,
            loaded.phrase_starts | {word[:end] for word in extra for end in range(1, len(word) + 1)},
            max([loaded.longest_phrase, *map(len, extra)]),
        )

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
            _converted, _kept, no_source, no_target = zip(*self._lookup(runs))
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
        writes (这个, or 這是一个 mixed). It is kept as written when it holds
        characters only the target script writes and none of the source's
        (台灣的歷史, where OpenCC alone writes 臺灣), and when it holds
        neither (后台) unless convert_shared; None means: unless the whole
        text is_target_script(). Kept as written means: no character is
        changed on its own, but whole OpenCC phrases still apply (甲胄 →
        甲冑) in a clause of shared characters, and the regional stages of
        s2tw, s2twp and s2hk (社區 → 社群, 無線 → 無綫) apply as they would
        to Traditional text. Characters
        no dictionary key holds always come back as they were. The reverse
        configs (t2s, tw2s, hk2s) always convert shared clauses.
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
        converted, kept, no_source, no_target = zip(*self._lookup(runs))
        if not self._judges_shared:
            convert_shared = True
        elif convert_shared is None:
            convert_shared = not _leans_to_target(runs, no_source, no_target)
        if not convert_shared and None in kept:
            kept = self._fill_kept(runs, kept, no_source, no_target)
        keep = map(and_, no_source, map(not_, no_target)) if convert_shared else no_source
        # (converted, kept)[keep] picks the kept form where keep is true, all at C speed.
        pieces[1::2] = map(tuple.__getitem__, zip(converted, kept), keep)
        return "".join(pieces)

    def convert_many(self, texts: list[str], convert_shared: bool | None = None) -> list[str]:
        """convert() of each text, in one pass over all of them; convert_shared None judges them together."""
        if any(RUN_SEPARATOR in text or UNIT_SEPARATOR in text for text in texts):
            if convert_shared is None:
                convert_shared = not self.is_target_script("\n".join(texts))
            return [self.convert(text, convert_shared) for text in texts]
        return self.convert(RUN_SEPARATOR.join(texts), convert_shared).split(RUN_SEPARATOR)

    def review(self, text: str, convert_shared: bool | None = None) -> list[Choice]:
        """The choices convert(text, convert_shared) makes, with offsets into text, in order."""
        matches = [match for match in self._run_pattern.finditer(text) if RUN_SEPARATOR not in match.group()]
        if not matches:
            return []
        runs = [match.group() for match in matches]
        _converted, _kept, no_source, no_target = zip(*self._lookup(runs))
        if not self._judges_shared:
            convert_shared = True
        elif convert_shared is None:
            convert_shared = not _leans_to_target(runs, no_source, no_target)
        _converted, _kept, analysed = self._analyse(runs, list(no_source), list(no_target), review=True)
        choices = []
        for match, (converted_choices, kept_choices), source_free, target_free in zip(
            matches, analysed, no_source, no_target
        ):
            kept = source_free and (not target_free or not convert_shared)
            for choice in kept_choices if kept else converted_choices:
                choices.append(
                    Choice(
                        match.start() + choice.start, match.start() + choice.end, choice.word, choice.chosen,
                        choice.alternatives, choice.kind, choice.reason,
                    )
                )
        return choices

    def _fill_kept(self, runs, kept, no_source, no_target) -> tuple:  # noqa: ANN001 - tuples from _lookup
        """kept with the kept-as-written form of every clause of shared characters filled in (and memoised)."""
        missing = list(dict.fromkeys(run for run, form in zip(runs, kept) if form is None))
        _converted, filled, _choices = self._analyse(
            missing, [True] * len(missing), [True] * len(missing), shared_kept=True
        )
        found = dict(zip(missing, filled))
        with self._lock:
            for run, form in found.items():
                entry = self._cache.get(run)
                if entry is not None:
                    self._cache[run] = (entry[0], form, entry[2], entry[3])
            if self._cache_file is not None:
                self._unsaved += len(found)
        return tuple(found.get(run, form) if form is None else form for run, form in zip(runs, kept))

    def _load_cache_file(self) -> None:
        self._cache_loaded = True
        atexit.register(self.save_cache)
        try:
            with open(self._cache_file, "rb") as stream:
                stored = marshal.load(stream)
        except (OSError, EOFError, ValueError, TypeError):
            return
        if isinstance(stored, dict):
            with self._lock:
                self._cache = {**stored, **self._cache}

    def save_cache(self) -> None:
        """Write the memoised runs (the most recent _PERSIST_LIMIT) to the cache file, when there are new ones."""
        if self._cache_file is None or not self._unsaved:
            return
        entries = list(self._cache.items())[-_PERSIST_LIMIT:]
        self._unsaved = 0
        try:
            self._cache_file.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self._cache_file.parent, prefix=self._cache_file.name, suffix=".tmp")
            with os.fdopen(handle, "wb") as stream:
                marshal.dump(dict(entries), stream)
            os.replace(temporary, self._cache_file)
        except OSError:
            pass  # Only a cache: a read-only home converts the same, a little slower.

    def _lookup(self, runs: list[str]) -> list[tuple[str, str, bool, bool]]:
        """(converted run, run kept as written, holds no source-only character, holds no target-only character) of each run."""
        if not self._cache_loaded:
            self._load_cache_file()
        cache = self._cache
        todo = list(filterfalse(cache.__contains__, dict.fromkeys(runs)))
        if todo:
            no_source = list(map(self._source_only.isdisjoint, todo))
            no_target = list(map(self._target_only.isdisjoint, todo))
            converted, kept, _choices = self._analyse(todo, no_source, no_target)
            done = dict(zip(todo, zip(converted, kept, no_source, no_target)))
            results = list(map(done.get, runs, map(cache.get, runs)))
            with self._lock:
                # A fresh dict rather than clear(): another thread may be reading the old one.
                if len(self._cache) + len(done) > _CACHE_LIMIT:
                    self._cache = {}
                self._cache.update(done)
                if self._cache_file is not None:
                    self._unsaved += len(done)
            return results
        return list(map(cache.__getitem__, runs))

    def _analyse(
        self,
        runs: list[str],
        no_source: list[bool],
        no_target: list[bool],
        review: bool = False,
        shared_kept: bool = False,
    ) -> tuple[list[str], list[str | None], list[tuple[list[Choice], list[Choice]]] | None]:
        """_analyse_segmented(), except that runs where segmentation cannot matter go to OpenCC whole.

        With no regional stage (s2t and the reverse configs), a run holding
        no character of more than one form converts the same whatever its
        word boundaries, so it is not cut into words at all.
        """
        if review or shared_kept or not self._whole_runs_allowed:
            return self._analyse_segmented(runs, no_source, no_target, review, shared_kept)
        count = len(runs)
        # mask: the run goes to OpenCC whole (no character of more than one form, no rule to apply).
        mask = list(map(self._one_to_many.isdisjoint, runs))
        if self._rules_reach_whole_runs:
            search = self.rules.pattern.search
            for index in compress(range(count), mask):
                if search(runs[index]) is not None:
                    mask[index] = False
        whole = list(compress(runs, mask))
        if not whole:
            return self._analyse_segmented(runs, no_source, no_target)
        whole_converted = self.loaded.convert(RUN_SEPARATOR.join(whole)).split(RUN_SEPARATOR)
        if len(whole_converted) != len(whole):
            raise RuntimeError("OpenCC changed a private-use separator; cannot align the runs")
        # A shared clause's kept form is worked out when a post needs it (None).
        shared = list(compress(map(and_, no_source, no_target), mask))
        whole_kept = list(map(tuple.__getitem__, zip(whole, repeat(None)), shared))
        if len(whole) == count:
            return whole_converted, whole_kept, None
        cut = list(map(not_, mask))
        part_converted, part_kept, _choices = self._analyse_segmented(
            list(compress(runs, cut)), list(compress(no_source, cut)), list(compress(no_target, cut))
        )
        # Merge the two in run order, at C speed: (segmented, whole)[mask] picks the iterator.
        converted = list(map(next, map((iter(part_converted), iter(whole_converted)).__getitem__, mask)))
        kept = list(map(next, map((iter(part_kept), iter(whole_kept)).__getitem__, mask)))
        return converted, kept, None

    def _analyse_segmented(
        self,
        runs: list[str],
        no_source: list[bool],
        no_target: list[bool],
        review: bool = False,
        shared_kept: bool = False,
    ) -> tuple[list[str], list[str | None], list[tuple[list[Choice], list[Choice]]] | None]:
        """Cut all runs in one call, group the words into units, convert with OpenCC in one call, apply the rules.

        no_source and no_target say, per run, that it holds no character only
        the source (target) script writes. Returns the converted runs, the
        runs kept as written (whole phrases and regional stages only), and
        with review the choices of each (converted, kept). Runs no rule
        concerns and never kept as written are split out of OpenCC's output
        in C; only the others are looked at word by word. A clause of
        shared characters is kept as written only in a post already in the
        target script, so its kept form is None unless shared_kept.
        """
        text = RUN_SEPARATOR.join(runs)
        # Only text holding a target-only character needs normalising (most Simplified text does not).
        if self._to_source and not all(no_target):
            normalized = text.translate(self._to_source)
        else:
            normalized = text
        units_normalized, straddling = self._units(self._segment(normalized))
        if normalized is text:
            units = units_normalized
        else:
            ends = list(accumulate(map(len, units_normalized)))
            units = [text[start:end] for start, end in zip([0, *ends], ends)]
        joined_units = UNIT_SEPARATOR.join(units)
        output_text = self.loaded.convert(joined_units)
        if straddling:
            outputs = output_text.split(UNIT_SEPARATOR)
            if len(outputs) != len(units):
                raise RuntimeError("OpenCC changed a private-use separator; cannot align the converted text")
            self._settle_straddling(straddling, units, outputs)
            output_text = UNIT_SEPARATOR.join(outputs)
        converted = output_text.replace(UNIT_SEPARATOR, "").split(RUN_SEPARATOR)
        if len(converted) != len(runs):
            raise RuntimeError("OpenCC or the segmenter moved a private-use separator; cannot align the runs")
        kept: list[str | None] = list(runs)

        rules = self.rules
        later = self.loaded.later_convert
        # Runs a rule may concern: one search over all of them, not one per run.
        ruled: set[int] = set()
        if rules is not None:
            run_starts = list(accumulate([0] + [len(run) + 1 for run in runs[:-1]]))
            ruled = {bisect_right(run_starts, match.start()) - 1 for match in rules.pattern.finditer(text)}
        # A Traditional clause of a config with no regional stage stays exactly as written.
        traditional_stays = self._judges_shared and later is None
        if review:
            todo = list(range(len(runs)))
        else:
            # Kept as written matters for Traditional clauses of a regional
            # config (regional stages), and for shared clauses when asked.
            kept_matters: set[int] = set()
            for index in compress(range(len(runs)), no_source):
                if no_target[index]:
                    if shared_kept:
                        kept_matters.add(index)
                    else:
                        kept[index] = None
                elif not traditional_stays:
                    kept_matters.add(index)
            todo = sorted(ruled | kept_matters)
        if not todo:
            return converted, kept, None
        boundary = UNIT_SEPARATOR + RUN_SEPARATOR + UNIT_SEPARATOR
        word_pieces = joined_units.split(boundary)
        key_pieces = UNIT_SEPARATOR.join(units_normalized).split(boundary) if units is not units_normalized else word_pieces
        output_pieces = output_text.split(boundary)
        details = []
        plain_pieces: list[str] = []
        for index in todo:
            run = runs[index]
            words = word_pieces[index].split(UNIT_SEPARATOR)
            keys = key_pieces[index].split(UNIT_SEPARATOR) if key_pieces is not word_pieces else words
            outs = output_pieces[index].split(UNIT_SEPARATOR)
            opencc_outs = list(outs) if review else outs
            corrections = rules.apply(words, outs, keys) if index in ruled else {}
            if corrections:
                converted[index] = "".join(outs)
            parts = (
                None
                if not no_source[index] or kept[index] is None
                else self._kept_parts(run, words, keys, outs, corrections, plain_pieces)
            )
            details.append((index, parts, (words, keys, outs, opencc_outs, corrections)))
        if plain_pieces and later is not None:
            converted_plain = later(UNIT_SEPARATOR.join(plain_pieces)).split(UNIT_SEPARATOR)
            if len(converted_plain) == len(plain_pieces):
                plain_pieces = converted_plain
        choices = [([], [])] * len(runs) if review else None
        for index, parts, detail in details:
            if parts is not None:
                kept[index] = "".join([part if isinstance(part, str) else plain_pieces[part] for part in parts])
            if review:
                choices[index] = self._choices(*detail, kept[index])
        return converted, kept, choices

    def _kept_parts(
        self, run: str, words: list[str], keys: list[str], outs: list[str], corrections: dict, plain_pieces: list[str]
    ) -> list:
        """A run kept as written: converted words as strings, the rest as indexes into plain_pieces (for the regional stages).

        A clause already Traditional (重建台灣出版) takes only the regional
        stages: a first-stage phrase (台湾 → 臺灣) would respell it, a
        regional one (數据庫 → 資料庫) localises it. A clause of shared
        characters takes whole phrases too (甲胄 → 甲冑), except a phrase
        that only turns a form Taiwan or Hong Kong writes into OpenCC's
        standard one (台北 → 臺北), which would respell it as well.
        """
        loaded = self.loaded
        traditional = self._judges_shared and not self._target_only.isdisjoint(run)
        wanted = loaded.later_keys if traditional else loaded.phrase_keys
        regional_forms = loaded.regional_forms
        parts: list = []
        for index, (word, key) in enumerate(zip(words, keys)):
            out = outs[index]
            if index in corrections or (
                len(key) > 1
                and key in wanted
                and (len(out) != len(word) or any(a != b and a not in regional_forms for a, b in zip(word, out)))
            ):
                parts.append(out)
            else:
                parts.append(len(plain_pieces))
                plain_pieces.append(word)
        return parts

    def _settle_straddling(self, straddling: list[tuple[int, str]], units: list[str], outputs: list[str]) -> None:
        """Let a phrase decide a one-character word it starts (周|线图: 周线 → 週), when it agrees with the next word.

        The segmenter is least sure of one-character words. A phrase that
        starts there and ends inside the next word is taken for that one
        character alone, and only when it converts the next word's
        characters as the next word itself does (周线 → 週線 agrees with
        线图 → 線圖; 被发 → 被髮 disagrees with 发明 → 發明, so 被|发明 stays),
        and what it leaves of the next word is a word itself.
        """
        converted = self.loaded.convert(UNIT_SEPARATOR.join(phrase for _index, phrase in straddling)).split(UNIT_SEPARATOR)
        if len(converted) != len(straddling):
            return
        for (index, phrase), phrase_output in zip(straddling, converted):
            if len(phrase_output) != len(phrase) or len(outputs[index]) != 1:
                continue
            if phrase[0] == units[index] and index + 1 < len(units):
                following, following_output = units[index + 1], outputs[index + 1]
                if len(following_output) == len(following) and phrase_output[1:] == following_output[: len(phrase) - 1]:
                    outputs[index] = phrase_output[0]


    def _choices(
        self, words: list[str], keys: list[str], outs: list[str], opencc_outs: list[str], corrections: dict, kept: str
    ) -> tuple[list[Choice], list[Choice]]:
        """The review choices of one run, converted and kept as written."""
        one_to_many = self.loaded.one_to_many
        first_stage = self.loaded.first_stage_convert
        later = self.loaded.later_convert
        base = None
        if first_stage is not None:
            base = first_stage()(UNIT_SEPARATOR.join(words)).split(UNIT_SEPARATOR)
            if len(base) != len(words):
                base = None
        converted: list[Choice] = []
        position = 0
        for index, (word, key, out) in enumerate(zip(words, keys, outs)):
            end = position + len(word)
            correction = corrections.get(index)
            if correction is not None:
                converted.append(Choice(position, end, word, out, (opencc_outs[index],), correction.kind, correction.reason))
            elif base is not None and base[index] != out and (
                len(base[index]) != len(out)
                or any(a != b and later(a) != b for a, b in zip(base[index], out))
            ):
                converted.append(Choice(position, end, word, out, (base[index],), "regional phrase"))
            elif len(out) == len(word):
                for offset, character in enumerate(key):
                    forms = one_to_many.get(character)
                    if forms is not None and character not in _QUIET:
                        chosen = out[offset]
                        alternatives = tuple(form for form in forms if form != chosen)
                        converted.append(
                            Choice(position + offset, position + offset + 1, word, chosen, alternatives, "character")
                        )
            position = end
        kept_choices: list[Choice] = []
        run = "".join(words)
        if kept != run:
            # Kept as written, yet changed: only whole phrases and regional stages do that.
            position = 0
            for word in words:
                end = position + len(word)
                segment = kept[position:end] if len(kept) == len(run) else None
                if segment is not None and segment != word:
                    kept_choices.append(Choice(position, end, word, segment, (word,), "regional phrase"))
                position = end
            if len(kept) != len(run):
                kept_choices.append(Choice(0, len(run), run, kept, (run,), "regional phrase"))
        return converted, kept_choices

    def _units(self, tokens: list[str]) -> tuple[list[str], list[tuple[int, str]]]:
        """Group tokens by forward maximum matching over whole tokens against OpenCC's phrase keys.

        Also returns the places where a one-character unit starts a phrase
        that ends inside the next unit (周|线图 and 周线): (index, phrase).
        """
        keys, starts, longest = self._grouping
        count = len(tokens)
        # A merge can start only where a token and the next one begin a key
        # (about 1 token in 200); C-level iteration finds those places. A
        # phrase reaching into the next token matters only where it starts
        # on a one-character token with more than one form (周).
        pairs = map(add, tokens, islice(tokens, 1, None))
        candidates = list(compress(range(count - 1), map(starts.__contains__, pairs)))
        one_to_many = self._one_to_many
        flags = list(map(one_to_many.__contains__, islice(tokens, count - 1)))
        heads = map(add, compress(tokens, flags), map(itemgetter(0), compress(islice(tokens, 1, None), flags)))
        reaching = list(compress(compress(range(count - 1), flags), map(starts.__contains__, heads)))
        if reaching:
            candidates = sorted(set(candidates).union(reaching))
        if not candidates:
            return tokens, []
        units: list[str] = []
        straddling: list[tuple[int, str]] = []
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
            elif len(tokens[index]) == 1:
                following = tokens[index + 1]
                phrase = ""
                for length in range(1, len(following)):
                    prefix = tokens[index] + following[:length]
                    if prefix not in starts:
                        break
                    if prefix in keys:
                        phrase = prefix
                # What the phrase leaves of the next word must be a word itself
                # (线图 → 图; 台|笔记本电脑 leaves 记本电脑, so 台笔 is no phrase here).
                if phrase and len(self._segment(following[len(phrase) - 1 :])) == 1:
                    units.extend(tokens[position : index + 1])
                    straddling.append((len(units) - 1, phrase))
                    position = index + 1
        units.extend(tokens[position:])
        return units, straddling
