"""Family: who can read the bucket, adding and removing Google accounts, the contact named in
the guide, and a ready-to-send message for a relative.

Every bucket call runs as a job (the Google libraries load on the worker, not here); the list
is re-read from the bucket's IAM policy after each change, so it shows what Google holds.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from photoarchive.cloud.family_message import share_message
from photoarchive.cloud.target import BadTarget, parse_target
from photoarchive.config import Settings, save_settings
from photoarchive.gui.cloud_words import SETTINGS_CLOUD, gui_text
from photoarchive.gui.worker import Job, JobRunner

ERROR_STYLE = "color: #b3261e;"


def _share(action: str, settings: Settings, emails: list[str]) -> Any:
    """Runs on a worker: the bucket's readers after adding/removing (or just listing)."""
    from photoarchive.cloud.client import GcsError, make_client
    from photoarchive.cloud.sharing import ShareError, share_add, share_list, share_remove

    try:
        target = parse_target(settings.bucket)
        client = make_client(settings)
        if action == "add":
            return share_add(client, target, emails)
        if action == "remove":
            return share_remove(client, target, emails)
        return share_list(client, target)
    except ShareError as exc:
        raise RuntimeError(str(exc)) from None
    except (GcsError, BadTarget) as exc:
        raise RuntimeError(gui_text(exc, settings)) from exc


class FamilyDialog(QDialog):
    settings_changed = Signal(object)  # the contact was saved

    def __init__(
        self, settings: Settings, runner: JobRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.runner = runner
        self.last_job: Job | None = None
        self.viewers: list[str] = []
        self.setWindowTitle("Family")
        self.resize(640, 620)
        layout = QVBoxLayout(self)
        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.list = QListWidget(self)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        layout.addWidget(self.list)
        row = QHBoxLayout()
        self.email_edit = QLineEdit(self)
        self.email_edit.setPlaceholderText("a relative's Google account, e.g. name@gmail.com")
        self.add_button = QPushButton("Add", self)
        self.remove_button = QPushButton("Remove selected", self)
        row.addWidget(self.email_edit, 1)
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        layout.addLayout(row)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        form = QFormLayout()
        contact_row = QHBoxLayout()
        self.contact_edit = QLineEdit(settings.sync_contact, self)
        self.contact_edit.setPlaceholderText("your name and e-mail, e.g. Anna (anna@example.com)")
        self.contact_save = QPushButton("Save", self)
        contact_row.addWidget(self.contact_edit, 1)
        contact_row.addWidget(self.contact_save)
        form.addRow("Whom to ask (named in the guide and the pages):", contact_row)
        layout.addLayout(form)
        layout.addWidget(QLabel("A message to send to a relative you added:", self))
        self.message = QPlainTextEdit(self)
        self.message.setReadOnly(True)
        layout.addWidget(self.message, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = buttons.addButton("Copy message", QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.add_button.clicked.connect(self.add)
        self.email_edit.returnPressed.connect(self.add)
        self.remove_button.clicked.connect(self.remove_selected)
        self.contact_save.clicked.connect(self.save_contact)
        self.copy_button.clicked.connect(self.copy_message)
        self._fill_message([])
        try:
            target = parse_target(settings.bucket)
        except BadTarget:
            self.heading.setText(f"No cloud bucket is set yet: enter one in {SETTINGS_CLOUD}.")
            self._enable(False)
            return
        self.heading.setText(
            f"Google accounts that can read {target.url} (and open its family pages). "
            "Only named accounts: the bucket is never made public."
        )
        self.refresh()

    # --- jobs ------------------------------------------------------------------------------
    def _run(self, title: str, action: str, emails: list[str]) -> Job:
        settings = self.settings
        self._enable(False)
        self.status.setStyleSheet("")
        self.status.setText(f"{title}…")
        job = self.runner.run(title, lambda c, p: _share(action, settings, emails), visible=False)
        job.succeeded.connect(lambda result: self._shown(result, action, emails))
        job.failed.connect(self._failed)
        job.ended.connect(lambda: self._enable(True))
        self.last_job = job
        return job

    def refresh(self) -> Job:
        return self._run("Reading who has access", "list", [])

    def add(self) -> Job | None:
        email = self.email_edit.text().strip()
        if not email:
            self._failed("Type the Google account (e-mail address) to add.")
            return None
        return self._run(f"Giving {email} access", "add", [email])

    def remove_selected(self) -> Job | None:
        emails = [i.text() for i in self.list.selectedItems()]
        if not emails:
            self._failed("Select the account(s) to remove first.")
            return None
        return self._run("Taking access away", "remove", emails)

    def _shown(self, result: Any, action: str, emails: list[str]) -> None:
        self.viewers = list(result.viewers)
        self.list.clear()
        self.list.addItems(self.viewers)
        if action == "add":
            self.email_edit.clear()
            added = ", ".join(result.changed) or ", ".join(emails)
            verb = "can now read" if result.changed else "could already read"
            self.status.setText(f"{added} {verb} the family's copy; send them the message below.")
            self._fill_message(result.changed + result.unchanged)
        elif action == "remove":
            self.status.setText(f"Access taken away: {', '.join(result.changed) or 'nobody'}.")
        else:
            n = len(self.viewers)
            self.status.setText(
                "Nobody has been given access yet." if not n else f"{n} account(s) have access."
            )
        if result.public:
            self.status.setStyleSheet(ERROR_STYLE)
            self.status.setText(
                "Warning: the bucket is public (" + "; ".join(result.public) + "). Remove that "
                "access in the Google Cloud Console."
            )

    def _failed(self, message: str) -> None:
        self.status.setStyleSheet(ERROR_STYLE)
        self.status.setText(message)

    def _enable(self, on: bool) -> None:
        for w in (self.add_button, self.remove_button, self.email_edit):
            w.setEnabled(on)

    # --- contact and message ---------------------------------------------------------------
    def save_contact(self) -> None:
        new = replace(self.settings, sync_contact=self.contact_edit.text().strip())
        try:
            save_settings(new)
        except OSError as exc:
            self._failed(f"The contact was not saved: {exc.strerror or exc}")
            return
        self.settings = new
        self.settings_changed.emit(new)
        self.status.setStyleSheet("")
        self.status.setText("Saved; the guide and the pages name them from the next sync on.")
        self._fill_message([])

    def _fill_message(self, emails: list[str]) -> None:
        try:
            target = parse_target(self.settings.bucket)
        except BadTarget:
            self.message.setPlainText("")
            return
        self.message.setPlainText(share_message(self.settings, target, emails))

    def copy_message(self) -> None:
        QGuiApplication.clipboard().setText(self.message.toPlainText())
        self.status.setStyleSheet("")
        self.status.setText("The message is on the clipboard: paste it into an e-mail.")
