"""The `wait_job` fixture the other GUI tests rely on: it must return only after a job's end
signals reached the GUI thread, however late the worker emits them."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import Qt

from photoarchive.gui.worker import JobRunner


def test_wait_job_returns_after_slow_end_signals_were_delivered(qtbot, wait_job) -> None:
    runner = JobRunner()
    seen: list[str] = []
    job = runner.run("slow ending", lambda c, p: 42)
    # Runs in the worker thread between `finished` turning true and `ended` being emitted:
    # a fixture that polls `finished` and then sleeps a little returns too early.
    job.succeeded.connect(lambda r: time.sleep(0.3), Qt.ConnectionType.DirectConnection)
    job.succeeded.connect(lambda r: seen.append(f"result {r}"))
    job.ended.connect(lambda: seen.append("ended"))
    wait_job(job, timeout=10000)
    assert seen == ["result 42", "ended"]
    assert runner.wait(10000)


def test_wait_job_on_a_job_that_already_ended(qtbot, wait_job) -> None:
    runner = JobRunner()
    seen: list[str] = []
    gate = threading.Event()
    job = runner.run("quick", lambda c, p: gate.wait(10))
    job.ended.connect(lambda: seen.append("ended"))
    qtbot.waitUntil(lambda: job.state == "running", timeout=10000)
    gate.set()
    assert runner.wait(10000)  # blocks the GUI thread: `ended` is sent but not yet delivered
    assert job.ended_emitted and seen == []
    wait_job(job, timeout=2000)  # must not wait for a signal that was already sent
    assert seen == ["ended"]
