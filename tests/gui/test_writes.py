"""Writing from the GUI: batch geotag, the caption flow and the metadata panel, checked with
exiftool (an independent reader), plus the places manager."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox

from photoarchive.metadata.places import Place, PlaceBook


def _type(widget, text: str) -> None:
    """Type any text, non-ASCII included (qtbot.keyClicks aborts on those)."""
    for ch in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, ch, Qt.KeyboardModifier.NoModifier
        )


def _job(win, title: str):
    """The most recent job whose title starts with `title`."""
    return [j for j in win.runner.jobs if j.title.startswith(title)][-1]


def _press(widget, key: Qt.Key) -> None:
    QTest.keyClick(widget, key)


def test_batch_geotag_dialog_writes_gps_that_exiftool_reads(qtbot, window, wait_job, exif):
    from photoarchive.metadata.tagging import TagEdit, apply_tags

    win = window
    photos = win.photo_model.photos
    # One photo already has a location: "keep" must leave it alone.
    from photoarchive.metadata.coords import Coordinates

    pre = apply_tags(win.settings, [photos[0].path], TagEdit(gps=Coordinates(-33.8568, 151.2153)))
    assert pre.ok, pre.problems
    PlaceBook(win.settings.places_file, [Place("Home", 51.5, -0.12, uses=3)]).save()

    win.grid.selectAll()
    win.open_geotag()
    qtbot.waitUntil(lambda: getattr(win, "geotag_dialog", None) is not None, timeout=10000)
    dlg = win.geotag_dialog
    assert "1 of 4 selected photos already have one" in dlg.gps_summary.text()
    assert dlg.tree.topLevelItem(0).text(0) == "Home"

    # Validated as you type.
    qtbot.keyClicks(dlg.coords_edit, "48.8584 north")
    assert "expected coordinates" in dlg.coords_status.text()
    assert not dlg.add_button.isEnabled()
    dlg.coords_edit.clear()
    _type(dlg.name_edit, "Tour Eiffel – Champ de Mars")
    dlg.coords_edit.setText("https://www.openstreetmap.org/#map=18/48.85826/2.29450")
    assert dlg.coords_status.text().startswith("✓")
    assert dlg.add_button.isEnabled()
    dlg.add_button.click()
    assert dlg.tree.currentItem().text(0) == "Tour Eiffel – Champ de Mars"
    assert "Tour Eiffel – Champ de Mars" in PlaceBook.load(win.settings.places_file)
    dlg.search.setText("eiffel")
    assert dlg.tree.topLevelItem(0).isHidden() != dlg.tree.topLevelItem(1).isHidden()
    assert dlg.keep_radio.isChecked()

    dlg.buttons.button(QDialogButtonBox.StandardButton.Apply).click()
    job = _job(win, "Geotagging")
    row = win.jobs_bar.row_for(job)
    assert row is not None and not row.cancel_button.isHidden()
    wait_job(job)
    assert job.state == "done", job.error
    # The kept photo is reported, with its reason, in the job's problems list.
    assert [(Path(p.path).name, p.severity) for p in job.problems] == [(photos[0].name, "warning")]
    assert row.problems_button.text() == "Problems (1)" and not row.problems_button.isHidden()
    problems = row.show_problems()
    qtbot.addWidget(problems)
    assert problems.table.item(0, 0).text() == str(photos[0].path)
    assert "kept" in problems.table.item(0, 1).text()

    tags = exif(*[p.path for p in photos])
    assert abs(tags[photos[0].name]["GPSLatitude"] - -33.8568) < 1e-5  # kept
    for p in photos[1:]:
        assert abs(tags[p.name]["GPSLatitude"] - 48.85826) < 1e-5
        assert abs(tags[p.name]["GPSLongitude"] - 2.2945) < 1e-5
    assert PlaceBook.load(win.settings.places_file).get("tour eiffel – champ de mars").uses == 1
    # The grid learns about it (re-read after the write) and marks the photos.
    qtbot.waitUntil(
        lambda: all(
            (i := win.photo_model.info.get(p.rel)) is not None and i.has_gps for p in photos
        ),
        timeout=10000,
    )
    # The panel names the saved place the photos are at.
    win.grid.clearSelection()
    win.grid.setCurrentIndex(win.photo_model.index(2))
    qtbot.waitUntil(
        lambda: "Tour Eiffel – Champ de Mars" in win.panel.place_status.text(), timeout=10000
    )
    assert win.panel.place_edit.text().startswith("48.85826")


def test_geotag_overwrite_replaces_existing_locations(qtbot, window, wait_job, exif):
    from photoarchive.gui.actions import GeotagChoice
    from photoarchive.metadata.coords import Coordinates
    from photoarchive.metadata.tagging import TagEdit, apply_tags

    win = window
    photos = win.photo_model.photos[:2]
    apply_tags(win.settings, [photos[0].path], TagEdit(gps=Coordinates(10.0, 20.0)))
    job = win.geotag(photos, GeotagChoice(45.0, 7.0, None, None, overwrite=True))
    wait_job(job)
    tags = exif(*[p.path for p in photos])
    assert [round(tags[p.name]["GPSLatitude"], 5) for p in photos] == [45.0, 45.0]


def test_caption_flow_writes_title_and_captions(qtbot, window, wait_job, exif):
    """The week title reaches every file without any extra button; Enter on an empty box keeps
    the photo's own caption (skipping never copies someone else's); Ctrl+D repeats."""
    from photoarchive.metadata.tagging import TagEdit, apply_tags

    win = window
    win.select_weeks(["2024-03-04"])
    qtbot.waitUntil(lambda: win.photo_model.rowCount() == 6, timeout=10000)
    photos = list(win.photo_model.photos)
    assert apply_tags(win.settings, [photos[2].path], TagEdit(caption="Old words")).ok
    win.photo_model.forget([photos[2].rel])
    win.open_captions()
    qtbot.waitUntil(lambda: getattr(win, "caption_dialog", None) is not None, timeout=10000)
    dlg = win.caption_dialog
    _type(dlg.title_edit, "Ferien in Köln")
    assert dlg.saved_label.text() == "Save will write: title “Ferien in Köln” for 6 photos"
    assert "Ctrl+D" in dlg.repeat_button.text()
    edit = dlg.caption_edit
    assert dlg.position.text() == "Photo 1 of 6"
    _type(edit, "Dom und Rhein")
    _press(edit, Qt.Key.Key_Return)
    assert dlg.position.text() == "Photo 2 of 6"
    QTest.keyClick(edit, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)  # same as previous
    assert dlg.position.text() == "Photo 3 of 6"
    assert edit.text() == "Old words"
    edit.clear()
    _press(edit, Qt.Key.Key_Return)  # empty: keeps this photo's own caption
    assert dlg.position.text() == "Photo 4 of 6"
    _press(edit, Qt.Key.Key_Return)  # empty, no caption: stays without one
    qtbot.keyClicks(edit, "Dinner")
    _press(edit, Qt.Key.Key_Return)
    _press(edit, Qt.Key.Key_PageDown)  # skip photo 6 without a caption
    assert dlg.position.text() == "Photo 6 of 6"
    assert dlg.saved_label.text().endswith("for 6 photos, 3 new captions")
    qtbot.waitUntil(lambda: dlg.preview.pixmap() is not None and not dlg.preview.pixmap().isNull())
    dlg.finish()
    job = _job(win, "Saving captions")
    wait_job(job)
    assert job.state == "done", job.error
    status = win.jobs_bar.row_for(job).status.text()
    assert status == "done: written 6 files, unchanged 0, 0 errors"
    tags = exif(*[p.path for p in photos])
    captions = [tags[p.name].get("Caption-Abstract") for p in photos]
    assert captions == ["Dom und Rhein", "Dom und Rhein", "Old words", None, "Dinner", None]
    assert {tags[p.name].get("ObjectName") for p in photos} == {"Ferien in Köln"}
    assert {tags[p.name].get("Title") for p in photos} == {"Ferien in Köln"}


def test_a_cleared_week_title_leaves_titles_alone(qtbot, window, wait_job, exif):
    from photoarchive.metadata.tagging import TagEdit, apply_tags

    win = window
    win.select_weeks(["2024-03-04"])
    qtbot.waitUntil(lambda: win.photo_model.rowCount() == 6, timeout=10000)
    photos = list(win.photo_model.photos)
    assert apply_tags(win.settings, [p.path for p in photos], TagEdit(title="Kept")).ok
    win.photo_model.forget([p.rel for p in photos])
    win.open_captions()
    qtbot.waitUntil(lambda: getattr(win, "caption_dialog", None) is not None, timeout=10000)
    dlg = win.caption_dialog
    assert dlg.title_edit.text() == "Kept" and dlg.saved_label.text() == ""
    dlg.title_edit.clear()
    _type(dlg.caption_edit, "Only this")
    _press(dlg.caption_edit, Qt.Key.Key_Return)
    assert dlg.saved_label.text() == "Save will write: 1 new caption"
    dlg.finish()
    wait_job(_job(win, "Saving captions"))
    tags = exif(*[p.path for p in photos])
    assert {tags[p.name].get("ObjectName") for p in photos} == {"Kept"}
    assert tags[photos[0].name].get("Caption-Abstract") == "Only this"


def test_closing_the_caption_flow_with_unsaved_captions_asks(qtbot, window, wait_job, exif):
    from PySide6.QtWidgets import QMessageBox

    win = window
    win.open_captions()
    qtbot.waitUntil(lambda: getattr(win, "caption_dialog", None) is not None, timeout=10000)
    dlg = win.caption_dialog
    qtbot.keyClicks(dlg.caption_edit, "Almost lost")
    dlg.reject()  # window close / Escape / Discard button
    assert dlg.isVisible() and dlg.confirm is not None and dlg.confirm.isVisible()
    dlg.confirm.button(QMessageBox.StandardButton.Save).click()
    qtbot.waitUntil(lambda: not dlg.isVisible(), timeout=5000)
    job = _job(win, "Saving captions")
    wait_job(job)
    first = win.photo_model.photos[0]
    assert exif(first.path)[first.name].get("Caption-Abstract") == "Almost lost"


def test_panel_edits_several_photos_and_writes_only_what_changed(qtbot, window, wait_job, exif):
    from photoarchive.metadata.tagging import TagEdit, apply_tags

    win = window
    photos = win.photo_model.photos[:2]
    result = apply_tags(
        win.settings,
        [p.path for p in photos],
        {photos[0].path: TagEdit(title="Morning"), photos[1].path: TagEdit(title="Evening")},
    )
    assert result.ok, result.problems
    win.photo_model.forget([p.rel for p in photos])
    win.grid.selectionModel().select(
        win.photo_model.index(0), win.grid.selectionModel().SelectionFlag.Select
    )
    win.grid.selectionModel().select(
        win.photo_model.index(1), win.grid.selectionModel().SelectionFlag.Select
    )
    qtbot.waitUntil(lambda: win.panel.title_edit.placeholderText() == "(mixed)", timeout=10000)
    assert win.panel.title_edit.text() == ""
    win.panel.caption_edit.setPlainText("Both of us")
    assert win.panel.apply_button.isEnabled()
    win.panel.apply_button.click()
    job = _job(win, "Saving metadata")
    wait_job(job)
    assert job.state == "done", job.error
    tags = exif(*[p.path for p in photos])
    assert [tags[p.name].get("Caption-Abstract") for p in photos] == ["Both of us"] * 2
    assert [tags[p.name].get("ObjectName") for p in photos] == ["Morning", "Evening"]


def test_places_manager_add_edit_rename_remove_import(qtbot, window, tmp_path: Path) -> None:
    from photoarchive.gui.dialogs.places import PlacesDialog

    settings = window.settings
    dlg = PlacesDialog(settings, window)
    qtbot.addWidget(dlg)
    dlg.name_edit.setText("Oma")
    dlg.coords_edit.setText("geo:50.9413,6.9583")
    assert dlg.add()
    dlg.name_edit.setText("Beach")
    dlg.coords_edit.setText("not a place")
    assert not dlg.add()
    assert dlg.status.text().startswith("Enter valid coordinates")
    dlg.coords_edit.setText("""43°17'49.0"N 5°22'12.0"E""")
    dlg.radius.setValue(250)
    dlg.private.setChecked(True)
    assert dlg.add()
    book = PlaceBook.load(settings.places_file)
    assert book.get("beach").radius_m == 250 and book.get("beach").private
    assert abs(book.get("Beach").lat - 43.296944) < 1e-5

    dlg.reload(select="Oma")
    dlg.coords_edit.setText("50.95, 6.96")
    assert dlg.update_current()
    assert PlaceBook.load(settings.places_file).get("Oma").lat == 50.95
    assert dlg.rename("Oma", "Grandma's")
    assert not dlg.rename("Grandma's", "beach")  # duplicate name: refused, said why
    assert "exists" in dlg.status.text()
    dlg.reload(select="Beach")
    assert dlg.remove_current()
    assert [p.name for p in PlaceBook.load(settings.places_file).all()] == ["Grandma's"]

    shell = tmp_path / "places.sh"
    shell.write_text(
        'declare -A LOCATION\nLOCATION["Summer house"]="_SH"\n'
        '_SH=(-M "set Exif.GPSInfo.GPSLatitudeRef N"'
        ' -M "set Exif.GPSInfo.GPSLatitude 59/1 20/1 0/1"'
        ' -M "set Exif.GPSInfo.GPSLongitudeRef E"'
        ' -M "set Exif.GPSInfo.GPSLongitude 18/1 3/1 0/1")\n'
    )
    added = dlg.import_file(shell)
    assert [p.name for p in added] == ["Summer house"], dlg.status.text()
    assert "Summer house" in PlaceBook.load(settings.places_file)
    bad = tmp_path / "nothing.sh"
    bad.write_text("echo hello\n")
    assert dlg.import_file(bad) == []
    assert "no places found" in dlg.status.text()


