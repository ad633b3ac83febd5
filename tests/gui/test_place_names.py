"""The place chosen in the geotag dialog goes into the files by name (XMP Iptc4xmpCore:Location,
IPTC Sub-location, and city, region and country where the place has them), read back by
exiftool, `photoarchive show` and the panel; the Places manager edits those fields."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from photoarchive.metadata.places import Place, PlaceBook

EIFFEL = Place(
    "Tour Eiffel", 48.8583, 2.2945, city="Paris", region="Île-de-France", country="France"
)


def _exiftool(path: Path) -> dict[str, object]:
    if shutil.which("exiftool") is None:
        pytest.skip("exiftool is not installed (Debian: libimage-exiftool-perl)")
    out = subprocess.run(
        ["exiftool", "-j", "-G1", "-charset", "iptc=utf8", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)[0]


def test_the_geotag_dialog_writes_the_place_name(qtbot, window, wait_job, capsys) -> None:
    from photoarchive.cli.main import main
    from photoarchive.gui.dialogs.geotag import GeotagDialog

    win = window
    PlaceBook(win.settings.places_file, [EIFFEL]).save()
    photos = win.photo_model.photos[:2]
    dlg = GeotagDialog(win.settings, [], win)
    qtbot.addWidget(dlg)
    dlg.tree.setCurrentItem(dlg.tree.topLevelItem(0))
    choice = dlg.choice()
    assert choice is not None and choice.place == "Tour Eiffel"
    assert "“Tour Eiffel”" in dlg.chosen_label.text()
    job = win.geotag(photos, choice)
    wait_job(job)
    assert job.state == "done", job.error

    tags = _exiftool(photos[0].path)
    assert tags["XMP-iptcCore:Location"] == "Tour Eiffel"
    assert tags["IPTC:Sub-location"] == "Tour Eiffel"
    assert tags["IPTC:City"] == tags["XMP-photoshop:City"] == "Paris"
    assert tags["IPTC:Province-State"] == tags["XMP-photoshop:State"] == "Île-de-France"
    assert tags["IPTC:Country-PrimaryLocationName"] == "France"
    assert tags["XMP-photoshop:Country"] == "France"

    assert main(["show", "--json", str(photos[0].path)]) == 0
    shown = json.loads(capsys.readouterr().out)[0]
    assert shown["place"] == "Tour Eiffel, Paris, Île-de-France, France"

    win.grid.setCurrentIndex(win.photo_model.index(0))
    qtbot.waitUntil(
        lambda: (
            "“Tour Eiffel, Paris, Île-de-France, France” (in the file)"
            in win.panel.place_status.text()
        ),
        timeout=10000,
    )


def test_places_manager_edits_city_region_country(qtbot, settings) -> None:
    from photoarchive.gui.dialogs.places import PlacesDialog

    PlaceBook(settings.places_file, [Place("Home", 50.94, 6.96)]).save()
    dlg = PlacesDialog(settings)
    qtbot.addWidget(dlg)
    dlg.tree.setCurrentItem(dlg.tree.topLevelItem(0))
    assert dlg.city_edit.text() == ""
    dlg.city_edit.setText("Köln")
    dlg.country_edit.setText("Deutschland")
    assert dlg.update_current()
    saved = PlaceBook.load(settings.places_file).get("Home")
    assert (saved.city, saved.region, saved.country) == ("Köln", "", "Deutschland")
    assert saved.location().city == "Köln"
