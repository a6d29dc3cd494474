"""Writing output files atomically: a temporary file beside the target, then a rename."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ScenarioError
from .guard import Guard, check_name, permissions, temporary_beside, write_error

if TYPE_CHECKING:
    import pandas as pd

TABLE_FORMATS = {".csv", ".parquet"}


def check_target(path: Path, formats: set[str], option: str, guard: Guard | None = None
                 ) -> None:
    """Fail before any work when an output path cannot be written (or is an input: the
    path is claimed with ``guard``, the command's :class:`.guard.Guard`, which refuses it once
    it is known to be read). ``option`` is the caller's name for the path, used in messages."""
    check_name(path, option)
    if path.suffix.lower() not in formats:
        raise ScenarioError(f"{option} {path}: unknown file type '{path.suffix}'; "
                            f"use one of {', '.join(sorted(formats))}")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ScenarioError(f"{option} {path}: folder '{folder}' does not exist")
    if path.is_dir():
        raise ScenarioError(f"{option} {path}: is a folder; give a file name")
    if not os.access(folder, os.W_OK):
        raise ScenarioError(f"{option} {path}: cannot write in '{folder}'")
    if guard is not None:
        guard.claim(path, option)


def write_atomic(path: Path, write: Callable[[Path], object], guard: Guard | None = None
                 ) -> None:
    """Call ``write(temporary_path)``, then move the file into place; on failure, remove it.

    An existing file at ``path`` stays as it was until the new one is complete (``os.replace``
    is atomic on one file system), so a failed or interrupted run never leaves half a file.
    The new file gets the permissions a plain ``open(path, "w")`` would give (``mkstemp``
    makes it private). A failure to write (disk full, no permission) is a
    :class:`ScenarioError` naming the file; Ctrl-C and other errors pass through unchanged.
    With the command's ``guard``, a path that is one of its inputs is refused
    (:meth:`.guard.Guard.check_write`), and the temporary is removed on SIGTERM too
    (:mod:`.guard`); without one the write is atomic but knows no inputs.
    """
    guard = guard if guard is not None else Guard()
    guard.check_write(path)
    temporary = temporary_beside(path)
    with guard.temporary(temporary):
        try:
            write(Path(temporary))
            os.chmod(temporary, permissions())
            os.replace(temporary, path)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            if isinstance(exc, OSError):
                raise write_error(path, exc) from None
            raise


def write_table(frame: pd.DataFrame, path: Path, guard: Guard | None = None) -> None:
    """A data frame as .csv or .parquet, atomically (``guard``: see :func:`write_atomic`)."""
    if path.suffix.lower() == ".parquet":
        write_atomic(path, lambda p: frame.to_parquet(p, index=False), guard)
    else:
        write_atomic(path, lambda p: frame.to_csv(p, index=False), guard)


def write_text(text: str, path: Path, guard: Guard | None = None) -> None:
    """``text`` as UTF-8, atomically (``guard``: see :func:`write_atomic`)."""
    write_atomic(path, lambda p: p.write_text(text, encoding="utf-8"), guard)
