"""JSON Schemas of world and policy files, for editors (yaml-language-server) and tools.

The schemas are generated from the same pydantic models that validate the files
(:mod:`scenarios.files`), so completion and checking in an editor match ``tipsim validate``.
The committed copies live in ``scenarios/schema/``; shipped YAML files point at them with a
``# yaml-language-server: $schema=...`` first line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scenarios.files import FILE_MODELS, POLICY, WORLD

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
DIALECT = "https://json-schema.org/draft/2020-12/schema"
FILE_NAMES = {WORLD: "world.schema.json", POLICY: "policy.schema.json"}


def file_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema of a ``"world"`` or ``"policy"`` file."""
    schema = FILE_MODELS[kind].model_json_schema()
    return {"$schema": DIALECT, **schema}


def schema_text(kind: str) -> str:
    """The schema as the JSON text written to disk."""
    return json.dumps(file_schema(kind), indent=2, ensure_ascii=False) + "\n"


def write_schemas(folder: Path = SCHEMA_DIR) -> list[Path]:
    """Write both schemas into ``folder``; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, name in FILE_NAMES.items():
        path = folder / name
        path.write_text(schema_text(kind), encoding="utf-8")
        written.append(path)
    return written
