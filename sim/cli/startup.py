"""What the command line says while it loads, before anything heavy is imported (standard library only).

Loading the simulator (numba, pandas, mesa, scipy) takes seconds; :func:`loading` writes a line on stderr
when it takes longer than :data:`DELAY` and clears it once loaded. It says nothing when stderr is not a
terminal (logs and pipes stay clean) or when quiet: ``--quiet``/``-q`` before the command, or the environment
variable ``MENTORSIM_QUIET`` set to anything but ``""`` or ``0``.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

DELAY = 1.0  # seconds before the line is shown (a fast start says nothing)
QUIET_ENV = "MENTORSIM_QUIET"
QUIET_FLAGS = ("--quiet", "-q")
MESSAGE = "mentorsim: loading the simulator (numba, pandas, mesa)..."


def quiet_requested(argv: list[str] | None = None) -> bool:
    """Whether progress messages are off: ``--quiet``/``-q`` before the command, or ``MENTORSIM_QUIET``."""
    args = sys.argv[1:] if argv is None else argv
    before_command = []
    for arg in args:
        if not arg.startswith("-"):
            break
        before_command.append(arg)
    return any(a in QUIET_FLAGS for a in before_command) or os.environ.get(QUIET_ENV, "") not in ("", "0")


@contextmanager
def loading(
    message: str = MESSAGE, stream: TextIO | None = None, delay: float = DELAY, force: bool = False
) -> Iterator[None]:
    """Show ``message`` on ``stream`` (stderr) if the block takes longer than ``delay`` seconds; clear it after.

    Only on a terminal and when not quiet, unless ``force``.
    """
    out = stream or sys.stderr
    if not force and (quiet_requested() or not out.isatty()):
        yield
        return
    lock = threading.Lock()
    shown = False

    def show() -> None:
        nonlocal shown
        with lock:
            out.write(message)
            out.flush()
            shown = True

    timer = threading.Timer(delay, show)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        with lock:
            if shown:
                out.write("\r\033[K")  # back to the line's start and clear it
                out.flush()
