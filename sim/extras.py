"""The optional parts of mentorsim and the packages each needs: ``pip install 'mentorsim[NAME]'``.

The core (scenarios, the model, runs, their outputs, compare and sweep on local processes) needs none
of them. Each optional feature calls :func:`require` before it imports its packages, so a missing
package is one clear sentence instead of a traceback.
"""

from __future__ import annotations

import importlib.util

# extra -> (the feature, the modules it imports)
EXTRAS: dict[str, tuple[str, tuple[str, ...]]] = {
    "studies": ("global sensitivity, scenario discovery and calibration", ("SALib", "ema_workbench", "optuna")),
    "dask": ("running studies on Dask", ("dask", "distributed")),
    "dashboard": ("the dashboard", ("solara",)),
    "excel": ("exporting a run to Excel", ("openpyxl",)),
}


class MissingExtra(ImportError):
    """An optional feature was asked for and the packages of its extra are not installed."""


def missing(extra: str) -> list[str]:
    """The modules of ``extra`` that are not installed."""
    return [m for m in EXTRAS[extra][1] if not _installed(m)]


def _installed(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ImportError:  # a finder that refuses the module (or a broken install) counts as missing
        return False


def require(extra: str) -> None:
    """Raise :class:`MissingExtra` naming the ``pip install`` command if a module of ``extra`` is missing."""
    if absent := missing(extra):
        feature = EXTRAS[extra][0]
        raise MissingExtra(
            f"{feature.capitalize()} needs the optional packages {', '.join(absent)}: "
            f"pip install 'mentorsim[{extra}]' (or 'mentorsim[all]')"
        )
