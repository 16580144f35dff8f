"""File names for imported posts: Hexo's ``new_post_name`` with a slug that is safe on every system.

The slug is what ``hexo new`` makes of a title (hexo-util's ``slugize``:
Latin diacritics dropped, control characters removed, runs of spaces and
ASCII punctuation turned into one ``-``, ``filename_case`` applied), then
made safe where Hexo's is not: no Unicode format characters (the bidi
controls such as U+202E RIGHT-TO-LEFT OVERRIDE, which make ``gnp.exe``
display as ``exe.png``, zero-width spaces, soft hyphens; the joiners U+200C
and U+200D stay, as Persian, Indic scripts and emoji need them), no Windows
device name, no trailing dot or space, and at most 255 bytes in UTF-8 for the whole file name, cut on a
character boundary. A name that another post already has gets a suffix
derived from the item's identity, never a counter, so it does not depend
on how many other items share the slug.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata

DEFAULT_NEW_POST_NAME = ":title.md"
MAX_NAME_BYTES = 255

# hexo-util slugize: rControl and rSpecial.
_CONTROL = re.compile(r"[\u0000-\u001f\u007f-\u009f]")
_SPECIAL = re.compile(r"""[\s~`!@#$%^&*()\-_+=\[\]{}|\\;:"'<>,.?/]+""")
# What Windows forbids that slugize leaves alone (full-width forms are allowed).
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\u0000-\u001f\u007f]')
_DEVICE = re.compile(r"^(?:CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])$", re.IGNORECASE)
# Format characters (Cf) but the joiners: bidi controls, zero-width space, soft hyphen, BOM ...
_KEPT_FORMAT = frozenset("\u200c\u200d")
_PLACEHOLDER = re.compile(r":(title|year|month|i_month|day|i_day|hour|minute|second|post_title)")


def _drop_latin_diacritics(text: str) -> str:
    """``é`` → ``e``, as hexo-util's escapeDiacritic does; other scripts (Hangul, kana) stay whole."""
    out = []
    for char in text:
        if ord(char) < 0x80:
            out.append(char)
            continue
        decomposed = unicodedata.normalize("NFD", char)
        base = decomposed[0]
        if len(decomposed) > 1 and ord(base) < 0x80 and all(unicodedata.combining(c) for c in decomposed[1:]):
            out.append(base)
        else:
            out.append(char)
    return "".join(out)


def slugize(title: str, filename_case: int = 0) -> str:
    """What Hexo's ``slugize`` makes of ``title`` (``filename_case`` 1 lowers, 2 uppers)."""
    text = _CONTROL.sub("", _drop_latin_diacritics(title))
    text = _SPECIAL.sub("-", text).strip("-")
    if filename_case == 1:
        return text.lower()
    if filename_case == 2:
        return text.upper()
    return text


def drop_format_characters(text: str) -> str:
    """``text`` without Unicode format characters (category Cf), but the joiners U+200C and U+200D."""
    return "".join(char for char in text if char in _KEPT_FORMAT or unicodedata.category(char) != "Cf")


def safe_component(text: str) -> str:
    """One path component without what Windows, macOS or Linux refuse, nor bidi or other format characters; may be empty."""
    text = _FORBIDDEN.sub("-", unicodedata.normalize("NFC", drop_format_characters(text)))
    text = re.sub(r"-{2,}", "-", text).strip(" .-")
    if _DEVICE.match(text.split(".")[0].strip()):
        text = f"{text}-post"
    return text


def cut_to_bytes(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes on a character boundary, without a trailing separator."""
    encoded = text.encode("utf-8")
    if len(encoded) <= limit:
        return text
    cut = encoded[:limit].decode("utf-8", errors="ignore")
    # A combining mark or joiner left alone at the end would change the last visible character.
    while cut and (unicodedata.combining(cut[-1]) or cut[-1] in "\u200d\ufe0f"):
        cut = cut[:-1]
    return cut.rstrip(" .-")


def identity_suffix(identity: str) -> str:
    """A short stable suffix for a colliding name: the first hex digits of the item's identity hash."""
    return hashlib.sha1(identity.encode("utf-8")).hexdigest()[:6]


def post_path(
    pattern: str,
    title: str,
    date: dt.datetime,
    identity: str,
    *,
    filename_case: int = 0,
    suffix: str = "",
) -> str:
    """The relative path of a new post (``/``-separated) from Hexo's ``new_post_name`` pattern.

    ``:title`` is the slug of ``title`` (the identity hash when the slug is
    empty); ``:year``, ``:month``, ``:i_month``, ``:day``, ``:i_day``,
    ``:hour``, ``:minute`` and ``:second`` come from ``date`` in the site's
    timezone. ``suffix`` (a collision suffix) goes before the extension.
    Each folder and the file name are made safe; the file name keeps its
    extension and fits in 255 bytes.
    """
    slug = slugize(title, filename_case) or f"post-{identity_suffix(identity)}"
    values = {
        "title": slug,
        "post_title": slug,
        "year": f"{date.year:04d}",
        "month": f"{date.month:02d}",
        "i_month": str(date.month),
        "day": f"{date.day:02d}",
        "i_day": str(date.day),
        "hour": f"{date.hour:02d}",
        "minute": f"{date.minute:02d}",
        "second": f"{date.second:02d}",
    }
    # Placeholders are substituted per component, so a slug can never add a folder.
    parts = [part for part in pattern.replace("\\", "/").split("/") if part not in ("", ".", "..")]
    if not parts:
        parts = [DEFAULT_NEW_POST_NAME]
    folders = [safe_component(_PLACEHOLDER.sub(lambda m: values[m.group(1)], part)) for part in parts[:-1]]
    folders = [folder for folder in folders if folder]
    name = parts[-1]
    extension = ""
    match = re.search(r"(\.[A-Za-z0-9]+)$", name)
    if match and not _PLACEHOLDER.fullmatch(match.group(1)[1:]):
        extension = match.group(1)
        name = name[: -len(extension)]
    stem = _PLACEHOLDER.sub(lambda m: values[m.group(1)], name)
    stem = safe_component(stem) or f"post-{identity_suffix(identity)}"
    tail = (f"-{suffix}" if suffix else "") + (extension or ".md")
    stem = cut_to_bytes(stem, MAX_NAME_BYTES - len(tail.encode("utf-8")))
    stem = safe_component(stem) or f"post-{identity_suffix(identity)}"
    return "/".join([*folders, stem + tail])


def hexo_naming(site_root) -> tuple[str, int]:  # noqa: ANN001 - a Path, or None outside a site
    """``(new_post_name, filename_case)`` from the site's ``_config.yml``; Hexo's defaults when unset or unreadable.

    The config itself was already read (and its errors reported) by
    ``postkit.core.config``; here a value of the wrong type falls back to the default.
    """
    if site_root is None:
        return DEFAULT_NEW_POST_NAME, 0
    import yaml

    try:
        data = yaml.safe_load((site_root / "_config.yml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return DEFAULT_NEW_POST_NAME, 0
    if not isinstance(data, dict):
        return DEFAULT_NEW_POST_NAME, 0
    pattern = data.get("new_post_name")
    case = data.get("filename_case")
    return (
        pattern if isinstance(pattern, str) and pattern.strip() else DEFAULT_NEW_POST_NAME,
        case if case in (0, 1, 2) and not isinstance(case, bool) else 0,
    )
