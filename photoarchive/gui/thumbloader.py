"""Background thumbnails for whatever the grid is showing right now.

Requests come from the model's data() as items get painted; the newest request is served first
(so a fast scroll does not wait for the rows it flew past), stale ones are dropped, and results
come back as a signal to the GUI thread, which turns the QImage into a QPixmap.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtGui import QImage

from photoarchive.gui.thumbcache import NORMAL, thumbnail

log = logging.getLogger(__name__)

MAX_QUEUED = 400


class _Drain(QRunnable):
    def __init__(self, loader: ThumbLoader) -> None:
        super().__init__()
        self.loader = loader
        self.setAutoDelete(True)

    def run(self) -> None:
        self.loader._drain()


class ThumbLoader(QObject):
    loaded = Signal(str, object)  # key, QImage|None

    def __init__(self, threads: int = 2, parent: QObject | None = None):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._queue: OrderedDict[str, Path] = OrderedDict()
        self._busy: set[str] = set()
        self._lock = threading.Lock()
        self._running = 0

    def reset(self) -> None:
        """Forget pending requests (a new week is shown)."""
        with self._lock:
            self._queue.clear()

    def request(self, key: str, path: Path) -> None:
        with self._lock:
            if key in self._busy:
                return
            self._queue.pop(key, None)
            self._queue[key] = path  # newest last = served first
            while len(self._queue) > MAX_QUEUED:
                self._queue.popitem(last=False)
            start = self._running < self.pool.maxThreadCount()
            if start:
                self._running += 1
        if start:
            self.pool.start(_Drain(self))

    def _drain(self) -> None:
        try:
            while True:
                with self._lock:
                    if not self._queue:
                        return
                    key, path = self._queue.popitem(last=True)
                    self._busy.add(key)
                try:
                    img = self._load(path)
                finally:
                    with self._lock:
                        self._busy.discard(key)
                try:
                    self.loaded.emit(key, img)
                except RuntimeError:  # the window closed and deleted us meanwhile
                    return
        finally:
            with self._lock:
                self._running -= 1

    @staticmethod
    def _load(path: Path) -> QImage | None:
        try:
            return thumbnail(path, NORMAL)
        except OSError as exc:
            log.info("no thumbnail for %s: %s", path, exc)
            return None

    def wait(self, msecs: int = 10000) -> bool:
        with self._lock:
            self._queue.clear()
        return self.pool.waitForDone(msecs)
