"""The settings a Chinese-script copy is made with, resolved once from options and the config.

``postkit traditional`` and ``postkit import --traditional`` both resolve
them here, so a copy written by either is the copy the other calls fresh.
Loading this module costs nothing: OpenCC loads only when a phrase table
has to be checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Optional

from postkit.core.document import Document

PHRASES_KEY = "[tool.postkit.traditional.phrases]"


class SettingsError(ValueError):
    """A setting cannot be used (bad phrase table, unreadable --phrases file); the message names it."""


@dataclass(frozen=True)
class CopySettings:
    """How a post's copy is made: the OpenCC config and everything ``copy.copy_text`` takes besides the post."""

    config: str
    keys: tuple[str, ...]
    lang_key: str
    suffix: Optional[str] = None
    skip_non_chinese: bool = False
    convert_html: bool = False
    phrases: Optional[dict] = None
    punctuation: bool = False

    def copy(self, document: Document) -> tuple[str, dict[str, int]]:
        """``copy.copy_text`` of ``document`` with these settings (raises what it raises)."""
        from postkit.traditional.copy import copy_text

        return copy_text(
            document, self.config, self.keys, self.lang_key, skip_non_chinese=self.skip_non_chinese,
            convert_html=self.convert_html, suffix=self.suffix, phrases=self.phrases, punctuation=self.punctuation,
        )


def resolve_settings(
    config: str,
    section: Mapping[str, Any],
    *,
    suffix: Optional[str] = None,
    punctuation: Optional[bool] = None,
    skip_non_chinese: Optional[bool] = None,
    convert_html: bool = False,
    phrases_file: Optional[Path] = None,
    source: Optional[str] = None,
) -> CopySettings:
    """The copy settings for OpenCC ``config``: each option given wins over the config ``section`` ([tool.postkit.traditional]).

    Punctuation defaults to on for s2tw, s2twp and s2hk. Raises SettingsError
    for a bad phrase table or an unreadable ``phrases_file``; ``source``, the
    config file the section came from, begins the message.
    """
    from postkit.traditional.post import DEFAULT_FRONT_MATTER_KEYS, DEFAULT_LANG_KEY, PUNCTUATION_BY_DEFAULT

    return CopySettings(
        config=config,
        keys=tuple(section.get("keys", DEFAULT_FRONT_MATTER_KEYS)),
        lang_key=section.get("lang-key", DEFAULT_LANG_KEY),
        suffix=suffix if suffix is not None else section.get("suffix"),
        skip_non_chinese=skip_non_chinese if skip_non_chinese is not None else section.get("skip-non-chinese", False),
        convert_html=convert_html,
        phrases=load_phrases(config, section.get("phrases"), phrases_file, source),
        punctuation=punctuation if punctuation is not None else section.get("punctuation", config in PUNCTUATION_BY_DEFAULT),
    )


def phrase_file_table(text: str, where: str) -> dict:
    """The phrase table a ``--phrases`` TOML file holds; raises SettingsError.

    Two forms are read: the bare form (``"参数" = "參數"`` entries at the top
    and ``[s2twp]`` tables), and a file holding ``[tool.postkit.traditional.phrases]``
    tables, such as a pyproject.toml.
    """
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{where}: not valid TOML: {error}") from None
    if "tool" not in data:
        return data
    table: Any = data
    for key in ("tool", "postkit", "traditional", "phrases"):
        table = table.get(key) if isinstance(table, dict) else None
    if not isinstance(table, dict):
        raise SettingsError(f"{where}: no {PHRASES_KEY} table (a file with [tool] tables holds the phrases there)")
    return table


def load_phrases(config: str, table: Optional[Mapping], phrases_file: Optional[Path], source: Optional[str] = None) -> Optional[dict]:
    """The user's phrase table for ``config``, from the config file's table and ``phrases_file``, checked; raises SettingsError."""
    from postkit.traditional.rules import PhraseTableError, user_phrases

    sources: list[tuple[str, Mapping]] = []
    if table:
        sources.append((f"{source}: {PHRASES_KEY}" if source else PHRASES_KEY, table))
    if phrases_file is not None:
        try:
            text = phrases_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise SettingsError(f"{phrases_file}: cannot read the phrase table: {error}") from None
        sources.append((str(phrases_file), phrase_file_table(text, str(phrases_file))))
    if not sources:
        return None
    from postkit.traditional.post import loaded_config

    loaded = loaded_config(config)
    chosen: dict = {}
    for where, entries in sources:
        try:
            chosen.update(user_phrases(entries, config, where, source_only=loaded.source_only, target_only=loaded.target_only))
        except PhraseTableError as error:
            raise SettingsError(str(error)) from None
    return chosen
