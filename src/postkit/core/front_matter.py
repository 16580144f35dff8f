"""Parse a front matter block with PyYAML and keep every node's position in the file."""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Iterator

import yaml

from postkit.core.diagnostics import Edit
from postkit.core.document import Document

try:  # libyaml is bundled in PyYAML's wheels; fall back to the pure-Python parser.
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader


# Node properties before a value: anchors (&name) and tags (!tag, !!str, !<...>), each followed by space.
_PROPERTIES = re.compile(r"(?:(?:&[^\s,\[\]{}]+|![^\s,\[\]{}]*)[ \t]+)+")


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """SafeLoader that turns an impossible timestamp into its text instead of crashing.

    PyYAML resolves ``2020-13-45`` as a timestamp and then raises ValueError
    while building it; the date rules report it as PK201 from the node.
    """


def _construct_timestamp(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return node.value


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


@dataclass(frozen=True)
class YamlProblem:
    """A YAML error located in the file: 1-based ``line``/``col`` and a readable message."""

    line: int
    col: int
    message: str


@dataclass
class ParsedFrontMatter:
    """The front matter of one post as PyYAML reads it, with positions.

    ``root`` is the composed node tree (``None`` for an empty block or a YAML
    error), ``data`` the constructed value (``{}`` for an empty block),
    ``entries`` maps each top-level key to its ``(key_node, value_node)``
    (the last one wins, as in PyYAML) and ``duplicates`` lists every key node
    that repeats an earlier key of the same mapping, at any depth.
    """

    document: Document
    root: yaml.Node | None = None
    data: Any = None
    error: YamlProblem | None = None
    entries: dict[str, tuple[yaml.Node, yaml.Node]] = field(default_factory=dict)
    duplicates: list[tuple[yaml.Node, yaml.Node]] = field(default_factory=list)
    index: list[int] | None = None

    @property
    def is_mapping(self) -> bool:
        """True when the front matter is a mapping (or empty, which reads as ``{}``)."""
        return isinstance(self.data, dict)

    def value(self, key: str) -> Any:
        """The constructed value of top-level ``key`` (``None`` when absent)."""
        return self.data.get(key) if isinstance(self.data, dict) else None

    def offset(self, mark: yaml.Mark) -> int:
        """Character offset in ``Document.text`` of a YAML mark."""
        assert self.document.front_matter is not None
        if self.index is not None:
            # The YAML was rewritten before parsing (Hexo's tabs, ';;;' braces): map back into the file.
            return self.document.front_matter.start + self.index[min(mark.index, len(self.index) - 1)]
        return self.document.front_matter.start + mark.index

    def position(self, mark: yaml.Mark) -> tuple[int, int]:
        """1-based ``(line, column)`` in the file of a YAML mark.

        Computed from the character offset, not from the mark's line: libyaml
        also breaks lines at U+2028, U+0085 and a lone CR, editors and postkit
        only at LF.
        """
        return self.document.position(self.offset(mark))

    def span(self, node: yaml.Node) -> tuple[int, int]:
        """Character offsets ``(start, end)`` of ``node``'s own text in ``Document.text``.

        Node properties written before the value (an anchor ``&a`` or a tag
        ``!!str``) are not part of the span, so edits keep them.
        """
        start, end = self.offset(node.start_mark), self.offset(node.end_mark)
        properties = _PROPERTIES.match(self.document.text, start, end)
        return (properties.end() if properties else start), end

    def source(self, node: yaml.Node) -> str:
        """The node's text exactly as written in the file (quotes included, anchor and tag not)."""
        start, end = self.span(node)
        return self.document.text[start:end].rstrip("\r\n")

    def replace_scalar(self, node: yaml.ScalarNode, new_value: str) -> Edit:
        """An edit that replaces the scalar's source text with ``new_value`` (already YAML)."""
        start, _ = self.span(node)
        return Edit(start, start + len(self.source(node)), new_value)

    @staticmethod
    def is_alias_use(node: yaml.Node, owner: yaml.Node) -> bool:
        """True when ``node`` is reached through an alias (``*a``) at ``owner`` (its key or parent).

        PyYAML hands back the anchored node itself, whose text sits earlier in
        the file; diagnostics then point at ``owner`` and carry no fix, since
        editing the anchor would change every use of it.
        """
        return node.start_mark.index < owner.start_mark.index

    def removal(self, key_node: yaml.Node, value_node: yaml.Node) -> Edit | None:
        """An edit that deletes a top-level entry: whole lines from its key to the end of its value.

        ``None`` when the mapping is written in flow style (``{a: 1, b: 2}``)
        or the entry shares a line with another, where deleting lines would
        take other keys with it.
        """
        if self.root is None or getattr(self.root, "flow_style", False) or self.is_alias_use(value_node, key_node):
            return None
        text = self.document.text
        key_line = key_node.start_mark.line
        for other_key, other_value in self.root.value:
            if other_key is not key_node and (
                other_key.start_mark.line == key_line or other_value.end_mark.line == key_line and other_value.end_mark.column > 0
            ):
                return None
        start = self.offset(key_node.start_mark)
        start = text.rfind("\n", 0, start) + 1
        end = self.offset(value_node.end_mark)
        if end > start and text[end - 1] != "\n":
            newline = text.find("\n", end)
            end = len(text) if newline == -1 else newline + 1
        assert self.document.front_matter is not None
        return Edit(start, min(end, self.document.front_matter.end), "")


def compose(text: str) -> yaml.Node | None:
    """The YAML node tree of ``text`` with the same (libyaml) loader as :func:`parse`; marks index characters.

    Raises:
        yaml.YAMLError: the text is not valid YAML.
    """
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def build_scalar(text: str) -> Any:
    """What PyYAML builds from one scalar's source text, or the text itself when building fails.

    Never raises: ``2021-13-45`` or ``!!binary`` junk come back as written.
    """
    try:
        return yaml.load(text, Loader=_Loader)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError):
        return text


