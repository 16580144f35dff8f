"""Run the rules over posts: stamp codes and severities, apply ignores, and apply fixes.

``check_document`` and ``fix_document`` are pure (a Document in, diagnostics
or text out). ``validate_files`` is the one place that reads and writes post
files, through ``document.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from types import ModuleType
from typing import Callable, Iterable, Sequence

from postkit.core.config import Config
from postkit.core.diagnostics import Applicability, Diagnostic, Edit, Severity
from postkit.core.document import MAX_POST_SIZE, Document, ReadError, apply_edits, read_document, unified_diff, write_atomic
from postkit.validate.reading import read
from postkit.core.paths import path_matches
from postkit.validate.rules import RULES, is_project_rule, read_error, runs_on, yaml_syntax
from postkit.validate.rules.base import NOQA as _NOQA, Post, Problem, Settings

MAX_FIX_PASSES = 10


def expand_codes(patterns: Iterable[str]) -> set[str]:
    """Codes matched by ``patterns``: exact codes, prefixes (``PK2``), rule names, or ``ALL``.

    Raises:
        ValueError: a pattern matches no rule (the message names it).
    """
    found: set[str] = set()
    for raw in patterns:
        pattern = raw.strip()
        if not pattern:
            continue
        upper = pattern.upper()
        if upper == "ALL":
            found.update(RULES)
            continue
        matches = {code for code in RULES if code.startswith(upper)}
        matches |= {code for code, module in RULES.items() if module.NAME == pattern.lower()}
        if not matches:
            raise ValueError(f"{pattern!r} matches no rule code or name (see 'postkit rules')")
        found |= matches
    return found


@dataclass(frozen=True)
class Selection:
    """Which rules run, at which severity, and which files ignore which codes.

    ``severities`` maps every enabled code to its severity; a code that is
    absent is off. ``per_file_ignores`` pairs a glob with the codes it turns
    off; globs match the file's path relative to ``root`` or its name.
    """

    severities: dict[str, Severity]
    per_file_ignores: tuple[tuple[str, frozenset[str]], ...] = ()
    root: str = "."
    explicit: frozenset[str] = frozenset()

    def __getstate__(self) -> dict[str, object]:
        # The cached plan holds modules, which do not pickle; workers rebuild it.
        return {k: v for k, v in self.__dict__.items() if k != "plan"}

    @cached_property
    def plan(self) -> tuple[tuple[str, ModuleType, Severity, bool], ...]:
        """``(code, module, severity, is_project_rule)`` for each enabled rule but PK000, in code order."""
        return tuple(
            (code, module, self.severities[code], is_project_rule(module))
            for code, module in RULES.items()
            if code in self.severities and code != read_error.CODE
        )

    @classmethod
    def build(
        cls,
        select: Sequence[str] | None = None,
        ignore: Sequence[str] = (),
        severity: dict[str, str] | None = None,
        per_file_ignores: dict[str, Sequence[str]] | None = None,
        root: str = ".",
    ) -> Selection:
        """Resolve select/ignore/severity the way ruff does: select, then remove ignored.

        Raises:
            ValueError: an unknown code, rule name or severity word.
        """
        if select is not None and not [code for code in select if code.strip()]:
            raise ValueError("--select/select names no rule; use ALL for every rule")
        enabled = expand_codes(select) if select is not None else set(RULES)
        enabled -= expand_codes(ignore)
        enabled.add(read_error.CODE)  # an unreadable file is never silent
        levels = {code: RULES[code].DEFAULT for code in enabled}
        explicit: set[str] = set()
        for pattern, word in (severity or {}).items():
            level = Severity.parse(word)
            for code in expand_codes([pattern]):
                if code in levels:
                    levels[code] = level
                    explicit.add(code)
        ignores = tuple((glob, frozenset(expand_codes(codes))) for glob, codes in (per_file_ignores or {}).items())
        return cls(levels, ignores, root, frozenset(explicit))

    def level_of(self, code: str, level: Severity, problem: Problem) -> Severity:
        """The severity of one problem: a trap only other generators fall into is at most a warning.

        A severity set in config for the code wins over that.
        """
        if problem.other_engines and code not in self.explicit:
            return min(level, Severity.WARNING)
        return level

    def ignored_for(self, path: str) -> frozenset[str]:
        """Codes that ``per-file-ignores`` turns off for ``path``."""
        if not self.per_file_ignores:
            return frozenset()
        codes: set[str] = set()
        for glob, globbed in self.per_file_ignores:
            if path_matches(glob, path, self.root):
                codes |= globbed
        return frozenset(codes)


def _noqa_lines(document: Document) -> dict[int, frozenset[str] | None]:
    """Front matter lines with a ``# noqa`` comment: ``None`` means every code."""
    span = document.front_matter
    if span is None or "noqa" not in document.yaml_text.lower():
        return {}
    found: dict[int, frozenset[str] | None] = {}
    for number, line in enumerate(document.yaml_text.split("\n"), start=span.first_line):
        match = _NOQA.search(line)
        if match:
            codes = match.group("codes")
            found[number] = frozenset(c.strip().upper() for c in re.split(r"[,\s]+", codes) if c.strip()) if codes else None
    return found


