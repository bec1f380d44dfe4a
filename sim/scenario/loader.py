"""Load scenario YAML files into a validated :class:`~sim.scenario.schema.Scenario`.

Steps: read the file safely, resolve ``extends`` (recursively, relative to the extending file;
mappings are deep-merged, lists replaced), apply ``--set PATH=VALUE`` overrides, unwrap parameter
records (``{value, unit, source, range, description}``), validate. Every bad input raises
:class:`ScenarioError`, whose text names the file, line, field path, the value given and what is allowed.

A plain value written over a record (by an extending file or ``--set``) replaces only the
record's ``value``: the documented unit, source and range still apply.

The YAML reader is bounded so that no file can exhaust the machine or end in a traceback: nesting at most
:data:`MAX_DEPTH` levels, at most :data:`MAX_VALUES` values once YAML aliases are expanded, no control
characters, and a tagged value its tag cannot make (``!!int abc``) is a located error. ``extends`` may name
a file in the folder tree of the scenario given, of the working folder, or of a folder listed in the
environment variable :data:`EXTENDS_PATH_ENV`; no other file is read (nor echoed in an error).
"""

from __future__ import annotations

import copy
import difflib
import hashlib
import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.scenario.describe import allowed_text, parameter_index, section_keys
from sim.scenario.paths import KeyPath, dotted, has_path, key_path, star_path, value_at
from sim.scenario.schema import Scenario

RECORD_KEYS = frozenset({"value", "unit", "source", "range", "description"})
MAX_PROBLEMS = 10
MAX_SHOWN = 120
MAX_DEPTH = 40  # nesting levels of a YAML file or --set value (a scenario needs six)
MAX_VALUES = 100_000  # values of one file or --set value with its YAML aliases expanded (base.yaml: ~300)
EXTENDS_PATH_ENV = "MENTORSIM_EXTENDS_PATH"  # more folders extends may reach, separated by os.pathsep
# what YAML does not allow in a text (PyYAML's reader): control characters other than tab and line breaks
_NOT_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Origin:
    """Where a value was written: a file and line, or a ``--set`` option."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}, line {self.line}" if self.line else self.file


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario."""

    origin: Origin
    path: str
    message: str
    given: str | None = None
    allowed: str | None = None

    def __str__(self) -> str:
        lines = [f"{self.origin}: {self.path}" if self.path else str(self.origin), f"    {self.message}"]
        if self.given is not None:
            lines.append(f"    given:   {self.given}")
        if self.allowed:
            lines.append(f"    allowed: {self.allowed}")
        return "\n".join(lines)


class ScenarioError(Exception):
    """A scenario file, its extends chain or a ``--set`` override is invalid; ``str()`` explains where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(problems)

    def __str__(self) -> str:
        count = len(self.problems)
        head = f"Invalid scenario: {count} problem{'s' * (count != 1)}"
        shown = [str(p) for p in self.problems[:MAX_PROBLEMS]]
        if count > MAX_PROBLEMS:
            shown.append(f"... and {count - MAX_PROBLEMS} more")
        return "\n\n".join([head, *shown])


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader with a bounded nesting depth; a tagged value its tag cannot make is a YAML error."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        """Compose one node, refusing to nest deeper than :data:`MAX_DEPTH`."""
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise yaml.composer.ComposerError(None, None, f"nested deeper than {MAX_DEPTH} levels", mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Construct one value; a tag applied to text it cannot read (``!!int abc``) raises a located YAML error."""
        try:
            return super().construct_object(node, deep)
        except yaml.YAMLError:
            raise
        except (ValueError, KeyError, AttributeError, TypeError, OverflowError):
            tag = node.tag.rsplit(":", 1)[-1]
            given = repr(node.value) if isinstance(node, yaml.ScalarNode) else "this value"
            raise yaml.constructor.ConstructorError(
                None, None, f"{given} cannot be read as !!{tag}", node.start_mark
            ) from None