def test_cancelled_geotag_leaves_every_file_old_or_new(
    qtbot, window, wait_job, hold_job, exif
) -> None:
    from datetime import datetime, timedelta

    from imaging import jpeg_bytes, write_file
    from PIL import Image

    from photoarchive.archive import is_temp
    from photoarchive.gui.actions import GeotagChoice
    from photoarchive.metadata.tagging import CHUNK_FILES, default_workers
    from photoarchive.pipeline import import_photos, verify

    win = window
    card = win.settings.archive.parent / "card-geotag"
    # More chunks than the writer keeps in flight (2 per worker): a cancel after the first
    # finished chunk must leave the last chunk unwritten.
    total = (2 * default_workers() + 1) * CHUNK_FILES
    start = datetime(2024, 9, 2, 8, 0)
    sources = {}
    for i in range(total):
        taken = start + timedelta(minutes=i)
        sources[f"P{i:04d}.JPG"] = jpeg_bytes(4000 + i, taken)
        write_file(card / "DCIM" / "100X" / f"P{i:04d}.JPG", sources[f"P{i:04d}.JPG"], taken)
    assert len(import_photos(win.settings, [card]).copied) == total
    win.refresh_weeks(["2024-09-02"])
    qtbot.waitUntil(lambda: win.photo_model.rowCount() == total, timeout=10000)
    photos = list(win.photo_model.photos)
    job = win.geotag(photos, GeotagChoice(12.5, 45.25))
    # Cancel at a known point, from the worker's side: after the first files were written.
    hold = hold_job(job, lambda p: p.done >= 1)
    qtbot.waitUntil(hold.reached.is_set, timeout=60000)
    job.cancel()
    hold.release.set()
    wait_job(job, timeout=120000)
    assert job.state == "cancelled", job.error
    assert win.jobs_bar.row_for(job).status.text().startswith("cancelled")
    tags = exif(*[p.path for p in photos])
    tagged = [p for p in photos if "GPSLatitude" in tags[p.name]]
    assert job.result.cancelled
    assert 0 < len(tagged) < total, f"{len(tagged)} of {total} tagged: cancel was not mid-batch"
    assert len(job.result.results) == len(tagged)
    for p in photos:  # each file is either untouched or fully tagged, never in between
        if p in tagged:
            assert abs(tags[p.name]["GPSLatitude"] - 12.5) < 1e-6
            assert abs(tags[p.name]["GPSLongitude"] - 45.25) < 1e-6
        else:
            assert p.path.read_bytes() == sources[p.name]
        with Image.open(p.path) as im:
            im.load()  # every file is a complete JPEG
    leftovers = [f for f in win.settings.archive.rglob("*") if is_temp(f.name)]
    assert leftovers == []
    report = verify(win.settings)
    assert report.clean, (report.changed, report.problems)  # the edits were recorded


