"""Settings: archive folder, week folder pattern, every cloud-copy setting (with "Create
bucket") and the Flickr account, checked on Save."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from photoarchive.archive import BadWeekPattern, check_week_pattern, week_folder
from photoarchive.config import Settings, save_settings
from photoarchive.gui.dialogs.cloud_settings import CloudSettings
from photoarchive.gui.forms import child, load_form
from photoarchive.gui.worker import JobRunner


class SettingsDialog(QDialog):
    saved = Signal(object)  # the new Settings
    welcome_requested = Signal()  # open the welcome assistant (adopt, places, bucket)

    def __init__(
        self, settings: Settings, parent: QWidget | None = None, runner: JobRunner | None = None
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("Settings")
        self.resize(660, 720)
        form = load_form("settings", self)
        self.archive_edit = child(form, QLineEdit, "archiveEdit")
        self.pattern_edit = child(form, QLineEdit, "weekPatternEdit")
        self.example = child(form, QLabel, "weekPatternExample")
        self.bucket_edit = child(form, QLineEdit, "bucketEdit")
        self.flickr_key_edit = child(form, QLineEdit, "flickrKeyEdit")
        self.flickr_user_edit = child(form, QLineEdit, "flickrUserEdit")
        self.flickr_secret_edit = child(form, QLineEdit, "flickrSecretEdit")
        self.error_label = child(form, QLabel, "errorLabel")
        self.buttons = child(form, QDialogButtonBox, "buttons")
        child(form, QPushButton, "archiveBrowse").clicked.connect(self._browse)
        self.archive_edit.setText(str(settings.archive))
        self.pattern_edit.setText(settings.week_pattern)
        self.bucket_edit.setText(settings.bucket)
        self.flickr_key_edit.setText(settings.flickr_api_key)
        self.flickr_user_edit.setText(settings.flickr_user)
        self.pattern_edit.textChanged.connect(self._show_example)
        self.welcome_button = QPushButton("Welcome assistant…")
        self.welcome_button.setToolTip(
            "Adopt existing weekly folders, import the old places file, set up the bucket"
        )
        self.buttons.addButton(self.welcome_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.welcome_button.clicked.connect(self._welcome)
        # Every cloud-copy setting beside the bucket, and "Create bucket".
        self.cloud = CloudSettings(settings, self.bucket_edit, runner or JobRunner(self), form)
        top = form.layout()
        assert isinstance(top, QVBoxLayout)
        top.insertWidget(1, self.cloud)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self._show_example()

    def _welcome(self) -> None:
        self.welcome_requested.emit()
        self.reject()

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Archive folder", self.archive_edit.text())
        if folder:
            self.archive_edit.setText(folder)

    def _show_example(self) -> None:
        pattern = self.pattern_edit.text()
        try:
            check_week_pattern(pattern)
        except BadWeekPattern as exc:
            self.example.setText(str(exc))
            return
        self.example.setText(
            f"This week's folder would be named {week_folder(date.today(), pattern)}"
        )

    def new_settings(self) -> Settings:
        """The edited settings, or ValueError with a message for the user."""
        archive = self.archive_edit.text().strip()
        if not archive:
            raise ValueError("choose an archive folder")
        pattern = self.pattern_edit.text().strip()
        check_week_pattern(pattern)
        bucket = self.bucket_edit.text().strip()
        if bucket and not bucket.startswith("gs://"):
            raise ValueError("the bucket must look like gs://BUCKET or gs://BUCKET/PREFIX")
        return self.cloud.apply(
            replace(
                self.settings,
                archive=Path(os.path.expanduser(archive)),
                week_pattern=pattern,
                bucket=bucket,
                flickr_api_key=self.flickr_key_edit.text().strip(),
                flickr_user=self.flickr_user_edit.text().strip(),
            )
        )

    def save(self) -> None:
        try:
            new = self.new_settings()
            secret = self.flickr_secret_edit.text().strip()
            if secret and new.flickr_api_key:
                from photoarchive.flickr.api import save_secret

                if not save_secret(new.flickr_api_key, secret):  # no keyring: a 0600 file
                    new = replace(new, flickr_api_secret=secret)
            save_settings(new)
        except (ValueError, OSError) as exc:
            self.error_label.setText(f"Not saved: {exc}")
            return
        self.saved.emit(new)
        self.accept()
