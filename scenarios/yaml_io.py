"""Read YAML files safely, keeping the line of every key for error messages.

Files are composed and constructed with PyYAML's ``SafeLoader`` only. Before any value is
built, the node tree is checked: tags other than plain YAML data (for example
``!!python/object``) are refused, as are files larger than :data:`MAX_FILE_BYTES`, more than
:data:`MAX_ALIASES` aliases, documents that expand to more than :data:`MAX_NODES` nodes (alias
bombs, "billion laughs"), recursive aliases and duplicate keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

MAX_FILE_BYTES = 1_000_000
MAX_ALIASES = 100
MAX_NODES = 50_000
_SAFE_TAGS = (frozenset(yaml.SafeLoader.yaml_constructors) - {None}) | {"tag:yaml.org,2002:merge"}
Loc = tuple[str | int, ...]


class _DateError(yaml.constructor.ConstructorError):
    """A date that does not exist in the calendar."""


class _SafeLoader(yaml.SafeLoader):
    """PyYAML's safe loader, with calendar-invalid dates reported at their line."""

    def construct_yaml_timestamp(self, node: yaml.Node) -> Any:
        """A date or time; an impossible one (``2021-02-29``) names its line, not a traceback."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as err:
            raise _DateError(
                None,
                None,
                f"{node.value!r} is not a calendar date ({err}); write an existing date, "
                "e.g. 2020-07 or 2020-02-28",
                node.start_mark,
            ) from None


_SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _SafeLoader.construct_yaml_timestamp)


class ScenarioError(ValueError):
    """A scenario or policy file that cannot be used; ``problems`` lists every reason."""

    def __init__(self, path: Path | str, problems: list[str]) -> None:
        self.path = Path(path)
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{self.path}: {len(problems)} problem(s):\n{lines}")


@dataclass
class Document:
    """A YAML mapping read from a file, with the line of each key and list item.

    Attributes:
        path: The file.
        data: The mapping read.
        lines: 1-based line of each key (or list item) by its path, e.g. ``("ngo", "x")``.
    """

    path: Path
    data: dict[str, Any]
    lines: dict[Loc, int] = field(default_factory=dict)

    def line(self, loc: Loc) -> int | None:
        """Line of the deepest key on ``loc`` that the file has (``None`` if none)."""
        for end in range(len(loc), 0, -1):
            line = self.lines.get(tuple(loc[:end]))
            if line is not None:
                return line
        return None


def read_document(path: Path) -> Document:
    """Read a YAML mapping safely, refusing hostile or oversized files.

    Args:
        path: The file.

    Returns:
        The document (an empty mapping for an empty file).

    Raises:
        ScenarioError: If the file is missing, too large, not UTF-8, not YAML, uses tags other
            than plain data, expands aliases too far, repeats a key, or is not a mapping.
    """
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise ScenarioError(path, ["no such file"]) from None
    except IsADirectoryError:
        raise ScenarioError(path, ["is a folder, not a YAML file"]) from None
    except OSError as err:
        raise ScenarioError(path, [f"cannot be read ({err.strerror})"]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ScenarioError(
            path, [f"file is larger than {MAX_FILE_BYTES:,} bytes; scenario files are small"]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError(path, ["not a UTF-8 text file"]) from None

    try:
        loader = _SafeLoader(text)
    except yaml.reader.ReaderError as err:  # a control character (NUL, ESC, ...) in the text
        raise ScenarioError(path, [_unprintable(text, err)]) from None
    try:
        root = loader.get_single_node()
        problems = _check_nodes(root)
        if problems:
            raise ScenarioError(path, problems)
        data = loader.construct_document(root) if root is not None else None
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = err.problem or err.context or "syntax error"
        if isinstance(err, _DateError):
            raise ScenarioError(path, [f"{where.split(',')[0]}: {problem}"]) from None
        raise ScenarioError(path, [f"{where}not valid YAML ({problem})"]) from None
    except yaml.YAMLError as err:
        raise ScenarioError(path, [f"not valid YAML ({err})"]) from None
    except RecursionError:
        raise ScenarioError(path, ["values are nested too deeply"]) from None
    finally:
        loader.dispose()
    if data is None:
        return Document(path, {})
    if not isinstance(data, dict):
        raise ScenarioError(path, ["the file must be a mapping of sections (key: value)"])
    return Document(path, data, _line_index(root))


def _unprintable(text: str, err: yaml.reader.ReaderError) -> str:
    """Where a character YAML does not allow is, and which (the reader counts characters)."""
    line = text[: err.position].count("\n") + 1
    code = err.character if isinstance(err.character, int) else ord(str(err.character)[:1] or "?")
    return (
        f"line {line}: the control character U+{code:04X} is not allowed in YAML (remove it)"
    )


def _short_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def _check_nodes(root: yaml.Node | None) -> list[str]:
    """Problems with the node graph: unsafe tags, aliases, expansion size, duplicate keys."""
    if root is None:
        return []
    problems: list[str] = []
    seen: set[int] = set()
    aliases = 0
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            aliases += 1
            if aliases > MAX_ALIASES:
                return [f"more than {MAX_ALIASES} aliases (*name): refused as a likely alias bomb"]
            continue
        seen.add(id(node))
        line = node.start_mark.line + 1
        if node.tag not in _SAFE_TAGS:
            problems.append(
                f"line {line}: tag {_short_tag(node.tag)!r} is not allowed: scenario files "
                "hold plain data only (YAML is read with a safe loader)"
            )
            continue
        if isinstance(node, yaml.MappingNode):
            keys: dict[Any, int] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                    if key.value in keys:
                        problems.append(
                            f"line {key.start_mark.line + 1}: key {key.value!r} repeats the key "
                            f"on line {keys[key.value]} (YAML would silently keep the last one)"
                        )
                    keys[key.value] = key.start_mark.line + 1
                stack.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    if problems:
        return problems
    if not aliases:  # plain data: many keys are not an alias bomb, but still too many
        if len(seen) > MAX_NODES:
            return [
                f"the file holds {len(seen):,} values (keys and items), more than the "
                f"{MAX_NODES:,} a scenario or batch file may have"
            ]
        return []
    size = _expanded_size(root)
    if size is None:
        return ["a recursive alias (a node containing itself) is not allowed"]
    if size > MAX_NODES:
        return [
            f"the document expands to more than {MAX_NODES:,} values through aliases: refused "
            "as a possible alias bomb"
        ]
    return []


def _expanded_size(root: yaml.Node) -> int | None:
    """Number of nodes once aliases are expanded; ``None`` for a recursive alias."""
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: yaml.Node) -> int | None:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            return None
        active.add(key)
        children: list[yaml.Node] = []
        if isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        total = 1
        for child in children:
            child_size = size(child)
            if child_size is None:
                return None
            total = min(total + child_size, MAX_NODES + 1)
        active.discard(key)
        sizes[key] = total
        return total

    return size(root)


def _line_index(root: yaml.Node) -> dict[Loc, int]:
    """Line of each mapping key and sequence item, by path (aliases are not followed)."""
    lines: dict[Loc, int] = {}
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, Loc]] = [(root, ())]
    while stack:
        node, loc = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    child = (*loc, key.value)
                    lines.setdefault(child, key.start_mark.line + 1)
                    stack.append((value, child))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                child = (*loc, index)
                lines.setdefault(child, item.start_mark.line + 1)
                stack.append((item, child))
    return lines