def test_panel_typing_is_saved_when_the_selection_moves_on(qtbot, window, wait_job, exif):
    win = window
    photos = win.photo_model.photos
    win.grid.setCurrentIndex(win.photo_model.index(0))
    qtbot.waitUntil(lambda: win.panel.title_edit.isEnabled(), timeout=10000)
    qtbot.keyClicks(win.panel.title_edit, "Kept")
    assert win.panel.apply_button.isEnabled()
    win.grid.setCurrentIndex(win.photo_model.index(1))  # clicked elsewhere without Save
    job = _job(win, "Saving metadata of 1 photo")
    wait_job(job)
    assert job.state == "done", job.error
    tags = exif(photos[0].path, photos[1].path)
    assert tags[photos[0].name].get("ObjectName") == "Kept"
    assert tags[photos[1].name].get("ObjectName") is None


def test_panel_typing_is_saved_when_the_window_closes(qtbot, window, exif):
    win = window
    photo = win.photo_model.photos[2]
    win.grid.setCurrentIndex(win.photo_model.index(2))
    qtbot.waitUntil(lambda: win.panel.title_edit.isEnabled(), timeout=10000)
    qtbot.keyClicks(win.panel.title_edit, "Closing time")
    win.close()  # waits for the save job
    assert exif(photo.path)[photo.name].get("ObjectName") == "Closing time"