def _stamp(module: ModuleType, problem: Problem, path: str, level: Severity, document: Document | None = None) -> Diagnostic:
    fix = problem.fix
    if fix is not None and document is not None:
        located = tuple(
            replace(edit, start_position=document.position(edit.start), end_position=document.position(edit.end))
            for edit in fix.edits
        )
        fix = replace(fix, edits=located)
    return Diagnostic(
        path, problem.line, problem.col, module.CODE, module.NAME, level, problem.message,
        fix, problem.end_line, problem.end_col, problem.group,
    )


@dataclass
class FileResult:
    """What checking one file produced: diagnostics, facts for project rules, and any fixed text."""

    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    facts: dict[str, list[tuple[str, int, int]]] = field(default_factory=dict)
    document: Document | None = None
    fixed_text: str | None = None
    fixes_applied: int = 0
    noqa: dict[int, frozenset[str] | None] = field(default_factory=dict)
    language: str | None = None


def check_document(document: Document, settings: Settings, selection: Selection) -> FileResult:
    """Run every enabled per-post rule on one document; pure.

    Returns the diagnostics (sorted, with ``# noqa`` and ``per-file-ignores``
    applied) and the facts the project rules need.
    """
    try:
        reading = read(document, settings.engine)
    except Exception as error:  # noqa: BLE001 - one post's front matter must never stop the run
        return _failed(document, selection, "front matter cannot be read", error, yaml_syntax)
    post = Post(reading.document, reading.front_matter, settings, reading=reading)
    document = reading.document
    ignored = selection.ignored_for(document.path)
    noqa = _noqa_lines(document)
    lang = post.value("lang") if post.front_matter.is_mapping else None
    result = FileResult(document.path, document=document, noqa=noqa, language=lang if isinstance(lang, str) else None)
    front_matter_format = document.front_matter.format if document.front_matter else None
    for code, module, level, project in selection.plan:
        if code in ignored or not runs_on(module, front_matter_format):
            continue
        try:
            if project:
                result.facts[code] = module.collect(post)
                continue
            problems = list(module.check(post))
        except Exception as error:  # noqa: BLE001 - a rule that fails on one post reports it there; the run goes on
            result.diagnostics.extend(_failed(document, selection, f"rule {code} ({module.NAME}) failed on this post", error, read_error).diagnostics)
            continue
        for problem in problems:
            if _suppressed(noqa, problem.line, code):
                continue
            result.diagnostics.append(_stamp(module, problem, document.path, selection.level_of(code, level, problem), document))
    result.diagnostics.sort()
    return result


def _failed(document: Document, selection: Selection, what: str, error: Exception, module: ModuleType) -> FileResult:
    """The result for a post that postkit failed on: one diagnostic at its front matter (POSTKIT_DEBUG=1 re-raises)."""
    import os

    if os.environ.get("POSTKIT_DEBUG"):
        raise error
    line = document.front_matter.first_line if document.front_matter is not None else 1
    reason = " ".join(str(error).split())[:200] or "no details"
    problem = Problem(line, 1, f"{what}: {type(error).__name__}: {reason} (a limit or a bug in postkit; POSTKIT_DEBUG=1 shows the traceback)")
    level = selection.severities.get(module.CODE, module.DEFAULT)
    return FileResult(document.path, [_stamp(module, problem, document.path, level)], document=document)


def _suppressed(noqa: dict[int, frozenset[str] | None], line: int, code: str) -> bool:
    if line not in noqa:
        return False
    codes = noqa[line]
    return codes is None or code in codes


def read_error_result(path: str, error: ReadError, selection: Selection) -> FileResult:
    """The result for a file that could not be read (PK000)."""
    level = selection.severities.get(read_error.CODE, read_error.DEFAULT)
    return FileResult(path, [_stamp(read_error, read_error.problem(error), path, level)])


def fixable(diagnostic: Diagnostic, unsafe: bool) -> bool:
    """True when ``--fix`` applies the diagnostic's fix (with ``--unsafe-fixes`` when ``unsafe``)."""
    fix = diagnostic.fix
    return fix is not None and (fix.applicability is Applicability.SAFE or unsafe)


