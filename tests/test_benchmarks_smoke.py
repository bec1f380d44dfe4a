"""benchmarks/run.py runs end to end (tiny sizes, a fresh process per measurement) and prints its table.

No timing assertions: performance is measured by ``make bench``, never in timed unit tests.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_benchmarks_quick_runs() -> None:
    args = ["--quick", "--sizes", "300", "--months", "3", "--replicates", "1"]
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    header = next(line for line in lines if "jobseekers" in line and "step s" in line)
    for column in (
        "build s (agents)",
        "build s (arrays)",
        "jobseeker-months/s",
        "peak RSS MiB",
        "x faster than twin",
        "x slower than bare NumPy",
    ):
        assert column in header
    assert any(line.strip().startswith("300") for line in lines), done.stdout
    assert "Targets:" in done.stdout
