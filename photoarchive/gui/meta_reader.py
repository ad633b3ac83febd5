"""exiv2 reads for the GUI, done in a long-lived helper process, never in the GUI's own.

pyexiv2 holds the GIL while it parses (the GUI thread stutters while a thumbnail thread reads
a file), and a crash on a damaged or hostile file would take the whole application down.
The grid's per-photo metadata, the panel's small reads and the embedded previews of big
photos therefore go through here: a small spawned process pool, started on first use (from a
worker thread, so the GUI never waits for it) and restarted if exiv2 kills it. Qt-free, so
the helper processes do not load Qt.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, TypeVar

from photoarchive.gui.metacache import PhotoInfo, read_info

log = logging.getLogger(__name__)

T = TypeVar("T")
WORKERS = 2  # the thumbnail loader's threads: neither waits for the other's read
CALL_TIMEOUT_S = 60.0  # a file that hangs exiv2 this long is given up on
CRASHED = "the metadata library crashed on this file (damaged or hostile file?)"
TIMED_OUT = "reading this file's metadata did not finish (damaged or hostile file?)"


class ReaderCrashed(RuntimeError):
    """The helper process died (or hung) while reading this file."""


def _child_info(path: str) -> PhotoInfo:
    return read_info(Path(path))


def _child_preview(path: str, min_width: int) -> bytes | None:
    from photoarchive.metadata.reading import read_preview

    return read_preview(Path(path), min_width=min_width)


def _child_pid() -> int:
    return os.getpid()


class MetaReader:
    """A restartable pool of helper processes; thread-safe, callable from any worker thread."""

    def __init__(self, workers: int = WORKERS, timeout: float = CALL_TIMEOUT_S) -> None:
        self.workers = workers
        self.timeout = timeout
        self._lock = threading.Lock()
        self._pool: ProcessPoolExecutor | None = None
        self.restarts = 0

    def _get_pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                # spawn: never fork a process that holds Qt and sqlite threads
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers, mp_context=multiprocessing.get_context("spawn")
                )
            return self._pool

    def _discard(self, pool: ProcessPoolExecutor, kill: bool = False) -> None:
        with self._lock:
            if self._pool is pool:
                self._pool = None
                self.restarts += 1
        if kill:  # a hung worker: nothing but a kill stops it
            for proc in list((getattr(pool, "_processes", None) or {}).values()):
                proc.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    def call(self, fn: Callable[..., T], *args: Any) -> T:
        """fn(*args) in a helper; one retry in a fresh pool if the helper died (it may have
        been another file's crash), then ReaderCrashed."""
        for attempt in (1, 2):
            pool = self._get_pool()
            try:
                return pool.submit(fn, *args).result(timeout=self.timeout)
            except BrokenProcessPool:
                self._discard(pool)
                if attempt == 2:
                    raise ReaderCrashed(CRASHED) from None
            except FutureTimeout:
                self._discard(pool, kill=True)
                raise ReaderCrashed(TIMED_OUT) from None
        raise AssertionError("unreachable")

    def read_info(self, path: Path) -> PhotoInfo:
        try:
            return self.call(_child_info, str(path))
        except ReaderCrashed as exc:
            log.warning("metadata of %s: %s", path, exc)
            return PhotoInfo(unreadable=str(exc))

    def read_preview(self, path: Path, min_width: int) -> bytes | None:
        return self.call(_child_preview, str(path), min_width)

    def worker_pids(self) -> list[int]:
        """The helpers' process ids (started if need be): for diagnostics and tests."""
        pool = self._get_pool()
        pool.submit(_child_pid).result(timeout=self.timeout)
        return [p.pid for p in (getattr(pool, "_processes", None) or {}).values() if p.pid]

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


_shared: MetaReader | None = None
_shared_lock = threading.Lock()


def shared_reader() -> MetaReader:
    """The application's reader (one set of helper processes for every window and thread)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = MetaReader()
        return _shared
