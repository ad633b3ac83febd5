"""Settings → Flickr secret: kept in the system keyring by a job off the GUI thread (a keyring
may wait on an unlock prompt), the dialog closing only once it is kept; a keyring that refuses
it is said in words, with the private settings file offered instead."""

from __future__ import annotations

import threading

import keyring
import keyring.errors
import pytest
from flickr.file_keyring import FileKeyring
from flickr.fixtures import file_keyring  # noqa: F401
from PySide6.QtCore import Qt

from photoarchive.config import Settings, load_settings
from photoarchive.flickr.api import api_key_for


class SlowKeyring(FileKeyring):
    """A real file keyring whose writes wait like an unlock prompt, until `answer` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.answer = threading.Event()
        self.threads: list[threading.Thread] = []
        self.refuse = False

    def set_password(self, service: str, username: str, password: str) -> None:
        self.threads.append(threading.current_thread())
        if threading.current_thread() is threading.main_thread():
            return  # on the GUI thread waiting would freeze the test too: the test fails below
        assert self.answer.wait(30)
        if self.refuse:
            raise keyring.errors.KeyringLocked("Failed to unlock the collection!")
        super().set_password(service, username, password)


@pytest.fixture
def slow_keyring(file_keyring):  # noqa: F811
    backend = SlowKeyring()
    keyring.set_keyring(backend)  # file_keyring puts the previous backend back
    yield backend
    backend.answer.set()


def _dialog(qtbot, settings: Settings, monkeypatch):  # type: ignore[no-untyped-def]
    from photoarchive.gui.dialogs.settings import SettingsDialog

    for var in ("FLICKR_API_KEY", "FLICKR_API_SECRET"):
        monkeypatch.delenv(var, raising=False)
    dlg = SettingsDialog(settings)
    qtbot.addWidget(dlg)
    dlg.flickr_key_edit.setText("my-key")
    dlg.flickr_secret_edit.setText("my-very-secret")
    return dlg


def _secret(settings: Settings) -> str:
    return api_key_for(load_settings(archive=settings.archive, env={}), env={}).secret


def test_the_secret_is_kept_by_a_job_and_the_dialog_closes_after(
    qtbot,
    settings,
    slow_keyring,
    file_keyring,  # noqa: F811
    monkeypatch,
    wait_job,
) -> None:
    dlg = _dialog(qtbot, settings, monkeypatch)
    dlg.save()
    assert threading.main_thread() not in slow_keyring.threads
    job = dlg.pending
    assert job is not None
    qtbot.waitUntil(lambda: bool(slow_keyring.threads), timeout=10000)
    # The keyring waits on its "prompt": the window still answers, the dialog says so in words
    # and has neither closed nor written the settings.
    assert dlg.result() != dlg.DialogCode.Accepted
    assert "keyring" in dlg.error_label.text() and "…" in dlg.error_label.text()
    assert not dlg.buttons.button(dlg.buttons.StandardButton.Save).isEnabled()
    assert not settings.settings_file.exists()
    slow_keyring.answer.set()
    wait_job(job)
    assert dlg.result() == dlg.DialogCode.Accepted, dlg.error_label.text()
    assert "my-very-secret" not in settings.settings_file.read_text()
    assert "my-very-secret" in file_keyring.read_text()
    assert _secret(settings) == "my-very-secret"


@pytest.mark.parametrize("keep_in_file", [False, True])
def test_a_refusing_keyring_is_said_in_words_and_the_file_offered(
    qtbot,
    settings,
    slow_keyring,
    monkeypatch,
    wait_job,
    keep_in_file,
) -> None:
    from PySide6.QtWidgets import QMessageBox

    slow_keyring.refuse = True
    slow_keyring.answer.set()
    dlg = _dialog(qtbot, settings, monkeypatch)
    dlg.save()
    job = dlg.pending
    assert job is not None
    wait_job(job)
    box = dlg.keyring_question
    assert box is not None and box.isVisible()
    assert "KeyringLocked" in box.text() and str(settings.settings_file) in box.text()
    assert box.textFormat() == Qt.TextFormat.PlainText  # the path is shown as it is
    assert dlg.result() != dlg.DialogCode.Accepted and not settings.settings_file.exists()
    answer = QMessageBox.StandardButton.Yes if keep_in_file else QMessageBox.StandardButton.No
    box.button(answer).click()
    if keep_in_file:
        assert dlg.result() == dlg.DialogCode.Accepted, dlg.error_label.text()
        assert _secret(settings) == "my-very-secret"
        assert settings.settings_file.stat().st_mode & 0o077 == 0
    else:
        assert dlg.isVisible() or dlg.result() != dlg.DialogCode.Accepted
        assert dlg.error_label.text().startswith("Not saved: the system keyring did not keep")
        assert dlg.buttons.button(dlg.buttons.StandardButton.Save).isEnabled()
        assert not settings.settings_file.exists()
