"""The JSON Schema (draft 2020-12) of summary.json, derived from ``sim.results.summary``'s dataclasses.

Its rules are that module's: keys in field order, ``flat()`` parts at the top level, ``omitted()``
parts optional, every described object closed (``additionalProperties: false``).
``python -m sim.results.schema > sim/results/summary.schema.json`` writes the committed
file; tests/test_summary_schema.py checks that the two agree.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import types
import typing
from importlib import resources
from typing import Any

from sim.results.summary import Summary, hints

SCHEMA_FILE = "summary.schema.json"

_SCALARS = {int: {"type": "integer"}, float: {"type": "number"}, str: {"type": "string"},
            bool: {"type": "boolean"}, type(None): {"type": "null"}}


def _schema_of(hint, defs: dict) -> dict:
    if dataclasses.is_dataclass(hint):
        name = hint.__name__
        if name not in defs:
            defs[name] = {}  # placeholder: a part used twice is described once
            defs[name] = _object_schema(hint, defs)
        return {"$ref": f"#/$defs/{name}"}
    if hint is Any:
        return {}
    if hint in _SCALARS:
        return dict(_SCALARS[hint])
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        options = [_schema_of(a, defs) for a in args]
        if all(set(o) == {"type"} for o in options):
            return {"type": [o["type"] for o in options]}
        return {"anyOf": options}
    if origin is dict:
        if args[1] is Any:  # settings as the scenario's model writes them
            return {"type": "object"}
        return {"type": "object", "additionalProperties": _schema_of(args[1], defs)}
    if origin is list:
        return {"type": "array", "items": _schema_of(args[0], defs)}
    raise TypeError(f"no JSON Schema for {hint!r}")


def _properties(cls, defs: dict) -> tuple[dict, list[str]]:
    properties: dict = {}
    required: list[str] = []
    for f in dataclasses.fields(cls):
        hint = hints(cls)[f.name]
        if f.metadata.get("flat"):
            more, needed = _properties(hint, defs)
            properties.update(more)
            required += needed
            continue
        properties[f.name] = _schema_of(hint, defs)
        if not f.metadata.get("omit"):
            required.append(f.name)
    return properties, required


def _object_schema(cls, defs: dict) -> dict:
    properties, required = _properties(cls, defs)
    schema = {"type": "object"}
    doc = (cls.__doc__ or "").strip()
    if doc and not doc.startswith(f"{cls.__name__}("):  # dataclass's generated signature is no description
        schema["description"] = " ".join(doc.split())
    return {**schema, "properties": properties, "required": required, "additionalProperties": False}


def json_schema() -> dict:
    """The JSON Schema (draft 2020-12) of summary.json, from the dataclasses of ``sim.results.summary``."""
    defs: dict = {}
    top = _object_schema(Summary, defs)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "summary.json of a sim plan", **top, "$defs": dict(sorted(defs.items()))}


def schema_text() -> str:
    """The schema as committed in summary.schema.json."""
    return json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"


def committed_schema() -> dict:
    """The schema file shipped with the package."""
    return json.loads(resources.files("sim.results").joinpath(SCHEMA_FILE).read_text(encoding="utf-8"))


def main(argv: list[str] | None = None) -> int:
    """Print the schema: ``python -m sim.results.schema > sim/results/summary.schema.json``."""
    argv = sys.argv[1:] if argv is None else argv
    if argv:
        print("usage: python -m sim.results.schema > sim/results/summary.schema.json", file=sys.stderr)
        return 2
    sys.stdout.buffer.write(schema_text().encode("utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
