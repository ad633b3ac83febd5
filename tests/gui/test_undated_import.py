"""The import dialog shows the files without a date before copying, and places them as the
user chose."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from imaging import jpeg_bytes, write_file
from PySide6.QtCore import QDate

DATED = datetime(2024, 5, 1, 12, 0)  # week 2024-04-29
FILE_TIME = datetime(2024, 5, 22, 18, 0)  # week 2024-05-20


def test_guessed_dates_are_shown_and_placed_as_chosen(qtbot, window, wait_job, tmp_path: Path):
    folder = tmp_path / "phone" / "DCIM" / "Camera"
    for i in (1, 2, 3):
        write_file(folder / f"IMG_{i:04d}.JPG", jpeg_bytes(700 + i, DATED), DATED)
    write_file(folder / "IMG_0004.JPG", jpeg_bytes(704, None), FILE_TIME)
    win = window
    win.open_import()
    dlg = win.import_dialog
    dlg.add_source(tmp_path / "phone")
    wait_job(dlg.make_plan())
    assert dlg.new_label.text().endswith("into 1 week folder, 1 of them without a date (below)")
    box = dlg.undated_box
    assert box.isVisible() and box.title() == "No date inside: 1 file"
    top = box.tree.topLevelItem(0)
    assert top.text(0) == "File time in week 2024-05-20 (1)"
    row = top.child(0)
    assert row.text(0) == "IMG_0004.JPG"
    assert row.text(1) == "2024-04-29 (next to IMG_0003.JPG)"
    assert row.text(2) == "2024-04-29"  # the default: its neighbours' week
    items = [dlg.details.item(i).text() for i in range(dlg.details.count())]
    assert items[0] == "new: 3 files → 2024-04-29"  # the dated ones; the undated one is above
    box.file_time.setChecked(True)
    assert box.tree.topLevelItem(0).child(0).text(2) == "2024-05-20"
    box.picked.setChecked(True)
    box.day.setDate(QDate(2024, 6, 5))
    assert box.tree.topLevelItem(0).child(0).text(2) == "2024-06-03"
    job = dlg.start_import()
    wait_job(job)
    assert job.state == "done", job.error
    assert (win.settings.archive / "2024-06-03" / "IMG_0004.JPG").is_file()
    assert not (win.settings.archive / "2024-05-20").exists()
    assert len(list((win.settings.archive / "2024-04-29").glob("*.JPG"))) == 3


def test_undated_files_can_be_left_on_the_card(qtbot, window, wait_job, tmp_path: Path):
    folder = tmp_path / "phone" / "DCIM" / "Camera"
    write_file(folder / "IMG_0001.JPG", jpeg_bytes(801, DATED), DATED)
    write_file(folder / "IMG_0002.JPG", jpeg_bytes(802, None), FILE_TIME)
    win = window
    win.open_import()
    dlg = win.import_dialog
    dlg.add_source(tmp_path / "phone")
    wait_job(dlg.make_plan())
    dlg.undated_box.hold.setChecked(True)
    assert dlg.undated_box.tree.topLevelItem(0).child(0).text(2) == "not imported"
    wait_job(dlg.start_import())
    assert "1 file without a date left on the card" in dlg.status.text()
    assert not (win.settings.archive / "2024-05-20").exists()
