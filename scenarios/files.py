"""What a world (scenario) file and a policy file may contain, as pydantic models.

The same models validate files and generate the JSON Schemas editors use, so the two cannot
drift apart. A world file sets the world sections of :class:`model.parameters.Parameters` (and a
``timeline``); a policy file names a strategy and sets ``screening`` levers.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema, create_model

from model.parameters import WORLD_SECTIONS, Parameters, ScreeningLevers, TimelineEntry
from model.strategies import STRATEGIES, known_strategies

WORLD = "world"
POLICY = "policy"

_METADATA: dict[str, Any] = {
    "name": (
        str | None,
        Field(None, description="Short name (defaults to the file name without .yaml)."),
    ),
    "description": (str | None, Field(None, description="What this file describes.")),
    "sources": (
        list[str],
        Field(default_factory=list, description="Where the values come from."),
    ),
    "extends": (
        str | None,
        Field(
            None,
            description="Another file of the same kind (path relative to this one, or the name "
            "of a shipped world or policy) whose values this file starts from and overrides "
            "(deep merge).",
        ),
    ),
}
#: Keys that describe a file rather than set parameters.
METADATA_KEYS: tuple[str, ...] = tuple(_METADATA)

WorldFile: type[BaseModel] = create_model(
    "WorldFile",
    __config__=ConfigDict(extra="forbid", title="tipsim world (scenario) file"),
    __doc__="A world: the uncertainties a policy is tested against.",
    **_METADATA,
    timeline=(
        list[TimelineEntry],
        Field(
            default_factory=list,
            description="Dated changes to world fields, applied at the start of their week.",
        ),
    ),
    **{
        section: (
            Parameters.model_fields[section].annotation,
            Field(
                default_factory=Parameters.model_fields[section].default_factory,
                description=Parameters.model_fields[section].annotation.__doc__,
            ),
        )
        for section in WORLD_SECTIONS
    },
)

#: A custom strategy: the import path of a ``ScreeningStrategy`` subclass.
STRATEGY_PATH = r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$"


def _strategy(value: str) -> str:
    """A registry name (built in or installed), or ``package.module:ClassName``.

    A ``module:Class`` is checked from its source when the file is composed and loaded only when
    a run starts, if the user allowed code (``model.strategies.code``).
    """
    known = known_strategies()
    if value in known or re.match(STRATEGY_PATH, value):
        return value
    from scenarios.problems import closest

    hint = closest(value, known)
    did_you_mean = f"did you mean {hint!r}? " if hint else ""
    raise ValueError(
        f"unknown strategy {value!r}; {did_you_mean}give one of {', '.join(known)} or a "
        "custom strategy as package.module:ClassName (loaded only with --strategy-module or "
        "--allow-code)"
    )


StrategyName = Annotated[
    str,
    AfterValidator(_strategy),
    WithJsonSchema(
        {"anyOf": [{"enum": known_strategies()}, {"pattern": STRATEGY_PATH}], "type": "string"}
    ),
]

PolicyFile: type[BaseModel] = create_model(
    "PolicyFile",
    __config__=ConfigDict(extra="forbid", title="tipsim policy file"),
    __doc__="A policy: a screening strategy and the levers it sets.",
    **_METADATA,
    strategy=(
        StrategyName | None,
        Field(
            None,
            description="Registry name of the screening strategy (how encounters are handled): "
            + "; ".join(f"{name}: {cls.summary}" for name, cls in STRATEGIES.items())
            + "; or a custom strategy as package.module:ClassName (a subclass of "
            "model.strategies.ScreeningStrategy, loaded only if the user allows it on the command "
            "line with --strategy-module PATH or --allow-code)",
        ),
    ),
    screening=(
        ScreeningLevers,
        Field(
            default_factory=ScreeningLevers,
            description="Screening levers; those not given take the strategy's defaults, then "
            "the schema defaults.",
        ),
    ),
)

FILE_MODELS: dict[str, type[BaseModel]] = {WORLD: WorldFile, POLICY: PolicyFile}
#: Top-level keys of each kind of file.
FILE_KEYS: dict[str, tuple[str, ...]] = {
    kind: tuple(model.model_fields) for kind, model in FILE_MODELS.items()
}
