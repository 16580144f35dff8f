"""Convert post bodies and front matter between Simplified and Traditional Chinese script."""

from __future__ import annotations

import io
import os
import re
import threading
from dataclasses import replace
from collections.abc import Iterable, Mapping
from pathlib import PurePath
from typing import TypeVar

import yaml

from postkit.core.front_matter import compose

from postkit.traditional.opencc import CONFIGS, FORWARD_CONFIGS, LoadedConfig, backend_name, load_config
from postkit.traditional.protected import html_text_spans, scan_as_html, markdown_text_spans
from postkit.traditional.rules import Phrase, WordRules, builtin_phrases
from postkit.traditional.segment import Choice, SegmentedConverter

__all__ = [
    "CONFIGS",
    "DEFAULT_CONFIG",
    "DEFAULT_FRONT_MATTER_KEYS",
    "DEFAULT_LANG_KEY",
    "TARGET_TAGS",
    "FrontMatterError",
    "ScriptConverter",
    "backend_name",
    "convert_body",
    "convert_front_matter",
    "convert_html",
    "convert_markdown",
    "convert_post",
    "convert_text",
    "copy_path",
    "get_converter",
    "is_copy",
    "looks_chinese",
    "scan_as_html",
    "set_front_matter_value",
]

DEFAULT_CONFIG = "s2t"
# BCP 47 tag of the script or region each OpenCC config writes.
TARGET_TAGS = {
    "s2t": "zh-Hant",
    "s2tw": "zh-TW",
    "s2twp": "zh-TW",
    "s2hk": "zh-HK",
    "t2s": "zh-Hans",
    "tw2s": "zh-Hans",
    "hk2s": "zh-Hans",
}
DEFAULT_FRONT_MATTER_KEYS = ("title", "description", "excerpt", "categories", "tags", "author")
DEFAULT_LANG_KEY = "lang"
# Taiwan and Hong Kong quote with 「」; OpenCC's standard Traditional (s2t) keeps “”.
PUNCTUATION_BY_DEFAULT = frozenset({"s2tw", "s2twp", "s2hk"})

PathT = TypeVar("PathT", str, PurePath)
# Spans converted in one call by convert_spans().
_SPAN_BATCH = 20_000


_HAN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_KANA_RE = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
# Japanese writes kana in every sentence, Chinese almost never (an emoticon, a
# quoted name); past this share of kana the text is Japanese.
_JAPANESE_KANA_SHARE = 0.25


def looks_chinese(text: str) -> bool:
    """True when text holds Han characters and is not Japanese.

    Japanese is told by its kana: a quarter or more of its Han and kana
    characters. Conversion leaves other text as it is, since OpenCC would
    turn Japanese shinjitai (会, 発) into Traditional forms; the command uses
    this for posts with no Chinese.
    """
    if _KANA_RE.search(text) is None:
        return _HAN_RE.search(text) is not None
    kana = len(_KANA_RE.findall(text))
    han = len(_HAN_RE.findall(text))
    return han > 0 and kana < _JAPANESE_KANA_SHARE * (kana + han)


def _run_cache_file(loaded: LoadedConfig, phrases: Mapping[str, Phrase]):  # noqa: ANN202 - a Path or None
    """The file that keeps converted runs between processes, named for everything that decides a conversion.

    The name changes with the dictionaries (their sizes and times), the phrase
    table, and postkit's own conversion code, so a stale file is never read.
    None under POSTKIT_NO_CACHE=1.
    """
    import hashlib
    from pathlib import Path

    from postkit import __version__
    from postkit.traditional.opencc import cache_folder

    if os.environ.get("POSTKIT_NO_CACHE") == "1":
        return None
    here = Path(__file__).parent
    code = [(name, (here / name).stat().st_mtime_ns) for name in ("segment.py", "rules.py", "opencc.py", "phrases.toml")]
    key = repr((__version__, loaded.fingerprint, sorted((word, phrase.to) for word, phrase in phrases.items()), code))
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    return cache_folder() / f"traditional-runs-{loaded.config}-{digest}.marshal"


def _cut(text: str) -> list[str]:
    """jieba's words of text, from its dictionary alone (rjieba imported on first use: it builds the dictionary)."""
    import rjieba

    return rjieba.cut(text, hmm=False)


def _word_tag(word: str) -> str:
    """jieba's part of speech of a word as its dictionary gives it ('n' noun, 'd' adverb); '' when unknown."""
    import rjieba

    tags = rjieba.tag(word, hmm=False)
    return tags[-1][1] if tags else ""


