"""The Safety view: every week's copies, the weeks that need attention first, and scrub.

The ledger is read on a worker thread; "Check now" runs a scrub within ten minutes (oldest-
verified files first), "Check and repair" restores damaged files from the bucket; both are jobs
with progress and Cancel in the jobs bar, and the table is read again when they end.
"""

from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from photoarchive.config import Settings
from photoarchive.gui.plain import tip
from photoarchive.gui.worker import Job, JobRunner

COLUMNS = ["Week", "Photos", "Copies", "Where", "Last checked", "Needs"]
SCRUB_MINUTES = 10


def _when(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d", time.localtime(ts)) if ts else "never"


class SafetyDialog(QDialog):
    def __init__(self, settings: Settings, runner: JobRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings
        self.runner = runner
        self.ledger: object = None
        self.setWindowTitle("Safety: are there enough copies of every photo?")
        self.resize(900, 480)
        layout = QVBoxLayout(self)
        self.summary = QLabel("Reading the catalog…")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.check_button = QPushButton(f"Check now ({SCRUB_MINUTES} minutes)")
        self.repair_button = QPushButton("Check and repair")
        self.repair_button.setToolTip(
            "Damaged photos are restored from the cloud copy; the damaged file is kept aside."
        )
        buttons.addButton(self.check_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.repair_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.check_button.clicked.connect(lambda: self.scrub(repair=False))
        self.repair_button.clicked.connect(lambda: self.scrub(repair=True))
        layout.addWidget(buttons)
        self.load_job: Job | None = None
        self.scrub_job: Job | None = None
        self.reload()

    def reload(self) -> Job:
        from photoarchive.durability.ledger import build_ledger

        settings = self.settings
        job = self.runner.run("Reading the ledger", lambda c, p: build_ledger(settings))
        job.succeeded.connect(self._show)
        job.failed.connect(lambda msg: self.summary.setText(f"Cannot read the catalog: {msg}"))
        self.load_job = job
        return job

    def _show(self, ledger: object) -> None:
        self.ledger = ledger
        # Most urgent first: damage, then fewest copies, then the oldest week.
        weeks = sorted(
            ledger.weeks,  # type: ignore[attr-defined]
            key=lambda w: (w.ok, not (w.damaged or w.bucket_bad), w.copies, w.week),
        )
        self.table.setRowCount(len(weeks))
        for row, w in enumerate(weeks):
            where = ["archive"]
            if w.in_bucket:
                where.append(f"cloud {w.in_bucket}/{w.photos}")
            where += [f"card {c}" for c in w.cards if w.labelled_cards]
            texts = [
                w.week,
                str(w.photos),
                str(w.copies),
                ", ".join(where),
                _when(w.last_verified),
                "; ".join(w.problems) or "nothing",
            ]
            for col, text in enumerate(texts):
                item = QTableWidgetItem(text)
                item.setToolTip(tip(text))
                if not w.ok:
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(row, col, item)
        short = len(ledger.short)  # type: ignore[attr-defined]
        need = f"{short} week(s) need attention (listed first)." if short else "All weeks are safe."
        self.summary.setText(f"{ledger.summary()}. {need}")  # type: ignore[attr-defined]

    def scrub(self, repair: bool) -> Job:
        from photoarchive.durability.scrub import scrub

        settings = self.settings
        title = "Checking and repairing the archive" if repair else "Checking the archive"
        job = self.runner.run(
            title,
            lambda c, p: scrub(
                settings, budget_seconds=SCRUB_MINUTES * 60, repair=repair, cancel=c, progress=p
            ),
            writes=True,
        )
        job.ended.connect(self.reload)
        self.scrub_job = job
        return job
