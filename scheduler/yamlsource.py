"""Load YAML keeping the line of every node, so validation errors can name file and line.

Documents are composed by libyaml when PyYAML has it (×10 or more faster on a province's ledgers)
and by PyYAML's pure-Python loader otherwise. The pure loader stays the reference: a document that
libyaml refuses, or one that uses aliases, is read again by it, so every error message, line and
limit is the reference's own, and libyaml only ever answers for plain, well-formed documents.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from scheduler.errors import InputError, Problem, read_text_input

Path_ = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)

# Limits on what one YAML input may cost. The shipped ledgers are ~55 KB with no aliases; a
# billion-laughs document is a few hundred bytes whose aliases expand to 10^9 nodes.
MAX_YAML_BYTES = 8 * 1024 * 1024
MAX_ALIAS_NODES = 100_000  # nodes that aliases (*name) add beyond those written out


class LineMap(dict[Path_, int]):
    """Maps a path inside the document (keys and list indexes) to its 1-based line."""

    def line_of(self, path: Path_) -> int | None:
        """Return the line of the longest prefix of `path` that the document contains."""
        for end in range(len(path), -1, -1):
            line = self.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


def _construct_timestamp(loader: yaml.constructor.SafeConstructor, node: yaml.Node):
    """Construct a date whose impossible values (2027-02-30) fail with the node's line, not a
    bare ValueError from datetime."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise yaml.constructor.ConstructorError(
            None, None, f"日期无效：{node.value}（{exc}）", node.start_mark) from exc


class _Loader(yaml.SafeLoader):
    """The reference loader: pure Python, every error with its line."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)

_CLoader: type[Any] | None = None  # None: PyYAML was built without libyaml
if yaml.__with_libyaml__:
    class _LibyamlLoader(yaml.CSafeLoader):
        """libyaml's parser and composer with the reference loader's constructors."""

    _LibyamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
    _CLoader = _LibyamlLoader


def _check_aliases(root: yaml.Node, filename: str, aliases: list[tuple[yaml.Node, int]]) -> None:
    """Refuse a document whose aliases expand past MAX_ALIAS_NODES or refer to themselves.

    Composing keeps one node per anchor, so the document is small in memory; what explodes is
    every walk over it (line index, construction, validation). Sizes are summed with a memo, so
    the check costs one pass over the distinct nodes."""
    if not aliases:
        return
    sizes: dict[int, int] = {}
    open_: set[int] = set()

    def size(node: yaml.Node) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        if id(node) in open_:
            raise _Cycle
        open_.add(id(node))
        total = 1
        if isinstance(node, yaml.SequenceNode):
            total += sum(size(item) for item in node.value)
        elif isinstance(node, yaml.MappingNode):
            total += sum(size(key) + size(value) for key, value in node.value)
        open_.discard(id(node))
        sizes[id(node)] = total = min(total, 10 * MAX_ALIAS_NODES)  # enough to refuse; keeps ints small
        return total

    added = 0
    for target, line in aliases:
        try:
            added += size(target)
        except _Cycle:
            raise InputError.single(filename, line, "YAML 错误：别名引用了包含它自己的节点（循环引用）") from None
        except RecursionError:
            raise InputError.single(filename, line, "YAML 错误：嵌套过深") from None
        if added > MAX_ALIAS_NODES:
            raise InputError.single(
                filename, line, f"YAML 错误：别名（*引用）展开后超过 {MAX_ALIAS_NODES:,} 个节点，拒绝读取"
                "（可能是“别名炸弹”；请把内容直接写出）")


class _Cycle(Exception):
    pass


class _Composer(_Loader):
    """Remembers every alias and its line while composing, for _check_aliases."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.aliases: list[tuple[yaml.Node, int]] = []

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            node = super().compose_node(parent, index)
            self.aliases.append((node, event.start_mark.line + 1))
            return node
        return super().compose_node(parent, index)