class FrontMatterError(ValueError):
    """The front matter is not YAML that postkit can edit in place; the message says where."""


class ScriptConverter:
    """Script conversion for one OpenCC config, built once per process by get_converter()."""

    def __init__(self, loaded: LoadedConfig, phrases: Mapping[str, Phrase] | None = None) -> None:
        self.config = loaded.config
        self.backend = loaded.backend
        table = builtin_phrases(loaded.config)
        table.update(phrases or {})
        self.phrases = table
        rules = WordRules(loaded.config, table, _word_tag)
        # Dictionary words only: jieba's HMM guesses new words that glue a
        # character to its neighbour (请系|好, 最爱干|炒) and hide OpenCC's
        # phrase (系好, 干炒). On the sentence set HMM on scores 95.3 % (s2t)
        # and 93.0 % (s2twp), off 96.1 % and 95.3 %.
        self._segmented = SegmentedConverter(loaded, _cut, rules, _run_cache_file(loaded, table))

    def is_target_script(self, text: str) -> bool:
        """True when text is mostly in the target script already.

        More of it is in clauses holding characters only the target script
        writes (發, 這 for s2*) than in clauses holding characters only the
        source writes (发, 这). Pass the answer for a body as
        convert_shared=not is_target_script(body) to convert its front matter
        the same way.
        """
        return self._segmented.is_target_script(text)

    def convert_text(self, text: str, *, convert_shared: bool | None = None) -> str:
        """Convert plain text: str -> str of the target script.

        Words are cut by jieba and each is converted by OpenCC, so 前头发生
        gives 前頭發生 and 参与制造 gives 參與製造 where OpenCC alone writes
        前頭髮生 and 參與制造 (case B18); OpenCC phrases that cover
        whole words, such as s2twp's 打印机 → 印表機, still apply.

        Text that is not Chinese (no Han characters, or Japanese) comes back
        unchanged. Text already in the target script does too, clause by
        clause: a clause with a character only the source script writes is
        converted (這是一个 → 這是一個), one with target-only characters and
        none of the source's is kept (台灣 stays, where OpenCC alone writes
        臺灣), and one of characters both scripts write (后台) is converted
        when convert_shared is true; None means unless is_target_script(text).
        """
        if not looks_chinese(text):
            return text
        return self._segmented.convert(text, convert_shared)

    def convert_spans(
        self,
        text: str,
        spans: list[tuple[int, int]],
        *,
        convert_shared: bool | None = None,
        punctuation: bool = False,
    ) -> str:
        """Convert only the given (start, end) spans of text, in order; every other character is kept.

        The spans are judged together, as one text: for looks_chinese(), and
        for convert_shared None. With punctuation, quotation marks follow the
        region (see quotes()).
        """
        if not spans:
            return text
        joined = "\n".join(text[start:end] for start, end in spans)
        if not looks_chinese(joined):
            return text
        if convert_shared is None:
            convert_shared = not self._segmented.is_target_script(joined)
        del joined
        # Open quotation marks carry from one batch to the next.
        quote_state: list = []
        # A batch of spans at a time, written straight out: a 10 MB post has a million spans.
        out = io.StringIO()
        position = 0
        for first in range(0, len(spans), _SPAN_BATCH):
            batch = spans[first : first + _SPAN_BATCH]
            converted = self._segmented.convert_many([text[start:end] for start, end in batch], convert_shared)
            if punctuation:
                converted = self.quotes(converted, quote_state)
            for (start, end), replacement in zip(batch, converted):
                out.write(text[position:start])
                out.write(replacement)
                position = end
        out.write(text[position:])
        return out.getvalue()

    def quotes(self, texts: list[str], state: list | None = None) -> list[str]:
        """Quotation marks of texts (read in order as one text) for the config's region.

        Forward configs: “” → 「」 and ‘’ → 『』, outer 「」 and inner 『』
        by nesting. Reverse configs: 「」 → “” and 『』 → ‘’. state (a
        list, empty at first) carries the open quotes from one call to the next.
        """
        from postkit.traditional.punctuation import forward_quotes, reverse_quotes

        return forward_quotes(texts, state) if self.config in FORWARD_CONFIGS else reverse_quotes(texts)

    def convert_markdown(self, body: str, *, convert_shared: bool | None = None) -> str:
        """Convert the text readers see in a Markdown body; str -> str.

        Byte-identical: code blocks, code spans, URLs (link and image
        destinations, autolinks, bare URLs, reference definitions), raw HTML
        tags except their alt and title values, Hexo tags {% %} {{ }} and Hexo
        code/raw blocks, file paths (case B23). Converted: text, link
        text, image alt text, link titles, alt/title attributes.
        """
        return self.convert_spans(body, markdown_text_spans(body), convert_shared=convert_shared)

    def convert_html(self, body: str, *, convert_shared: bool | None = None) -> str:
        """Convert the text nodes (and alt/title attribute values) of an HTML body; str -> str.

        Tags, every other attribute, comments, pre/code/kbd/samp/tt and
        script/style/textarea content, Hexo tags, bare URLs and file paths in
        text stay byte-identical. No HTML parser re-serialises the body.
        """
        return self.convert_spans(body, html_text_spans(body), convert_shared=convert_shared)

    def convert_body(self, body: str, *, convert_shared: bool | None = None) -> str:
        """convert_html() for a body that scan_as_html(), else convert_markdown()."""
        if scan_as_html(body):
            return self.convert_html(body, convert_shared=convert_shared)
        return self.convert_markdown(body, convert_shared=convert_shared)

    def convert_post(
        self,
        front_matter: str,
        body: str,
        *,
        keys: Iterable[str] = DEFAULT_FRONT_MATTER_KEYS,
        lang_key: str | None = DEFAULT_LANG_KEY,
        punctuation: bool = False,
    ) -> tuple[str, str]:
        """The front matter and body of a post's converted copy: (front_matter, body) -> (front_matter, body).

        With punctuation, quotation marks follow the region (quotes()).

        The body goes through convert_body(); the values of keys through
        convert_front_matter(), judged by the body, so a title made of
        characters both scripts write follows its post; lang_key (None for
        none) is set to the config's BCP 47 tag (TARGET_TAGS). front_matter
        is the YAML text between the `---` lines. Raises FrontMatterError as
        convert_front_matter() and set_front_matter_value() do.
        """
        spans = html_text_spans(body) if scan_as_html(body) else markdown_text_spans(body)
        convert_shared = not self.is_target_script("\n".join(body[start:end] for start, end in spans))
        converted_body = self.convert_spans(body, spans, convert_shared=convert_shared, punctuation=punctuation)
        converted_front_matter = self.convert_front_matter(
            front_matter, keys, convert_shared=convert_shared, punctuation=punctuation
        )
        if lang_key is not None:
            converted_front_matter = set_front_matter_value(converted_front_matter, lang_key, TARGET_TAGS[self.config])
        return converted_front_matter, converted_body

    def convert_front_matter(
        self,
        front_matter: str,
        keys: Iterable[str] = DEFAULT_FRONT_MATTER_KEYS,
        *,
        convert_shared: bool | None = None,
        punctuation: bool = False,
    ) -> str:
        """Convert the values of the listed top-level keys of a YAML front matter block.

        front_matter: the YAML text between the `---` lines. Only the
        characters of those values change (scalars, and strings in lists,
        nested lists too); keys, quoting, comments, dates, image fields and
        every other value stay byte-identical. Each value is judged on its own
        as convert_text() does, unless convert_shared is given (the body's
        answer, so that a title of shared characters follows its post).
        Raises FrontMatterError when the YAML does not parse or its top level
        is not a mapping.
        """
        result = front_matter
        # Right to left, so earlier offsets stay valid whatever the lengths.
        for start, end in sorted(self._value_spans(front_matter, keys), reverse=True):
            converted = self.convert_text(result[start:end], convert_shared=convert_shared)
            if punctuation and looks_chinese(converted):
                converted = self.quotes([converted])[0]
            result = result[:start] + converted + result[end:]
        return result

    @staticmethod
    def _value_spans(front_matter: str, keys: Iterable[str]) -> set[tuple[int, int]]:
        root = _compose(front_matter)
        if root is None:
            return set()
        wanted = set(keys)
        spans: set[tuple[int, int]] = set()
        seen: set[int] = set()
        for key_node, value_node in root.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value in wanted:
                spans.update(_scalar_spans(value_node, seen))
        return spans

    def review_post(
        self, front_matter: str, body: str, *, keys: Iterable[str] = DEFAULT_FRONT_MATTER_KEYS
    ) -> tuple[list[Choice], list[Choice]]:
        """The choices convert_post() makes: (in front_matter, in body), offsets into each.

        A choice is a place where the form written was not a mechanical
        mapping: a one-to-many character (发 → 發 or 髮), a regional phrase
        (s2twp's 软件 → 軟體), a phrase table entry or a context rule.
        """
        spans = html_text_spans(body) if scan_as_html(body) else markdown_text_spans(body)
        texts = [body[start:end] for start, end in spans]
        convert_shared = not self.is_target_script("\n".join(texts))
        body_choices: list[Choice] = []
        if texts and looks_chinese("\n".join(texts)):
            body_choices = self._moved(spans, body, convert_shared)
        front_matter_choices = []
        for start, end in sorted(self._value_spans(front_matter, keys)):
            if looks_chinese(front_matter[start:end]):
                front_matter_choices += self._moved([(start, end)], front_matter, convert_shared)
        return front_matter_choices, body_choices

    def _moved(self, spans: list[tuple[int, int]], text: str, convert_shared: bool) -> list[Choice]:
        choices = []
        for start, end in spans:
            for choice in self._segmented.review(text[start:end], convert_shared):
                choices.append(replace(choice, start=choice.start + start, end=choice.end + start))
        return choices


