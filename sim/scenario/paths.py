"""Values at dotted paths: the one way every layer reads ``sectors.2.mentor_share`` or ``funding.grants.0.amount_eur``.

A path is written with dots; a list item is named by its number (``sectors.2``, as for ``--set``, or
``sectors[2]``), and ``[*]`` stands for every item of a list (``funding.grants[*].end``, as in the
parameter table of ``mentorsim describe``). The same path reads plain data (mappings and lists, e.g. a
resolved scenario read from YAML) and objects with attributes (a :class:`~sim.scenario.schema.Scenario`).

- :func:`key_path` parses a path into a :data:`KeyPath` (list numbers as ints, :data:`EVERY` for ``[*]``);
  :func:`dotted` and :func:`star_path` write one back;
- :func:`value_at` reads the value at a path (``None``, or the default, when there is none; a list for ``[*]``);
  :func:`has_path` says whether there is one;
- :func:`flatten` lists every leaf of nested data by its dotted path.

This module imports nothing of ``sim``: every layer may use it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Final

KeyPath = tuple[str | int, ...]
EVERY: Final = "[*]"  # the part of a KeyPath that maps over the items of a list
_ITEM = re.compile(r"\[(\d+|\*)\]")
_MISSING = object()


def key_path(path: str | KeyPath) -> KeyPath:
    """A dotted path as a tuple of keys, list indices and :data:`EVERY`; a tuple is returned as it is.

    ``"funding.grants.0.end"`` -> ``("funding", "grants", 0, "end")``; ``"a[*].b"`` -> ``("a", EVERY, "b")``;
    ``"sectors[2].mentor_share"`` -> ``("sectors", 2, "mentor_share")``.
    """
    if isinstance(path, tuple):
        return path
    parts: list[str | int] = []
    for text in path.split("."):
        name = _ITEM.split(text, maxsplit=1)[0]
        if name or not text.startswith("["):
            parts.append(int(name) if name.isdigit() else name)
        parts += [EVERY if item == "*" else int(item) for item in _ITEM.findall(text)]
    return tuple(parts)


def dotted(path: Sequence[str | int]) -> str:
    """A key path written with dots: ``("funding", "grants", 0, "end")`` -> ``funding.grants.0.end``."""
    return ".".join(str(p) for p in path)


def star_path(parts: Sequence[str | int]) -> str:
    """Dotted path of a location, with list items written ``[*]`` (the rows of ``mentorsim describe``).

    ``("funding", "grants", 0, "end")`` gives ``funding.grants[*].end``.
    """
    text = ""
    for part in parts:
        text += "[*]" if isinstance(part, int) or part == EVERY else f".{part}" if text else str(part)
    return text


def value_at(data: Any, path: str | KeyPath, default: Any = None) -> Any:
    """The value at ``path`` in nested mappings, lists and objects with attributes, or ``default`` if there is none.

    ``[*]`` maps the rest of the path over the items of a list (an empty list where there is no list).
    """
    parts = key_path(path)
    for depth, part in enumerate(parts):
        if part == EVERY:
            rest = parts[depth + 1 :]
            return [value_at(item, rest, default) for item in data] if isinstance(data, list) else []
        data = _step(data, part)
        if data is _MISSING:
            return default
    return data


def has_path(data: Any, path: str | KeyPath) -> bool:
    """Whether ``path`` leads to a value (``None`` counts as a value)."""
    for part in key_path(path):
        data = _step(data, part)
        if data is _MISSING:
            return False
    return True


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted paths to leaf values; lists of mappings are entered (items by number), other lists are leaves."""
    if isinstance(data, dict):
        items: Any = data.items()
    elif isinstance(data, list) and data and all(isinstance(x, dict) for x in data):
        items = enumerate(data)
    else:
        return {prefix: data}
    flat: dict[str, Any] = {}
    for key, value in items:
        flat |= flatten(value, f"{prefix}.{key}" if prefix else str(key))
    return flat


def _step(data: Any, part: str | int) -> Any:
    """One step down: a key of a mapping (a number also as text), an item of a list, or an attribute."""
    if isinstance(data, dict):
        if part in data:
            return data[part]
        return data.get(str(part), _MISSING) if isinstance(part, int) else _MISSING
    if isinstance(data, list | tuple):
        return data[part] if isinstance(part, int) and 0 <= part < len(data) else _MISSING
    if isinstance(part, str) and part and not isinstance(data, str | int | float | bool | type(None)):
        return getattr(data, part, _MISSING)
    return _MISSING
