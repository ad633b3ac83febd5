"""Creating the configured bucket from the GUI, when a sync finds it does not exist.

The same core call as `photoarchive bucket create` (cloud.sharing.create_bucket: Nearline,
uniform access, public access prevented), run as a job; the user only picks the location.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from photoarchive.config import Settings
from photoarchive.gui.worker import Job, JobRunner

# Multi-regions first (the safest for a family archive), then common single regions.
LOCATIONS = ["EU", "US", "ASIA", "EUROPE-WEST1", "EUROPE-WEST2", "US-CENTRAL1", "US-EAST1"]


def create(settings: Settings, url: str, location: str) -> str:
    """Create the bucket; returns its name and location in words (runs on a worker)."""
    from photoarchive.cloud.client import make_client
    from photoarchive.cloud.sharing import create_bucket
    from photoarchive.cloud.target import parse_target

    target = parse_target(url, settings.settings_file)
    bucket = create_bucket(make_client(settings), target.bucket, location)
    return f"gs://{bucket.name} in {bucket.location}"


class BucketDialog(QDialog):
    created = Signal(str)

    def __init__(
        self, settings: Settings, runner: JobRunner, url: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.runner = runner
        self.url = url
        self.job: Job | None = None
        self.setWindowTitle("Create the cloud bucket")
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"The bucket {url} does not exist yet. Create it now: Nearline storage, private "
            "(public access prevented), one access rule for the whole bucket.",
            self,
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.location = QComboBox(self)
        self.location.setEditable(True)
        self.location.addItems(LOCATIONS)
        form.addRow("Location:", self.location)
        layout.addLayout(form)
        self.status = QLabel("", self)
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create")
        self.buttons.accepted.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)

    def start(self) -> Job:
        settings, url = self.settings, self.url
        location = self.location.currentText().strip().upper() or "EU"
        self.buttons.setEnabled(False)
        self.status.setText(f"Creating {url} in {location}…")
        job = self.runner.run(
            f"Creating {url}", lambda c, p: create(settings, url, location), writes=False
        )
        job.succeeded.connect(self._done)
        job.failed.connect(self._failed)
        self.job = job
        return job

    def _done(self, words: str) -> None:
        self.status.setText(f"Created {words}. Sync can now run.")
        self.created.emit(words)
        self.accept()

    def _failed(self, message: str) -> None:
        self.buttons.setEnabled(True)
        self.status.setText(f"Could not create it: {message}")
