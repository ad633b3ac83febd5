"""The jobs bar: each running job with progress, rate, ETA, Cancel, and its result in words.

Newest job first, so a new job is always in sight however small the bar (a splitter pane the
main window remembers). Finished jobs other than the newest fold into one summary line at the
bottom ("4 earlier jobs: 3 done, 1 failed · 2 problems") whose Problems button lists every
file that needs a look; "Show" unfolds them.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from photoarchive.gui.dialogs.problems import ProblemsDialog
from photoarchive.gui.forms import icon
from photoarchive.gui.job_words import result_words
from photoarchive.gui.plain import plain_labels, tip
from photoarchive.gui.worker import Job, JobRunner, JobState
from photoarchive.jobs import Problem, Progress, human_bytes, plural

MAX_FINISHED = 50  # finished rows kept (folded); older ones are dropped


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
        self.title.setFixedWidth(230)  # the bars line up, one under the other
        self.title.setToolTip(tip(job.title))
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 0)
        self.bar.setMaximumHeight(16)
        self.bar.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.status = QLabel("waiting…", self)
        plain_labels(self.status)  # an error may name a file
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
        words = result_words(job.result)
        if job.state is JobState.DONE:
            self.bar.setValue(1000)
            text = f"done: {words}" if words else "done"
        elif job.state is JobState.CANCELLED:
            text = f"cancelled: {words}" if words else "cancelled"
        else:
            text = f"failed: {job.error}"
            self.status.setStyleSheet("color: #b3261e")
        if n and job.state is not JobState.FAILED:
            text += f" · {plural(n, 'problem')}"
        self.status.setText(text)
        self.status.setToolTip(tip(text))
        if n:
            self.problems_button.setText(f"Problems ({n})")
            self.problems_button.show()

    def show_problems(self) -> ProblemsDialog:
        self.dialog = ProblemsDialog(self.job.title, self.job.problems, self)
        self.dialog.open()
        return self.dialog


class JobsBar(QWidget):
    """Running jobs and the newest one as rows (newest on top); earlier finished ones folded
    into a one-line summary whose problems stay one click away."""

    def __init__(self, runner: JobRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[JobRow] = []  # oldest first
        self.expanded = False
        self.dialog: ProblemsDialog | None = None
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(0)
        self.idle = QLabel("No jobs running.", self)
        self.idle.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.idle.setContentsMargins(6, 2, 6, 2)
        self.summary = QWidget(self)
        line = QHBoxLayout(self.summary)
        line.setContentsMargins(4, 1, 4, 1)
        self.summary_label = QLabel(self.summary)
        self.toggle_button = QPushButton("Show", self.summary)
        self.summary_problems = QPushButton("Problems", self.summary)
        self.clear_button = QPushButton("Clear", self.summary)
        line.addWidget(self.summary_label, 1)
        for button in (self.summary_problems, self.toggle_button, self.clear_button):
            line.addWidget(button)
        self.toggle_button.clicked.connect(self.toggle)
        self.summary_problems.clicked.connect(self.show_earlier_problems)
        self.clear_button.clicked.connect(self.clear_finished)
        self.layout_.addWidget(self.idle)
        self.layout_.addWidget(self.summary)
        self.layout_.addStretch(1)
        runner.job_added.connect(self.add_job)
        self._refresh()

    def add_job(self, job: Job) -> JobRow:
        row = JobRow(job, self)
        row.dismissed.connect(self.remove_row)
        job.ended.connect(self._refresh)  # after the row's own handler: its words are set
        self.rows.append(row)
        self.layout_.insertWidget(0, row)  # newest on top: in sight without scrolling
        finished = [r for r in self.rows if r.job.finished]
        while len(finished) > MAX_FINISHED:
            self.remove_row(finished.pop(0))
        self._refresh()
        QTimer.singleShot(0, lambda: self._scroll_to(row))  # even if the user scrolled down
        return row

    def _scroll_to(self, row: JobRow) -> None:
        parent = self.parentWidget()
        while parent is not None and not isinstance(parent, QScrollArea):
            parent = parent.parentWidget()
        if parent is not None and row in self.rows:
            parent.ensureWidgetVisible(row, 0, 0)

    def folded(self) -> list[JobRow]:
        """Finished rows other than the newest job's: what the summary line stands for."""
        newest = self.rows[-1] if self.rows else None
        return [r for r in self.rows if r.job.finished and r is not newest]

    def _refresh(self) -> None:
        folded = self.folded()
        for row in self.rows:
            row.setVisible(row not in folded or self.expanded)
        self.idle.setVisible(not self.rows)
        self.summary.setVisible(bool(folded))
        if not folded:
            self.expanded = False
            return
        states = [r.job.state for r in folded]
        counts = [
            f"{states.count(state):,} {label}"
            for state, label in (
                (JobState.DONE, "done"),
                (JobState.CANCELLED, "cancelled"),
                (JobState.FAILED, "failed"),
            )
            if state in states
        ]
        problems = self.earlier_problems()
        text = f"{plural(len(folded), 'earlier job')}: {', '.join(counts)}"
        if problems:
            text += f" · {plural(len(problems), 'problem')}"
        self.summary_label.setText(text)
        self.summary_problems.setVisible(bool(problems))
        self.summary_problems.setText(f"Problems ({len(problems)})")
        self.toggle_button.setText("Hide" if self.expanded else "Show")

    def earlier_problems(self) -> list[Problem]:
        out: list[Problem] = []
        for row in self.folded():
            failed = row.job.state is JobState.FAILED
            if failed:
                out.append(Problem(row.job.title, f"the job failed: {row.job.error}"))
            out += [
                Problem(p.path, f"{p.reason} ({row.job.title})", p.severity)
                for p in row.job.problems
            ]
        return out

    def show_earlier_problems(self) -> ProblemsDialog:
        self.dialog = ProblemsDialog("earlier jobs", self.earlier_problems(), self)
        self.dialog.open()
        return self.dialog

    def toggle(self) -> None:
        self.expanded = not self.expanded
        self._refresh()

    def clear_finished(self) -> None:
        for row in self.folded():
            self.remove_row(row)

    def remove_row(self, row: JobRow) -> None:
        if row in self.rows:
            self.rows.remove(row)
            row.setParent(None)
            row.deleteLater()
        self._refresh()

    def row_for(self, job: Job) -> JobRow | None:
        return next((r for r in self.rows if r.job is job), None)
