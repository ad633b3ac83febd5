"""The places file: editing, case-insensitive names, atomic saves, and the shell migration."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from photoarchive.metadata.places import (
    Place,
    PlaceBook,
    PlaceError,
    import_shell_places,
    parse_shell_places,
)

SHELL_FILE = r"""#!/bin/bash
# Places for geotag.sh (exiv2 -M commands)
declare -A LOCATION

_LOC_HOME=(-M "set Exif.GPSInfo.GPSLatitude 37/1 46/1 30/1"
           -M "set Exif.GPSInfo.GPSLatitudeRef N"
           -M "set Exif.GPSInfo.GPSLongitude 122/1 25/1 10/1"
           -M "set Exif.GPSInfo.GPSLongitudeRef W"
           -M "set Exif.GPSInfo.GPSAltitude 52/1"
           -M "set Exif.GPSInfo.GPSAltitudeRef 0")
_LOC_SCHOOL=(-M "set Exif.GPSInfo.GPSLatitude 33/1 51/1 2440/100" \
  -M "set Exif.GPSInfo.GPSLatitudeRef S" -M "set Exif.GPSInfo.GPSLongitude 151/1 12/1 5510/100" \
  -M "set Exif.GPSInfo.GPSLongitudeRef E")
declare -a _LOC_DEAD_SEA=(
  -M "set Exif.GPSInfo.GPSLatitude Rational 31/1 30/1 0/1"
  -M "set Exif.GPSInfo.GPSLatitudeRef N"
  -M "set Exif.GPSInfo.GPSLongitude Rational 35/1 30/1 0/1"
  -M "set Exif.GPSInfo.GPSLongitudeRef E"
  -M "set Exif.GPSInfo.GPSAltitude Rational 4305/10"
  -M "set Exif.GPSInfo.GPSAltitudeRef 1"
)
_LOC_BROKEN=(-M "set Exif.GPSInfo.GPSLatitudeRef N")

LOCATION['home']="_LOC_HOME"
LOCATION["Grandma's"]="_LOC_SCHOOL"
LOCATION[dead_sea]=_LOC_DEAD_SEA
LOCATION['broken']="_LOC_BROKEN"
LOCATION['nowhere']="_LOC_MISSING"