_converters: dict[tuple, ScriptConverter] = {}
_converters_lock = threading.Lock()
_loaded: dict[str, LoadedConfig] = {}


def get_converter(config: str = DEFAULT_CONFIG, phrases: Mapping[str, Phrase] | None = None) -> ScriptConverter:
    """The process-wide ScriptConverter for an OpenCC config name and a user phrase table.

    config: s2t, s2tw, s2twp, s2hk, t2s, tw2s or hk2s. phrases: the user's
    checked entries (rules.user_phrases()) on top of postkit's own table.
    Dictionaries are read once per process and config. Raises ValueError for
    another name and ImportError when OpenCC or rjieba is missing.
    """
    key = (config, tuple(sorted((phrases or {}).items())))
    converter = _converters.get(key)
    if converter is None:
        with _converters_lock:
            converter = _converters.get(key)
            if converter is None:
                converter = ScriptConverter(loaded_config(config), phrases)
                _converters[key] = converter
    return converter


def loaded_config(config: str) -> LoadedConfig:
    """The process-wide LoadedConfig of an OpenCC config name (see opencc.load_config)."""
    loaded = _loaded.get(config)
    if loaded is None:
        loaded = _loaded[config] = load_config(config)
    return loaded


def convert_text(text: str, config: str = DEFAULT_CONFIG) -> str:
    """Plain text in, converted text out; see ScriptConverter.convert_text."""
    return get_converter(config).convert_text(text)


