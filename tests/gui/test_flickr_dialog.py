"""Tools → Upload to Flickr: sign in from the dialog (off the GUI thread, cancellable), pick an
album from the account's albums and a privacy, upload as a job; the badges follow."""

from __future__ import annotations

from flickr.fake_api import Photoset
from flickr.fixtures import file_keyring, flickr_env, flickr_server  # noqa: F401
from flickr.test_signin import browser_approves


def test_sign_in_choose_album_and_upload_a_week(
    qtbot,
    window,
    wait_job,
    flickr_server,  # noqa: F811
    flickr_env,  # noqa: F811
) -> None:
    win = window
    flickr_server.state.sets["1"] = Photoset("1", "12345678@N00", "Summer 2023", "", [])
    week = win.selected_weeks()
    assert len(week) == 1
    win.open_flickr()
    dlg = win.flickr_dialog
    opened: list[str] = []
    dlg.open_browser = opened.append  # the test plays the browser
    qtbot.waitUntil(lambda: "Not signed in" in dlg.account_label.text(), timeout=10000)
    assert not dlg.upload_button.isEnabled()
    assert "use Sign in" in dlg.message.text() and "photoarchive" not in dlg.message.text()

    # Cancel a sign-in under way: its late answer changes nothing.
    qtbot.mouseClick(dlg.sign_in_button, qtbot_left())
    job = dlg.pending
    dlg.cancel_sign_in.click()
    wait_job(job)
    assert dlg.sign_in_box.isHidden() and dlg.url_edit.text() == "" and not opened

    qtbot.mouseClick(dlg.sign_in_button, qtbot_left())
    qtbot.waitUntil(lambda: bool(dlg.url_edit.text()), timeout=10000)
    assert opened == [dlg.url_edit.text()] and dlg.sign_in_box.isVisible()
    dlg.code_edit.setText(browser_approves(dlg.url_edit.text()))
    dlg.finish_button.click()
    qtbot.waitUntil(lambda: dlg.account_label.text().startswith("grandma: free"), timeout=10000)
    assert dlg.upload_button.isEnabled()
    albums = [dlg.album_combo.itemText(i) for i in range(dlg.album_combo.count())]
    assert "Summer 2023" in albums

    dlg.album_combo.setCurrentText("Summer 2023")
    dlg.privacy_combo.setCurrentIndex(dlg.privacy_combo.findData("public"))
    before = set(win.runner.jobs)
    dlg.upload_button.click()
    (upload,) = [j for j in win.runner.jobs if j not in before and j.title.startswith("Upload")]
    assert win.jobs_bar.row_for(upload) is not None  # progress and Cancel in the jobs bar
    wait_job(upload)
    assert upload.state == "done", upload.error
    photos = flickr_server.state.photos
    count = win.photo_model.rowCount()
    assert len(photos) == count and all(p.is_public for p in photos.values())
    assert sorted(flickr_server.state.sets["1"].photos) == sorted(photos)
    # Badges: the week says "on Flickr", each photo carries the mark.
    qtbot.waitUntil(lambda: "on Flickr" in win.week_model.item(0).text(), timeout=10000)
    win.select_weeks([])
    win.select_weeks(week)
    qtbot.waitUntil(
        lambda: (
            win.photo_model.rowCount() == count and all(p.on_flickr for p in win.photo_model.photos)
        ),
        timeout=10000,
    )
    assert "on Flickr" in win.photo_model.data(win.photo_model.index(0), 3)  # tooltip


def qtbot_left():  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton
