"""The Settings dialog's "Cloud copy" group: every sync setting, and creating the bucket.

The bucket field itself stays in the dialog's form; this group reads it for "Create bucket",
which runs as a job (the Google libraries load on the worker).
"""

from __future__ import annotations

import os
from dataclasses import replace

from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QWidget,
)

from photoarchive.cloud.target import BadTarget
from photoarchive.config import Settings
from photoarchive.gui.cloud_words import created_words, gui_text
from photoarchive.gui.worker import Job, JobRunner

ZIP_HELP = (
    "A ZIP of each week's originals gives relatives the whole week in one click. It stores "
    "every week a second time (about {price} per GB per month more at the storage price "
    "below), and a week changed within 30 days of its ZIP pays Nearline's 30-day minimum "
    "for the old ZIP."
)


def _create(settings: Settings, location: str) -> str:
    """Runs on a worker: create the configured bucket; its description, or a RuntimeError."""
    from photoarchive.cloud.client import GcsError
    from photoarchive.cloud.sharing import create_archive_bucket

    try:
        bucket = create_archive_bucket(settings, settings.bucket, location)
    except BadTarget:
        raise RuntimeError("Enter the bucket as gs://NAME above first.") from None
    except GcsError as exc:
        raise RuntimeError(gui_text(exc, settings)) from exc
    return f"{created_words(bucket, location, settings)} Save, then sync."


def _money_spin(value: float, parent: QWidget) -> QDoubleSpinBox:
    spin = QDoubleSpinBox(parent)
    spin.setDecimals(4)
    spin.setRange(0.0, 10.0)
    spin.setSingleStep(0.001)
    spin.setPrefix("$")
    spin.setValue(value)
    return spin


class CloudSettings(QGroupBox):
    def __init__(
        self, settings: Settings, bucket_edit: QLineEdit, runner: JobRunner, parent: QWidget
    ) -> None:
        super().__init__("Cloud copy (Google Cloud Storage)", parent)
        self.settings = settings
        self.bucket_edit = bucket_edit
        self.runner = runner
        self.last_job: Job | None = None
        form = QFormLayout(self)
        key_row = QHBoxLayout()
        self.key_edit = QLineEdit(settings.gcs_key_file, self)
        self.key_edit.setPlaceholderText("empty: the Google sign-in of this computer")
        self.key_edit.setToolTip(
            "A service-account key file (JSON) from the Google Cloud Console. Only its path is "
            "kept; the key is never copied."
        )
        browse = QPushButton("Choose…", self)
        browse.clicked.connect(self._browse)
        key_row.addWidget(self.key_edit, 1)
        key_row.addWidget(browse)
        form.addRow("Key file:", key_row)
        self.project_edit = QLineEdit(settings.gcs_project, self)
        self.project_edit.setPlaceholderText("the Google Cloud project id (billing)")
        form.addRow("Project:", self.project_edit)
        self.contact_edit = QLineEdit(settings.sync_contact, self)
        self.contact_edit.setPlaceholderText("whom relatives should ask, e.g. Anna (anna@…)")
        form.addRow("Whom to ask:", self.contact_edit)
        self.hold_spin = QSpinBox(self)
        self.hold_spin.setRange(0, 365)
        self.hold_spin.setSuffix(" days")
        self.hold_spin.setSpecialValueText("no wait")
        self.hold_spin.setValue(settings.sync_hold_back_days)
        self.hold_spin.setToolTip(
            "Weeks edited in the last N days wait before they are sent: a replaced Nearline "
            "object younger than 30 days is billed for the rest of its 30 days."
        )
        form.addRow("Hold back edited weeks:", self.hold_spin)
        self.site_check = QCheckBox("Family pages in the bucket (a page per week, thumbnails)")
        self.site_check.setChecked(settings.site_enabled)
        form.addRow("", self.site_check)
        self.zips_check = QCheckBox("One ZIP per week for one-click downloads")
        self.zips_check.setChecked(settings.site_zips)
        form.addRow("", self.zips_check)
        self.zip_help = QLabel(self)
        self.zip_help.setWordWrap(True)
        self.zip_help.setStyleSheet("color: palette(mid);")
        form.addRow("", self.zip_help)
        self.storage_price = _money_spin(settings.price_storage_gb_month, self)
        self.retrieval_price = _money_spin(settings.price_retrieval_gb, self)
        self.egress_price = _money_spin(settings.price_egress_gb, self)
        form.addRow("Storage price per GB-month:", self.storage_price)
        form.addRow("Retrieval price per GB:", self.retrieval_price)
        form.addRow("Internet egress price per GB:", self.egress_price)
        self.storage_price.valueChanged.connect(self._zip_help)
        self._zip_help()
        create_row = QHBoxLayout()
        self.location_edit = QLineEdit("EU", self)
        self.location_edit.setToolTip("Where the bucket lives: EU, US, EUROPE-WEST1, …")
        self.create_button = QPushButton("Create bucket", self)
        self.create_button.clicked.connect(self.create_bucket)
        create_row.addWidget(QLabel("Location:", self))
        create_row.addWidget(self.location_edit)
        create_row.addWidget(self.create_button)
        create_row.addStretch(1)
        form.addRow("New bucket:", create_row)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        form.addRow("", self.status)

    def _browse(self) -> None:
        start = os.path.dirname(self.key_edit.text()) or os.path.expanduser("~")
        path, _ = QFileDialog.getOpenFileName(self, "Service-account key file", start, "*.json")
        if path:
            self.key_edit.setText(path)

    def _zip_help(self) -> None:
        self.zip_help.setText(ZIP_HELP.format(price=f"${self.storage_price.value():.3f}"))

    def apply(self, settings: Settings) -> Settings:
        """These fields on top of the given settings."""
        return replace(
            settings,
            gcs_key_file=self.key_edit.text().strip(),
            gcs_project=self.project_edit.text().strip(),
            sync_contact=self.contact_edit.text().strip(),
            sync_hold_back_days=self.hold_spin.value(),
            site_enabled=self.site_check.isChecked(),
            site_zips=self.zips_check.isChecked(),
            price_storage_gb_month=self.storage_price.value(),
            price_retrieval_gb=self.retrieval_price.value(),
            price_egress_gb=self.egress_price.value(),
        )

    def create_bucket(self) -> Job | None:
        settings = self.apply(replace(self.settings, bucket=self.bucket_edit.text().strip()))
        location = self.location_edit.text().strip() or "EU"
        self.create_button.setEnabled(False)
        self.status.setStyleSheet("")
        self.status.setText(f"Creating {settings.bucket or 'the bucket'}…")
        job = self.runner.run(
            "Creating the bucket", lambda c, p: _create(settings, location), visible=False
        )
        job.succeeded.connect(self.status.setText)
        job.failed.connect(self._failed)
        job.ended.connect(lambda: self.create_button.setEnabled(True))
        self.last_job = job
        return job

    def _failed(self, message: str) -> None:
        self.status.setStyleSheet("color: #b3261e;")
        self.status.setText(message)
