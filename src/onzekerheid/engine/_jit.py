"""The one place that holds numba's compilation choices (and its cache location)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _choose_cache_dir() -> None:
    """Fall back to a user cache folder when the installed package is read-only."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return
    here = Path(__file__).parent
    if os.access(here, os.W_OK):
        return
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    target = Path(base) / "onzekerheid" / "numba"
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError:
        target = Path(tempfile.gettempdir()) / "onzekerheid-numba"
        target.mkdir(parents=True, exist_ok=True)
    os.environ["NUMBA_CACHE_DIR"] = str(target)


_choose_cache_dir()

import numba  # noqa: E402  (the cache folder must be chosen before numba reads its config)

# cache=True: a second process loads compiled code instead of compiling (about 1 s saved);
# nogil=True: chunks run in parallel on a thread pool; error_model="numpy": 1/0 gives inf
# instead of raising, as in numpy.
jit = numba.njit(cache=True, nogil=True, error_model="numpy")

# Small helpers called in hot loops: inlined at the numba IR level, because a call that passes
# a Generator by value costs ~10x a draw.
jit_inline = numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")
