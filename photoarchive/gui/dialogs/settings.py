"""Settings: archive folder, week folder pattern, every cloud-copy setting (with "Create
bucket") and the Flickr account, checked on Save.

The Flickr secret goes to the system keyring as a job: a keyring may show an unlock prompt
and wait for it, and the window must not freeze meanwhile. The dialog closes only once the
secret is kept; a keyring that refuses it is said in words, with the private settings file
offered instead.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from photoarchive.archive import BadWeekPattern, check_week_pattern, week_folder
from photoarchive.config import Settings, save_settings
from photoarchive.gui.dialogs.cloud_settings import CloudSettings
from photoarchive.gui.forms import child, load_form
from photoarchive.gui.plain import plain_labels
from photoarchive.gui.worker import Job, JobRunner


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
        plain_labels(self.error_label)  # errors may name files
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
        self.runner = runner or JobRunner(self)
        self.pending: Job | None = None  # the keyring write under way
        self.keyring_question: QMessageBox | None = None
        self.cloud = CloudSettings(settings, self.bucket_edit, self.runner, form)
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
        except ValueError as exc:
            self.error_label.setText(f"Not saved: {exc}")
            return
        secret = self.flickr_secret_edit.text().strip()
        if secret and new.flickr_api_key:
            self._keep_secret(new, secret)
        else:
            self._write(new)

    def _write(self, new: Settings) -> None:
        try:
            save_settings(new)
        except OSError as exc:
            self.error_label.setText(f"Not saved: {exc}")
            self._busy(False)
            return
        self.saved.emit(new)
        self.accept()

    def _busy(self, busy: bool) -> None:
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        if save is not None:
            save.setEnabled(not busy)

    def _keep_secret(self, new: Settings, secret: str) -> Job:
        from photoarchive.flickr.api import save_secret

        key = new.flickr_api_key
        self._busy(True)
        self.error_label.setText(
            "Keeping the Flickr secret in the system keyring… (it may ask to be unlocked)"
        )
        job = self.runner.run(
            "Keeping the Flickr secret", lambda c, p: save_secret(key, secret), visible=False
        )
        # The keyring holds it now: an older copy in the settings file would win over it.
        kept = replace(new, flickr_api_secret="")
        job.succeeded.connect(lambda _r, j=job: self.pending is j and self._kept(kept))
        job.failed.connect(lambda msg, j=job: self.pending is j and self._refused(new, secret, msg))
        self.pending = job
        return job

    def _kept(self, new: Settings) -> None:
        self.pending = None
        self._write(new)

    def _refused(self, new: Settings, secret: str, message: str) -> None:
        """No keyring took it: say why, and offer the settings file (mode 0600) instead."""
        self.pending = None
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "No keyring",
            f"{message[:1].upper()}{message[1:]}.\n\nThe secret can instead be kept in the "
            f"settings file {new.settings_file}, readable only by you. Keep it there?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setTextFormat(Qt.TextFormat.PlainText)  # it names the settings file
        box.buttonClicked.connect(
            lambda button: self._answered(
                box.standardButton(button) == QMessageBox.StandardButton.Yes, new, secret, message
            )
        )
        self.keyring_question = box
        box.open()

    def _answered(self, in_file: bool, new: Settings, secret: str, message: str) -> None:
        self.keyring_question = None
        if in_file:
            self._write(replace(new, flickr_api_secret=secret))
            return
        self._busy(False)
        self.error_label.setText(
            f"Not saved: {message}. Unlock or install a keyring (GNOME Keyring, KWallet) and "
            "save again."
        )

    def done(self, result: int) -> None:
        self.pending = None  # a keyring write still under way no longer saves anything
        super().done(result)
