"""Running chunks of iterations (and grid points) as tasks on a ``dask.distributed`` cluster.

The engine's randomness is tied to (seed, stream, block of ``BLOCK`` rows), never to the worker
that draws it, so a chunk of whole blocks gives the same numbers wherever it runs: the result on
a cluster is bitwise the result of :func:`onzekerheid.engine.runner.run` with the same seed.
Every task is a pure function of its arguments (submitted with ``pure=True``), so when a worker
is lost Dask simply runs the task again elsewhere and gets the same numbers.

``scheduler`` is ``"local:N"`` (a ``LocalCluster`` of N worker processes, one thread each,
started and stopped around the call), the address of a running scheduler (``tcp://host:8786``
or ``host:8786``), or an existing ``distributed.Client`` (reused, not closed).

Dask is optional: ``pip install 'onzekerheid[distributed]'``.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import numpy as np

from ..errors import SimulationError, argument_error
from ..plan import Plan
from . import runner

CONNECT_TIMEOUT = "10s"
HANDSHAKE_SECONDS = 15.0  # connection and handshake together
MAX_LOCAL_WORKERS = 256  # processes on one machine; more only exhausts it


def _distributed() -> Any:
    """The ``distributed`` module, or a clear error saying how to install it."""
    try:
        import distributed
    except ImportError:
        raise SimulationError(
            "needs dask.distributed, which is not installed; install it with "
            "pip install 'onzekerheid[distributed]' (or run without a scheduler)",
            argument="scheduler") from None
    return distributed


def local_workers(scheduler: str) -> int | None:
    """N for ``"local:N"``, None for a scheduler address; a bad N is an input error."""
    if not scheduler.startswith("local:"):
        if not scheduler.strip():
            raise argument_error("scheduler", None, "is an empty address; give host:port or "
                                 "local:N")
        host, _, port = scheduler.rpartition(":")
        if not host or not 0 < _whole(port, 5) < 65536 \
                or any(c.isspace() or not c.isprintable() for c in scheduler):
            raise argument_error("scheduler", scheduler, "give a scheduler address as "
                                 "host:port (e.g. tcp://10.0.0.5:8786) or local:N")
        return None
    text = scheduler[len("local:"):]
    if not 1 <= _whole(text, 6) <= MAX_LOCAL_WORKERS:
        raise argument_error("scheduler", repr(scheduler), "N in local:N must be a whole number "
                             f"of worker processes in 1..{MAX_LOCAL_WORKERS} (e.g. local:4)")
    return int(text)


@contextlib.contextmanager
def _workers_ignore_ctrl_c() -> Iterator[None]:
    """Start worker processes with SIGINT ignored (a started Python keeps an inherited
    SIG_IGN), so Ctrl-C in the terminal, sent to the whole process group, stops only this
    process: it cancels the tasks and closes the cluster, and no worker prints a traceback."""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: signals are not ours to change
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _connect(dist: Any, scheduler: str) -> Any:
    """``Client(scheduler)`` with a deadline on the whole handshake, not only on the TCP
    connection: a port that accepts but never speaks dask (an SSH or web server) would
    otherwise keep the command waiting for ever. The attempt runs in a daemon thread that is
    abandoned when it does not answer within ``HANDSHAKE_SECONDS``."""
    box: dict[str, Any] = {}

    def attempt() -> None:
        try:
            box["client"] = dist.Client(scheduler, timeout=CONNECT_TIMEOUT)
        except BaseException as exc:  # handed to the caller's thread below
            box["error"] = exc

    thread = threading.Thread(target=attempt, name="onzekerheid-connect", daemon=True)
    thread.start()
    thread.join(HANDSHAKE_SECONDS)
    if thread.is_alive():
        raise SimulationError(
            f"something answers there, but not as a dask scheduler (no handshake within "
            f"{HANDSHAKE_SECONDS:g} s); check the port, or use local:N",
            argument="scheduler", value=str(scheduler))
    if "error" in box:
        raise box["error"]
    return box["client"]


def _whole(text: str, digits: int) -> int:
    """The whole number ``text`` writes with at most ``digits`` ASCII digits, else -1."""
    ok = text.isascii() and text.isdigit() and len(text) <= digits
    return int(text) if ok else -1


@contextlib.contextmanager
def client_for(scheduler: Any) -> Iterator[Any]:
    """A ``distributed.Client`` for ``scheduler`` (see the module docstring); closed on exit
    unless the caller passed a client in."""
    if not isinstance(scheduler, str):  # an existing Client: the caller owns it
        yield scheduler
        return
    workers = local_workers(scheduler)
    dist = _distributed()
    with _quiet_dask_logs(), _client(dist, scheduler, workers) as client:
        yield client


@contextlib.contextmanager
def _quiet_dask_logs() -> Iterator[None]:
    """No dask log lines on the terminal (failures reach us as exceptions): after Ctrl-C its
    scheduler would log every result it can no longer send, with a traceback each."""
    logger = logging.getLogger("distributed")
    level = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        logger.setLevel(level)


@contextlib.contextmanager
def _client(dist: Any, scheduler: str, workers: int | None) -> Iterator[Any]:
    if workers is not None:
        with _workers_ignore_ctrl_c():
            cluster = dist.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                        dashboard_address=":0", silence_logs=logging.CRITICAL + 1)
        try:
            with dist.Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    try:
        client = _connect(dist, scheduler)
    except ValueError as exc:  # an address dask cannot parse ("[::1:80")
        raise argument_error("scheduler", scheduler, f"not a scheduler address ({exc}); give "
                             "host:port (e.g. tcp://10.0.0.5:8786) or local:N") from None
    except (OSError, TimeoutError) as exc:
        raise SimulationError(
            f"could not reach a dask scheduler there ({exc}); start one with `dask scheduler` "
            "and workers with `dask worker ADDRESS`, or use local:N",
            argument="scheduler", value=scheduler) from None
    try:
        yield client
    finally:
        client.close()


def map_tasks(client: Any, func: Callable[..., Any], arguments: Sequence[tuple[Any, ...]],
              progress: Callable[[int, Any], None] | None = None) -> list[Any]:
    """``[func(*args) for args in arguments]`` as pure dask tasks; results in input order.

    ``progress(i, result)`` is called as each task finishes (in completion order).
    """
    dist = _distributed()
    futures = [client.submit(func, *args, pure=True) for args in arguments]
    index = {future.key: i for i, future in enumerate(futures)}
    results: list[Any] = [None] * len(futures)
    try:
        for future in dist.as_completed(futures):
            i = index[future.key]
            results[i] = future.result()
            future.release()
            if progress is not None:
                progress(i, results[i])
    except BaseException:
        client.cancel(futures)
        raise
    return results


def chunk(plan: Plan, seed: int, first: int, last: int, iterations: int, keep: np.ndarray,
          given: dict[int, np.ndarray], case_keys: np.ndarray | None = None) -> np.ndarray:
    """Rows of blocks ``first..last-1`` (``given`` and ``case_keys`` already cut to them),
    ``keep`` columns.

    The same function of (plan, seed, blocks, inputs) as one chunk of a local run.
    """
    start_row = first * runner.BLOCK
    stop_row = min(last * runner.BLOCK, iterations)
    padded: dict[int, Any] = {col: _Offset(values, start_row) for col, values in given.items()}
    buf = np.empty((stop_row - start_row, plan.n_columns), dtype=np.float64, order="F")
    runner._simulate_rows(plan, seed, first, last, start_row, stop_row, padded, case_keys,
                          threading.Event(), buf)
    return buf[:, keep]


class _Offset:
    """A chunk's input rows indexed by absolute row, as ``_simulate_rows`` reads them."""

    def __init__(self, values: np.ndarray, offset: int) -> None:
        self.values, self.offset = values, offset

    def __getitem__(self, rows: slice) -> np.ndarray:
        return self.values[rows.start - self.offset: rows.stop - self.offset]


