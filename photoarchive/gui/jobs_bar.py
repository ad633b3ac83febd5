"""The jobs bar: each running job with progress, rate, ETA, Cancel, and its problems after."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from photoarchive.gui.dialogs.problems import ProblemsDialog
from photoarchive.gui.forms import icon
from photoarchive.gui.worker import Job, JobRunner, JobState
from photoarchive.jobs import Progress, human_bytes

MAX_ROWS = 4


def format_eta(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = round(seconds)
    if s >= 3600:
        return f"{s // 3600} h {s % 3600 // 60:02d} min left"
    if s >= 60:
        return f"{s // 60} min {s % 60:02d} s left"
    return f"{s} s left"


class JobRow(QWidget):
    dismissed = Signal(object)

    def __init__(self, job: Job, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.job = job
        self.dialog: ProblemsDialog | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 1, 4, 1)
        self.title = QLabel(job.title, self)
        self.title.setMinimumWidth(160)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)
        self.bar.setMaximumHeight(16)
        self.bar.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.status = QLabel("waiting…", self)
        self.status.setMinimumWidth(260)
        self.cancel_button = QPushButton(icon("cancel"), "Cancel", self)
        self.problems_button = QPushButton("Problems", self)
        self.problems_button.hide()
        self.close_button = QPushButton("Dismiss", self)
        self.close_button.hide()
        for w in (self.title, self.bar, self.status, self.cancel_button):
            layout.addWidget(w)
        layout.addWidget(self.problems_button)
        layout.addWidget(self.close_button)
        self.cancel_button.clicked.connect(self._cancel)
        self.problems_button.clicked.connect(self.show_problems)
        self.close_button.clicked.connect(lambda: self.dismissed.emit(self))
        job.progressed.connect(self._on_progress)
        job.ended.connect(self._on_ended)

    def _cancel(self) -> None:
        self.job.cancel()
        self.cancel_button.setEnabled(False)
        self.status.setText("cancelling…")

    def _on_progress(self, p: Progress) -> None:
        if p.total > 0:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * min(p.done, p.total) / p.total))
        rate, eta = self.job.rate_and_eta()
        if p.bytes_total:
            speed = f"{human_bytes(int(rate))}/s"
        else:
            speed = f"{rate:.1f} files/s" if rate else ""
        parts = [f"{p.stage} {p.done}/{p.total}" if p.total else p.stage, speed, format_eta(eta)]
        if self.job.cancel_token.cancelled:
            parts = ["cancelling…"]
        self.status.setText(" · ".join(x for x in parts if x))

    def _on_ended(self) -> None:
        job = self.job
        self.cancel_button.hide()
        self.close_button.show()
        self.bar.setRange(0, 1000)
        n = len(job.problems)
        words = getattr(job.result, "in_words", None)  # a result that can say what it did
        said = words() if callable(words) else ""
        if job.state is JobState.DONE:
            self.bar.setValue(1000)
            self.status.setText(f"done, {n} problem{'s' if n != 1 else ''}" if n else "done")
            if said:
                self.status.setText(f"done: {said}")
                self.status.setToolTip(said)
        elif job.state is JobState.CANCELLED:
            self.status.setText("cancelled" + (f", {n} problems" if n else ""))
        else:
            self.status.setText(f"failed: {job.error}")
            self.status.setStyleSheet("color: #b3261e")
            self.status.setToolTip(job.error)
        if n:
            self.problems_button.setText(f"Problems ({n})")
            self.problems_button.show()

    def show_problems(self) -> ProblemsDialog:
        self.dialog = ProblemsDialog(self.job.title, self.job.problems, self)
        self.dialog.open()
        return self.dialog


class JobsBar(QWidget):
    """Shows visible jobs; finished ones stay until dismissed (the oldest go first)."""

    def __init__(self, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[JobRow] = []
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(0)
        self.idle = QLabel("No jobs running.", self)
        self.idle.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.idle.setContentsMargins(6, 2, 6, 2)
        self.layout_.addWidget(self.idle)
        runner.job_added.connect(self.add_job)

    def add_job(self, job: Job) -> JobRow:
        row = JobRow(job, self)
        row.dismissed.connect(self.remove_row)
        self.rows.append(row)
        self.layout_.addWidget(row)
        self.idle.hide()
        finished = [r for r in self.rows if r.job.finished]
        while len(self.rows) > MAX_ROWS and finished:
            self.remove_row(finished.pop(0))
        return row

    def remove_row(self, row: JobRow) -> None:
        if row in self.rows:
            self.rows.remove(row)
            row.setParent(None)
            row.deleteLater()
        self.idle.setVisible(not self.rows)

    def row_for(self, job: Job) -> JobRow | None:
        return next((r for r in self.rows if r.job is job), None)