def _index_lines(node: yaml.Node, path: Path_, lines: LineMap) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            _index_lines(value_node, path + (key,), lines)
            lines[path + (key,)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _index_lines(item, path + (index,), lines)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Keep the cyclic garbage collector still while a document is built.

    A ledger becomes some hundred thousand nodes, lists and dicts, and each full collection
    walks all of them again while they grow: with the collector running, composing a 3.5 MB
    ledger took five times as long. Parsing makes no cycles the collector is needed for (a
    self-referring alias is refused, and collected once the collector runs again)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


_STR, _SEQ, _MAP = (f"tag:yaml.org,2002:{name}" for name in ("str", "seq", "map"))


class _Unusual(Exception):
    """A node the fast walk leaves to the reference: one reached twice (an alias), or a key that
    is not a plain scalar (a merge key, a collection)."""


def _build(loader: Any, root: yaml.Node, watch_aliases: bool) -> tuple[Any, LineMap]:
    """Build the document's values and its line map in one pass, as the reference's constructor
    and `_index_lines` would: strings, lists and maps directly (most of a ledger), every other
    scalar by the constructor. With `watch_aliases`, a node reached twice stops the walk before
    an alias can expand."""
    lines = LineMap()
    seen: set[int] = set()
    construct = loader.construct_object
    strings: dict[str, str] = {}  # one object per distinct string: a province names each unit ~10^5 times

    def visit(node: yaml.Node) -> None:
        if watch_aliases:
            if id(node) in seen:
                raise _Unusual
            seen.add(id(node))

    def build(node: yaml.Node, path: Path_) -> Any:
        lines[path] = node.start_mark.line + 1
        visit(node)
        if node.tag == _STR:
            return strings.setdefault(node.value, node.value)
        if node.tag == _SEQ:
            return [build(item, path + (index,)) for index, item in enumerate(node.value)]
        if node.tag != _MAP:
            return construct(node, deep=True)
        mapping = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _PLAIN_KEYS:
                raise _Unusual
            visit(key_node)
            key = key_node.value if key_node.tag == _STR else construct(key_node, deep=True)
            mapping[key] = build(value_node, path + (key_node.value,))
            lines[path + (key_node.value,)] = key_node.start_mark.line + 1
        return mapping

    return build(root, ()), lines


_PLAIN_KEYS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp"))


# Where the two parsers part (found by feeding both mutated ledgers, rules and config): libyaml
# takes a tab as separating space ("a:\t1"), "y?" inside a flow collection and a comment right
# after a block scalar's indicator ("|#"), which the reference refuses; reads a bare "!" tag as ''
# (the reference: None); skips a byte-order mark after the first character; and places an empty
# document's node one line lower when the text ends without a line break ("---"). A document
# with any of these is left to the reference.
_REFERENCE_ONLY = ("\t", "?", "!")
_BLOCK_HEADER_COMMENT = re.compile(r"[|>][-+0-9]{0,2}#")


def _libyaml_may_differ(text: str) -> bool:
    return (any(char in text for char in _REFERENCE_ONLY) or text.find("\ufeff", 1) >= 0
            or not text.endswith("\n") or _BLOCK_HEADER_COMMENT.search(text) is not None)


def _load_with_libyaml(text: str) -> tuple[Any, LineMap] | None:
    """Parse `text` with libyaml; None when the reference loader must read it instead: on any
    error (so the message, line and any crash are the reference's own), on an alias (so are its
    limits and lines), or on a character where the two parsers are known to disagree."""
    if _CLoader is None or _libyaml_may_differ(text):
        return None
    loader = _CLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, LineMap()
        return _build(loader, node, watch_aliases="*" in text)  # an alias is written `*name`
    except Exception:  # noqa: BLE001 - the reference reads it again and reports as it always has
        return None
    finally:
        loader.dispose()


def load_yaml_text(text: str, filename: str) -> tuple[Any, LineMap]:
    """Parse YAML text once; raise InputError naming the file, line (and path) on any error,
    and refuse documents over MAX_YAML_BYTES or whose aliases expand past MAX_ALIAS_NODES."""
    if len(text) > MAX_YAML_BYTES:  # characters: at least as many bytes in UTF-8
        raise InputError.single(filename, None, f"YAML 文件过大（{len(text):,} 字符，上限 {MAX_YAML_BYTES:,} 字节）")
    try:
        yaml.reader.Reader(text)  # the reference reader rejects control characters (NUL…) before parsing
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise InputError.single(filename, line, f"YAML 错误：含有不允许的控制字符 U+{exc.character:04X}") from exc
    with _collector_paused():
        return _load_with_libyaml(text) or _load_with_reference(text, filename)


def _load_with_reference(text: str, filename: str) -> tuple[Any, LineMap]:
    """Parse `text` with the pure-Python loader, turning every error into an InputError."""
    loader = _Composer(text)  # load_yaml_text has checked its characters
    lines = LineMap()
    try:
        node = loader.get_single_node()
        if node is not None:
            _check_aliases(node, filename, loader.aliases)
            _index_lines(node, (), lines)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at: int | None = mark.line + 1 if mark else None
        where = _path_at_line(lines, at) if at else ""
        raise InputError.single(filename, at, f"YAML 错误：{exc.problem or exc}", where) from exc
    except yaml.YAMLError as exc:
        raise InputError.single(filename, None, f"YAML 错误：{exc}") from exc
    except RecursionError:  # the parser and composer recurse once per nesting level
        mark = loader.tokens[0].start_mark if loader.tokens else None  # where the scanner had got to
        at = mark.line + 1 if mark else None
        raise InputError.single(filename, at, "YAML 错误：嵌套层数过多（超过 Python 的递归上限），拒绝读取") from None
    finally:
        loader.dispose()
    return data, lines


def _path_at_line(lines: LineMap, line: int) -> str:
    """Return the dotted path of the deepest node that starts on `line`."""
    paths = [path for path, at in lines.items() if at == line]
    return ".".join(str(p) for p in max(paths, key=len)) if paths else ""


def load_yaml_file(path: str | Path) -> tuple[Any, LineMap]:
    """Read and parse a YAML file (UTF-8)."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        size = 0  # read_text_input names the file and the reason
    if size > MAX_YAML_BYTES:  # refuse before reading a huge file into memory
        raise InputError.single(str(path), None, f"YAML 文件过大（{size:,} 字节，上限 {MAX_YAML_BYTES:,} 字节）")
    return load_yaml_text(read_text_input(path), str(path))


def problems_from_validation(exc: ValidationError, filename: str, lines: LineMap,
                             prefix: Path_ = ()) -> list[Problem]:
    """Turn pydantic errors into located problems."""
    problems = []
    for err in exc.errors():
        loc = prefix + tuple(err["loc"])
        dotted = ".".join(str(p) for p in loc)
        line = lines.line_of(loc) or 1  # an empty document has no nodes: point at its first line
        message = err["msg"].removeprefix("Value error, ")  # our validators' messages are Chinese already
        problems.append(Problem(filename, line, message, dotted))
    return problems


def validate(model: type[M], data: Any, filename: str, lines: LineMap, prefix: Path_ = ()) -> M:
    """Validate `data` as `model`, raising InputError with file, line and field on failure."""
    try:
        with _collector_paused():  # the models of a large ledger, like its nodes (see there)
            return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from_validation(exc, filename, lines, prefix)) from exc
