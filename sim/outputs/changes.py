"""What differs between two scenarios, in words: the report's "what changed", ``mentorsim diff`` and the dashboard.

A scenario file that ``extends`` another sets a few parameters; the rest it takes from the file it extends and
the schema's defaults. :func:`set_paths` finds the parameters a person set (in the top file and with ``--set``),
:func:`differences` lists the parameters whose values differ between two resolved scenarios (only among given
paths, or all), each with its path, its name in words and a short description from the schema.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sim.scenario.describe import parameter_index
from sim.scenario.loader import RECORD_KEYS, ScenarioError, read_document
from sim.scenario.paths import flatten, key_path, star_path

NOT_COMPARED = ("name", "description", "extends")  # always differ between runs; not a change of assumptions
NOT_SET = "(not set)"


def set_paths(top_file: str | Path, overrides: Sequence[str] = ()) -> list[str]:
    """The dotted paths a person set: the values written in ``top_file`` and the ``--set`` paths.

    Not what ``top_file`` takes from the files it extends; a parameter record counts as its path.
    :class:`ScenarioError` if the file cannot be read.
    """
    data, _ = read_document(Path(top_file))
    paths = [p for p in _leaves(data) if p.split(".")[0] not in NOT_COMPARED]
    paths += [text.split("=", 1)[0].strip() for text in overrides]
    return list(dict.fromkeys(paths))


def person_set_paths(files: Sequence[str | Path], overrides: Sequence[str] = ()) -> list[str] | None:
    """:func:`set_paths` of the first file, or None when there is no file or it cannot be read any more."""
    if not files:
        return None
    try:
        return set_paths(files[0], overrides)
    except (ScenarioError, OSError):
        return None


def differences(
    this: dict[str, Any], other: dict[str, Any], paths: Iterable[str] | None = None
) -> list[dict[str, str]]:
    """Parameters whose values differ between two resolved scenarios (``model_dump``/resolved YAML data).

    Only the leaves under ``paths`` when given (a path set as a whole list, e.g. ``funding.grants``, compares
    every leaf under it), else every leaf. Rows in the order of ``this``: ``path``, ``words`` (the path in
    words), ``meaning`` (the first sentence of the schema's description), ``other`` and ``this`` (values as text).
    """
    ours, theirs = flatten(this), flatten(other)
    leaves = list(dict.fromkeys([*ours, *theirs]))
    if paths is not None:
        chosen = list(paths)
        leaves = [leaf for leaf in leaves if any(leaf == p or leaf.startswith((p + ".", p + "[")) for p in chosen)]
    rows = []
    for leaf in leaves:
        if leaf.split(".")[0] in NOT_COMPARED or ours.get(leaf, NOT_SET) == theirs.get(leaf, NOT_SET):
            continue
        rows.append(
            {
                "path": leaf,
                "words": in_words(leaf),
                "meaning": meaning(leaf),
                "other": plain(theirs.get(leaf, NOT_SET)),
                "this": plain(ours.get(leaf, NOT_SET)),
            }
        )
    return rows


def in_words(path: str) -> str:
    """A parameter path for people: ``funding.grants.0.end`` -> ``Funding, grant 1: end``."""
    parts = list(key_path(path))
    words: list[str] = []
    for i, part in enumerate(parts):
        if isinstance(part, int):
            words[-1] = f"{_singular(str(parts[i - 1]))} {part + 1}".replace("_", " ")
        else:
            words.append(str(part).replace("_", " "))
    head, last = words[:-1], words[-1]
    text = ", ".join(head) + ": " + last if head else last
    return text[:1].upper() + text[1:]


def meaning(path: str) -> str:
    """The first sentence of the schema's description of a parameter (empty when it has none)."""
    row = parameter_index().get(star_path(key_path(path)))
    description = str(row["description"]) if row else ""
    first = description.split(". ")[0].rstrip(".")
    return first if len(first) <= 140 else first[:137].rstrip() + "..."


def plain(value: Any) -> str:
    """A parameter value as text: numbers without needless decimals, lists as ``a, b``."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() and abs(value) >= 1000 else f"{value:g}"
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10000 else str(value)
    if isinstance(value, list):
        return ", ".join(plain(v) for v in value)
    if value is None:
        return "none"
    return str(value)


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") else word


def _leaves(data: Any, prefix: str = "") -> list[str]:
    """Dotted paths of the values of a raw scenario file; a parameter record is one value."""
    if isinstance(data, dict) and not (data and set(data) <= RECORD_KEYS and "value" in data):
        found: list[str] = []
        for key, value in data.items():
            found += _leaves(value, f"{prefix}.{key}" if prefix else str(key))
        return found
    if isinstance(data, list) and data and all(isinstance(x, dict) for x in data):
        return [prefix]  # a list of sections is replaced as a whole by the file that writes it
    return [prefix]
