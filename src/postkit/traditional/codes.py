"""The codes ``postkit traditional`` reports of its own, documented for ``postkit rules``.

TRD001 is a per-file failure; TRD101 to TRD105 are ``--review`` notes (see
``review.py``, which names the same codes).
"""

from __future__ import annotations

from postkit.core.codes import Code

_REVIEW_WHY = "The converter chose one form; an editor should confirm it in context before the copy is published."
_REVIEW_FIX = "Read the word in context. When the choice is wrong, add the word to `[tool.postkit.traditional.phrases]` (or `--phrases FILE`)."

CODES = (
    Code(
        "TRD001", "not-editable", "traditional", "error", "front matter that parses but cannot be edited in place",
        "A converted key's value cannot be replaced without re-writing the YAML: a flow mapping on one line, "
        "or a list or mapping under the `lang` key; or the front matter is in a form Hexo reads but postkit does not edit "
        "(`;;;` JSON, or a block with no opening `---`).",
        "postkit never re-dumps front matter, so it writes no copy rather than change bytes it should keep.",
        "```yaml\n---\n{title: 软件, date: 2021-01-01}\n---\n```",
        "Write the front matter in block style (one key per line), between `---` lines.",
    ),
    Code(
        "TRD101", "one-to-many-character", "traditional --review", "info",
        "a character with more than one form in the target script",
        "The Simplified character maps to several Traditional ones (发 → 發/髮, 干 → 乾/幹/干, 只 → 隻/只), "
        "and the converter picked one from the word around it.",
        _REVIEW_WHY, "```\npost.md:4:7: TRD101 [info] 发 → 發 in 发生 (…前头[发]生…); other forms: 髮\n```", _REVIEW_FIX,
    ),
    Code(
        "TRD102", "regional-phrase", "traditional --review", "info",
        "a phrase the regional dictionary replaced (s2tw, s2twp, s2hk)",
        "The Taiwan or Hong Kong phrase table replaced a word with the regional one (软件 → 軟體, 参数 → 引數).",
        "Regional tables are broad: some readers want their choices and some do not (参数 of a phone is 參數, not 引數).",
        "```\npost.md:6:11: TRD102 [info] 参数 → 引數 (…手机[参数]对比…); other forms: 參數\n```", _REVIEW_FIX,
    ),
    Code(
        "TRD103", "user-phrase", "traditional --review", "info", "an entry of your phrase table",
        "A word of `[tool.postkit.traditional.phrases]` or `--phrases FILE` decided the form.",
        "Your table overrides OpenCC; the note shows where it did, so a too-broad entry is easy to spot.",
        "```\npost.md:6:11: TRD103 [info] 参数 → 參數 (…手机[参数]对比…)\n```", "Narrow or remove the entry if it applied where it should not.",
    ),
    Code(
        "TRD104", "postkit-phrase", "traditional --review", "info", "an entry of postkit's own table of OpenCC dictionary gaps",
        "A word of postkit's shipped table (`phrases.toml`, each entry naming its public report) decided the form.",
        _REVIEW_WHY, "```\npost.md:2:8: TRD104 [info] 自制 → 自製; BYVoid/OpenCC#805\n```", _REVIEW_FIX,
    ),
    Code(
        "TRD105", "context-rule", "traditional --review", "info", "a rule that reads the words around",
        "A context rule decided the form: a reduplicated measure word (一只只 → 一隻隻), 干 after its noun as dry (乾), "
        "冲 as 沖, or a byline 著.",
        _REVIEW_WHY, "```\npost.md:4:18: TRD105 [info] 干了 → 乾了 (…饼干已经[干了]…)\n```", _REVIEW_FIX,
    ),
)
