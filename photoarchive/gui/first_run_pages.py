"""The welcome assistant's pages for the archive folder, the old places file and the bucket:
each one skippable, each checking only what the user typed (the set-up itself runs on Finish,
in first_run)."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from photoarchive import pipeline
from photoarchive.cloud.adc import adc_file, gcloud_login_command
from photoarchive.config import Settings
from photoarchive.gui.plain import plain_labels

log = logging.getLogger(__name__)

NEARLINE_COST = (
    "Nearline storage costs about $0.01 per GB a month (about $1 a month for 100 GB of "
    "photos), plus $0.01 per GB read back, and each photo is billed for at least 30 days."
)
LOCATIONS = ("EU", "US", "ASIA", "EUROPE-WEST1", "US-CENTRAL1", "US-EAST1", "EUROPE-WEST2")


def wrapped_label(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    return label


def folder_row(edit: QLineEdit, parent: QWidget, title: str, file: bool = False) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(edit)
    button = QPushButton("Browse…")

    def browse() -> None:
        if file:
            path, _ = QFileDialog.getOpenFileName(parent, title, edit.text())
        else:
            path = QFileDialog.getExistingDirectory(parent, title, edit.text())
        if path:
            edit.setText(path)

    button.clicked.connect(browse)
    row.addWidget(button)
    return row


class ArchivePage(QWizardPage):
    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.setTitle("Where your photos live")
        layout = QVBoxLayout(self)
        self.new_radio = QRadioButton("Start an archive in this folder (new weekly folders)")
        self.new_radio.setChecked(True)
        self.archive_edit = QLineEdit(str(settings.archive))
        self.adopt_radio = QRadioButton(
            "I already keep weekly folders: use them where they are (nothing is copied)"
        )
        self.adopt_edit = QLineEdit()
        self.pattern_edit = QLineEdit(settings.week_pattern)
        self.survey_label = wrapped_label("")
        plain_labels(self.survey_label)  # it may name the folder
        layout.addWidget(self.new_radio)
        layout.addLayout(folder_row(self.archive_edit, self, "Archive folder"))
        layout.addWidget(self.adopt_radio)
        layout.addLayout(folder_row(self.adopt_edit, self, "Folder of weekly folders"))
        row = QHBoxLayout()
        row.addWidget(QLabel("Week folders are named:"))
        row.addWidget(self.pattern_edit)
        layout.addLayout(row)
        layout.addWidget(self.survey_label)
        layout.addWidget(
            wrapped_label(
                "Other folders can be adopted later with Settings → Welcome "
                "assistant, or copied in with Import."
            )
        )
        self.adopt_edit.textChanged.connect(self._survey)
        self.adopt_edit.textChanged.connect(lambda t: self.adopt_radio.setChecked(bool(t)))
        self.pattern_edit.textChanged.connect(lambda _t: self._survey(self.adopt_edit.text(), True))
        self.survey: pipeline.Survey | None = None

    def _survey(self, folder: str, keep_pattern: bool = False) -> None:
        self.survey = None
        if not folder.strip():
            self.survey_label.setText("")
            return
        try:
            pattern = self.pattern_edit.text().strip() if keep_pattern else None
            found = pipeline.survey_folder(Path(folder).expanduser(), pattern or None)
        except (OSError, ValueError) as exc:
            self.survey_label.setText(f"Cannot use this folder: {exc}")
            return
        self.survey = found
        if found.pattern and not keep_pattern:
            self.pattern_edit.blockSignals(True)
            self.pattern_edit.setText(found.pattern)
            self.pattern_edit.blockSignals(False)
        self.survey_label.setText(found.describe() + ".")

    def adopting(self) -> bool:
        return self.adopt_radio.isChecked() and bool(self.adopt_edit.text().strip())

    def validatePage(self) -> bool:
        if self.adopting() and not (self.survey and self.survey.weeks):
            self.survey_label.setText(
                "No week folders found with this pattern: correct the pattern, or start a new "
                "archive and import the photos later."
            )
            return False
        return True


class PlacesPage(QWizardPage):
    def __init__(self) -> None:
        super().__init__()
        self.setTitle("Saved places (optional)")
        layout = QVBoxLayout(self)
        layout.addWidget(
            wrapped_label(
                "If you geotagged with the old shell script, its places file can be imported. "
                "Leave this empty to skip; Edit → Places imports it later."
            )
        )
        guess = next(
            (
                p
                for p in (Path.home() / "bin" / "places.sh", Path.home() / "places.sh")
                if p.is_file()
            ),
            None,
        )
        self.file_edit = QLineEdit(str(guess) if guess else "")
        layout.addLayout(folder_row(self.file_edit, self, "Shell places file", file=True))


class BucketPage(QWizardPage):
    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.setTitle("Off-site copy in Google Cloud Storage (optional)")
        layout = QVBoxLayout(self)
        found = adc_file()
        if found:
            status = f"Google sign-in found ({found})."
        else:
            status = (
                "No Google sign-in on this computer yet. Once, in a terminal, run:\n    "
                f"{gcloud_login_command()}\nthen come back here (Settings → Welcome assistant)."
            )
        self.adc_label = wrapped_label(status)
        layout.addWidget(self.adc_label)
        self.bucket_edit = QLineEdit(settings.bucket)
        self.bucket_edit.setPlaceholderText("gs://family-photos  (leave empty to skip)")
        layout.addWidget(QLabel("Bucket:"))
        layout.addWidget(self.bucket_edit)
        row = QHBoxLayout()
        self.create_check = QCheckBox("Create it, in")
        self.location_combo = QComboBox()
        self.location_combo.addItems(LOCATIONS)
        row.addWidget(self.create_check)
        row.addWidget(self.location_combo)
        row.addStretch()
        layout.addLayout(row)
        layout.addWidget(wrapped_label(NEARLINE_COST))
        self.error_label = wrapped_label("")
        plain_labels(self.error_label)
        layout.addWidget(self.error_label)

    def validatePage(self) -> bool:
        text = self.bucket_edit.text().strip()
        if text and not text.startswith("gs://"):
            self.error_label.setText("The bucket looks like gs://NAME.")
            return False
        return True
