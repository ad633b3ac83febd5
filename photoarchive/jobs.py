"""Cancel tokens, progress events, per-file problems and their sizes in words, for every job.

Core jobs never print: they report through a callback so the CLI prints text and the GUI
turns the same events into signals.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Cancelled(Exception):
    """Raised inside a job when its token was cancelled; the job has cleaned up by then."""


class CancelToken:
    """Thread-safe flag a UI sets and a job polls between files (and between chunks)."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()


class Severity(StrEnum):
    ERROR = "error"  # the file was not processed
    WARNING = "warning"  # processed, but something about it needs a look
    NOTE = "note"  # known and reported before; shown, but does not change the exit status


@dataclass(frozen=True)
class Problem:
    """One file's trouble, worded for the user."""

    path: str
    reason: str
    severity: Severity = Severity.ERROR

    def as_dict(self, severity: bool = False) -> dict[str, str]:
        """For --json output."""
        out = {"path": self.path, "reason": self.reason}
        if severity:
            out["severity"] = str(self.severity)
        return out


@dataclass(frozen=True)
class Progress:
    """A snapshot of a job's progress; bytes are 0 when a stage does not count them."""

    stage: str
    done: int
    total: int
    bytes_done: int = 0
    bytes_total: int = 0
    current: str = ""


ProgressCallback = Callable[[Progress], None]


def no_progress(_: Progress) -> None:
    """Default callback for callers that do not show progress."""


def human_bytes(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1000
    return f"{n:.1f} TB"


def human_duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


def plural(n: int, word: str, words: str | None = None) -> str:
    """ "1 photo", "2 photos", "0 photos": a count with its noun agreeing."""
    return f"{n:,} {word if n == 1 else (words or word + 's')}"
