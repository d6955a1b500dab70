"""Per-thread scratch arrays for the compiled programs, kept between calls and grown as needed:
a fresh array of tens or hundreds of megabytes each call costs more in page faults than the
programs themselves."""

from __future__ import annotations

import threading

import numpy as np

_held = threading.local()


def scratch(name: str, size: int, dtype: type = np.float64) -> np.ndarray:
    """This thread's array ``name``, ``size`` entries long, holding whatever its last use left."""
    array = getattr(_held, name, None)
    if array is None or len(array) < size:
        array = np.empty(size, dtype=dtype)
        setattr(_held, name, array)
    return array[:size]
