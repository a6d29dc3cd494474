"""One guard for every file a command writes: never over an input, never half a file.

Three promises, kept here and nowhere else:

* **Outputs never replace inputs.** Every file a command reads (the scenario, its case table,
  an evidence file) is registered with :func:`protect`; every file it will write with
  :func:`claim` (``files.check_target`` does that before any work). A path that is the same
  file as an input (compared by device and inode, so links and ``./x`` spellings count) is
  refused with a :class:`~onzekerheid.errors.ScenarioError` (exit code 2) as soon as both
  are known, and once more just before the write.
* **No temporaries left behind.** A temporary file being written is registered; SIGTERM,
  SIGHUP (and Ctrl-C, through the normal ``KeyboardInterrupt``) remove it before the process
  ends (:func:`install_signal_handlers`).
* **Several files are written all or nothing** (:func:`write_all`): each is written to a
  temporary beside its target first; only when all are complete are they moved into place,
  and a failure on the way removes what was already moved.
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from types import FrameType

from ..errors import Problem, ScenarioError

MAX_NAME_BYTES = 255  # one path component on Linux, macOS and Windows file systems
MAX_PATH_BYTES = 4096

_inputs: dict[str, str] = {}  # identity -> the path as the user gave it
_outputs: dict[str, tuple[str, str]] = {}  # identity -> (the option writing it, its path)
_temporaries: set[str] = set()


class Terminated(KeyboardInterrupt):
    """The process was asked to stop (SIGTERM, SIGHUP): handled like Ctrl-C, exit 128 + N."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def reset() -> None:
    """Forget the inputs and outputs of a previous command (one process, many commands)."""
    _inputs.clear()
    _outputs.clear()


def check_name(path: Path, option: str) -> None:
    """Refuse a path no file system can hold: a NUL character, an over-long name."""
    text = os.fsencode(str(path))
    if b"\0" in text:
        raise ScenarioError(f"{option}: the file name contains a NUL character; give a plain "
                            "file name")
    longest = max((len(os.fsencode(p)) for p in path.parts), default=0)
    if longest > MAX_NAME_BYTES or len(text) > MAX_PATH_BYTES:
        raise ScenarioError(f"{option}: the file name is too long ({longest} bytes in one "
                            f"part, {len(text)} in all; at most {MAX_NAME_BYTES} and "
                            f"{MAX_PATH_BYTES}); choose a shorter name")


def _identity(path: Path) -> str:
    """Device and inode of an existing file, else its absolute path without links."""
    try:
        st = os.stat(path)
        return f"inode:{st.st_dev}:{st.st_ino}"
    except (OSError, ValueError):
        pass
    try:
        return "path:" + os.path.realpath(path)
    except (OSError, ValueError):  # a NUL in the name: no file can have it
        return "name:" + str(path)


def protect(paths: Iterable[str | Path]) -> None:
    """Register files the command reads; refuse at once if one is also a claimed output."""
    for path in paths:
        key = _identity(Path(path))
        _inputs.setdefault(key, str(path))
        if key in _outputs:
            _refuse(*_outputs[key], str(path))


def claim(path: Path, option: str) -> None:
    """Register a file the command will write; refuse at once if it is a registered input."""
    key = _identity(path)
    if key in _inputs:
        _refuse(option, str(path), _inputs[key])
    _outputs[key] = (option, str(path))


def check_write(path: Path) -> None:
    """The last check before ``path`` is replaced: it must not be an input of this command."""
    key = _identity(path)
    if key in _inputs:
        _refuse(*_outputs.get(key, ("output", str(path))), _inputs[key])


def _refuse(option: str, path: str, source: str) -> None:
    raise ScenarioError(Problem(
        f"{option} {path} is an input of this command ({source}); writing it would destroy "
        "that input", hint="choose another output file name"))


@contextlib.contextmanager
def temporary(path: str) -> Iterator[None]:
    """Register ``path`` as a temporary to remove if the process is stopped meanwhile."""
    _temporaries.add(path)
    try:
        yield
    finally:
        _temporaries.discard(path)


def remove_temporaries() -> None:
    for path in list(_temporaries):
        with contextlib.suppress(OSError):
            os.unlink(path)
        _temporaries.discard(path)


def _on_signal(signum: int, frame: FrameType | None) -> None:
    remove_temporaries()
    raise Terminated(signum)


def install_signal_handlers() -> None:
    """SIGTERM and SIGHUP end the command like Ctrl-C: temporaries removed, nothing written."""
    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            with contextlib.suppress(ValueError, OSError):  # not the main thread, or no such
                signal.signal(number, _on_signal)


def write_all(writers: dict[Path, Callable[[Path], object]]) -> None:
    """Write several new files all or nothing (see the module docstring).

    ``writers`` maps each target to a function writing its content to the path it is given.
    The targets must not exist yet (the caller checks, so that nothing is ever replaced).
    A failure to write (disk full, no permission) is a :class:`ScenarioError` naming the file.
    """
    staged: list[tuple[str, Path]] = []
    placed: list[Path] = []
    current = next(iter(writers), Path("."))  # the target being worked on, for the message
    try:
        for current, write in writers.items():
            check_write(current)
            staged.append((temporary_beside(current), current))
            _temporaries.add(staged[-1][0])
            write(Path(staged[-1][0]))
            os.chmod(staged[-1][0], permissions())
        for temp, current in staged:
            os.replace(temp, current)
            placed.append(current)
    except BaseException as exc:
        for target in placed:
            with contextlib.suppress(OSError):
                os.unlink(target)
        for temp, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(temp)
        if isinstance(exc, OSError):
            raise write_error(current, exc) from None
        raise
    finally:
        for temp, _ in staged:
            _temporaries.discard(temp)


def temporary_beside(path: Path) -> str:
    """An empty hidden temporary file in ``path``'s folder (same file system: atomic rename)."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise write_error(path, exc) from None
    os.close(handle)
    return temporary


def permissions() -> int:
    """The mode a plain ``open(path, "w")`` gives a new file (0o666 less the umask)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_error(path: Path, exc: OSError) -> ScenarioError:
    reason = exc.strerror or str(exc)
    return ScenarioError(Problem(f"cannot write the file: {reason}", file=str(path),
                                 hint="check the free space and permissions, or choose "
                                      "another path"))
