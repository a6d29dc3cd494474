"""The one place that holds numba's compilation choices (and its cache location)."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def _choose_cache_dir() -> bool:
    """Fall back to a user cache folder when the installed package is read-only.

    Returns whether ``NUMBA_CACHE_DIR`` was set here.
    """
    if os.environ.get("NUMBA_CACHE_DIR"):
        return False
    here = Path(__file__).parent
    if os.access(here, os.W_OK):
        return False
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    target = Path(base) / "onzekerheid" / "numba"
    try:
        target.mkdir(parents=True, exist_ok=True)
        if not os.access(target, os.W_OK):
            raise PermissionError(str(target))
    except (OSError, RuntimeError):  # RuntimeError: Path.home() without a home folder
        target = _private_temp_dir()
    os.environ["NUMBA_CACHE_DIR"] = str(target)
    return True


def _private_temp_dir() -> Path:
    # The cache holds pickles that numba loads: a shared /tmp folder must belong to this user
    # and be writable by no one else, or another user could plant code in it.
    uid = os.getuid() if hasattr(os, "getuid") else None
    target = Path(tempfile.gettempdir()) / f"onzekerheid-numba-{uid if uid is not None else 0}"
    try:
        target.mkdir(mode=0o700, exist_ok=True)
        info = target.lstat()
        if (stat.S_ISDIR(info.st_mode) and (uid is None or info.st_uid == uid)
                and not info.st_mode & 0o022):
            return target
    except OSError:
        pass
    return Path(tempfile.mkdtemp(prefix="onzekerheid-numba-"))  # private, this process only


_CHOSEN = _choose_cache_dir()

import numba  # noqa: E402

if _CHOSEN:  # numba may have read its configuration already (imported earlier by anyone)
    numba.core.config.reload_config()

# cache=True: a second process loads compiled code instead of compiling (about 1 s saved);
# nogil=True: chunks run in parallel on a thread pool; error_model="numpy": 1/0 gives inf
# instead of raising, as in numpy.
jit = numba.njit(cache=True, nogil=True, error_model="numpy")

# Small helpers called in hot loops: inlined at the numba IR level, because a call that passes
# a Generator by value costs ~10x a draw.
jit_inline = numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")
