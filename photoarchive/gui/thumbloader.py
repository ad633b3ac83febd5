"""Background thumbnails for whatever the grid is showing right now.

Requests come from the model's data() as items get painted; the newest request is served first
(so a fast scroll does not wait for the rows it flew past), stale ones are dropped, and results
come back as a signal to the GUI thread, which turns the QImage into a QPixmap. Each request
carries the file's generation (how often the model saw it rewritten), so a result read before a
rewrite can be told from one read after it.
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
    loaded = Signal(str, object, int)  # key, QImage|None, generation requested

    def __init__(self, threads: int = 2, parent: QObject | None = None):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(threads)
        self._queue: OrderedDict[str, tuple[Path, int]] = OrderedDict()
        self._busy: dict[str, int] = {}  # key -> generation being read
        self._lock = threading.Lock()
        self._running = 0

    def reset(self) -> None:
        """Forget pending requests (a new week is shown)."""
        with self._lock:
            self._queue.clear()

    def request(self, key: str, path: Path, generation: int = 0) -> None:
        with self._lock:
            if self._busy.get(key) == generation:
                return
            self._queue.pop(key, None)
            self._queue[key] = (path, generation)  # newest last = served first
            while len(self._queue) > MAX_QUEUED:
                self._queue.popitem(last=False)
            start = self._running < self.pool.maxThreadCount()
            if start:
                self._running += 1
        if start:
            self.pool.start(_Drain(self))

    def _drain(self) -> None:
        # Stop counting as running under the same lock that saw the queue empty: a request
        # arriving in between would otherwise find "enough drains running", start none, and
        # wait in the queue until some later request (a thumbnail that never comes).
        running = True
        try:
            while True:
                with self._lock:
                    if not self._queue:
                        self._running -= 1
                        running = False
                        return
                    key, (path, generation) = self._queue.popitem(last=True)
                    self._busy[key] = generation
                try:
                    img = self._load(path)
                finally:
                    with self._lock:
                        if self._busy.get(key) == generation:
                            del self._busy[key]
                try:
                    self.loaded.emit(key, img, generation)
                except RuntimeError:  # the window closed and deleted us meanwhile
                    return
        finally:
            if running:
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