def _expanded_size(node: yaml.Node, sizes: dict[int, int] | None = None) -> int:
    """How many values ``node`` holds with its aliases expanded (shared nodes counted at every use).

    An alias inside the value it names (``&a [*a]``) never ends: it counts as more than :data:`MAX_VALUES`.
    """
    sizes = {} if sizes is None else sizes
    if id(node) in sizes:
        return sizes[id(node)]
    sizes[id(node)] = MAX_VALUES + 1  # while counting it: met again inside itself, it is a cycle
    size = 1
    if isinstance(node, yaml.MappingNode):
        size += sum(_expanded_size(k, sizes) + _expanded_size(v, sizes) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        size += sum(_expanded_size(item, sizes) for item in node.value)
    sizes[id(node)] = min(size, MAX_VALUES + 1)
    return sizes[id(node)]


def _too_large(node: yaml.Node) -> str | None:
    """Why a document is refused for its size (aliases expanded), or ``None``."""
    if _expanded_size(node) > MAX_VALUES:
        return (
            f"more than {MAX_VALUES:,} values once its YAML aliases (*name) are expanded, or an alias inside "
            "the value it names; a scenario holds a few hundred"
        )
    return None


def load_scenario(path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Read, resolve and validate a scenario file; ``overrides`` are ``a.b.c=VALUE`` strings (VALUE is YAML).

    Raises :class:`ScenarioError` for every bad input.
    """
    path = Path(path)
    data, origins, files = _load_chain(path, ())
    origins = {p: o for p, o in origins.items() if has_path(data, p)}
    for text in overrides:
        _apply_override(data, origins, text)
    data, records, problems = _unwrap_records(data, origins)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as err:
        problems += [_validation_problem(e, data, origins) for e in err.errors()]
    if problems:
        raise ScenarioError(sorted(problems, key=lambda p: (p.origin.file, p.origin.line or 0)))
    scenario._records = records
    scenario._files = [str(f) for f in files]
    scenario._origins = origins
    return scenario


def located(
    scenario: Scenario, path: str, message: str, given: str | None = None, allowed: str | None = None
) -> Problem:
    """A :class:`Problem` at the dotted ``path`` of a loaded scenario, for checks that run after loading.

    The path is written as for ``--set`` (``targets.2.outcome``); the problem is placed at the file and line
    where that value (or its nearest parent) was written.
    """
    return Problem(origin_at(key_path(path), scenario._origins), path, message, given, allowed)


def scenario_files(scenario: Scenario) -> list[Path]:
    """The loaded file first, then the file it extends, and so on (empty if not loaded from a file)."""
    return [Path(f) for f in scenario._files]


def scenario_path(scenario: Scenario) -> Path | None:
    """The file the scenario was loaded from."""
    return Path(scenario._files[0]) if scenario._files else None


def resolved_yaml(scenario: Scenario) -> str:
    """The validated scenario as YAML, keys in schema order, without ``extends``."""
    return yaml.safe_dump(_resolved(scenario), sort_keys=False, allow_unicode=True)


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 (hex) of the canonical JSON of the resolved scenario: equal for files that resolve alike."""
    text = json.dumps(_resolved(scenario), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _resolved(scenario: Scenario) -> dict[str, Any]:
    return scenario.model_dump(mode="json", exclude={"extends"})


# --- reading files ---------------------------------------------------------------------------


def _load_chain(path: Path, chain: tuple[Path, ...]) -> tuple[dict[str, Any], dict[KeyPath, Origin], list[Path]]:
    """Data, origins and files of a scenario file merged over the files it extends."""
    data, origins = read_document(path)
    if data.get("extends") is None:
        return data, origins, [path]
    origin = origins.get(("extends",), origins[()])
    base = _extends_target(data["extends"], origin, (*chain, path))
    try:
        base_data, base_origins, base_files = _load_chain(base, (*chain, path))
    except ScenarioError as err:  # a file reached through extends: its lines are not echoed (it may be any text)
        raise ScenarioError([_unechoed(p, base) for p in err.problems]) from None
    return _merge(base_data, data), {**base_origins, **origins}, [path, *base_files]


def _unechoed(problem: Problem, file: Path) -> Problem:
    """``problem`` without the text it quotes when it is about the whole of ``file`` (its syntax or its top level)."""
    if problem.origin.file != str(file) or problem.path:
        return problem
    return Problem(problem.origin, problem.path, problem.message, None, problem.allowed)


def _extends_target(target: Any, origin: Origin, chain: tuple[Path, ...]) -> Path:
    """The file named by ``extends`` in ``chain[-1]``: checked to exist, to lie where extends may reach, not to cycle."""
    allowed = "the path of another scenario file, relative to the extending file"
    if not isinstance(target, str) or not target.strip():
        raise ScenarioError([Problem(origin, "extends", "extends must be a file name", show_value(target), allowed)])
    if "\0" in target or _NOT_PRINTABLE.search(target):
        message = "extends must be a file name without control characters"
        raise ScenarioError([Problem(origin, "extends", message, show_value(target), allowed)])
    base = chain[-1].parent / target
    try:
        resolved = base.resolve()
        if resolved in {p.resolve() for p in chain}:
            cycle = " -> ".join(str(p) for p in (*chain, base))
            raise ScenarioError(
                [Problem(origin, "extends", f"extends makes a cycle: {cycle}", show_value(target), allowed)]
            )
        roots = _extends_roots(chain[0])
        if not any(resolved.is_relative_to(root) for root in roots):
            message = (
                f"extends names a file outside the folders it may read (the folder of {chain[0]}, the one above "
                "it and the working folder); "
                f"to allow it, add its folder to the environment variable {EXTENDS_PATH_ENV}"
            )
            raise ScenarioError([Problem(origin, "extends", message, show_value(target), allowed)])
        exists = base.is_file()
    except OSError as err:
        message = f"extends cannot be read as a file name: {err.strerror or err}"
        raise ScenarioError([Problem(origin, "extends", message, show_value(target), allowed)]) from None
    if not exists:
        message = f"the extended file {base} does not exist"
        raise ScenarioError([Problem(origin, "extends", message, show_value(target), allowed)])
    return base


def _extends_roots(top: Path) -> list[Path]:
    """The folders whose trees extends may reach from the scenario file ``top``.

    The folder of ``top`` and the one above it (``../base.yaml``), and the working folder, but neither the
    file system's root nor the home folder as a whole; and every folder listed in :data:`EXTENDS_PATH_ENV`.
    """
    folder = top.resolve().parent
    too_wide = {Path(folder.anchor), Path.home().resolve()}
    near = [p for p in (folder, folder.parent, Path.cwd().resolve()) if p not in too_wide]
    extra = [Path(p).resolve() for p in os.environ.get(EXTENDS_PATH_ENV, "").split(os.pathsep) if p.strip()]
    return [folder, *near, *extra]


def read_document(path: Path) -> tuple[dict[str, Any], dict[KeyPath, Origin]]:
    """The top-level mapping of one YAML file and the line of every key in it.

    Parsed once per file version (path, size, modification time) and copied on every call: a
    sensitivity study loads the same base scenario thousands of times, and parsing is most of it.
    """
    try:
        stat = path.stat()
    except OSError:
        return _parse_document(path)  # reports the missing or unreadable file
    data, origins = _parsed(str(path), str(path.resolve()), stat.st_size, stat.st_mtime_ns)
    return copy.deepcopy(data), dict(origins)


@lru_cache(maxsize=64)
def _parsed(path: str, resolved: str, size: int, mtime_ns: int) -> tuple[dict[str, Any], dict[KeyPath, Origin]]:
    """:func:`_parse_document` of ``path`` (as given: errors name it so), cached by file version."""
    return _parse_document(Path(path))


def _parse_document(path: Path) -> tuple[dict[str, Any], dict[KeyPath, Origin]]:
    """Parse one YAML file: its top-level mapping and the line of every key in it."""
    text = _read_text(path)
    loader = _BoundedLoader(text)
    origins: dict[KeyPath, Origin] = {}
    try:
        node = loader.get_single_node()
        if node is not None and (reason := _too_large(node)):
            raise ScenarioError([Problem(Origin(str(path), 1), "", f"the file holds {reason}")])
        origins = _node_origins(node, str(path), ()) if node is not None else {}
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as err:
        raise ScenarioError([_syntax_problem(path, text, err, origins)]) from None
    except yaml.YAMLError as err:
        raise ScenarioError([Problem(Origin(str(path)), "", f"not valid YAML: {_yaml_reason(err)}")]) from None
    finally:
        loader.dispose()
    allowed = "a mapping of scenario keys: " + ", ".join(section_keys(""))
    if data is None:
        raise ScenarioError([Problem(Origin(str(path), 1), "", "the file is empty", None, allowed)])
    if not isinstance(data, dict):
        message = f"the top level is {_kind(data)}, not a mapping of keys"
        raise ScenarioError([Problem(origins[()], "", message, show_value(data), allowed)])
    return data, origins


def _read_text(path: Path) -> str:
    origin = Origin(str(path))
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(
            [Problem(origin, "", "scenario file not found", str(path), "an existing YAML file")]
        ) from None
    except OSError as err:
        raise ScenarioError([Problem(origin, "", f"cannot read the file: {err.strerror}", str(path))]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw.count(b"\n", 0, err.start) + 1
        message = "not a text file (bytes that are not UTF-8); a scenario is a YAML text file"
        raise ScenarioError([Problem(Origin(str(path), line), "", message)]) from None
    if found := _NOT_PRINTABLE.search(text):
        line = text.count("\n", 0, found.start()) + 1
        column = found.start() - (text.rfind("\n", 0, found.start()) + 1) + 1
        message = f"a control character (U+{ord(found.group()):04X}) in column {column}; YAML does not allow it"
        allowed = "text: letters, digits, punctuation, spaces, tabs and line breaks"
        raise ScenarioError([Problem(Origin(str(path), line), "", message, None, allowed)])
    return text


def _syntax_problem(
    path: Path, text: str, err: yaml.MarkedYAMLError, origins: dict[KeyPath, Origin] | None = None
) -> Problem:
    """A YAML error at its line; for a value its tag cannot read, also the key it was written under."""
    mark = err.problem_mark or err.context_mark
    line = mark.line + 1 if mark else None
    given = text.splitlines()[line - 1].strip() if line and line <= len(text.splitlines()) else None
    if given and len(given) > MAX_SHOWN:
        given = given[: MAX_SHOWN - 3] + "..."
    allowed = "YAML: 'key: value' lines, nested by indentation"
    where = ""
    if isinstance(err, yaml.constructor.ConstructorError):
        allowed = "a value without a tag (months: 12), or one its tag can read (!!int 12)"
        written = [p for p, o in (origins or {}).items() if o.line == line and p]
        where = dotted(max(written, key=len)) if written else ""
    return Problem(Origin(str(path), line), where, f"not valid YAML: {_yaml_reason(err)}", given, allowed)


def _yaml_reason(err: yaml.YAMLError) -> str:
    """The reason of a YAML error without PyYAML's multi-line position display."""
    if isinstance(err, yaml.MarkedYAMLError):
        return ", ".join(str(p) for p in (err.context, err.problem) if p)
    return str(err)


def _node_origins(node: yaml.Node, file: str, prefix: KeyPath) -> dict[KeyPath, Origin]:
    """The line of every key and list item under ``node``; a key written twice in a mapping is an error."""
    found = {prefix: Origin(file, node.start_mark.line + 1)}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            path = (*prefix, str(key_node.value))
            line = key_node.start_mark.line + 1
            if path in found:
                message = f"the key {path[-1]!r} is written twice in this mapping (first on line {found[path].line})"
                raise ScenarioError([Problem(Origin(file, line), dotted(path), message, None, "each key once")])
            found.update(_node_origins(value_node, file, path))
            found[path] = Origin(file, line)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found.update(_node_origins(item, file, (*prefix, index)))
    return found


# --- merging, overrides, records ----------------------------------------------------------------


def _is_record(value: Any) -> bool:
    return isinstance(value, dict) and "value" in value and set(value) <= RECORD_KEYS


def _merge(base: Any, override: Any) -> Any:
    """``override`` over ``base``: mappings deep-merged, lists and values replaced.

    A plain value over a record replaces the record's value.
    """
    if _is_record(base):
        return {**base, **override} if _is_record(override) else {**base, "value": override}
    if isinstance(base, dict) and isinstance(override, dict) and not _is_record(override):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = _merge(base[key], value) if key in base else value
        return merged
    return override


def _apply_override(data: dict[str, Any], origins: dict[KeyPath, Origin], text: str) -> None:
    """Apply one ``a.b.c=VALUE`` override to the raw data and record its origin."""
    origin = Origin(f"--set {text}")
    path, value = _parse_override(text, origin)
    container: Any = data
    for depth, part in enumerate(path[:-1], 1):
        container = _unrecord(container)
        key = _key(container, part, path[:depth], origin)
        if isinstance(container, dict) and key not in container:
            container[key] = _default_at(path[:depth])
            origins[path[:depth]] = origin
        container = container[key]
    container = _unrecord(container)
    key = _key(container, path[-1], path, origin)
    kept_record = has_path(container, (key,)) and _is_record(container[key]) and not _is_record(value)
    container[key] = _merge(container[key], value) if has_path(container, (key,)) else value
    for stale in [p for p in origins if p[: len(path)] == path]:
        if not (kept_record and len(stale) == len(path) + 1 and stale[-1] in RECORD_KEYS - {"value"}):
            del origins[stale]  # a plain value over a record keeps the record's range, unit and source
    origins[path] = origin


def _parse_override(text: str, origin: Origin) -> tuple[KeyPath, Any]:
    """The path (list indices as ints) and the YAML value of ``a.b.c=VALUE``."""
    dotted, equals, value_text = text.partition("=")
    dotted = dotted.strip()
    path = key_path(dotted)
    if not equals or "" in path:
        allowed = (
            "PATH=VALUE with a dotted PATH, e.g. programme.matching.strategy=random or funding.grants.0.end=2020-12"
        )
        raise ScenarioError([Problem(origin, dotted, "an override must be written PATH=VALUE", text, allowed)])
    if path[0] == "extends":
        message = "extends cannot be overridden: it is resolved before the overrides"
        raise ScenarioError([Problem(origin, dotted, message, value_text, "any parameter path except extends")])
    try:
        loader = _BoundedLoader(value_text)  # reads the text: a control character is an error here
    except yaml.YAMLError as err:
        message = f"the value is not valid YAML: {_yaml_reason(err)}"
        raise ScenarioError([Problem(origin, dotted, message, show_value(value_text))]) from None
    try:
        node = loader.get_single_node()
        if node is not None and (reason := _too_large(node)):
            raise ScenarioError([Problem(origin, dotted, f"the value holds {reason}", None)])
        return path, loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as err:
        message = f"the value is not valid YAML: {_yaml_reason(err)}"
        shown = value_text if len(value_text) <= MAX_SHOWN else value_text[: MAX_SHOWN - 3] + "..."
        raise ScenarioError([Problem(origin, dotted, message, shown)]) from None
    finally:
        loader.dispose()


def _unrecord(value: Any) -> Any:
    return value["value"] if _is_record(value) else value


def _key(container: Any, part: str | int, path: KeyPath, origin: Origin) -> str | int:
    """The key or index of ``path[-1]`` in ``container``, or a :class:`ScenarioError`."""
    if isinstance(container, dict):
        return str(part)
    where = dotted(path[:-1])
    if isinstance(container, list):
        if isinstance(part, int) and part < len(container):
            return part
        message = f"{where} is a list of {len(container)} item(s); {part!r} is not one of its item numbers"
        allowed = (
            f"an item number from 0 to {len(container) - 1}" if container else "no item number (the list is empty)"
        )
        raise ScenarioError([Problem(origin, dotted(path), message, str(part), allowed)])
    message = f"{where} is a single value, it has no {part!r} inside"
    raise ScenarioError(
        [Problem(origin, dotted(path), message, show_value(container), "a path that ends at a parameter")]
    )


@cache
def _defaults() -> dict[str, Any]:
    return Scenario().model_dump(mode="json")


def _default_at(path: KeyPath) -> Any:
    """A copy of the default section, list or mapping at ``path`` (an empty mapping if there is none)."""
    value = value_at(_defaults(), path)
    return copy.deepcopy(value) if isinstance(value, dict | list) else {}


def _unwrap_records(
    data: dict[str, Any], origins: dict[KeyPath, Origin]
) -> tuple[dict[str, Any], dict[str, dict[str, Any]], list[Problem]]:
    """Replace every record by its value; return the data, the records by dotted path and range problems."""
    records: dict[str, dict[str, Any]] = {}
    problems: list[Problem] = []

    def unwrap(value: Any, path: KeyPath) -> Any:
        if _is_record(value):
            records[dotted(path)] = dict(value)
            if problem := _range_problem(value, path, origins):
                problems.append(problem)
            return value["value"]
        if isinstance(value, dict):
            return {k: unwrap(v, (*path, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [unwrap(v, (*path, i)) for i, v in enumerate(value)]
        return value

    return unwrap(data, ()), records, problems


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _range_problem(record: dict[str, Any], path: KeyPath, origins: dict[KeyPath, Origin]) -> Problem | None:
    """A problem if the record's ``range`` is malformed or its value lies outside it."""
    if "range" not in record:
        return None
    low_high, value = record["range"], record["value"]
    origin = origin_at(path, origins)
    if not (isinstance(low_high, list) and len(low_high) == 2 and all(map(_is_number, low_high))):
        return Problem(
            origin, dotted(path), "the range of a record must be two numbers", show_value(low_high), "[low, high]"
        )
    low, high = low_high
    if low > high:
        return Problem(
            origin,
            dotted(path),
            "the range of a record is reversed",
            show_value(low_high),
            "[low, high] with low <= high",
        )
    if not _is_number(value) or not low <= value <= high:
        where = origins.get((*path, "range"))
        message = "the value is outside the range documented in its record" + (
            f" (the range is written in {where})" if where else ""
        )
        name = dotted(path)
        widen = (
            f"; to widen it, change that range, or give a range with the value: "
            f"--set '{name}={{value: {show_value(value)}, range: [{low}, HIGH]}}'"
        )
        return Problem(origin, name, message + widen, show_value(value), f"a number from {low} to {high}")
    return None


# --- validation errors ---------------------------------------------------------------------------


def _validation_problem(error: Any, data: dict[str, Any], origins: dict[KeyPath, Origin]) -> Problem:
    """A located, explained :class:`Problem` from one pydantic error."""
    loc: KeyPath = tuple(error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    path = _mentioned_path(loc, message)
    given = None if error["type"] == "missing" else show_value(value_at(data, path) if path != loc else error["input"])
    if error["type"] == "extra_forbidden":
        keys = section_keys(star_path(loc[:-1]))
        close = _did_you_mean(str(loc[-1]), star_path(loc[:-1]))
        message = f"unknown key {loc[-1]!r}" + (f"; did you mean {' or '.join(map(repr, close))}?" if close else "")
        return Problem(origin_at(loc, origins), dotted(loc), message, given, "one of the keys " + ", ".join(keys))
    return Problem(origin_at(path, origins), dotted(path), message, given, _allowed(path, error["type"]))


def _did_you_mean(key: str, level: str) -> list[str]:
    """Keys of the section at ``level`` close to ``key``; for ``follow_up_intensty`` also ``follow_up.intensity``."""
    keys = section_keys(level)
    close = difflib.get_close_matches(key, keys, n=3)
    for section in keys:
        inner = section_keys(f"{level}.{section}" if level else section)
        if key.startswith(section + "_") and inner:
            close += [f"{section}.{k}" for k in difflib.get_close_matches(key[len(section) + 1 :], inner, n=1)]
    return close


def _mentioned_path(loc: KeyPath, message: str) -> KeyPath:
    """A deeper path named in a section-level message (``population.initial_status must add up to 1``), else ``loc``."""
    for token in re.findall(r"[a-z_]+(?:\[\*\])?(?:\.[a-z_]+)+", message):
        parts = tuple(token.split("[*]")[0].split("."))
        if len(parts) > len(loc) and parts[: len(loc)] == loc and parts[len(loc)] in section_keys(star_path(loc)):
            return parts
    return loc


def _allowed(path: KeyPath, error_type: str) -> str | None:
    """What the schema accepts at ``path``: the parameter's type and bounds, or the keys of a section."""
    index = parameter_index()
    for depth in range(len(path), 0, -1):
        if (row := index.get(star_path(path[:depth]))) is not None:
            return allowed_text(row)
    if not error_type.endswith("_type"):
        return None  # a section-level check: the message says what is wrong
    if keys := section_keys(star_path(path)):
        return "a mapping with the keys " + ", ".join(keys)
    if keys := section_keys(star_path(path) + "[*]"):
        return "a list of mappings with the keys " + ", ".join(keys)
    return None


def origin_at(path: KeyPath, origins: dict[KeyPath, Origin]) -> Origin:
    """Where ``path`` (or its nearest written parent) was written."""
    for depth in range(len(path), -1, -1):
        if path[:depth] in origins:
            return origins[path[:depth]]
    return Origin("(scenario)")


def _kind(value: Any) -> str:
    names = {dict: "a mapping", list: "a list", str: "text", bool: "a boolean", int: "a number", float: "a number"}
    return names.get(type(value), type(value).__name__)


def show_value(value: Any) -> str:
    """A value as one short line of JSON."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= MAX_SHOWN else text[: MAX_SHOWN - 3] + "..."