def fix_document(
    document: Document, settings: Settings, selection: Selection, unsafe: bool = False
) -> tuple[Document, int]:
    """Apply fixes until none is left, re-checking after each pass; pure.

    Fixes whose edits overlap an earlier fix wait for the next pass. Returns
    the fixed document and the number of fixes applied.
    """
    import bisect

    applied = 0
    for _ in range(MAX_FIX_PASSES):
        result = check_document(document, settings, selection)
        chosen: list[Edit] = []
        starts: list[tuple[int, int]] = []  # (start, end) of chosen edits, sorted: overlap checks stay O(log n)
        for diagnostic in result.diagnostics:
            if not fixable(diagnostic, unsafe):
                continue
            edits = diagnostic.fix.edits  # type: ignore[union-attr]
            if any(_collides(edit, starts) for edit in edits) or _self_overlapping(edits):
                continue
            for edit in edits:
                bisect.insort(starts, (edit.start, edit.end))
            chosen.extend(edits)
            applied += 1
        if not chosen:
            break
        text = apply_edits(document.text, chosen)
        document = Document.from_text(("\ufeff" if document.bom else "") + text, document.path)
    return document, applied


def _collides(edit: Edit, taken: list[tuple[int, int]]) -> bool:
    """True when ``edit`` overlaps a taken span, or inserts where another edit already starts or ends."""
    import bisect

    index = bisect.bisect_left(taken, (edit.start, -1))
    for start, end in taken[max(0, index - 1) : index + 2]:
        if edit.start < end and start < edit.end:
            return True
        if edit.start == edit.end and start <= edit.start <= end:
            return True
        if start == end and edit.start <= start <= edit.end:
            return True
    return False


def _self_overlapping(edits: tuple[Edit, ...]) -> bool:
    ordered = sorted((edit.start, edit.end) for edit in edits)
    return any(b[0] < a[1] for a, b in zip(ordered, ordered[1:]))


# A language tag before the extension names a copy of a post: post.zh-TW.md, post.zh-Hant.md, post.en.md.
_LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
# Per-post rules whose finding a language copy repeats from its original (the copy is made from it).
COPY_REPEATS = frozenset({"PK301"})


def language_copies(results: Sequence[FileResult]) -> dict[str, str]:
    """Map each language copy in the run to its original in the run.

    A copy is ``post.TAG.md`` beside ``post.md`` (what ``postkit traditional``
    writes), or a post whose ``lang`` is set and whose file name is that of
    exactly one post without ``lang`` (a copy in a mirrored tree, ``--out``).
    """
    import os

    paths = {result.path for result in results}
    plain_by_name: dict[str, list[str]] = {}
    for result in results:
        if result.language is None:
            plain_by_name.setdefault(os.path.basename(result.path), []).append(result.path)
    found: dict[str, str] = {}
    for result in results:
        stem, extension = os.path.splitext(result.path)
        base, tag = os.path.splitext(stem)
        if tag and _LANGUAGE_TAG.match(tag[1:]) and base + extension in paths:
            found[result.path] = base + extension
            continue
        if result.language is not None:
            twins = [p for p in plain_by_name.get(os.path.basename(result.path), []) if p != result.path]
            if len(twins) == 1:
                found[result.path] = twins[0]
    return found


def project_diagnostics(results: Sequence[FileResult], selection: Selection, copies: dict[str, str] | None = None) -> list[Diagnostic]:
    """Run the rules that compare posts with each other over the facts the files gave."""
    found: list[Diagnostic] = []
    by_path = {result.path: result for result in results}
    copies = language_copies(results) if copies is None else copies
    for code, module in RULES.items():
        level = selection.severities.get(code)
        if level is None or not is_project_rule(module):
            continue
        facts = {result.path: result.facts[code] for result in results if code in result.facts}
        for path, problem in module.check_project(facts, copies):
            if _suppressed(by_path[path].noqa, problem.line, code):
                continue
            found.append(_stamp(module, problem, path, selection.level_of(code, level, problem)))
    return found


@dataclass
class RunResult:
    """Everything ``postkit validate`` found: diagnostics in path order, fix counts and diffs."""

    diagnostics: list[Diagnostic]
    files: int
    fixed_files: int = 0
    fixes_applied: int = 0
    diffs: list[str] = field(default_factory=list)
    source_lines: dict[tuple[str, int], str] = field(default_factory=dict)


@dataclass
class FileOutcome:
    """What checking (and maybe fixing) one file sent back to the run, picklable for worker processes."""

    result: FileResult
    source_lines: dict[int, str] = field(default_factory=dict)
    diff: str | None = None
    fixes_applied: int = 0


def validate_file(
    path: str,
    settings: Settings,
    selection: Selection,
    fix: bool = False,
    unsafe: bool = False,
    diff: bool = False,
    max_size: int | None = MAX_POST_SIZE,
) -> FileOutcome:
    """Read, optionally fix, and check one file; the unit of work of :func:`validate_files`.

    A fixed file that cannot be written, or a post over ``max_size`` bytes,
    gets a PK000 diagnostic and stays as it was; the run goes on. So does a
    post postkit fails on for any other reason (``POSTKIT_DEBUG=1`` re-raises).
    """
    try:
        return _validate_file(path, settings, selection, fix, unsafe, diff, max_size)
    except Exception as error:  # noqa: BLE001 - one post must never stop the run
        failed = _failed(Document(path, ""), selection, "postkit failed on this post", error, read_error)
        failed.document = None
        return FileOutcome(failed)


