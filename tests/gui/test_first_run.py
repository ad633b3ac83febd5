"""The welcome assistant (pytest-qt): defaults give a working empty archive; a weekly tree is
adopted in place without copying a byte; the other steps are optional."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from imaging import jpeg_bytes, tree_bytes, tree_stats, write_file
from PySide6.QtWidgets import QWizard

from photoarchive.catalog import Catalog
from photoarchive.config import Settings, load_settings

SHELL_PLACES = """declare -A LOCATION
_LOC_HOME=(-M "set Exif.GPSInfo.GPSLatitude 48/1 8/1 15/1"
           -M "set Exif.GPSInfo.GPSLatitudeRef N"
           -M "set Exif.GPSInfo.GPSLongitude 11/1 34/1 30/1"
           -M "set Exif.GPSInfo.GPSLongitudeRef E")
LOCATION[home]="_LOC_HOME"
"""


def finish(qtbot, wizard) -> Settings:  # type: ignore[no-untyped-def]
    """Next on every page, then Finish; returns the settings once the set-up job ended."""
    wizard.show()
    while wizard.currentPage() is not wizard.done_page:
        wizard.next()
    with qtbot.waitSignal(wizard.configured, timeout=60000) as blocker:
        wizard.button(QWizard.WizardButton.FinishButton).click()
    return blocker.args[0]


def test_accepting_the_defaults_gives_a_working_empty_archive(
    qtbot, isolated_home: Path, tmp_path: Path
) -> None:
    from photoarchive.gui.first_run import FirstRunWizard, needs_welcome
    from photoarchive.pipeline import import_photos

    defaults = load_settings(env={})
    assert needs_welcome(defaults)
    wizard = FirstRunWizard(defaults)
    qtbot.addWidget(wizard)
    settings = finish(qtbot, wizard)
    assert settings.archive == defaults.archive and settings.archive.is_dir()
    assert settings.settings_file.is_file() and not needs_welcome(load_settings(env={}))
    assert wizard.plan_words()[0] == f"Keep the archive in {defaults.archive}."
    assert wizard.result_text == ""  # nothing else was asked for
    # The archive works: a card imports into it.
    card = tmp_path / "card"
    write_file(card / "DCIM" / "100X" / "A.JPG", jpeg_bytes(1, datetime(2024, 3, 5, 9)))
    summary = import_photos(load_settings(env={}), [card])
    assert summary.copied == ["2024-03-04/A.JPG"], summary.all_problems


def test_adopting_a_weekly_tree_in_place_with_places(
    qtbot, isolated_home: Path, tmp_path: Path
) -> None:
    from photoarchive.gui.first_run import FirstRunWizard
    from photoarchive.metadata.places import PlaceBook

    tree = tmp_path / "Weeks"
    for i, day in enumerate((datetime(2023, 1, 2, 9), datetime(2023, 1, 9, 9))):
        write_file(tree / f"{day:%G-W%V}" / f"IMG_{i}.JPG", jpeg_bytes(i, day))
    before, stats = tree_bytes(tree), tree_stats(tree)
    places = tmp_path / "places.sh"
    places.write_text(SHELL_PLACES)

    wizard = FirstRunWizard(load_settings(env={}))
    qtbot.addWidget(wizard)
    page = wizard.archive_page
    page.adopt_edit.setText(str(tree))  # as Browse… would
    assert page.adopt_radio.isChecked() and page.pattern_edit.text() == "%G-W%V"
    assert "2 of 2 folders are weeks" in page.survey_label.text()
    wizard.places_page.file_edit.setText(str(places))
    settings = finish(qtbot, wizard)

    assert settings.archive == tree and settings.week_pattern == "%G-W%V"
    assert load_settings(env={}).archive == tree  # saved
    assert tree_bytes(tree) == before and tree_stats(tree) == stats  # not a byte copied
    with Catalog(settings.catalog_path) as catalog:
        assert dict(catalog.weeks()) == {"2023-W01": 1, "2023-W02": 1}
    assert [p.name for p in PlaceBook.load(settings.places_file).all()] == ["home"]
    assert "Adopted" in wizard.result_text and "Imported 1 places" in wizard.result_text


def test_bucket_page_explains_the_sign_in_and_the_cost(
    qtbot, isolated_home: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from photoarchive.gui.first_run_pages import BucketPage

    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    page = BucketPage(load_settings(env={}))
    qtbot.addWidget(page)
    assert "gcloud auth application-default login" in page.adc_label.text()
    adc = isolated_home / ".config" / "gcloud" / "application_default_credentials.json"
    adc.parent.mkdir(parents=True)
    adc.write_text("{}")
    page = BucketPage(load_settings(env={}))
    qtbot.addWidget(page)
    assert "sign-in found" in page.adc_label.text()
    page.bucket_edit.setText("family-photos")
    assert not page.validatePage()  # must look like gs://NAME


def test_the_assistant_is_reachable_from_settings(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    window.act_settings.trigger()
    dlg = window.settings_dialog
    dlg.welcome_button.click()
    qtbot.waitUntil(lambda: window.welcome_wizard.isVisible())
    window.welcome_wizard.reject()


def test_flickr_sign_in_page_opens_the_flickr_sign_in(qtbot, isolated_home: Path) -> None:  # type: ignore[no-untyped-def]
    from photoarchive.gui.first_run import FirstRunWizard

    wizard = FirstRunWizard(load_settings(env={}))
    qtbot.addWidget(wizard)
    assert wizard.flickr_page is not None
    wizard.flickr_page.sign_in_button.click()
    dlg = wizard.flickr_page.dialog
    qtbot.waitUntil(dlg.isVisible)
    assert dlg.sign_in_button.isVisibleTo(dlg) and not dlg.upload_button.isVisibleTo(dlg)
    # the account check runs as a job; let it end before the dialog goes
    qtbot.waitUntil(lambda: dlg.pending is None or dlg.pending.finished, timeout=30000)
    dlg.reject()
