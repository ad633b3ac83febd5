"""The import dialog end to end, Cancel on a long job, and errors reaching the user."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from photoarchive.archive import MANIFEST_NAME, is_temp


def _card(tmp_path: Path, name: str, count: int, start: datetime, seed: int, **kw) -> Path:
    from imaging import jpeg_bytes, write_file

    card = tmp_path / name
    for i in range(count):
        taken = start.replace(minute=i % 60, second=i // 60)
        write_file(
            card / "DCIM" / "100TEST" / f"IMG_{seed + i:04d}.JPG",
            jpeg_bytes(seed + i, taken, **kw),
            taken,
        )
    return card


def test_import_dialog_plans_imports_and_selects_the_new_week(
    qtbot, window, wait_job, tmp_path: Path
) -> None:
    card = _card(tmp_path, "newcard", 5, datetime(2024, 5, 1, 12, 0), seed=500)
    (card / "DCIM" / "100TEST" / "Thumbs.db").write_bytes(b"cache")  # housekeeping: skipped
    (card / "MISC").mkdir()
    (card / "MISC" / "notes.txt").write_text("not a photo")  # outside DCIM: skipped
    win = window
    win.open_import()
    dlg = win.import_dialog
    dlg.add_source(card)
    assert dlg.plan_button.isEnabled() and not dlg.import_button.isEnabled()
    wait_job(dlg.make_plan())
    assert dlg.new_label.text().startswith("5 files")
    assert dlg.already_label.text() == "0"
    assert dlg.skipped_label.text() == "2"
    items = [dlg.details.item(i).text() for i in range(dlg.details.count())]
    assert "new: 5 files → 2024-04-29" in items
    assert any(t.startswith("skipped:") and "notes.txt" in t for t in items)
    assert not (win.settings.archive / "2024-04-29").exists()  # nothing copied by planning
    assert dlg.import_button.isEnabled()

    job = dlg.start_import()
    wait_job(job)
    assert job.state == "done", job.error
    assert "Imported 5 files" in dlg.status.text() and "2024-04-29" in dlg.status.text()
    assert len(list((win.settings.archive / "2024-04-29").iterdir())) == 5 + 1  # + manifest
    qtbot.waitUntil(lambda: win.selected_weeks() == ["2024-04-29"], timeout=10000)
    qtbot.waitUntil(lambda: win.photo_model.rowCount() == 5, timeout=10000)

    # The same card again: nothing new, said plainly.
    wait_job(dlg.make_plan())
    assert dlg.already_label.text() == "5"
    assert dlg.status.text() == "Nothing new on this card."
    dlg.close()


def test_cancel_stops_a_long_import_and_leaves_nothing_damaged(
    qtbot, window, wait_job, hold_job, tmp_path: Path
) -> None:
    total = 8
    card = _card(tmp_path, "bigcard", total, datetime(2024, 6, 3, 8, 0), seed=900, pad_to=200_000)
    win = window
    win.open_import()
    dlg = win.import_dialog
    dlg.add_source(card)
    wait_job(dlg.make_plan())
    job = dlg.start_import()
    # The worker stops once the first file is copied; the jobs bar's Cancel is clicked then, as
    # a user would, so the cancel lands mid-import however fast the storage is.
    hold = hold_job(job, lambda p: p.stage == "copy" and p.done >= 1)
    qtbot.waitUntil(hold.reached.is_set, timeout=60000)
    win.jobs_bar.row_for(job).cancel_button.click()
    assert job.cancel_token.cancelled
    hold.release.set()
    wait_job(job, timeout=120000)
    assert job.state == "cancelled", job.error
    assert win.jobs_bar.row_for(job).status.text().startswith("cancelled")
    assert dlg.status.text().startswith("Cancelled"), dlg.status.text()
    week = win.settings.archive / "2024-06-03"
    names = sorted(os.listdir(week)) if week.exists() else []
    names = [n for n in names if n != MANIFEST_NAME]  # the week's list of what arrived
    assert not [n for n in names if is_temp(n) or n.startswith(".")], names
    assert 0 < len(names) < total, f"{len(names)} of {total} imported: cancel was not mid-import"
    for name in names:  # every archived file is complete and identical to its source
        assert (week / name).read_bytes() == (card / "DCIM" / "100TEST" / name).read_bytes()
    from photoarchive.pipeline import open_catalog

    with open_catalog(win.settings) as catalog:
        assert sorted(r.path for r in catalog.files("2024-06-03")) == [
            f"2024-06-03/{n}" for n in names
        ]
    # A second run imports exactly the rest.
    wait_job(dlg.make_plan())
    assert dlg.new_label.text().startswith(f"{total - len(names)} files")
    job = dlg.start_import()
    wait_job(job, timeout=120000)
    assert job.state == "done", job.error
    source = sorted(os.listdir(card / "DCIM" / "100TEST"))
    assert sorted(os.listdir(week)) == sorted([*source, MANIFEST_NAME])
    for name in source:
        assert (week / name).read_bytes() == (card / "DCIM" / "100TEST" / name).read_bytes()
    dlg.close()


def test_a_failing_job_shows_a_readable_message(qtbot, archive, wait_job) -> None:
    from photoarchive.gui.main_window import MainWindow

    catalog = archive.catalog_path
    catalog.rename(catalog.with_suffix(".moved"))
    catalog.mkdir()  # the catalog path is now a folder: SQLite cannot open it
    win = MainWindow(archive)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.last_error != "", timeout=10000)
    assert win.last_error.startswith("Reading the catalog failed: ")
    assert "unable to open database" in win.last_error
    boxes = [w for w in win.findChildren(QMessageBox) if w.isVisible()]
    assert boxes and "unable to open database" in boxes[0].text()
    win.close()


def test_unreadable_photo_metadata_is_explained_in_the_panel(qtbot, window) -> None:
    win = window
    photo = win.photo_model.photos[0]
    photo.path.write_bytes(b"this is not a JPEG at all")
    win.photo_model.forget([photo.rel])
    win.grid.setCurrentIndex(win.photo_model.index(0))
    qtbot.waitUntil(lambda: "unreadable" in win.panel.status.text(), timeout=10000)
    assert win.panel.status.text().startswith("metadata unreadable: ")


def test_metadata_read_before_a_rewrite_is_not_shown_after_it(qtbot, window, wait_job) -> None:
    """A read that was under way when the file was rewritten lands late: it must not put the
    old title back on screen (the file is read again when next needed)."""
    win = window
    photo = win.photo_model.photos[0]
    win.photo_model.forget([photo.rel])
    job = win.ensure_info([photo])
    photo.path.write_bytes(b"rewritten meanwhile")
    win.photo_model.forget([photo.rel])
    wait_job(job)
    assert job.state == "done", job.error
    assert photo.rel not in win.photo_model.info
    win.grid.setCurrentIndex(win.photo_model.index(0))
    qtbot.waitUntil(lambda: "unreadable" in win.panel.status.text(), timeout=10000)


def test_existing_folders_without_catalog_are_explained_and_rebuilt(
    qtbot, archive, wait_job
) -> None:
    from photoarchive.gui.main_window import MainWindow

    archive.catalog_path.unlink()  # an archive copied from elsewhere: folders, no index
    win = MainWindow(archive)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: "Rebuild catalog" in win.empty_label.text(), timeout=10000)
    assert "2 week folder(s)" in win.empty_label.text()
    wait_job(win.rebuild_catalog(), timeout=60000)
    qtbot.waitUntil(lambda: win.week_model.rowCount() == 2, timeout=10000)
    qtbot.waitUntil(lambda: win.photo_model.rowCount() == 4, timeout=10000)
    assert not win.empty_label.isVisible()
    win.close()