def quote(value: str) -> str:
    """``value`` as a YAML single-quoted scalar (YAML 1.2 §7.3.2: ``'`` doubles)."""
    return "'" + value.replace("'", "''") + "'"


def parse(
    document: Document, loader: type | None = None, yaml_text: str | None = None, index: list[int] | None = None
) -> ParsedFrontMatter:
    """Parse the document's front matter block.

    ``loader`` replaces the YAML 1.1 loader (a generator's own scalar
    table); ``yaml_text`` replaces the block's text when a generator rewrites
    it before parsing, with ``index`` mapping each of its offsets back to one
    in the block. Never raises: a YAML error becomes
    ``ParsedFrontMatter.error`` with its line and column in the file, not in
    the block (PK002).
    """
    result = ParsedFrontMatter(document, index=index)
    if document.front_matter is None or document.front_matter.format != "yaml":
        return result
    text = document.yaml_text if yaml_text is None else yaml_text
    loader = (loader or _Loader)(text)
    root = None
    try:
        root = loader.get_single_node()
        result.root = root
        result.data = {} if root is None else loader.construct_document(root)
    except yaml.MarkedYAMLError as error:
        result.error = _located_problem(document, error, index)
        result.root = None
        return result
    except yaml.reader.ReaderError as error:
        position = max(error.position, 0)
        if isinstance(loader, yaml.CSafeLoader if hasattr(yaml, "CSafeLoader") else ()):
            # libyaml counts bytes of the UTF-8 text; postkit counts characters.
            position = len(text.encode("utf-8")[:position].decode("utf-8", errors="ignore"))
        offset = document.front_matter.start + position
        line, col = document.position(offset)
        result.error = YamlProblem(line, col, f"character U+{error.character:04X} is not allowed in YAML; remove it")
        result.root = None
        return result
    except yaml.YAMLError as error:  # errors without a mark (rare): point at the block
        result.error = YamlProblem(document.front_matter.first_line, 1, str(error))
        result.root = None
        return result
    except Exception as error:  # noqa: BLE001 - PyYAML's constructors raise KeyError, IndexError... on tagged junk
        # One post's front matter must never stop a run: whatever building a
        # value raises (``!!bool x``, ``!!int _``, ``!!timestamp soon``) is
        # this post's PK002, at the value that cannot be built.
        result.error = _unbuildable(result, root, error)
        result.root = None
        return result
    finally:
        loader.dispose()
    if isinstance(root, yaml.MappingNode):
        for key_node, value_node in root.value:
            if isinstance(key_node, yaml.ScalarNode):
                result.entries[key_node.value] = (key_node, value_node)
    result.duplicates = _duplicate_keys(root)
    return result


