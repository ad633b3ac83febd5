"""Import: choose cards or a folder, see the plan before anything is copied, then import.

Planning and copying are jobs (they also appear in the jobs bar, with Cancel); the dialog shows
the plan's counts, every skipped file and problem with its reason, the files without a date
inside with the week each will go to (the user's choice, applied when Import is pressed), and
finally the summary.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QFileDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QWidget,
)

from photoarchive.config import Settings
from photoarchive.gui.forms import child, load_form
from photoarchive.gui.plain import plain_labels
from photoarchive.gui.undated_box import UndatedBox
from photoarchive.gui.worker import Job, JobRunner, JobState
from photoarchive.importing.undated import place_undated, undated
from photoarchive.jobs import Progress, human_bytes, plural


class ImportDialog(QDialog):
    imported = Signal(object)  # list of the week folders that received photos

    def __init__(self, settings: Settings, runner: JobRunner, parent: QWidget | None = None):
        super().__init__(parent)
        self.settings = settings
        self.runner = runner
        self.setWindowTitle("Import photos")
        self.resize(720, 640)
        form = load_form("import_dialog", self)
        self.cards = child(form, QListWidget, "cardsList")
        self.details = child(form, QListWidget, "detailsList")
        self.new_label = child(form, QLabel, "newLabel")
        self.already_label = child(form, QLabel, "alreadyLabel")
        self.skipped_label = child(form, QLabel, "skippedLabel")
        self.problems_label = child(form, QLabel, "problemsLabel")
        self.progress = child(form, QProgressBar, "progressBar")
        self.status = child(form, QLabel, "statusLabel")
        plain_labels(self.status)  # it shows the file being copied
        self.plan_button = child(form, QPushButton, "planButton")
        self.import_button = child(form, QPushButton, "importButton")
        self.cancel_button = child(form, QPushButton, "cancelButton")
        self.close_button = child(form, QPushButton, "closeButton")
        child(form, QPushButton, "refreshButton").clicked.connect(self.detect)
        child(form, QPushButton, "chooseFolderButton").clicked.connect(self._choose_folder)
        self.plan_button.clicked.connect(self.make_plan)
        self.import_button.clicked.connect(self.start_import)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.close)
        self.cards.itemChanged.connect(lambda _: self._sources_changed())
        self.undated_box = UndatedBox(settings.week_pattern, form)
        layout = form.layout()
        layout.insertWidget(layout.indexOf(self.details) + 1, self.undated_box)
        # The cards being read, by name: the user's label, else "EOS_DIGITAL 32 GB"
        self.card_label = QLabel(form)
        plain_labels(self.card_label)  # a card label is whatever its owner typed
        self.card_label.setObjectName("cardNameLabel")
        self.card_label.setVisible(False)
        layout.insertWidget(layout.indexOf(self.details), self.card_label)
        self.held: list[object] = []
        self.job: Job | None = None
        self.plan: object = None
        self.summary: object = None
        self.detect()

    # --- sources ---------------------------------------------------------------------------
    def detect(self) -> Job:
        job = self.runner.run("Looking for cards", lambda c, p: _detect(), visible=False)
        job.succeeded.connect(self._cards_found)
        job.failed.connect(lambda msg: self.status.setText(f"Cannot look for cards: {msg}"))
        return job

    def _cards_found(self, cards: list[Path]) -> None:
        for card in cards:
            self.add_source(card, checked=True)
        if not cards and self.cards.count() == 0:
            self.status.setText("No camera card found. Insert one, or choose a folder.")

    def add_source(self, path: Path, checked: bool = True) -> None:
        for i in range(self.cards.count()):
            if self.cards.item(i).data(Qt.ItemDataRole.UserRole) == str(path):
                self.cards.item(i).setCheckState(Qt.CheckState.Checked)
                return
        item = QListWidgetItem(str(path))
        item.setData(Qt.ItemDataRole.UserRole, str(path))
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        self.cards.addItem(item)
        self._sources_changed()

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import from folder")
        if folder:
            self.add_source(Path(folder))

    def sources(self) -> list[Path]:
        out = []
        for i in range(self.cards.count()):
            item = self.cards.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(Path(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def _sources_changed(self) -> None:
        self.plan = None
        self.card_label.setVisible(False)
        self.undated_box.show_items([])
        self.undated_box.setEnabled(True)
        self.import_button.setEnabled(False)
        self.plan_button.setEnabled(bool(self.sources()) and not self._busy())
        if self.sources():
            self.status.setText("Press “Check what is new” to see what would be imported.")

    def _busy(self) -> bool:
        return self.job is not None and not self.job.finished

    # --- plan --------------------------------------------------------------------------------
    def make_plan(self) -> Job | None:
        sources = self.sources()
        if not sources or self._busy():
            return None
        settings = self.settings
        self.undated_box.setEnabled(True)
        job = self.runner.run("Checking cards", lambda c, p: _plan(settings, sources, c, p))
        self._track(job)
        job.succeeded.connect(self._show_planned)
        self.status.setText("Reading the card…")
        return job

    def _show_planned(self, result: tuple[object, list[str]]) -> None:
        the_plan, names = result
        self.card_label.setText("From: " + "; ".join(names) if names else "")
        self.card_label.setVisible(bool(names))
        self._show_plan(the_plan)

    def _show_plan(self, the_plan: object) -> None:
        self.plan = the_plan
        p = the_plan
        dated_weeks = {g.week for g in p.new if not g.capture.guess}  # type: ignore[attr-defined]
        no_date = sum(1 for g in p.new if g.capture.guess)  # type: ignore[attr-defined]
        text = (
            f"{plural(p.new_files, 'file')} ({human_bytes(p.new_bytes)}) into "  # type: ignore[attr-defined]
            f"{plural(len(dated_weeks), 'week folder')}"
        )
        if no_date:
            text += f", {no_date:,} of them without a date (below)"
        self.new_label.setText(text)
        self.already_label.setText(str(len(p.already)))  # type: ignore[attr-defined]
        self.skipped_label.setText(str(len(p.skipped)))  # type: ignore[attr-defined]
        self.problems_label.setText(str(len(p.problems)))  # type: ignore[attr-defined]
        self.details.clear()
        weeks: dict[str, int] = {}
        for g in p.new:  # type: ignore[attr-defined]
            if not g.capture.guess:  # the undated ones are listed below, with their week
                weeks[g.week] = weeks.get(g.week, 0) + len(g.files)
        for week, n in sorted(weeks.items()):
            self.details.addItem(f"new: {plural(n, 'file')} → {week}")
        self.undated_box.show_items(undated(p))  # type: ignore[arg-type]
        for prob in p.problems:  # type: ignore[attr-defined]
            self.details.addItem(f"problem: {prob.path}: {prob.reason}")
        for path in p.others:  # type: ignore[attr-defined]
            self.details.addItem(f"other file (copied as it is): {path}")
        for prob in p.skipped:  # type: ignore[attr-defined]
            self.details.addItem(f"skipped: {prob.path}: {prob.reason}")
        can_import = p.new_files > 0  # type: ignore[attr-defined]
        self.import_button.setEnabled(can_import)
        self.status.setText(
            "Nothing new on this card." if not can_import else "Ready: press Import to copy."
        )

    # --- import ------------------------------------------------------------------------------
    def start_import(self) -> Job | None:
        if self.plan is None or self._busy():
            return None
        from photoarchive.pipeline import import_photos

        settings, the_plan = self.settings, self.plan
        how, week = self.undated_box.choice()
        self.held = place_undated(the_plan, how, week)  # type: ignore[arg-type]
        self.undated_box.setEnabled(False)
        job = self.runner.run(
            "Importing photos",
            lambda c, p: import_photos(settings, the_plan, c, p),  # type: ignore[arg-type]
            writes=True,
        )
        self._track(job)
        job.succeeded.connect(self._show_summary)
        self.import_button.setEnabled(False)
        self.status.setText("Importing…")
        return job

    def _show_summary(self, summary: object) -> None:
        self.summary = summary
        s = summary
        copied = len(s.copied) + len(s.adopted)  # type: ignore[attr-defined]
        problems = s.all_problems  # type: ignore[attr-defined]
        weeks = s.weeks  # type: ignore[attr-defined]
        size = human_bytes(s.bytes_copied)  # type: ignore[attr-defined]
        text = f"Imported {plural(copied, 'file')} ({size})"
        if weeks:
            text += " into " + ", ".join(weeks)
        if s.cancelled:  # type: ignore[attr-defined]
            text = "Cancelled: " + text + ". Nothing half-copied was left behind."
        if self.held:
            text += f"; {plural(len(self.held), 'file')} without a date left on the card"
        if problems:
            text += f"; {plural(len(problems), 'problem')}, listed below"
            for prob in s.problems:  # type: ignore[attr-defined]
                self.details.addItem(f"problem: {prob.path}: {prob.reason}")
        self.status.setText(text + ".")
        self.plan = None
        if weeks:
            self.imported.emit(list(weeks))

    # --- job plumbing ------------------------------------------------------------------------
    def _track(self, job: Job) -> None:
        self.job = job
        self.progress.setRange(0, 0)
        self.cancel_button.setEnabled(True)
        self.plan_button.setEnabled(False)
        job.progressed.connect(self._on_progress)
        job.ended.connect(lambda j=job: self._ended(j))

    def _on_progress(self, p: Progress) -> None:
        if p.total:
            self.progress.setRange(0, p.total)
            self.progress.setValue(p.done)
        if p.current:
            self.status.setText(f"{p.stage}: {p.current}")

    def _ended(self, job: Job) -> None:
        self.cancel_button.setEnabled(False)
        self.plan_button.setEnabled(bool(self.sources()))
        self.progress.setRange(0, 1)
        done = job.state is JobState.DONE and job.title.startswith("Importing")
        self.progress.setValue(1 if done else 0)
        if job.state is JobState.FAILED:
            self.status.setText(f"Failed: {job.error}")
        elif job.state is JobState.CANCELLED and job.result is None:
            self.status.setText("Cancelled. Nothing half-copied was left behind.")
        if job.state is JobState.CANCELLED and job.result is not None:
            self._show_summary(job.result)

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.status.setText("Cancelling after the current file…")

    def closeEvent(self, event: object) -> None:
        if self._busy():
            self.cancel()
        super().closeEvent(event)  # type: ignore[arg-type]


def _detect() -> list[Path]:
    from photoarchive.pipeline import detect_cards

    return detect_cards()


def _plan(settings: Settings, sources: list[Path], cancel: object, progress: object) -> object:
    """The plan, with the names of the cards it reads (worker thread: both read the catalog)."""
    from photoarchive.durability.cards import card_names
    from photoarchive.pipeline import plan

    the_plan = plan(settings, sources, cancel, progress)  # type: ignore[arg-type]
    return the_plan, card_names(settings, the_plan.volumes)