def convert_markdown(body: str, config: str = DEFAULT_CONFIG) -> str:
    """Markdown body in, converted body out; see ScriptConverter.convert_markdown."""
    return get_converter(config).convert_markdown(body)


def convert_html(body: str, config: str = DEFAULT_CONFIG) -> str:
    """HTML body in, converted body out; see ScriptConverter.convert_html."""
    return get_converter(config).convert_html(body)


def convert_body(body: str, config: str = DEFAULT_CONFIG) -> str:
    """Markdown or HTML body in, converted body out; see ScriptConverter.convert_body."""
    return get_converter(config).convert_body(body)


def convert_front_matter(
    front_matter: str,
    keys: Iterable[str] = DEFAULT_FRONT_MATTER_KEYS,
    config: str = DEFAULT_CONFIG,
) -> str:
    """Front matter YAML in, with the listed keys' values converted; see ScriptConverter.convert_front_matter."""
    return get_converter(config).convert_front_matter(front_matter, keys)


def convert_post(
    front_matter: str,
    body: str,
    config: str = DEFAULT_CONFIG,
    *,
    keys: Iterable[str] = DEFAULT_FRONT_MATTER_KEYS,
    lang_key: str | None = DEFAULT_LANG_KEY,
    phrases: Mapping[str, Phrase] | None = None,
    punctuation: bool = False,
) -> tuple[str, str]:
    """(front matter, body) of a post in, those of its converted copy out; see ScriptConverter.convert_post."""
    return get_converter(config, phrases).convert_post(
        front_matter, body, keys=keys, lang_key=lang_key, punctuation=punctuation
    )


