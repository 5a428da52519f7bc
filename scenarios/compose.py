"""Composition of scenario and policy files: ``extends`` chains, validation, ``--set`` overrides.

A file may start from another of the same kind with ``extends: other.yaml`` (a path relative to
the file) or ``extends: hong_kong_baseline`` (the name of a shipped world or policy file, as the
command line accepts them; a file next to the extending one wins over a shipped one). The
chain is read root first and deep-merged: mappings are merged key by key, the extending file
wins; a ``timeline`` is the parent's entries followed by the child's; ``sources``
accumulate; ``name`` and ``description`` are the file's own. Cycles are refused with the chain
named. Every file in the chain is validated on its own (so a problem is reported with the file
and line it is in) before the merged result is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from model.parameters import POLICY_SECTIONS, WORLD_SECTIONS, Parameters, deep_merge, nest_dotted
from scenarios.files import FILE_MODELS, METADATA_KEYS, POLICY, WORLD
from scenarios.problems import closest, problems_from
from scenarios.yaml_io import Document, ScenarioError, read_document

MAX_CHAIN = 16


@dataclass(frozen=True)
class Composed:
    """A validated file with everything it extends merged in.

    Attributes:
        path: The file that was asked for.
        kind: ``"world"`` or ``"policy"``.
        name: The file's ``name`` (or its file name without ``.yaml``).
        description: The file's description.
        sources: Sources of the file and of the files it extends.
        body: The merged, validated values (``by_alias``; metadata removed); for a policy only
            the levers the files set.
        chain: The files read, root first.
    """

    path: Path
    kind: str
    name: str
    description: str
    sources: tuple[str, ...]
    body: dict[str, Any]
    chain: tuple[Path, ...]


def detect_kind(path: Path, data: dict[str, Any]) -> str:
    """``"policy"`` for files under a ``policies`` folder or with a ``strategy`` key."""
    if "policies" in path.resolve().parent.parts[-1:] or "strategy" in data:
        return POLICY
    return WORLD


def read_chain(path: Path) -> list[Document]:
    """Read ``path`` and every file it extends, root first.

    Raises:
        ScenarioError: For a missing parent, a cycle (naming the chain) or a chain too long.
    """
    documents: list[Document] = []
    current = path
    while True:
        if len(documents) >= MAX_CHAIN:
            raise ScenarioError(path, [f"extends chain longer than {MAX_CHAIN} files"])
        seen = [d.path.resolve() for d in documents]
        if current.resolve() in seen:
            names = " -> ".join(_shown(d.path, path) for d in (*documents, Document(current, {})))
            raise ScenarioError(path, [f"extends forms a cycle: {names}"])
        document = read_document(current)
        documents.append(document)
        parent = document.data.get("extends")
        if parent is None:
            break
        line = document.line(("extends",))
        if not isinstance(parent, str) or not parent.strip():
            raise ScenarioError(
                current, [f"line {line}: extends: must be a file path (got {parent!r})"]
            )
        target = current.parent / parent
        if target.is_dir():
            raise ScenarioError(
                current,
                [
                    f"line {line}: extends: {parent!r} is a folder ({target}); extends names "
                    "one YAML file, e.g. extends: hong_kong_baseline.yaml"
                ],
            )
        if not target.is_file():
            kind = detect_kind(current, document.data)
            target = shipped_file(parent, kind)
            if target is None:
                shipped = shipped_names(kind)
                raise ScenarioError(
                    current,
                    [
                        f"line {line}: extends: no such file {parent!r} (looked for "
                        f"{current.parent / parent}) and no shipped {kind} of that name; shipped: "
                        f"{', '.join(shipped)}"
                    ],
                )
        current = target
    return documents[::-1]


def _shipped_dir(kind: str) -> Path:
    folder = Path(__file__).resolve().parent
    return folder / "policies" if kind == POLICY else folder


def shipped_names(kind: str) -> list[str]:
    """Names of the shipped world (scenario) or policy files."""
    return sorted(p.stem for p in _shipped_dir(kind).glob("*.yaml"))


def shipped_file(name: str, kind: str) -> Path | None:
    """The shipped file of ``kind`` named ``name`` (with or without ``.yaml``), if any."""
    if "/" in name or "\\" in name:
        return None
    path = _shipped_dir(kind) / (name if name.endswith(".yaml") else f"{name}.yaml")
    return path if path.is_file() else None


def _shown(file: Path, asked: Path) -> str:
    """``file`` relative to the folder of the file asked for (as the user wrote extends)."""
    return os.path.relpath(file, asked.parent)


def _misplaced(document: Document, kind: str) -> list[str]:
    """Sections that belong in the other kind of file, with a message saying where."""
    problems = []
    for key in document.data:
        line = document.line((key,))
        if kind == WORLD and key in POLICY_SECTIONS:
            problems.append(
                f"line {line}: {key}: policy levers belong in a policy file "
                "(scenarios/policies/<name>.yaml, with a strategy), not in a world file"
            )
        elif kind == POLICY and key in (*WORLD_SECTIONS, "timeline"):
            problems.append(
                f"line {line}: {key}: world sections belong in a scenario (world) file; "
                "a policy file sets only screening levers"
            )
    return problems


def _validate(document: Document, kind: str) -> tuple[BaseModel | None, list[str]]:
    """Validate one file on its own: every problem, each with its line."""
    problems = _misplaced(document, kind)
    misplaced_keys = POLICY_SECTIONS if kind == WORLD else (*WORLD_SECTIONS, "timeline")
    data = {k: v for k, v in document.data.items() if k not in misplaced_keys}
    model = FILE_MODELS[kind]
    try:
        validated = model.model_validate(data)
    except ValidationError as err:
        return None, sorted(problems + problems_from(err, model, document), key=_line_of)
    return validated, problems


def _line_of(problem: str) -> int:
    """Line number a problem starts with (0 when it names none), to list problems in order."""
    head = problem.split(":", 1)[0]
    return int(head[5:]) if head.startswith("line ") and head[5:].isdigit() else 0


def merge(documents: list[Document]) -> dict[str, Any]:
    """Deep-merge a chain (root first); timelines concatenate; metadata is not merged."""
    merged: dict[str, Any] = {}
    timeline: list[Any] = []
    for document in documents:
        body = {k: v for k, v in document.data.items() if k not in (*METADATA_KEYS, "timeline")}
        merged = deep_merge(merged, body)
        timeline.extend(document.data.get("timeline") or [])
    if timeline:
        merged["timeline"] = timeline
    return merged


def compose(path: Path, kind: str | None = None) -> Composed:
    """Read, validate and merge a file and everything it extends.

    Args:
        path: The file.
        kind: ``"world"`` or ``"policy"``; detected from the file when ``None``.

    Raises:
        ScenarioError: Listing every problem in every file of the chain.
    """
    documents = read_chain(path)
    own = documents[-1]
    detected = detect_kind(path, own.data)
    if kind is not None and detected != kind and "strategy" in own.data:
        raise ScenarioError(
            path,
            [
                f"this is a policy file (it names a strategy), not a {kind} file; "
                "give it with --policy"
            ],
        )
    kind = kind or detected
    problems: list[str] = []
    for document in documents:
        _, found = _validate(document, kind)
        if document is not own:
            found = [f"in {document.path}: {p}" for p in found]
        problems.extend(found)
    if problems:
        raise ScenarioError(path, problems)

    merged = merge(documents)
    model = FILE_MODELS[kind]
    try:
        validated = model.model_validate(merged)
    except ValidationError as err:  # not expected: each file was valid on its own
        raise ScenarioError(path, problems_from(err, model)) from None
    if kind == POLICY and validated.strategy is None:
        raise ScenarioError(path, [f"strategy: missing; give one of: {', '.join(_strategies())}"])
    if kind == POLICY and ":" in validated.strategy:
        _check_custom_strategy(validated.strategy, documents, path)
    body = validated.model_dump(by_alias=True, exclude_unset=True, exclude=set(METADATA_KEYS))
    if kind == WORLD:
        body = validated.model_dump(by_alias=True, exclude=set(METADATA_KEYS))
    sources: list[str] = []
    for document in documents:
        for source in document.data.get("sources") or []:
            if source not in sources:
                sources.append(str(source))
    return Composed(
        path=path,
        kind=kind,
        name=str(own.data.get("name") or path.stem),
        description=str(own.data.get("description") or "").strip(),
        sources=tuple(sources),
        body=body,
        chain=tuple(d.path for d in documents),
    )


def _check_custom_strategy(strategy: str, documents: list[Document], path: Path) -> None:
    """Check a custom strategy from its source, never importing it, with its file and line."""
    from scenarios.strategy_source import strategy_problem

    problem = strategy_problem(strategy)
    if problem is not None:
        owner = next(d for d in reversed(documents) if "strategy" in d.data)
        line = owner.line(("strategy",))
        raise ScenarioError(owner.path, [f"line {line}: {problem}" if line else problem])


def _strategies() -> list[str]:
    from model.strategies import known_strategies

    return known_strategies()


def check_overrides(overrides: dict[str, Any], source: str = "--set") -> dict[str, Any]:
    """Check ``section.field`` overrides against the schema and type their values.

    Args:
        overrides: Flat mapping of dotted field path to value (e.g. parsed ``--set``).
        source: How the user gave them, for messages.

    Returns:
        The overrides with values typed through the schema.

    Raises:
        ScenarioError: Naming every unknown path (with the closest valid one) and every value
            of the wrong type or out of range (with what is allowed).
    """
    problems = []
    sections = list(Parameters.model_fields)
    for path in overrides:
        section, _, field = path.partition(".")
        if section not in Parameters.model_fields:
            hint = closest(section, sections)
            suggestion = (
                f"; did you mean {hint!r}?" if hint else f"; sections: {', '.join(sections)}"
            )
            problems.append(f"{source} {path}: unknown section {section!r}{suggestion}")
        elif section == "timeline":
            problems.append(f"{source} {path}: a timeline is set in the scenario file")
    if problems:
        raise ScenarioError(source, problems)
    try:
        typed = Parameters().updated(nest_dotted(overrides))
    except ValidationError as err:
        problems = [f"{source} {p}" for p in problems_from(err, Parameters)]
        raise ScenarioError(source, problems) from None
    values = typed.model_dump()
    result = {}
    for path in overrides:
        section, field = path.split(".", 1)
        result[path] = values[section][field]
    return result
