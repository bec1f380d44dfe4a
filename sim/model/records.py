"""Named records for the numba kernels: parameters and stream keys passed by field name, not position.

A kernel receives its parameters as a NumPy structured array holding one record, takes the record
(``p = params[0]``, a numba ``Record``) and reads it by name (``p.job_loss_rate``). A one-element
array (or a one-record slice of a table) rather than an ``np.void`` scalar: numba unboxes it several
times faster at each call. Records are filled by field name and must be given every field exactly
once, so neither the order in which fields are declared nor the order in which they are filled can
change a number, and no field can be left at a default.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np


def record_dtype(fields: Iterable[str], kind: type[np.generic] = np.float64) -> np.dtype:
    """A structured dtype with one field of type ``kind`` per name (aligned, as numba prefers)."""
    names = list(fields)
    if len(set(names)) != len(names):
        raise ValueError(f"duplicate record fields in {names}")
    return np.dtype([(name, kind) for name in names], align=True)


def make_records(dtype: np.dtype, values: Mapping[str, float | np.ndarray], n: int = 1) -> np.ndarray:
    """``n`` records of ``dtype`` filled by field name.

    ``values`` names every field and no other, each with one value for all records or an array of one
    value per record.
    """
    fields: Mapping[str, object] = dtype.fields or {}
    if values.keys() != fields.keys():
        missing = [name for name in fields if name not in values]
        unknown = [name for name in values if name not in fields]
        raise ValueError(f"record fields missing {missing}, unknown {unknown}")
    records = np.empty(n, dtype=dtype)
    for name, value in values.items():
        records[name] = value
    return records
