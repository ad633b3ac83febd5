"""Flickr: the account (signed in or not, Pro or free, room left), sign-in, album and privacy.

Every call to Flickr runs as a job off the GUI thread. Sign-in is the out-of-band flow the
command line uses (open the page, allow, paste the code): it works wherever a browser does,
and Cancel drops a sign-in under way. Upload hands the choice to the main window, which runs
it as a job with progress and Cancel in the jobs bar.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from photoarchive.config import Settings
from photoarchive.gui.actions import gui_words
from photoarchive.gui.worker import Job, JobRunner

DEFAULT_ALBUM = "(the week's title, else its dates)"
PRIVACY = [("Family", "family"), ("Friends", "friends"), ("Only me", "private"),
           ("Anyone (public)", "public")]  # fmt: skip


def _account(settings: Settings) -> Any:
    from photoarchive.flickr.account import account_status
    from photoarchive.flickr.albums import list_albums
    from photoarchive.flickr.tokens import open_client

    client, _ = open_client(settings)
    return account_status(client), sorted(list_albums(client))


class FlickrDialog(QDialog):
    upload_requested = Signal(object, str)  # album name (None: per week), privacy

    def __init__(
        self, settings: Settings, runner: JobRunner, what: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.settings, self.runner = settings, runner
        self.setWindowTitle("Upload to Flickr")
        self.resize(560, 300)
        self.flow: Any = None
        self.store: Any = None
        self.pending: Job | None = None
        self.account_label = QLabel("Checking the Flickr account…")
        self.account_label.setWordWrap(True)
        self.sign_in_button = QPushButton("Sign in…")
        self.sign_out_button = QPushButton("Sign out")
        row = QHBoxLayout()
        row.addWidget(self.account_label, 1)
        row.addWidget(self.sign_in_button)
        row.addWidget(self.sign_out_button)
        self.sign_in_box = QWidget()
        box = QFormLayout(self.sign_in_box)
        self.url_edit = QLineEdit()
        self.url_edit.setReadOnly(True)
        self.open_button = QPushButton("Open in browser")
        url_row = QHBoxLayout()
        url_row.addWidget(self.url_edit, 1)
        url_row.addWidget(self.open_button)
        self.code_edit = QLineEdit()
        self.code_edit.setPlaceholderText("the code Flickr shows after you allow access")
        self.finish_button = QPushButton("Finish sign-in")
        self.cancel_sign_in = QPushButton("Cancel sign-in")
        code_row = QHBoxLayout()
        code_row.addWidget(self.code_edit, 1)
        code_row.addWidget(self.finish_button)
        code_row.addWidget(self.cancel_sign_in)
        box.addRow("1. Allow access:", url_row)
        box.addRow("2. Paste the code:", code_row)
        self.sign_in_box.hide()
        self.what_label = QLabel(f"Upload: {what}")
        self.album_combo = QComboBox()
        self.album_combo.setEditable(True)
        self.album_combo.addItem(DEFAULT_ALBUM)
        self.privacy_combo = QComboBox()
        for label, value in PRIVACY:
            self.privacy_combo.addItem(label, value)
        form = QFormLayout()
        form.addRow("Album:", self.album_combo)
        form.addRow("Who may see them:", self.privacy_combo)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.upload_button = self.buttons.addButton(
            "Upload", QDialogButtonBox.ButtonRole.AcceptRole
        )
        layout = QVBoxLayout(self)
        for part in (row, self.sign_in_box, self.what_label, form, self.message, self.buttons):
            layout.addWidget(part) if isinstance(part, QWidget) else layout.addLayout(part)
        self.sign_in_button.clicked.connect(self.start_sign_in)
        self.sign_out_button.clicked.connect(self.sign_out)
        self.open_button.clicked.connect(lambda: self.open_browser(self.url_edit.text()))
        self.finish_button.clicked.connect(self.finish_sign_in)
        self.cancel_sign_in.clicked.connect(self.abandon_sign_in)
        self.buttons.accepted.connect(self.start_upload)
        self.buttons.rejected.connect(self.reject)
        self._signed_in(False)
        self.refresh()

    # --- account ------------------------------------------------------------------------------
    def _run(self, title: str, fn: Any, done: Any) -> Job:
        job = self.runner.run(title, lambda c, p: fn(), visible=False)
        job.succeeded.connect(lambda result, j=job: self.pending is j and done(result))
        job.failed.connect(lambda msg, j=job: self.pending is j and self._failed(msg))
        self.pending = job
        return job

    def _failed(self, msg: str) -> None:
        self.pending = None
        self.sign_in_button.setEnabled(True)
        self.message.setText(gui_words(msg))
        if "sign in" in msg or "not signed in" in msg:
            self._signed_in(False)
            self.account_label.setText("Not signed in to Flickr.")

    def _signed_in(self, yes: bool) -> None:
        self.sign_in_button.setVisible(not yes)
        self.sign_out_button.setVisible(yes)
        self.upload_button.setEnabled(yes)

    def refresh(self) -> Job:
        settings = self.settings
        return self._run("Checking the Flickr account", lambda: _account(settings), self._shown)

    def _shown(self, result: tuple[Any, list[str]]) -> None:
        self.pending = None
        account, albums = result
        self.account_label.setText(account.describe())
        current = self.album_combo.currentText()
        self.album_combo.clear()
        self.album_combo.addItem(DEFAULT_ALBUM)
        self.album_combo.addItems(albums)
        self.album_combo.setCurrentText(current)
        self._signed_in(True)
        self.message.setText("")

    def start_sign_in(self) -> Job:
        settings = self.settings

        def start() -> tuple[Any, Any, str]:
            from photoarchive.flickr.tokens import SignIn, open_client

            client, store = open_client(settings, need_token=False)
            flow = SignIn(client)
            return flow, store, flow.start()

        self.sign_in_button.setEnabled(False)
        self.message.setText("Asking Flickr for a sign-in page…")
        return self._run("Flickr sign-in", start, self._got_url)

    def _got_url(self, result: tuple[Any, Any, str]) -> None:
        self.pending = None
        self.flow, self.store, url = result
        self.url_edit.setText(url)
        self.sign_in_box.show()
        self.message.setText("Open the page, allow access, then paste the code shown.")
        self.open_browser(url)

    def open_browser(self, url: str) -> None:
        QDesktopServices.openUrl(QUrl(url))

    def finish_sign_in(self, to_file: bool = False) -> Job | None:
        code, flow, store = self.code_edit.text().strip(), self.flow, self.store
        if not code or flow is None:
            self.message.setText("Paste the code Flickr shows after you allow access.")
            return None

        def finish() -> str:
            from photoarchive.flickr.tokens import NoKeyring

            token = flow.finish(code) if flow.client.token is None else flow.client.token
            try:
                return str(store.save(token, to_file=to_file))
            except NoKeyring as exc:
                return "?" + str(exc)

        return self._run("Flickr sign-in", finish, self._finished)

    def _finished(self, where: str) -> None:
        self.pending = None
        if where.startswith("?"):  # no keyring: ask before writing a file
            answer = QMessageBox.question(self, "No keyring", where[1:] + "\n\nKeep it there?")
            if answer == QMessageBox.StandardButton.Yes:
                self.finish_sign_in(to_file=True)
            else:
                self.message.setText("Not signed in: the sign-in was not saved.")
            return
        self.abandon_sign_in()
        self.message.setText(f"Signed in; the sign-in is kept in {where}.")
        self.refresh()

    def abandon_sign_in(self) -> None:
        """Cancel: whatever the sign-in job still returns is ignored."""
        if self.pending is not None:
            self.pending.cancel_token.cancel()
        self.pending = None
        self.flow = None
        self.code_edit.clear()
        self.url_edit.clear()
        self.sign_in_box.hide()
        self.sign_in_button.setEnabled(True)

    def sign_out(self) -> Job:
        settings = self.settings

        def forget() -> bool:
            from photoarchive.flickr.tokens import open_client

            return bool(open_client(settings, need_token=False)[1].clear())

        def done(_: object) -> None:
            self.pending = None
            self._signed_in(False)
            self.account_label.setText("Not signed in to Flickr.")

        return self._run("Flickr sign-out", forget, done)

    # --- upload -------------------------------------------------------------------------------
    def start_upload(self) -> None:
        album = self.album_combo.currentText().strip()
        privacy = str(self.privacy_combo.currentData())
        self.upload_requested.emit(None if album in ("", DEFAULT_ALBUM) else album, privacy)
        self.accept()
