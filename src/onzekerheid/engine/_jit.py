"""The one place that holds numba's compilation choices (and its cache location).

Where the compiled kernels are cached: numba's own choice (``__pycache__`` beside the source)
when the installed package is writable or when ``NUMBA_CACHE_DIR`` is set; otherwise
``$XDG_CACHE_HOME/onzekerheid/numba`` (``~/.cache/...``), or a private temporary folder when
there is no usable home. That fallback applies to this package's kernels only: a cache locator
for files inside ``onzekerheid/engine`` goes first in numba's list, so nothing is written to
the environment or to numba's global configuration, and other numba code in the same process
keeps numba's defaults. ``CACHE_DIR`` says which folder was chosen (None: numba's own).

Wherever they are cached, the kernels carry one source stamp: that of every engine module and
of the tables compiled into them (:class:`_KernelSourcesStamp`), so editing any of them, or
upgrading, recompiles instead of running stale machine code.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path
from typing import Any

import numba
from numba.core import caching


def _choose_cache_dir() -> str | None:
    """A user cache folder when the installed package is read-only, else None (numba's own)."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return None
    if os.access(_HERE, os.W_OK):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    target = Path(base) / "onzekerheid" / "numba"
    try:
        target.mkdir(parents=True, exist_ok=True)
        if not os.access(target, os.W_OK):
            raise PermissionError(str(target))
    except (OSError, RuntimeError):  # RuntimeError: Path.home() without a home folder
        target = _private_temp_dir()
    return str(target)


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


class _KernelSourcesStamp:
    """The source stamp of a kernel: every file its compiled code can depend on.

    numba stamps a cached function with its own file only, so editing a helper it inlines from
    another module (``_samplers.py``, ``families.py``) left the old machine code in use, and a
    ``git pull`` that changed only such a file ran stale kernels. The stamp here is the
    modification time and size of every module of the engine and of the tables it compiles
    in, so a change to any of them recompiles every kernel.
    """

    def get_source_stamp(self) -> Any:
        files = sorted(_HERE.glob("*.py")) + [_HERE.parent / "families.py",
                                               _HERE.parent / "opcodes.py"]
        stats = [(path.name, path.stat()) for path in files if path.exists()]
        return tuple((name, st.st_mtime, st.st_size) for name, st in stats)


def _numba_cache_dir() -> str:
    """numba's own cache folder setting (``NUMBA_CACHE_DIR``; empty when unset)."""
    return str(getattr(numba.config, "CACHE_DIR", "") or "")


def _is_kernel(py_file: str) -> bool:
    return Path(py_file).resolve().parent == _HERE


class _InTreeKernelLocator(_KernelSourcesStamp, caching.InTreeCacheLocator):
    """numba's default place (``__pycache__`` beside the source), with the kernels' stamp."""

    @classmethod
    def from_function(cls, py_func: Any, py_file: str) -> Any:
        if CACHE_DIR is not None or _numba_cache_dir() or not _is_kernel(py_file):
            return None
        return super().from_function(py_func, py_file)


class _ChosenDirKernelLocator(_KernelSourcesStamp, caching.UserProvidedCacheLocator):
    """A chosen cache folder (``NUMBA_CACHE_DIR``, or ours for a read-only install), with the
    kernels' stamp."""

    def __init__(self, py_func: Any, py_file: str) -> None:  # noqa: D107 (numba's signature)
        self._py_file = py_file
        self._lineno = py_func.__code__.co_firstlineno
        root = CACHE_DIR or _numba_cache_dir()
        self._cache_path = os.path.join(root, self.get_suitable_cache_subpath(py_file))

    @classmethod
    def from_function(cls, py_func: Any, py_file: str) -> Any:
        if not (CACHE_DIR or _numba_cache_dir()) or not _is_kernel(py_file):
            return None
        # numba's checks (the file exists, the folder can be written), skipping the check of
        # numba's own CACHE_DIR setting that UserProvidedCacheLocator adds
        return super(caching.UserProvidedCacheLocator, cls).from_function(py_func, py_file)


_HERE = Path(__file__).resolve().parent
CACHE_DIR = _choose_cache_dir()
for _locator in (_ChosenDirKernelLocator, _InTreeKernelLocator):
    if _locator not in caching.CacheImpl._locator_classes:
        caching.CacheImpl._locator_classes.insert(0, _locator)

# cache=True: a second process loads compiled code instead of compiling (about 1 s saved);
# nogil=True: chunks run in parallel on a thread pool; error_model="numpy": 1/0 gives inf
# instead of raising, as in numpy.
jit = numba.njit(cache=True, nogil=True, error_model="numpy")

# Small helpers called in hot loops: inlined at the numba IR level, because a call that passes
# a Generator by value costs ~10x a draw.
jit_inline = numba.njit(cache=True, nogil=True, error_model="numpy", inline="always")
