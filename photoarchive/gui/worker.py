"""Running core jobs off the GUI thread and turning their callbacks into Qt signals.

A `Job` wraps a core call `fn(cancel, progress) -> result`. It lives in the GUI thread; the
work runs in a QThreadPool. Progress is throttled (a job may report thousands of files per
second) and exceptions become readable messages instead of tracebacks in a terminal.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from enum import StrEnum
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal

from photoarchive.jobs import Cancelled, CancelToken, Problem, Progress, ProgressCallback

log = logging.getLogger(__name__)

JobFn = Callable[[CancelToken, ProgressCallback], Any]
PROGRESS_INTERVAL_S = 0.05


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINAL_STATES = (JobState.DONE, JobState.FAILED, JobState.CANCELLED)


def problems_of(result: object) -> list[Problem]:
    """Per-file problems of any core result (ImportSummary, BatchResult, ImportPlan...)."""
    for attr in ("all_problems", "problems"):
        value = getattr(result, attr, None)
        if isinstance(value, list):
            return [p for p in value if isinstance(p, Problem)]
    return []


def readable(exc: BaseException) -> str:
    text = str(exc) or exc.__class__.__name__
    if isinstance(exc, OSError) and exc.filename:
        text = f"{exc.strerror or text}: {exc.filename}"
    return text


class Job(QObject):
    """One unit of work with its progress, rate, ETA, result, problems and Cancel."""

    progressed = Signal(object)  # Progress
    succeeded = Signal(object)  # the core result
    failed = Signal(str)  # a readable message
    ended = Signal()  # after any final state

    def __init__(self, title: str, fn: JobFn, *, visible: bool = True, writes: bool = False):
        super().__init__()
        self.title = title
        self.fn = fn
        self.visible = visible
        self.writes = writes
        self.cancel_token = CancelToken()
        self.state = JobState.QUEUED
        self.result: object = None
        self.error = ""
        self.problems: list[Problem] = []
        self.last: Progress | None = None
        self.started_at = 0.0
        self.finished_at = 0.0
        self._last_emit = 0.0
        self._lock = threading.Lock()
        # Held while `ended` is emitted: whoever connects to `ended` under it either sees
        # `ended_emitted` or is sure to receive the signal (no window in between).
        self.end_guard = threading.Lock()
        self.ended_emitted = False

    # --- called from the worker thread ---------------------------------------------------
    def _report(self, progress: Progress) -> None:
        now = time.monotonic()
        with self._lock:
            final = progress.total and progress.done >= progress.total
            if not final and now - self._last_emit < PROGRESS_INTERVAL_S:
                return
            self._last_emit = now
        self.progressed.emit(progress)

    def _run(self) -> None:
        self.started_at = time.monotonic()
        self.state = JobState.RUNNING
        try:
            self.cancel_token.raise_if_cancelled()
            result = self.fn(self.cancel_token, self._report)
        except Cancelled:
            self._finish(JobState.CANCELLED)
        except Exception as exc:  # every failure must reach the user as a message
            log.exception("job %r failed", self.title)
            self.error = readable(exc)
            self._finish(JobState.FAILED)
        else:
            self.result = result
            self.problems = problems_of(result)
            cancelled = bool(getattr(result, "cancelled", False)) or (
                self.cancel_token.cancelled and result is None
            )
            self._finish(JobState.CANCELLED if cancelled else JobState.DONE)

    def _finish(self, state: JobState) -> None:
        self.finished_at = time.monotonic()
        self.state = state
        if state is JobState.FAILED:
            self.failed.emit(self.error)
        elif state is JobState.DONE:
            self.succeeded.emit(self.result)
        with self.end_guard:
            self.ended.emit()
            self.ended_emitted = True

    # --- called from the GUI thread ------------------------------------------------------
    def on_progress(self, progress: Progress) -> None:
        self.last = progress

    def cancel(self) -> None:
        self.cancel_token.cancel()

    @property
    def finished(self) -> bool:
        return self.state in FINAL_STATES

    def rate_and_eta(self) -> tuple[float, float | None]:
        """(units per second, seconds left) from the last progress; bytes when counted."""
        p = self.last
        elapsed = time.monotonic() - self.started_at if self.started_at else 0.0
        if p is None or elapsed <= 0:
            return 0.0, None
        done, total = (p.bytes_done, p.bytes_total) if p.bytes_total else (p.done, p.total)
        rate = done / elapsed
        if rate <= 0 or total <= 0:
            return rate, None
        return rate, max(0.0, (total - done) / rate)


class _Runnable(QRunnable):
    def __init__(self, job: Job) -> None:
        super().__init__()
        self.job = job
        self.setAutoDelete(True)

    def run(self) -> None:
        self.job._run()


class JobRunner(QObject):
    """Starts jobs: writers one at a time (one archive writer), readers in parallel."""

    job_added = Signal(object)  # Job

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.readers = QThreadPool(self)
        self.readers.setMaxThreadCount(2)
        self.writers = QThreadPool(self)
        self.writers.setMaxThreadCount(1)
        self.jobs: list[Job] = []
        self._unstarted: list[Job] = []
        self.closed = False

    def start(self, job: Job) -> Job:
        if self.closed:  # the window is going away: nothing new runs or reports back
            job.state = JobState.CANCELLED
            return job
        job.progressed.connect(job.on_progress)
        self.jobs.append(job)
        job.ended.connect(lambda j=job: self._forget(j))
        if job.visible:
            self.job_added.emit(job)
        # Start on the next event-loop turn, so the caller's connections exist before a fast
        # job can emit its result (a signal emitted before connect() would be lost).
        self._unstarted.append(job)
        QTimer.singleShot(0, self, self._start_pending)
        return job

    def _start_pending(self) -> None:
        while self._unstarted:
            job = self._unstarted.pop(0)
            (self.writers if job.writes else self.readers).start(_Runnable(job))

    def run(self, title: str, fn: JobFn, *, visible: bool = True, writes: bool = False) -> Job:
        return self.start(Job(title, fn, visible=visible, writes=writes))

    def _forget(self, job: Job) -> None:
        if not job.visible and job in self.jobs:
            self.jobs.remove(job)

    def running(self) -> list[Job]:
        return [j for j in self.jobs if not j.finished]

    def cancel_all(self) -> None:
        for job in self.running():
            job.cancel()

    def shutdown(self, msecs: int = 60000, keep: tuple[Job, ...] = ()) -> bool:
        """Cancel everything (but `keep`) and wait: writers stop between files, nothing is
        half-written."""
        self.closed = True
        for job in self.running():
            if job not in keep:
                job.cancel()
        self._start_pending()  # kept jobs run; cancelled ones end at once
        return self.wait(msecs)

    def wait(self, msecs: int = 30000) -> bool:
        a = self.readers.waitForDone(msecs)
        return self.writers.waitForDone(msecs) and a
