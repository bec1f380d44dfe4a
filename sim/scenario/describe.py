"""Every parameter of the scenario schema: path, default, unit, source, description and constraints.

Rows are keyed by dotted path; items of a list of sections (sectors, shocks, grants) are
described once with a ``[*]`` path, e.g. ``funding.grants[*].end``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import cache
from types import NoneType, UnionType
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined, to_jsonable_python

from sim.scenario.paths import key_path, star_path, value_at
from sim.scenario.schema import Scenario, YearMonth, parameter_records

BOUNDS = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}
TABLE_COLUMNS = ("path", "default", "value", "unit", "allowed", "source", "description")


def describe_parameters() -> list[dict[str, Any]]:
    """One row per leaf field of :class:`Scenario`: where it is, its type, default, bounds and documentation.

    The keys: path, type, default, required, unit, source, description, constraints (``ge``/``gt``/``le``/``lt``
    bounds and ``allowed`` literal values).
    """
    return [dict(row) for row in parameter_rows()]


@cache
def parameter_rows() -> tuple[dict[str, Any], ...]:
    """The rows of :func:`describe_parameters`, computed once (do not mutate them)."""
    return tuple(_walk(Scenario, ""))


def parameter_index() -> dict[str, dict[str, Any]]:
    """The rows keyed by path."""
    return {row["path"]: row for row in parameter_rows()}


def section_keys(prefix: str) -> list[str]:
    """Keys allowed in the section at ``prefix`` (a :func:`star_path`; ``""`` for the top level), in schema order."""
    keys: dict[str, None] = {}
    for row in parameter_rows():
        if prefix and not row["path"].startswith(prefix + "."):
            continue
        rest = row["path"][len(prefix) + 1 :] if prefix else row["path"]
        keys[rest.split(".")[0].split("[")[0]] = None
    return list(keys)


def allowed_text(row: dict[str, Any]) -> str:
    """What a parameter accepts, e.g. ``integer, >= 1, <= 1200`` or ``one of: random, optimal``."""
    constraints = row["constraints"]
    if "allowed" in constraints:
        kind = "list of" if row["type"].startswith("list") else "one of"
        return f"{kind}: {', '.join(str(v) for v in constraints['allowed'])}"
    bounds = [f"{BOUNDS[k]} {v}" for k, v in constraints.items() if k in BOUNDS]
    return ", ".join([row["type"], *bounds])


def describe_table(scenario: Scenario | None = None) -> list[dict[str, str]]:
    """The parameters as rows of text, keyed by :data:`TABLE_COLUMNS`.

    ``default`` is the schema default; for the items of a list of sections it also shows the
    values in the default list (e.g. the six default sectors). With a scenario, ``value`` is its
    value (a list for ``[*]`` paths) and ``source`` is the source documented in the scenario
    file when it gave one (prefixed ``scenario:``); without one, ``value`` is empty.
    """
    records = parameter_records(scenario) if scenario is not None else {}
    data = scenario.model_dump(mode="json") if scenario is not None else None
    defaults = Scenario().model_dump(mode="json")
    return [_table_row(row, defaults, data, records) for row in parameter_rows()]


def _table_row(
    row: dict[str, Any], defaults: dict[str, Any], data: dict[str, Any] | None, records: dict[str, dict[str, Any]]
) -> dict[str, str]:
    path = row["path"]
    default = "(required)" if row["required"] else _text(row["default"])
    if "[*]" in path and (listed := value_at(defaults, path)):
        default += f" (default list: {_text(listed)})"
    documented = dict.fromkeys(r["source"] for p, r in records.items() if "source" in r and _matches(p, path))
    return {
        "path": path,
        "default": default,
        "value": "" if data is None else _text(value_at(data, path)),
        "unit": row["unit"],
        "allowed": allowed_text(row),
        "source": "; ".join(f"scenario: {s}" for s in documented) or row["source"],
        "description": row["description"],
    }


def _walk(model: type[BaseModel], prefix: str) -> Iterator[dict[str, Any]]:
    for name, field in model.model_fields.items():
        path = prefix + name
        section, is_list = _section_of(field.annotation)
        if section is not None:
            yield from _walk(section, path + ("[*]." if is_list else "."))
        else:
            yield _row(path, field)


def _section_of(annotation: Any) -> tuple[type[BaseModel] | None, bool]:
    """The section model of a field (and whether it is a list of them), or ``(None, False)`` for a leaf."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, False
    args = get_args(annotation)
    if get_origin(annotation) is list and isinstance(args[0], type) and issubclass(args[0], BaseModel):
        return args[0], True
    return None, False


def _row(path: str, field: FieldInfo) -> dict[str, Any]:
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    default = field.get_default(call_default_factory=True)
    constraints = {k: getattr(m, k) for m in field.metadata for k in BOUNDS if getattr(m, k, None) is not None}
    choices = _literal_values(field.annotation)
    if choices:
        constraints["allowed"] = choices
    return {
        "path": path,
        "type": _type_text(field.annotation, field.metadata),
        "default": None if default is PydanticUndefined else to_jsonable_python(default),
        "required": default is PydanticUndefined,
        "unit": extra.get("unit", ""),
        "source": extra.get("source", ""),
        "description": field.description or "",
        "constraints": constraints,
    }


def _literal_values(annotation: Any) -> list[Any]:
    """Allowed values of a ``Literal`` or ``list[Literal]`` annotation (else empty)."""
    if get_origin(annotation) is list:
        annotation = get_args(annotation)[0]
    return list(get_args(annotation)) if get_origin(annotation) is Literal else []


def _type_text(annotation: Any, metadata: Sequence[Any] = ()) -> str:
    """A short human name of a type: ``integer``, ``month YYYY-MM or null``, ``list of choice``..."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _type_text(args[0], annotation.__metadata__)
    if origin in (Union, UnionType):
        return " or ".join("null" if a is NoneType else _type_text(a) for a in args)
    if origin is Literal:
        return "choice"
    if origin is list:
        return f"list of {_type_text(args[0])}"
    if origin is dict:
        return f"mapping of {_type_text(args[0])} to {_type_text(args[1])}"
    if annotation is str and any(m in get_args(YearMonth)[1:] for m in metadata):
        return "month YYYY-MM"
    names = {bool: "true or false", int: "integer", float: "number", str: "text"}
    return names.get(annotation, getattr(annotation, "__name__", str(annotation)))


def _matches(record_path: str, row_path: str) -> bool:
    """Whether a record's dotted path (``funding.grants.0.end``) is an instance of a row path."""
    return star_path(key_path(record_path)) == row_path


def _text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_text(v)}" for k, v in value.items()) + "}"
    return str(value)