def _validate_file(
    path: str, settings: Settings, selection: Selection, fix: bool, unsafe: bool, diff: bool, max_size: int | None
) -> FileOutcome:
    try:
        document = read_document(path, max_size)
    except ReadError as error:
        return FileOutcome(read_error_result(path, error, selection))
    outcome = FileOutcome(FileResult(path))
    if fix or diff:
        fixed, applied = fix_document(document, settings, selection, unsafe)
        if fixed.text != document.text:
            outcome.fixes_applied = applied
            if diff:
                bom = "\ufeff" if document.bom else ""
                outcome.diff = unified_diff(path, bom + document.text, bom + fixed.text)
            else:
                try:
                    write_atomic(path, fixed.encoded())
                    document = fixed
                except OSError as error:
                    # Report it on this file and go on with the others; the file is unchanged.
                    outcome.fixes_applied = 0
                    write_error = ReadError(f"cannot write the fixed file: {error.strerror or error}")
                    outcome.result = read_error_result(path, write_error, selection)
    result = check_document(document, settings, selection)
    result.diagnostics = outcome.result.diagnostics + result.diagnostics
    wanted = {d.line for d in result.diagnostics}
    wanted.update(line for facts in result.facts.values() for _, line, _ in facts)
    outcome.source_lines = {number: document.line(number) for number in wanted}
    result.document = None  # keep memory flat over large trees and pickles small
    outcome.result = result
    return outcome


def validate_files(
    paths: Sequence[str],
    settings: Settings,
    selection: Selection,
    *,
    fix: bool = False,
    unsafe: bool = False,
    diff: bool = False,
    progress: Callable[[str], None] | None = None,
    jobs: int | None = None,
    max_size: int | None = MAX_POST_SIZE,
) -> RunResult:
    """Check (and with ``fix`` or ``diff``, fix) each file, then run the project rules.

    One unreadable file gives PK000 and the others go on. With ``fix`` and
    not ``diff``, changed files are written atomically; untouched bytes stay
    byte-identical ("--fix"); a file that cannot be written gets
    PK000 and stays as it was. Large trees are checked across ``jobs``
    processes (default: every core); results keep path order.
    """
    from functools import partial

    from postkit.core.parallel import map_files

    results: list[FileResult] = []
    run = RunResult([], len(paths))
    work = partial(validate_file, settings=settings, selection=selection, fix=fix, unsafe=unsafe, diff=diff, max_size=max_size)
    for outcome in map_files(work, paths, jobs=jobs, progress=progress):
        result = outcome.result
        results.append(result)
        run.diagnostics.extend(result.diagnostics)
        run.source_lines.update(((result.path, n), text) for n, text in outcome.source_lines.items())
        if outcome.fixes_applied:
            run.fixes_applied += outcome.fixes_applied
            run.fixed_files += 1
        if outcome.diff:
            run.diffs.append(outcome.diff)
    copies = language_copies(results)
    if copies:
        # A copy repeats its original's per-post findings of these rules; the original's report covers both.
        run.diagnostics = [d for d in run.diagnostics if not (d.code in COPY_REPEATS and d.path in copies)]
    run.diagnostics.extend(project_diagnostics(results, selection, copies))
    run.diagnostics.sort()
    return run


def settings_for(config: Config) -> Settings:
    """The rule settings a config gives, with postkit's defaults for unset keys."""
    defaults = Settings()
    return Settings(
        required=tuple(config.get("required", defaults.required)),
        image_fields=tuple(config.get("image-fields", defaults.image_fields)),
        date_fields=tuple(config.get("date-fields", defaults.date_fields)),
        date_formats=tuple(config.get("date-formats", defaults.date_formats)),
        timezone=config.timezone,
        keep_image_field=config.get("keep-image-field"),
        engine=config.get("engine", defaults.engine),
        template_tags=tuple(config.get("template-tags", defaults.template_tags)),
    )


def selection_for(config: Config, select: Sequence[str] | None = None, ignore: Sequence[str] | None = None) -> Selection:
    """The rule selection: command-line ``select``/``ignore`` replace the config's (ruff's precedence).

    Raises:
        ValueError: an unknown code or name on the command line.
    """
    return Selection.build(
        select=select if select is not None else config.get("select"),
        ignore=ignore if ignore is not None else config.get("ignore", []),
        severity=config.get("severity"),
        per_file_ignores=config.get("per-file-ignores"),
        root=str(config.root),
    )