for f in "$@"; do exiv2 "${LOCATION[$1]}" "$f"; done
"""


def test_add_get_case_insensitive_and_sorted(tmp_path: Path) -> None:
    book = PlaceBook(tmp_path / "places.toml")
    book.add(Place("School", 1.0, 2.0))
    book.add(Place("home", -33.8568, 151.2153, alt=12.0, radius_m=50.0, private=True))
    assert book.get("HOME").name == "home"
    assert [p.name for p in book.all()] == ["home", "School"]
    with pytest.raises(PlaceError, match="a place named 'home' exists"):
        book.add(Place("Home", 0.0, 0.0))
    with pytest.raises(PlaceError, match=r"no place named 'work'.*known places: home, School"):
        book.get("work")


def test_save_and_load_round_trip_is_readable_toml(tmp_path: Path) -> None:
    path = tmp_path / "cfg" / "places.toml"
    book = PlaceBook(path)
    book.add(Place('Grandma\'s "old" house', 48.1374, 11.5755, alt=-3.5, radius_m=25.0))
    book.add(Place("Zoë's school 学校", -1.0, -2.0, private=True))
    book.record_use('grandma\'s "OLD" house')
    book.record_use('grandma\'s "OLD" house')
    book.save()
    text = path.read_text(encoding="utf-8")
    assert "[[place]]" in text and "Zoë's school 学校" in text and "private = true" in text
    left = {p.name for p in path.parent.iterdir()}
    assert left <= {"places.toml", ".places.toml.lock"}  # no temp left
    again = PlaceBook.load(path)
    assert again.all() == book.all()
    assert again.get('grandma\'s "old" house').uses == 2


def test_rename_update_remove(tmp_path: Path) -> None:
    book = PlaceBook(tmp_path / "p.toml")
    book.add(Place("home", 1.0, 2.0))
    book.add(Place("work", 3.0, 4.0))
    book.rename("HOME", "Home sweet home")
    assert book.get("home sweet home").lat == 1.0
    assert "home" not in book
    book.rename("work", "WORK")  # a change of case only is fine
    assert book.get("work").name == "WORK"
    with pytest.raises(PlaceError, match="exists"):
        book.rename("work", "home sweet home")
    book.update("work", Place("office", 5.0, 6.0, radius_m=10.0))
    assert book.get("office") == Place("office", 5.0, 6.0, radius_m=10.0)
    with pytest.raises(PlaceError, match="latitude 95 is out of range"):
        book.update("office", Place("office", 95.0, 6.0))
    with pytest.raises(PlaceError, match="radius must be a positive number"):
        book.add(Place("x", 1.0, 1.0, radius_m=-5.0))
    with pytest.raises(PlaceError, match="needs a name"):
        book.add(Place("  ", 1.0, 1.0))
    book.remove("OFFICE")
    assert [p.name for p in book.all()] == ["Home sweet home"]
    with pytest.raises(PlaceError):
        book.remove("office")


def test_missing_file_is_an_empty_book_and_bad_files_say_where(tmp_path: Path) -> None:
    assert len(PlaceBook.load(tmp_path / "none.toml")) == 0
    bad = tmp_path / "bad.toml"
    bad.write_text('[[place]]\nname = "a"\nlat = 1\n', encoding="utf-8")
    with pytest.raises(PlaceError, match=r"place #1: missing lon"):
        PlaceBook.load(bad)
    bad.write_text('[[place]]\nname = "a"\nlat = 100\nlon = 1\n', encoding="utf-8")
    with pytest.raises(PlaceError, match="latitude 100 is out of range"):
        PlaceBook.load(bad)
    bad.write_text(
        '[[place]]\nname = "a"\nlat = 1\nlon = 1\n[[place]]\nname = "A"\nlat = 2\nlon = 2\n',
        encoding="utf-8",
    )
    with pytest.raises(PlaceError, match="place #2: a place named 'a' exists"):
        PlaceBook.load(bad)
    bad.write_text("not toml [", encoding="utf-8")
    with pytest.raises(PlaceError, match="cannot read the places file"):
        PlaceBook.load(bad)


def test_save_replaces_atomically(tmp_path: Path) -> None:
    path = tmp_path / "places.toml"
    book = PlaceBook(path)
    book.add(Place("a", 1.0, 1.0))
    book.save()
    inode = os.stat(path).st_ino
    book.add(Place("b", 2.0, 2.0))
    book.save()
    assert os.stat(path).st_ino != inode  # a new file renamed over, never rewritten in place
    assert len(PlaceBook.load(path)) == 2


def test_import_shell_places(tmp_path: Path) -> None:
    shell = tmp_path / "places.sh"
    shell.write_text(SHELL_FILE, encoding="utf-8")
    book = PlaceBook(tmp_path / "places.toml")
    book.add(Place("HOME", 0.5, 0.5))  # already there: kept, not overwritten
    added = import_shell_places(book, shell)
    assert {p.name for p in added} == {"dead_sea", "Grandma's"}
    grandma = book.get("grandma's")
    assert grandma.lat == pytest.approx(-(33 + 51 / 60 + 24.4 / 3600), abs=1e-12)
    assert grandma.lon == pytest.approx(151 + 12 / 60 + 55.1 / 3600, abs=1e-12)
    assert grandma.alt is None
    dead_sea = book.get("dead_sea")
    assert (dead_sea.lat, dead_sea.lon, dead_sea.alt) == (31.5, 35.5, -430.5)
    assert book.get("home").lat == 0.5
    assert "broken" not in book and "nowhere" not in book

    fresh = PlaceBook(tmp_path / "other.toml")
    added = import_shell_places(fresh, shell)
    home = fresh.get("home")
    assert home.lat == pytest.approx(37 + 46 / 60 + 30 / 3600, abs=1e-12)
    assert home.lon == pytest.approx(-(122 + 25 / 60 + 10 / 3600), abs=1e-12)
    assert home.alt == 52.0
    assert len(added) == 3


def test_import_shell_rejects_files_without_places(tmp_path: Path) -> None:
    empty = tmp_path / "empty.sh"
    empty.write_text("#!/bin/sh\necho hello\n", encoding="utf-8")
    with pytest.raises(PlaceError, match=r"no places found.*LOCATION"):
        import_shell_places(PlaceBook(tmp_path / "p.toml"), empty)
    with pytest.raises(PlaceError, match="cannot read"):
        import_shell_places(PlaceBook(tmp_path / "p.toml"), tmp_path / "missing.sh")


def test_shell_place_with_an_overflowing_value_is_skipped_with_a_message() -> None:
    text = (
        '_BIG=(-M "set Exif.GPSInfo.GPSLatitude 1e400" -M "set Exif.GPSInfo.GPSLongitude 1/1")\n'
        '_HIGH=(-M "set Exif.GPSInfo.GPSLatitude 1/1" -M "set Exif.GPSInfo.GPSLongitude 1/1"\n'
        '  -M "set Exif.GPSInfo.GPSAltitude 1e400")\n'
        "LOCATION[big]=_BIG\nLOCATION[high]=_HIGH\n"
    )
    places, messages = parse_shell_places(text)
    assert places == []
    assert len(messages) == 2
    assert "'big': unreadable GPS value" in messages[0]
    assert "'high': unreadable altitude" in messages[1]


CONCURRENT_EDITOR = """
import sys
import subprocess
import sys
from pathlib import Path
from photoarchive.metadata.places import Place, PlaceBook

path, who, rounds = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
for i in range(rounds):
    book = PlaceBook.load(path)
    book.add(Place(f"{who}-{i}", 1.0, 2.0))
    book.record_use("shared")
    book.save()
"""


def test_two_processes_editing_the_places_file_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "places.toml"
    book = PlaceBook(path)
    book.add(Place("shared", 0.0, 0.0))
    book.save()
    rounds = 40
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CONCURRENT_EDITOR, str(path), who, str(rounds)],
            cwd=Path(__file__).resolve().parents[2],
        )
        for who in ("a", "b")
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    final = PlaceBook.load(path)
    names = {p.name for p in final.all()}
    assert names == {"shared"} | {f"{w}-{i}" for w in "ab" for i in range(rounds)}
    assert final.get("shared").uses == 2 * rounds
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".places.toml.tmp")]
    assert not [
        p
        for p in tmp_path.iterdir()
        if p.name.startswith(".places.toml.") and p.name != ".places.toml.lock"
    ]  # no temporaries left
