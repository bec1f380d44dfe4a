"""sim.outputs.files: the one atomic write (a whole new file or the old one, never half of one), hashes, names."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.outputs.files import atomic_write, atomic_write_text, file_hash, partial_path, safe_name


def test_atomic_write_replaces_the_file_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "table.csv"
    target.write_text("old")
    seen = []

    def write(tmp: Path) -> None:
        seen.append(tmp)
        assert tmp.parent == target.parent and tmp.name.startswith(".table.csv.partial-")
        tmp.write_text("new")
        assert target.read_text() == "old"  # the reader still sees the old file

    assert atomic_write(target, write) == target
    assert target.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]
    assert not seen[0].exists()


def test_a_failed_write_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("old")

    def broken(tmp: Path) -> None:
        tmp.write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, broken)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_text_hash_and_names(tmp_path: Path) -> None:
    path = atomic_write_text(tmp_path / "a.txt", "héllo")
    assert path.read_text(encoding="utf-8") == "héllo"
    assert file_hash(path) == "3c48591d8d098a4538f5e013dfcf406e948eac4d3277b10bf614e295d6068179"  # sha256 of the bytes
    assert partial_path(tmp_path / "x") != partial_path(tmp_path / "x")  # never the same temporary name
    assert safe_name("base case / 2") == "base-case---2" and safe_name("..") == "scenario"
