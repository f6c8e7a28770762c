"""Load YAML keeping the line of every node, so validation errors can name file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from scheduler.errors import InputError, Problem, read_text_input

Path_ = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


class LineMap(dict[Path_, int]):
    """Maps a path inside the document (keys and list indexes) to its 1-based line."""

    def line_of(self, path: Path_) -> int | None:
        """Return the line of the longest prefix of `path` that the document contains."""
        for end in range(len(path), -1, -1):
            line = self.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


class _Loader(yaml.SafeLoader):
    """SafeLoader whose impossible dates (2027-02-30) fail with the node's line, not a bare
    ValueError from datetime."""

    def construct_yaml_timestamp(self, node: yaml.Node):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"日期无效：{node.value}（{exc}）", node.start_mark) from exc


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


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


def load_yaml_text(text: str, filename: str) -> tuple[Any, LineMap]:
    """Parse YAML text once; raise InputError naming the file, line (and path) on any error."""
    try:
        loader = _Loader(text)  # the reader rejects control characters (NUL…) before parsing
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise InputError.single(filename, line, f"YAML 错误：含有不允许的控制字符 U+{exc.character:04X}") from exc
    lines = LineMap()
    try:
        node = loader.get_single_node()
        if node is not None:
            _index_lines(node, (), lines)
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at: int | None = mark.line + 1 if mark else None
        where = _path_at_line(lines, at) if at else ""
        raise InputError.single(filename, at, f"YAML 错误：{exc.problem or exc}", where) from exc
    except yaml.YAMLError as exc:
        raise InputError.single(filename, None, f"YAML 错误：{exc}") from exc
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
    return load_yaml_text(read_text_input(path), str(path))


def problems_from_validation(exc: ValidationError, filename: str, lines: LineMap,
                             prefix: Path_ = ()) -> list[Problem]:
    """Turn pydantic errors into located problems."""
    problems = []
    for err in exc.errors():
        loc = prefix + tuple(err["loc"])
        dotted = ".".join(str(p) for p in loc)
        line = lines.line_of(loc) or 1  # an empty document has no nodes: point at its first line
        problems.append(Problem(filename, line, err["msg"], dotted))
    return problems


def validate(model: type[M], data: Any, filename: str, lines: LineMap, prefix: Path_ = ()) -> M:
    """Validate `data` as `model`, raising InputError with file, line and field on failure."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from_validation(exc, filename, lines, prefix)) from exc
