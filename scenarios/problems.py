"""Turn pydantic validation errors into one line per problem that a user can act on.

Each line names the line in the file (when known), the field path, what is wrong and what is
allowed: the closest valid name for an unknown key, the type and range for a bad value.
"""

from __future__ import annotations

import difflib
import enum
import typing
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from model.parameters import TimelineEntry, changes_model
from scenarios.yaml_io import Document, Loc


def field_path(loc: Loc) -> str:
    """``("timeline", 0, "set", "ngo.x")`` -> ``"timeline[0].set.ngo.x"``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model inside an annotation (``Model``, ``list[Model]``, ``Model | None``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def locate(
    root: type[BaseModel] | None, loc: Loc
) -> tuple[type[BaseModel] | None, FieldInfo | None]:
    """Follow ``loc`` through the schema from ``root``.

    Returns:
        The model that owns the last part of ``loc`` and that part's ``FieldInfo`` (``None``
        where the path leaves the schema).
    """
    model: type[BaseModel] | None = root
    info: FieldInfo | None = None
    for position, part in enumerate(loc):
        if isinstance(part, int):
            continue
        if model is None:
            return None, None
        if position == len(loc) - 1:
            return model, _field(model, part)
        info = _field(model, part)
        if info is None:
            return None, None
        model = changes_model() if model is TimelineEntry and part == "set" else None
        model = model or _model_of(info.annotation)
    return model, info


def _field(model: type[BaseModel], name: str) -> FieldInfo | None:
    for field_name, info in model.model_fields.items():
        if name in (field_name, info.alias):
            return info
    return None


def field_names(model: type[BaseModel]) -> list[str]:
    """Names a user writes for the fields of ``model`` (aliases where they exist)."""
    return [info.alias or name for name, info in model.model_fields.items()]


def closest(name: str, candidates: list[str]) -> str | None:
    """The candidate closest to ``name`` (difflib), or ``None`` if none is close."""
    matches = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    if not matches and "." in name:  # a dotted path: compare the field part too
        tail = name.split(".", 1)[1]
        by_tail = {c.split(".", 1)[-1]: c for c in candidates}
        found = difflib.get_close_matches(tail, list(by_tail), n=1, cutoff=0.6)
        matches = [by_tail[found[0]]] if found else []
    return matches[0] if matches else None


def bounds(info: FieldInfo) -> tuple[float | None, float | None]:
    """Smallest and largest allowed value of a field (``None`` where unbounded)."""
    low = next((m.ge for m in info.metadata if hasattr(m, "ge")), None)  # annotated_types.Ge
    high = next((m.le for m in info.metadata if hasattr(m, "le")), None)
    return low, high


def allowed(info: FieldInfo | None) -> str | None:
    """The allowed type and range of a field, e.g. ``"a number from 0 to 1 (probability)"``."""
    if info is None:
        return None
    annotation = info.annotation
    low, high = bounds(info)
    if annotation is bool:
        text = "true or false"
    elif isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        text = "one of " + ", ".join(str(m.value) for m in annotation)
    elif annotation in (int, float):
        kind = "a whole number" if annotation is int else "a number"
        if low is not None and high is not None:
            text = f"{kind} from {_number(low)} to {_number(high)}"
        elif low is not None:
            text = f"{kind} of at least {_number(low)}"
        elif high is not None:
            text = f"{kind} of at most {_number(high)}"
        else:
            text = kind
    elif _model_of(annotation) is not None:
        model = _model_of(annotation)
        text = "a mapping of " + ", ".join(field_names(model))
        if typing.get_origin(annotation) is list:
            text = "a list of entries, each " + text
        return text
    else:
        return None
    extra = info.json_schema_extra
    unit = extra.get("unit") if isinstance(extra, dict) else None
    return f"{text} ({unit})" if unit else text


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:g}"


def describe_error(
    item: dict[str, Any], root: type[BaseModel] | None, extra_names: tuple[str, ...] = ()
) -> str:
    """One problem as ``field.path: what is wrong; allowed: ...``."""
    loc: Loc = tuple(item["loc"])
    kind = item["type"]
    where = field_path(loc) or "(file)"
    owner, info = locate(root, loc)
    if kind == "extra_forbidden":
        names = field_names(owner) if owner is not None else []
        if len(loc) == 1:
            names = [*names, *extra_names]
        hint = closest(str(loc[-1]), names) if names else None
        message = "unknown field"
        if hint:
            message += f"; did you mean {hint!r}?"
        elif names:
            message += f"; allowed here: {', '.join(names)}"
        return f"{where}: {message}"
    if kind == "missing":
        return f"{where}: missing"
    if kind in ("value_error", "assertion_error"):
        return f"{where}: {item['msg'].removeprefix('Value error, ')}"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        message = f"must be a mapping (got {item.get('input')!r})"
        hint = allowed(info)
        return f"{where}: {message}; allowed: {hint}" if hint else f"{where}: {message}"
    if kind == "too_short":
        least = item.get("ctx", {}).get("min_length", 1)
        return f"{where}: must list at least {least} item(s) (got {item.get('input')!r})"
    message = item["msg"][0].lower() + item["msg"][1:]
    message = message.removeprefix("input should be ").removeprefix("input ")
    message = f"must be {message}" if not message.startswith(("must", "is", "unable")) else message
    message += f" (got {item.get('input')!r})"
    if kind in ("literal_error", "enum") and isinstance(item.get("input"), str):
        expected = str(item.get("ctx", {}).get("expected", "")).replace(" or ", ", ")
        options = [option.strip("'") for option in expected.split(", ")]
        hint = closest(item["input"], options)
        if hint:
            return f"{where}: {message}; did you mean {hint!r}?"
    hint = allowed(info)
    if hint:
        message += f"; allowed: {hint}"
    return f"{where}: {message}"


def problems_from(
    err: ValidationError,
    root: type[BaseModel] | None,
    document: Document | None = None,
    prefix: Loc = (),
    extra_names: tuple[str, ...] = (),
) -> list[str]:
    """Every problem in ``err``, each with its line in ``document`` when known.

    Args:
        err: The validation error.
        root: The model that was validated (to find field names, types and ranges); ``None``
            when unknown (messages then carry no hints).
        document: The file the data came from, for line numbers.
        prefix: Path of the validated data inside the document.
        extra_names: Other valid top-level keys (file metadata), for "did you mean".
    """
    problems = []
    for item in err.errors():
        text = describe_error(item, root, extra_names)
        line = document.line((*prefix, *item["loc"])) if document is not None else None
        problems.append((line or 0, f"line {line}: {text}" if line else text))
    if document is None:
        return [text for _, text in problems]
    return [text for _, text in sorted(problems, key=lambda p: p[0])]
