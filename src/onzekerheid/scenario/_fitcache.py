"""A small persistent memo for interval fits, so a warm command needs no scipy at start-up.

Fitting a beta distribution to a ``ci`` needs ``scipy.special`` (about 0.3 s to import). The
fitted shapes depend only on the interval and its level, so they are kept in a JSON file in
the user's cache folder (``$XDG_CACHE_HOME/onzekerheid`` or ``~/.cache/onzekerheid``). The file
is only a cache: an unreadable or unwritable one is ignored and the fit is simply redone.
``ONZEKERHEID_NO_CACHE=1`` turns it off: fits are then remembered for the process only, and
nothing is read from or written to the user's cache folder.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

_FILE = "interval-fits.json"
_MAX_ENTRIES = 10_000
_memory: dict[str, list[float]] | None = None


OPT_OUT = "ONZEKERHEID_NO_CACHE"


def _enabled() -> bool:
    return os.environ.get(OPT_OUT, "") in ("", "0")


def _path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "onzekerheid" / _FILE


def _load() -> dict[str, list[float]]:
    global _memory
    if _memory is None and not _enabled():
        _memory = {}
    if _memory is None:
        try:
            data = json.loads(_path().read_text())
            _memory = {k: v for k, v in data.items()
                       if isinstance(v, list) and all(isinstance(x, float) for x in v)}
        except (OSError, ValueError, AttributeError):
            _memory = {}
    return _memory


def get(key: str) -> tuple[float, ...] | None:
    found = _load().get(key)
    return None if found is None else tuple(found)


def put(key: str, value: tuple[float, ...]) -> None:
    memo = _load()
    if len(memo) >= _MAX_ENTRIES:
        memo.clear()
    memo[key] = [float(v) for v in value]
    if not _enabled():
        return
    path = _path()
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".fits.", suffix=".tmp")
        with os.fdopen(handle, "w") as stream:
            json.dump(memo, stream)
        os.replace(temporary, path)
