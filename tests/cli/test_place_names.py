"""`places add --city/--region/--country`, `geotag --place` writing the place's name, `show`
reading it back."""

from __future__ import annotations

from datetime import datetime

from imaging import jpeg_bytes, write_file

from photoarchive.cli.main import main
from photoarchive.config import Settings
from photoarchive.metadata.places import PlaceBook


def test_place_fields_from_the_command_line_reach_the_file(capsys, settings: Settings, tmp_path):
    photo = write_file(tmp_path / "2024-06-03" / "IMG_1.JPG", jpeg_bytes(1, datetime(2024, 6, 4)))
    assert (
        main(["places", "add", "Home", "48.85, 2.35", "--city", "Paris", "--country", "France"])
        == 0
    )
    assert main(["places", "edit", "home", "--region", "Île-de-France"]) == 0
    capsys.readouterr()
    assert main(["places", "list"]) == 0
    assert "Paris, Île-de-France, France" in capsys.readouterr().out
    home = PlaceBook.load(settings.places_file).get("Home")
    assert (home.city, home.region, home.country) == ("Paris", "Île-de-France", "France")
    assert main(["geotag", "--place", "Home", str(photo), "--archive", str(tmp_path)]) == 0
    capsys.readouterr()
    assert main(["show", str(photo)]) == 0
    assert "  place:    Home, Paris, Île-de-France, France" in capsys.readouterr().out
    assert main(["places", "edit", "Home", "--city", ""]) == 0  # '' clears a field
    assert PlaceBook.load(settings.places_file).get("Home").city == ""


def test_a_heic_gets_the_place_name_in_its_sidecar(capsys, settings: Settings, tmp_path) -> None:
    from imaging import heic_bytes

    photo = write_file(tmp_path / "IMG_2.HEIC", heic_bytes((10, 20, 30), datetime(2024, 6, 4)))
    assert main(["places", "add", "Beach", "43.5, -1.5", "--country", "France"]) == 0
    assert main(["geotag", "--place", "Beach", str(photo)]) == 0
    sidecar = photo.with_name(photo.name + ".xmp").read_text(encoding="utf-8")
    assert "Iptc4xmpCore:Location" in sidecar and "Beach" in sidecar
    capsys.readouterr()
    assert main(["show", str(photo)]) == 0
    assert "  place:    Beach, France" in capsys.readouterr().out


def test_a_png_gets_the_place_name_in_the_file(capsys, settings: Settings, tmp_path) -> None:
    from PIL import Image

    photo = tmp_path / "scan.png"
    Image.new("RGB", (64, 48), (200, 10, 10)).save(photo)
    assert main(["places", "add", "Farm", "47.1, 8.2", "--region", "Aargau"]) == 0
    assert main(["geotag", "--place", "Farm", str(photo)]) == 0
    capsys.readouterr()
    assert main(["show", str(photo)]) == 0
    assert "  place:    Farm, Aargau" in capsys.readouterr().out