_PLAIN_VALUE_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def set_front_matter_value(front_matter: str, key: str, value: str) -> str:
    """Set a top-level key of a YAML front matter block to a plain scalar, editing as few bytes as possible.

    Used for `lang: zh-TW` on a copy (the key is configurable).
    front_matter: the YAML text between the `---` lines. An existing scalar
    value is replaced in place; a missing key is appended as a new last line.
    value must be a plain YAML scalar of letters, digits, `_`, `.` and `-`
    (every BCP 47 tag is). Raises ValueError for another value and
    FrontMatterError when the YAML does not parse, is not a block mapping, or
    holds the key with a list or mapping value.
    """
    if not _PLAIN_VALUE_RE.fullmatch(value):
        raise ValueError(f"{value!r} is not a plain YAML scalar")
    root = _compose(front_matter)
    if root is not None:
        for key_node, value_node in root.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                if not isinstance(value_node, yaml.ScalarNode):
                    raise FrontMatterError(f"front matter key {key!r} holds a {value_node.id}, not a scalar")
                if value_node.value == value:
                    return front_matter
                start, end = value_node.start_mark.index, value_node.end_mark.index
                if start == end:
                    # An empty value (`lang:`) has no span; write after the colon.
                    return front_matter[:start] + " " + value + front_matter[end:]
                return front_matter[:start] + value + front_matter[end:]
        if root.flow_style:
            raise FrontMatterError("front matter is a flow mapping ({...}); cannot add a line to it")
    separator = "" if not front_matter or front_matter.endswith("\n") else "\n"
    return f"{front_matter}{separator}{key}: {value}\n"


def _compose(front_matter: str) -> yaml.MappingNode | None:
    try:
        root = compose(front_matter)
    except yaml.YAMLError as error:
        raise FrontMatterError(f"front matter is not valid YAML: {' '.join(str(error).split())}") from error
    if root is None:
        return None
    if not isinstance(root, yaml.MappingNode):
        raise FrontMatterError(f"front matter is a {root.id}, not a mapping")
    return root


def _scalar_spans(node: yaml.Node, seen: set[int]) -> list[tuple[int, int]]:
    """Source spans of the scalars of a value: itself, or the items of a (nested) list.

    Each node is visited once (``seen`` is shared by all the keys): through
    aliases, ten levels of nine ``*a`` name 9**10 scalars but only 91 nodes.
    """
    spans = []
    stack = [node]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, yaml.ScalarNode):
            spans.append((current.start_mark.index, current.end_mark.index))
        elif isinstance(current, yaml.SequenceNode):
            stack.extend(reversed(current.value))
    return spans


def copy_path(path: PathT, config: str = DEFAULT_CONFIG, suffix: str | None = None) -> PathT:
    """Sibling path of a post's converted copy, named with the BCP 47 tag of the config.

    post.md → post.zh-TW.md for s2twp (TARGET_TAGS); suffix (with or without
    a leading dot) replaces the tag. Returns the same type it was given.
    Raises ValueError for an unknown config or an empty suffix.
    """
    if config not in TARGET_TAGS:
        raise ValueError(f"unknown OpenCC config {config!r}; expected one of {', '.join(TARGET_TAGS)}")
    tag = TARGET_TAGS[config] if suffix is None else suffix.strip(".")
    if not tag:
        raise ValueError("the copy suffix is empty")
    pure = PurePath(os.fspath(path))
    name = f"{pure.stem}.{tag}{pure.suffix}" if pure.suffix else f"{pure.name}.{tag}"
    target = pure.with_name(name)
    if isinstance(path, str):
        return str(target)
    return type(path)(target)


def is_copy(
    path: str | PurePath,
    lang_value: object = None,
    *,
    config: str | None = None,
    suffix: str | None = None,
) -> bool:
    """True when a post is itself a converted copy and must not be copied again.

    It is one when the part of its name before the extension, or the
    extension itself, is a target tag (post.zh-TW.md, README.zh-TW; compared
    case-insensitively as BCP 47 tags are) or the custom suffix, or when
    lang_value (its front matter `lang`) is a target tag in the direction of
    config: zh-Hant, zh-TW or zh-HK for s2*, zh-Hans for the reverse
    configs, any target tag when config is None. So running
    twice never writes post.zh-TW.zh-TW.md. Raises ValueError for
    an unknown config.
    """
    tags = {tag.lower() for tag in TARGET_TAGS.values()}
    name_tags = set(tags)
    if suffix:
        name_tags.add(suffix.strip(".").lower())
    pure = PurePath(os.fspath(path))
    # post.zh-TW.md, or README.zh-TW for a source without an extension.
    for part in (PurePath(pure.stem).suffix, pure.suffix):
        if part and part[1:].lower() in name_tags:
            return True
    if not isinstance(lang_value, str):
        return False
    if config is None:
        direction_tags = tags
    else:
        if config not in TARGET_TAGS:
            raise ValueError(f"unknown OpenCC config {config!r}; expected one of {', '.join(TARGET_TAGS)}")
        forward = config in FORWARD_CONFIGS
        direction_tags = {
            TARGET_TAGS[name].lower() for name in TARGET_TAGS if (name in FORWARD_CONFIGS) == forward
        }
    return lang_value.strip().lower() in direction_tags
