"""Browsing: weeks, the grid, freedesktop thumbnails, the panel, settings and geometry."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from photoarchive.gui.thumbcache import file_uri, thumb_path


def test_newest_week_first_and_selecting_a_week_fills_the_grid(qtbot, window) -> None:
    win = window
    weeks = [w.week for w in win.week_model.weeks]
    assert weeks == ["2024-03-11", "2024-03-04"]
    assert win.selected_weeks() == ["2024-03-11"]
    assert [p.name for p in win.photo_model.photos] == [f"IMG_{i:04d}.JPG" for i in range(100, 104)]

    win.select_weeks(["2024-03-04"])
    qtbot.waitUntil(lambda: win.photo_model.rowCount() == 6, timeout=10000)
    assert {p.week for p in win.photo_model.photos} == {"2024-03-04"}
    text = win.week_model.item(1).text()
    assert "4–10 Mar 2024" in text and "6 photos" in text

    win.select_weeks(["2024-03-04", "2024-03-11"])  # several weeks at once
    qtbot.waitUntil(lambda: win.photo_model.rowCount() == 10, timeout=10000)

    # Once the metadata of the shown weeks is read, their badges count it.
    qtbot.waitUntil(lambda: "geotagged 0/4 · captioned 0/4" in win.week_model.item(0).text())
    win.filter_edit.setText("4–10 Mar")
    assert win.week_filter.rowCount() == 1
    win.filter_edit.setText("")
    assert win.week_filter.rowCount() == 2


def test_thumbnails_follow_the_freedesktop_cache_spec(qtbot, window, isolated_home) -> None:
    win = window
    qtbot.waitUntil(lambda: win.photo_model.loaded_count() == 4, timeout=10000)
    assert not win.photo_model.failed
    photo = win.photo_model.photos[0].path
    cached = thumb_path(photo, "normal")
    assert cached.parent == isolated_home / ".cache" / "thumbnails" / "normal"
    with Image.open(cached) as img:
        assert img.format == "PNG"
        assert max(img.size) == 128  # 320x240 scaled to the "normal" box
        assert img.text["Thumb::URI"] == file_uri(photo) == f"file://{photo}"
        assert img.text["Thumb::MTime"] == str(int(photo.stat().st_mtime))
    assert oct(cached.stat().st_mode & 0o777) == "0o600"


def test_stale_thumbnail_is_remade_and_broken_file_is_marked(qtbot, window) -> None:
    from photoarchive.gui.thumbcache import read_cached, thumbnail

    win = window
    qtbot.waitUntil(lambda: win.photo_model.loaded_count() == 4, timeout=10000)
    photo = win.photo_model.photos[1].path
    st = photo.stat()
    assert read_cached(photo, int(st.st_mtime)) is not None
    assert read_cached(photo, int(st.st_mtime) + 5) is None  # file changed: stale
    broken = win.photo_model.photos[2].path
    broken.write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    assert thumbnail(broken) is None
    model = win.photo_model
    rel = model.photos[2].rel
    model.forget([rel])
    # A read that began before the rewrite and ends after it (as under load) is not shown.
    model._on_loaded(rel, QImage(8, 8, QImage.Format.Format_RGB32), model.forgotten[rel] - 1)
    assert rel not in model.pixmaps and rel not in model.failed
    win.grid.viewport().update()
    qtbot.waitUntil(lambda: win.photo_model.photos[2].rel in win.photo_model.failed, timeout=5000)
    tip = win.photo_model.data(win.photo_model.index(2), Qt.ItemDataRole.ToolTipRole)
    assert "cannot show this image" in tip


def test_panel_shows_the_selection(qtbot, window) -> None:
    win = window
    win.grid.setCurrentIndex(win.photo_model.index(0))
    qtbot.waitUntil(lambda: win.panel.capture_label.text() != "", timeout=10000)
    assert win.panel.file_label.text() == "IMG_0100.JPG"
    assert win.panel.capture_label.text().startswith("2024-03-11 09:00:00")
    assert win.panel.camera_label.text().startswith("TestCam")
    win.grid.selectAll()
    qtbot.waitUntil(lambda: "…" in win.panel.capture_label.text(), timeout=10000)  # a range
    assert win.panel.count_label.text() == "4 photos selected"
    assert not win.panel.apply_button.isEnabled()  # nothing changed yet


def test_settings_dialog_validates_and_saves(qtbot, window, tmp_path: Path) -> None:
    from photoarchive.config import load_settings
    from photoarchive.gui.dialogs.settings import SettingsDialog

    dlg = SettingsDialog(window.settings, window)
    qtbot.addWidget(dlg)
    dlg.pattern_edit.setText("%Y")
    assert "same folder name" in dlg.example.text()
    dlg.save()
    assert dlg.error_label.text().startswith("Not saved")
    assert not window.settings.settings_file.exists()

    other = tmp_path / "other archive"
    dlg.pattern_edit.setText("%G-W%V")
    dlg.archive_edit.setText(str(other))
    dlg.bucket_edit.setText("gs://family-photos/archive")
    with qtbot.waitSignal(dlg.saved, timeout=2000):
        dlg.save()
    reread = load_settings(env={})
    assert reread.archive == other
    assert reread.week_pattern == "%G-W%V"
    assert reread.bucket == "gs://family-photos/archive"
    window.apply_settings(reread)
    qtbot.waitUntil(lambda: window.week_model.rowCount() == 0, timeout=5000)
    assert "archive is empty" in window.empty_label.text()


def test_geometry_and_splitters_are_remembered(qtbot, archive) -> None:
    from photoarchive.gui.main_window import MainWindow

    first = MainWindow(archive)
    qtbot.addWidget(first)
    first.show()
    first.resize(761, 577)
    first.hsplit.setSizes([150, 340, 271])
    qtbot.wait(50)
    sizes = first.hsplit.sizes()
    first.close()
    second = MainWindow(archive)
    qtbot.addWidget(second)
    second.show()
    qtbot.wait(50)
    assert (second.width(), second.height()) == (761, 577)
    assert second.hsplit.sizes() == sizes
    second.close()


def test_shortcuts_use_standard_keys(window) -> None:
    from PySide6.QtGui import QKeySequence

    assert window.act_quit.shortcuts() == QKeySequence.keyBindings(QKeySequence.StandardKey.Quit)
    assert window.act_select_all.shortcut() == QKeySequence(QKeySequence.StandardKey.SelectAll)
    assert window.act_refresh.shortcuts()
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["&File", "&Edit", "&View", "&Tools", "&Help"]


def test_space_opens_a_larger_preview(qtbot, window) -> None:
    from photoarchive.gui.dialogs.preview import PreviewDialog

    win = window
    win.grid.setFocus()
    win.grid.setCurrentIndex(win.photo_model.index(1))
    win.preview()  # what Space (a grid shortcut) and double-click call
    dialogs = [d for d in win.findChildren(PreviewDialog) if d.isVisible()]
    assert len(dialogs) == 1 and dialogs[0].windowTitle() == "IMG_0101.JPG"
    qtbot.waitUntil(lambda: not dialogs[0].label.pixmap().isNull(), timeout=10000)
    assert dialogs[0].label.pixmap().width() > 128  # larger than the thumbnail
    assert win.act_preview.shortcut().toString() == "Space"


def test_sync_badge_when_a_bucket_is_configured(qtbot, window) -> None:
    from dataclasses import replace

    pytest.importorskip("photoarchive.cloud.sync")
    win = window
    win.apply_settings(replace(win.settings, bucket="gs://family-photos"))
    qtbot.waitUntil(lambda: "synced 0/4" in win.week_model.item(0).text(), timeout=10000)


def test_unexpected_errors_become_message_boxes(qtbot, window) -> None:
    import sys

    from PySide6.QtWidgets import QApplication, QMessageBox

    from photoarchive.gui.app import install_excepthook

    saved = sys.excepthook
    try:
        install_excepthook(QApplication.instance())
        window.activateWindow()
        try:
            raise ValueError("the disk said no")
        except ValueError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        sys.excepthook = saved
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
    boxes += window.findChildren(QMessageBox)
    texts = [b.text() for b in boxes if b.isVisible()]
    assert any("ValueError: the disk said no" in t and "untouched" in t for t in texts), texts
    for b in boxes:
        b.close()


def test_about_box(qtbot, window) -> None:
    from PySide6.QtWidgets import QMessageBox

    window.about()
    box = next(b for b in window.findChildren(QMessageBox) if b.isVisible())
    assert "Photo Archive" in box.text() and str(window.settings.archive) in box.text()
    box.close()
