"""GUI fixtures: a small generated card, an archive imported from it, and a main window."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from imaging import jpeg_bytes, write_file

from photoarchive.config import Settings
from photoarchive.jobs import Progress

WEEK_A = datetime(2024, 3, 4, 10, 0)  # a Monday: week folder 2024-03-04
WEEK_B = datetime(2024, 3, 11, 9, 0)  # the next week: 2024-03-11


def make_card(root: Path, count: int, start: datetime, seed: int = 0, **kw: object) -> Path:
    """A camera card: DCIM/100TEST/IMG_NNNN.JPG, one shot per minute from `start`."""
    for i in range(count):
        taken = start + timedelta(minutes=i)
        write_file(
            root / "DCIM" / "100TEST" / f"IMG_{seed + i:04d}.JPG",
            jpeg_bytes(seed + i, taken, **kw),  # type: ignore[arg-type]
            taken,
        )
    return root


@pytest.fixture
def archive(settings: Settings, tmp_path: Path) -> Settings:
    """An archive with 6 photos in week 2024-03-04 and 4 in 2024-03-11 (newest)."""
    from photoarchive.pipeline import import_photos

    card = tmp_path / "card"
    make_card(card, 6, WEEK_A, seed=0, size=(320, 240))
    make_card(card, 4, WEEK_B, seed=100, size=(320, 240))
    summary = import_photos(settings, [card])
    assert len(summary.copied) == 10, summary.all_problems
    return settings


@pytest.fixture
def window(qtbot, archive: Settings) -> Iterator[object]:
    from photoarchive.gui.main_window import MainWindow

    win = MainWindow(archive)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.photo_model.rowCount() > 0, timeout=10000)
    yield win
    win.close()


@pytest.fixture
def wait_job(qtbot):
    """Wait for a Job's `ended` signal: its result signals (emitted before it, queued to the
    GUI thread) and every slot connected before the call have run when this returns."""
    from PySide6.QtCore import QCoreApplication

    def wait(job, timeout: int = 60000) -> None:
        with job.end_guard:  # the worker cannot be emitting `ended` while we look and connect
            blocker = None if job.ended_emitted else qtbot.waitSignal(job.ended, timeout=timeout)
        if blocker is None:  # ended before this call: its queued slots are posted; deliver them
            QCoreApplication.processEvents()
        else:
            blocker.wait()

    return wait


@dataclass
class Hold:
    """A job's worker thread stopped inside its progress callback (see `hold_job_at`)."""

    reached: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    at: Progress | None = None


@pytest.fixture
def hold_job() -> Callable[..., Hold]:
    return _hold_job_at


def _hold_job_at(job, when: Callable[[Progress], bool]) -> Hold:
    """Stop the job's worker at the first progress report for which `when` is true, until
    `release` is set: the test then acts (Cancel...) at a known point of the work, whatever
    the speed of the machine and the GUI's progress throttling. Call before the job starts."""
    assert job.state == "queued", "the job must not have started yet"
    hold, inner = Hold(), job.fn

    def fn(cancel, progress):
        def report(p: Progress) -> None:
            progress(p)
            if not hold.reached.is_set() and when(p):
                hold.at = p
                hold.reached.set()
                if not hold.release.wait(60):
                    raise TimeoutError("the test never released the held job")

        return inner(cancel, report)

    job.fn = fn
    return hold


@pytest.fixture
def exif():
    """exiftool's JSON for files (-n: numbers, not degree strings), keyed by file name."""
    import json
    import shutil
    import subprocess

    if shutil.which("exiftool") is None:
        pytest.skip("exiftool is not installed (Debian: libimage-exiftool-perl)")

    def read(*paths: Path) -> dict[str, dict[str, object]]:
        out = subprocess.run(
            ["exiftool", "-j", "-n", "-charset", "iptc=utf8", *map(str, paths)],
            check=True,
            capture_output=True,
            text=True,
        )
        return {Path(d["SourceFile"]).name: d for d in json.loads(out.stdout)}

    return read