def nodes(root: yaml.Node | None) -> Iterator[yaml.Node]:
    """Every node of a composed tree, each once, in document order.

    Aliases make the tree a graph: ten levels of nine aliases name 9**10
    scalars through 91 nodes. Walking the graph node by node keeps time and
    memory linear in the size of the text.
    """
    seen: set[int] = set()
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        stack.extend(reversed(_children(node)))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [child for pair in node.value for child in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def expanded_size(root: yaml.Node | None, budget: int) -> int:
    """How many nodes the tree holds once every alias is expanded, counting up to ``budget + 1``.

    Linear in the number of distinct nodes: each node's expanded size is
    computed once, after its children's. A result above ``budget`` means too
    many (an alias bomb).
    """
    if root is None:
        return 0
    sizes: dict[int, int] = {}
    entered: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes or (not children_done and id(node) in entered):
            continue
        children = _children(node)
        if not children_done:
            entered.add(id(node))
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        # A recursive alias (&a [*a]) reaches a node still being sized: count it once.
        sizes[id(node)] = min(budget + 1, 1 + sum(sizes.get(id(child), 1) for child in children))
    return sizes[id(root)]


def short_tag(tag: str) -> str:
    """``!!bool`` for ``tag:yaml.org,2002:bool``; other tags as written."""
    prefix = "tag:yaml.org,2002:"
    return "!!" + tag[len(prefix) :] if tag.startswith(prefix) else tag


def shorten(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters, with ``...`` where it was cut."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def unbuildable_node(root: yaml.Node | None) -> yaml.Node | None:
    """The first scalar PyYAML cannot build (``!!int _``), or ``None`` when each builds on its own."""
    probe = _Loader("")
    try:
        for node in nodes(root):
            if not isinstance(node, yaml.ScalarNode):
                continue
            try:
                probe.construct_object(node)
            except Exception:  # noqa: BLE001 - see parse()
                return node
    finally:
        probe.dispose()
    return None


_INT_DIGITS = sys.get_int_max_str_digits() if hasattr(sys, "get_int_max_str_digits") else 4300


def _unbuildable(result: ParsedFrontMatter, root: yaml.Node | None, error: Exception) -> YamlProblem:
    """Where and why a front matter value cannot be built, as a PK002 problem."""
    assert result.document.front_matter is not None
    node = unbuildable_node(root)
    if node is None:
        reason = " ".join(str(error).split()) or type(error).__name__
        return YamlProblem(result.document.front_matter.first_line, 1, f"YAML value cannot be built: {shorten(reason, 200)}")
    line, col = result.position(node.start_mark)
    tag = short_tag(node.tag)
    digits = node.value.lstrip("+-")
    if node.tag == "tag:yaml.org,2002:int" and digits.isdigit() and len(digits) > _INT_DIGITS:
        return YamlProblem(
            line, col, f"the number is {len(digits)} digits long, more than the {_INT_DIGITS} a number may have here; shorten it, or quote it to keep it as text"
        )
    return YamlProblem(line, col, f"{shorten(repr(node.value))} is not a valid {tag} value; fix the value or remove the {tag} tag")


def _duplicate_keys(root: yaml.Node | None) -> list[tuple[yaml.Node, yaml.Node]]:
    """Every repeated key, paired with the first key node it repeats."""
    found: list[tuple[yaml.Node, yaml.Node]] = []
    stack = [root] if root is not None else []
    seen_nodes: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen_nodes:  # aliases can make the tree a graph
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            first: dict[tuple[str, str], yaml.Node] = {}
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.tag != "tag:yaml.org,2002:merge":
                    ident = (key_node.tag, key_node.value)
                    if ident in first:
                        found.append((key_node, first[ident]))
                    else:
                        first[ident] = key_node
                stack.append(value_node)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    found.sort(key=lambda pair: pair[0].start_mark.index)
    return found


def _hint(problem: str, context: str, char: str, value_start: str) -> str | None:
    """A plain-words hint for the YAML traps generated posts fall into (cases B29, B32)."""
    if char == "\t":
        return "YAML does not allow tabs for indentation; indent with spaces"
    if char in ("@", "`"):
        return f"'{char}' cannot start a plain value; quote it"
    if char == "%":
        return "'%' cannot start a plain value; quote it"
    if "mapping values are not allowed" in problem:
        return "a plain value cannot contain ': '; quote the whole value"
    if value_start in ("[", "{") and ("expected" in problem or "did not find" in problem):
        return f"a value starting with '{value_start}' is read as a YAML {'list' if value_start == '[' else 'mapping'}; quote the whole value"
    if value_start in ("'", '"') and ("expected" in problem or "did not find" in problem):
        return "a quote inside a quoted value ends it early; write \\\" inside \"...\" or '' inside '...'"
    if "found undefined alias" in problem or value_start == "*":
        return "'*' starts a YAML alias; quote values that begin with '*'"
    if "found unexpected end of stream" in problem:
        return "a quote or bracket is never closed"
    if "could not find expected ':'" in problem:
        return "a line is neither 'key: value' nor a list item; quote values that span lines"
    return None


_VALUE_START = re.compile(r"^\s*(?:-\s+)*(?:[^:#]+:\s+)?(\S)")


def _located_problem(document: Document, error: yaml.MarkedYAMLError, index: list[int] | None = None) -> YamlProblem:
    assert document.front_matter is not None
    mark = error.problem_mark or error.context_mark
    first_line = document.front_matter.first_line
    line = first_line + mark.line if mark else first_line
    col = mark.column + 1 if mark else 1
    if mark is not None and index is not None:
        line, col = document.position(document.front_matter.start + index[min(mark.index, len(index) - 1)])
    problem = " ".join((error.problem or "invalid YAML").split())
    context = " ".join((error.context or "").split())
    message = problem
    if context and error.context_mark is not None and error.context_mark is not mark:
        message += f" ({context} started at line {first_line + error.context_mark.line})"
    source_line = document.line(line)
    char = source_line[col - 1 : col] if mark else ""
    start = _VALUE_START.match(source_line)
    hint = _hint(problem, context, char, start.group(1) if start else "")
    if hint:
        message += f"; {hint}"
    # The YAML block ends at the closing fence: an error "at" the fence is an unclosed construct.
    if line > document.front_matter.close_line - 1:
        line, col = document.front_matter.close_line - 1, 1
    return YamlProblem(line, col, message)


def as_datetime(value: Any) -> dt.datetime | dt.date | None:
    """``value`` if PyYAML built it as a date or datetime, else ``None``."""
    return value if isinstance(value, (dt.date, dt.datetime)) else None