def run(
    plan: Plan,
    iterations: int,
    seed: int,
    keep: Sequence[int],
    *,
    scheduler: Any,
    chunk_blocks: int = runner.DEFAULT_CHUNK_BLOCKS,
    inputs: dict[int, np.ndarray] | None = None,
    case_keys: np.ndarray | None = None,
    progress: Callable[[int], None] | None = None,
) -> np.ndarray:
    """:func:`onzekerheid.engine.runner.run` with each chunk of blocks a dask task.

    Parameters
    ----------
    plan, iterations, seed, keep, chunk_blocks, inputs, case_keys
        As for :func:`~onzekerheid.engine.runner.run`; the result is bitwise identical to it.
    scheduler
        ``"local:N"``, a scheduler address or a ``distributed.Client``.
    progress
        Called with the number of rows of each finished chunk.

    Returns
    -------
    numpy.ndarray
        Shape (iterations, len(keep)), float64.
    """
    if chunk_blocks < 1:
        raise SimulationError("chunk_blocks must be at least 1")
    keep_cols = np.asarray(keep, dtype=np.int64)
    runner.check_size(iterations, len(keep_cols), plan, 1, chunk_blocks)
    given = inputs or {}
    for col, values in given.items():
        if len(values) != iterations:
            raise SimulationError(f"input for column {col} has {len(values)} rows, "
                                  f"expected {iterations}")
    if case_keys is not None and len(case_keys) != iterations:
        raise SimulationError(f"case_keys has {len(case_keys)} rows, expected {iterations}")
    n_blocks = -(-iterations // runner.BLOCK)
    spans = [(b, min(b + chunk_blocks, n_blocks)) for b in range(0, n_blocks, chunk_blocks)]
    out = np.empty((iterations, len(keep_cols)), dtype=np.float64, order="F")  # as runner.run

    def rows(first: int, last: int) -> slice:
        return slice(first * runner.BLOCK, min(last * runner.BLOCK, iterations))

    def place(i: int, block: np.ndarray) -> None:
        out[rows(*spans[i])] = block
        if progress is not None:
            progress(len(block))

    with client_for(scheduler) as client:
        # The plan travels inside every task (a few kB): a task is then self-contained, and
        # one lost with its worker is recomputed anywhere (scattered data could not be).
        arguments = [(plan, seed, first, last, iterations, keep_cols,
                      {col: np.ascontiguousarray(v[rows(first, last)]) for col, v in given.items()},
                      None if case_keys is None else case_keys[rows(first, last)])
                     for first, last in spans]
        map_tasks(client, chunk, arguments, place)
    return out
