"""Writing output files atomically: a temporary file beside the target, then a rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..errors import ScenarioError

TABLE_FORMATS = {".csv", ".parquet"}


def check_target(path: Path, formats: set[str], option: str) -> None:
    """Fail before any work when an output path cannot be written."""
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


def write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(temporary_path)``, then move the file into place; on failure, remove it."""
    folder = path.parent if str(path.parent) else Path(".")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    os.close(handle)
    try:
        write(Path(temporary))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def write_table(frame: pd.DataFrame, path: Path) -> None:
    """A data frame as .csv or .parquet, atomically."""
    if path.suffix.lower() == ".parquet":
        write_atomic(path, lambda p: frame.to_parquet(p, index=False))
    else:
        write_atomic(path, lambda p: frame.to_csv(p, index=False))


def write_text(text: str, path: Path) -> None:
    write_atomic(path, lambda p: p.write_text(text, encoding="utf-8"))
