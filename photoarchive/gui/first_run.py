"""The welcome assistant shown when no settings exist (and from Settings at any time).

Short pages, each one skippable: where the archive lives (a new folder, or the weekly folders
the family already keeps, taken in place), the old shell places file, the off-site bucket, the
Flickr sign-in (the Upload to Flickr dialog's own), and a summary. Finishing saves the
settings at once and runs the chosen set-up (index in place, import places, create the
bucket) as one job off the GUI thread.
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from photoarchive import pipeline
from photoarchive.config import Settings, save_settings
from photoarchive.gui.first_run_pages import ArchivePage, BucketPage, PlacesPage, wrapped_label
from photoarchive.gui.plain import plain_labels
from photoarchive.gui.worker import Job, JobRunner
from photoarchive.jobs import CancelToken, ProgressCallback

log = logging.getLogger(__name__)


def needs_welcome(settings: Settings) -> bool:
    """No settings saved yet: this is the first start."""
    return not settings.settings_file.exists()


class FlickrPage(QWizardPage):
    """Sign in to Flickr now, with the same dialog Tools → Upload to Flickr uses."""

    def __init__(self, wizard: FirstRunWizard) -> None:
        super().__init__()
        self.wizard_ = wizard
        self.setTitle("Flickr (optional)")
        layout = QVBoxLayout(self)
        layout.addWidget(
            wrapped_label(
                "To share photos on Flickr, sign in once; the sign-in is kept in the system "
                "keyring. Skip this if you do not use Flickr: Tools → Upload to Flickr signs in "
                "later."
            )
        )
        self.sign_in_button = QPushButton("Sign in to Flickr…")
        self.sign_in_button.clicked.connect(self.open_sign_in)
        layout.addWidget(self.sign_in_button)
        layout.addStretch()
        self.dialog: QDialog | None = None

    def open_sign_in(self) -> None:
        from photoarchive.gui.dialogs.flickr import FlickrDialog

        dlg = FlickrDialog(
            self.wizard_.new_settings(), self.wizard_.runner, "nothing now (sign-in only)", self
        )
        dlg.setWindowTitle("Sign in to Flickr")
        dlg.upload_button.hide()
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.dialog = dlg
        dlg.open()


def flickr_available() -> bool:
    return importlib.util.find_spec("photoarchive.flickr.tokens") is not None


class FirstRunWizard(QWizard):
    """Emits `configured` with the saved settings once the set-up job has ended."""

    configured = Signal(object)  # Settings

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("Welcome to Photo Archive")
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.archive_page = ArchivePage(settings)
        self.places_page = PlacesPage()
        self.bucket_page = BucketPage(settings)
        self.done_page = QWizardPage()
        self.done_page.setTitle("Ready")
        self.done_label = wrapped_label("")
        plain_labels(self.done_label)  # folder and file paths, shown as they are
        QVBoxLayout(self.done_page).addWidget(self.done_label)
        self.runner = JobRunner(self)
        self.flickr_page = FlickrPage(self) if flickr_available() else None
        pages = [self.archive_page, self.places_page, self.bucket_page, self.flickr_page]
        for page in [*pages, self.done_page]:
            if page is not None:
                self.addPage(page)
        self.job: Job | None = None
        self.result_text = ""
        self.currentIdChanged.connect(self._on_page)

    def _on_page(self, _id: int) -> None:
        if self.currentPage() is self.done_page:
            self.done_label.setText("\n".join(self.plan_words()))

    def new_settings(self) -> Settings:
        page = self.archive_page
        if page.adopting():
            return self.settings  # the adoption sets the archive and pattern
        return replace(
            self.settings,
            archive=Path(page.archive_edit.text().strip() or self.settings.archive).expanduser(),
            week_pattern=page.pattern_edit.text().strip() or self.settings.week_pattern,
            bucket=self.bucket_page.bucket_edit.text().strip(),
        )

    def plan_words(self) -> list[str]:
        page = self.archive_page
        words = []
        if page.adopting():
            words.append(
                f"Use the week folders in {page.adopt_edit.text()} as the archive "
                "(indexed, nothing copied)."
            )
        else:
            words.append(f"Keep the archive in {self.new_settings().archive}.")
        if self.places_page.file_edit.text().strip():
            words.append(f"Import places from {self.places_page.file_edit.text().strip()}.")
        bucket = self.bucket_page.bucket_edit.text().strip()
        if bucket:
            create = self.bucket_page.create_check.isChecked()
            words.append(f"{'Create and use' if create else 'Use'} the bucket {bucket}.")
        words.append("Everything here can be changed later in Settings.")
        return words

    def accept(self) -> None:
        if self.job is not None:
            return
        page = self.archive_page
        settings = self.new_settings()
        adopt_dir = Path(page.adopt_edit.text().strip()).expanduser() if page.adopting() else None
        pattern = page.pattern_edit.text().strip()
        places = self.places_page.file_edit.text().strip()
        bucket = self.bucket_page.bucket_edit.text().strip()
        create = self.bucket_page.create_check.isChecked()
        location = self.bucket_page.location_combo.currentText()

        def work(cancel: CancelToken, progress: ProgressCallback) -> tuple[Settings, list[str]]:
            return setup(
                settings, adopt_dir, pattern, places, bucket, create, location, cancel, progress
            )

        self.button(QWizard.WizardButton.FinishButton).setEnabled(False)
        self.done_label.setText("Setting up…")
        self.job = self.runner.run("Setting up", work, writes=True)
        self.job.progressed.connect(lambda p: self.done_label.setText(f"Setting up… {p.done}"))
        self.job.succeeded.connect(self._done)
        self.job.failed.connect(self._failed)

    def _done(self, result: tuple[Settings, list[str]]) -> None:
        settings, words = result
        self.settings = settings
        self.result_text = "\n".join(words)
        log.info("welcome assistant: %s", self.result_text)
        self.configured.emit(settings)
        super().accept()

    def _failed(self, message: str) -> None:
        self.result_text = message
        self.done_label.setText(f"Could not finish: {message}\nGo Back to change it, or Cancel.")
        self.job = None
        self.button(QWizard.WizardButton.FinishButton).setEnabled(True)

    def reject(self) -> None:
        if self.job is not None:
            self.job.cancel()
        super().reject()


def setup(
    settings: Settings,
    adopt_dir: Path | None,
    pattern: str,
    places: str,
    bucket: str,
    create: bool,
    location: str,
    cancel: CancelToken,
    progress: ProgressCallback,
) -> tuple[Settings, list[str]]:
    """What Finish does, in a worker thread: each step says what it did, in words."""
    words: list[str] = []
    if adopt_dir is not None:
        report = pipeline.adopt(
            settings, adopt_dir, pipeline.Mode.IN_PLACE, pattern, cancel, progress
        )
        assert report.settings is not None and report.indexed is not None
        settings = report.settings
        words.append(f"Adopted {adopt_dir}: {report.indexed.checked} photos indexed, none copied.")
    settings = replace(settings, bucket=bucket or settings.bucket)
    settings.archive.mkdir(parents=True, exist_ok=True)
    save_settings(settings)
    if places:
        words.append(_import_places(settings, Path(places).expanduser()))
    if bucket and create:
        words.append(_create_bucket(settings, bucket, location))
    return settings, words


def _import_places(settings: Settings, path: Path) -> str:
    from photoarchive.metadata.places import PlaceBook, PlaceError, import_shell_places

    try:
        book = PlaceBook.load(settings.places_file)
        added = import_shell_places(book, path)
        book.save()
    except (PlaceError, OSError) as exc:
        return f"Places not imported: {exc}"
    return f"Imported {len(added)} places from {path}."


def _create_bucket(settings: Settings, bucket: str, location: str) -> str:
    from photoarchive.cloud.client import GcsError, friendly
    from photoarchive.cloud.sharing import create_archive_bucket
    from photoarchive.cloud.target import BadTarget
    from photoarchive.gui.cloud_words import created_words, gui_text

    try:
        made: Any = create_archive_bucket(settings, bucket, location)
    except (BadTarget, GcsError) as exc:  # said the desktop's way, not the command line's
        return f"Bucket not created: {gui_text(exc, settings)}"
    except Exception as exc:  # the library's own errors, worded for people
        return f"Bucket not created: {friendly(exc)}"
    return created_words(made, location, settings)
