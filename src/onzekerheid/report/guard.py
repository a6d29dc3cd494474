"""One guard for every file a command writes: never over an input, never half a file.

Three promises, kept here and nowhere else:

* **Outputs never replace inputs.** A :class:`Guard` belongs to one command (the command line
  makes one per invocation; a Python caller makes its own). Every file the command reads (the
  scenario, its case table, an evidence file) is registered with :meth:`Guard.protect`; every
  file it will write with :meth:`Guard.claim` (``files.check_target`` does that before any
  work). A path that is the same file as an input (compared by device and inode, so links and
  ``./x`` spellings count) is refused with a :class:`~onzekerheid.errors.ScenarioError` (exit
  code 2) as soon as both are known, and once more just before the write.
* **No temporaries left behind.** A temporary file being written is registered with its
  guard; SIGTERM, SIGHUP (and Ctrl-C, through the normal ``KeyboardInterrupt``) remove the
  current guard's temporaries before the process ends (:func:`install_signal_handlers`).
* **Several files are written all or nothing** (:func:`write_all`): each is written to a
  temporary beside its target first; only when all are complete are they moved into place,
  and a failure on the way removes what was already moved.

The module keeps no state of its own: what one command read and writes lives in its guard.
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from ..errors import Problem, ScenarioError

MAX_NAME_BYTES = 255  # one path component on Linux, macOS and Windows file systems
MAX_PATH_BYTES = 4096


class Terminated(KeyboardInterrupt):
    """The process was asked to stop (SIGTERM, SIGHUP): handled like Ctrl-C, exit 128 + N."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@dataclass
class Guard:
    """The files one command reads and writes, and the temporaries it is writing.

    ``inputs`` maps a file's identity (see :func:`identity`) to the path as the user gave it;
    ``outputs`` maps an identity to ``(the name of the option or argument writing it, its
    path)``; ``temporaries`` are the files being written, removed if the process is stopped.
    """

    inputs: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, tuple[str, str]] = field(default_factory=dict)
    temporaries: set[str] = field(default_factory=set)

    def protect(self, paths: Iterable[str | Path]) -> None:
        """Register files the command reads; refuse at once if one is a claimed output."""
        for path in paths:
            key = identity(Path(path))
            self.inputs.setdefault(key, str(path))
            if key in self.outputs:
                _refuse(*self.outputs[key], str(path))

    def claim(self, path: Path, option: str) -> None:
        """Register a file the command will write; refuse at once if it is an input."""
        key = identity(path)
        if key in self.inputs:
            _refuse(option, str(path), self.inputs[key])
        self.outputs[key] = (option, str(path))

    def check_write(self, path: Path) -> None:
        """The last check before ``path`` is replaced: it must not be an input."""
        key = identity(path)
        if key in self.inputs:
            _refuse(*self.outputs.get(key, ("output", str(path))), self.inputs[key])

    @contextlib.contextmanager
    def temporary(self, path: str) -> Iterator[None]:
        """Register ``path`` as a temporary to remove if the process is stopped meanwhile."""
        self.temporaries.add(path)
        try:
            yield
        finally:
            self.temporaries.discard(path)

    def remove_temporaries(self) -> None:
        for path in list(self.temporaries):
            with contextlib.suppress(OSError):
                os.unlink(path)
            self.temporaries.discard(path)


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


def identity(path: Path) -> str:
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


def _refuse(option: str, path: str, source: str) -> None:
    raise ScenarioError(Problem(
        f"{option} {path} is an input of this command ({source}); writing it would destroy "
        "that input", hint="choose another output file name"))


def install_signal_handlers(current: Callable[[], Guard | None] = lambda: None) -> None:
    """SIGTERM and SIGHUP end the command like Ctrl-C: the temporaries of ``current()`` (the
    guard of the command running when the signal comes, if any) removed, nothing written."""

    def stop(signum: int, frame: FrameType | None) -> None:
        running = current()
        if running is not None:
            running.remove_temporaries()
        raise Terminated(signum)

    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None:
            with contextlib.suppress(ValueError, OSError):  # not the main thread, or no such
                signal.signal(number, stop)


def write_all(writers: dict[Path, Callable[[Path], object]], guard: Guard | None = None) -> None:
    """Write several new files all or nothing (see the module docstring).

    ``writers`` maps each target to a function writing its content to the path it is given.
    The targets must not exist yet (the caller checks, so that nothing is ever replaced).
    ``guard``: the command's (None: one for this call, which knows no inputs). A failure to
    write (disk full, no permission) is a :class:`ScenarioError` naming the file.
    """
    guard = guard if guard is not None else Guard()
    staged: list[tuple[str, Path]] = []
    placed: list[Path] = []
    current = next(iter(writers), Path("."))  # the target being worked on, for the message
    try:
        for current, write in writers.items():
            guard.check_write(current)
            staged.append((temporary_beside(current), current))
            guard.temporaries.add(staged[-1][0])
            write(Path(staged[-1][0]))
            os.chmod(staged[-1][0], permissions())
        for temp, current in staged:
            os.replace(temp, current)
            placed.append(current)
    except BaseException as exc:
        _undo(placed, [temp for temp, _ in staged])
        if isinstance(exc, OSError):
            raise write_error(current, exc) from None
        raise
    finally:
        for temp, _ in staged:
            guard.temporaries.discard(temp)


def _undo(placed: Iterable[Path], temporaries: Iterable[str]) -> None:
    """Remove the targets already moved into place and the temporaries still staged."""
    paths: list[str | Path] = [*placed, *temporaries]
    for path in paths:
        with contextlib.suppress(OSError):
            os.unlink(path)


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
