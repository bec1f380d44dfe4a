"""Write the parameter tables of docs/odd.md from the records: the scenario schema and scenarios/base.yaml.

Each table sits between a ``<!-- odd:parameters GROUP -->`` line and the next ``<!-- odd:end -->``; this
script rewrites what is between them (the text around them is written by hand). A group is a section of
the scenario (``mentors``, ``programme.pairs`` ...); a parameter belongs to the longest group that is a
prefix of its path, and top-level fields with no group of their own to ``scenario``. Every parameter must
be in a table of the page, so that a new field cannot be left out.

Columns: the parameter (its path inside the group), its value in base (and the schema default when
base differs), unit, range (the record's ``range`` in base.yaml, else what the schema allows), source
(base.yaml's record when it gives one, else the schema's) and description.

Run from the repository root: ``python scripts/odd_tables.py`` rewrites the page (``make docs`` does it
before the build); ``--check`` exits with status 1 when the page is not current (``tests/test_odd.py``).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from sim.scenario.describe import allowed_text, describe_table, parameter_index
from sim.scenario.loader import load_scenario
from sim.scenario.paths import key_path, star_path
from sim.scenario.schema import parameter_records

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "odd.md"
BASE = ROOT / "scenarios" / "base.yaml"
BLOCK = re.compile(r"(<!-- odd:parameters (?P<group>[\w.\[\]*]+) -->\n)(?P<body>.*?)(<!-- odd:end -->)", re.S)
COLUMNS = ("parameter", "base (default)", "unit", "range", "source", "description")


def group_of(path: str, groups: list[str]) -> str:
    """The longest group that is a prefix of ``path``, else ``scenario``."""
    inside = [g for g in groups if path == g or path.startswith((g + ".", g + "["))]
    return max(inside, key=len) if inside else "scenario"


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|") or "-"


def tables(groups: list[str]) -> dict[str, str]:
    """The Markdown table of each group, from the schema and base.yaml's records."""
    base = load_scenario(BASE)
    ranges = {star_path(key_path(p)): r["range"] for p, r in parameter_records(base).items() if "range" in r}
    index = parameter_index()
    rows: dict[str, list[str]] = {g: [] for g in groups}
    for row in describe_table(base):
        path = row["path"]
        group = group_of(path, groups)
        if group not in rows:
            raise SystemExit(f"{path}: its group {group!r} has no table in {PAGE.name}")
        name = path if group == "scenario" else path[len(group) :].lstrip(".")
        value = row["value"] if row["value"] == row["default"] else f"{row['value']} ({row['default']})"
        low_high = ranges.get(path)
        allowed = f"{low_high[0]} to {low_high[1]}" if low_high else allowed_text(index[path])
        source = row["source"].replace("scenario: ", "base.yaml: ")
        cells = (f"`{name}`", value, row["unit"], allowed, source, row["description"])
        rows[group].append("| " + " | ".join(_cell(c) for c in cells) + " |")
    head = "| " + " | ".join(COLUMNS) + " |\n|" + "---|" * len(COLUMNS) + "\n"
    return {g: head + "\n".join(r) + "\n" for g, r in rows.items()}


def render(page: str) -> str:
    """``page`` with every generated table rewritten."""
    groups = [m.group("group") for m in BLOCK.finditer(page)]
    made = tables(groups)
    return BLOCK.sub(lambda m: m.group(1) + made[m.group("group")] + m.group(4), page)


def main(argv: list[str]) -> int:
    """Rewrite docs/odd.md, or with ``--check`` report whether it is current."""
    page = PAGE.read_text(encoding="utf-8")
    fresh = render(page)
    if "--check" in argv:
        if fresh != page:
            print(f"{PAGE.relative_to(ROOT)} is not current: run python scripts/odd_tables.py", file=sys.stderr)
            return 1
        return 0
    if fresh != page:
        PAGE.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
