"""The metadata commands end to end: places, geotag, caption, tag, show; --json; exit codes."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from harness import run_cli
from metadata.mdtools import camera_jpeg, exiftool_json
from metadata.test_places import SHELL_FILE

from photoarchive.cli.metadata import run_show
from photoarchive.config import Settings
from photoarchive.jobs import CancelToken
from photoarchive.metadata.places import PlaceBook


def _week(tmp_path: Path, n: int = 3) -> Path:
    week = tmp_path / "2024-06-03"
    week.mkdir()
    for i in range(n):
        (week / f"IMG_{i}.JPG").write_bytes(camera_jpeg(i))
    (week / "notes.txt").write_text("not a photo", encoding="utf-8")  # skipped in folders
    return week


def test_places_commands(settings: Settings, tmp_path: Path, cli_env: dict[str, str]) -> None:
    res = run_cli(
        "places", "add", "Home", "33°51'24.4\"S 151°12'55.1\"E", "--radius", "40", env=cli_env
    )
    assert res.returncode == 0, res.stderr
    assert "Added 'Home'" in res.stdout
    res = run_cli(
        "places",
        "add",
        "school",
        "https://www.openstreetmap.org/#map=17/48.1/11.5",
        "--private",
        env=cli_env,
    )
    assert res.returncode == 0, res.stderr
    res = run_cli("places", "add", "HOME", "1, 2", env=cli_env)
    assert res.returncode == 2 and "a place named 'Home' exists" in res.stderr
    assert run_cli("places", "rename", "school", "School (old)", env=cli_env).returncode == 0
    res = run_cli("places", "edit", "home", "--alt", "-3.5", "--public", env=cli_env)
    assert res.returncode == 0, res.stderr
    shell = tmp_path / "places.sh"
    shell.write_text(SHELL_FILE, encoding="utf-8")
    res = run_cli("places", "import-shell", str(shell), env=cli_env)
    assert res.returncode == 0 and "Imported 2 places" in res.stdout  # 'home' already there
    res = run_cli("places", "list", "--json", env=cli_env)
    doc = json.loads(res.stdout)
    assert [p["name"] for p in doc["places"]] == ["dead_sea", "Grandma's", "Home", "School (old)"]
    home = doc["places"][2]
    assert home["alt"] == -3.5 and home["radius_m"] == 40 and home["lat"] < 0
    assert doc["places"][3]["private"] is True
    assert settings.places_file.exists()
    res = run_cli("places", "remove", "nowhere", env=cli_env)
    assert res.returncode == 2 and "no place named 'nowhere'" in res.stderr


def test_geotag_caption_show_on_a_week_folder(
    settings: Settings, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    week = _week(tmp_path)
    run_cli("places", "add", "grandma's", "geo:48.1374,11.5755,519", env=cli_env)
    res = run_cli("geotag", "--place", "Grandma's", "--json", str(week), env=cli_env)
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["changed"] == 3 and doc["problems"] == []
    assert PlaceBook.load(settings.places_file).get("grandma's").uses == 1

    res = run_cli(
        "caption",
        "--title",
        "Week 23",
        "--caption",
        "Ferien in München",
        str(week / "IMG_0.JPG"),
        env=cli_env,
    )
    assert res.returncode == 0 and "Wrote 1 file;" in res.stdout

    res = run_cli("geotag", "--coords", "-1, -2", str(week / "IMG_1.JPG"), env=cli_env)
    assert res.returncode == 0 and "kept the GPS position" in res.stdout
    res = run_cli(
        "geotag", "--coords", "-1, -2", "--overwrite", str(week / "IMG_1.JPG"), env=cli_env
    )
    assert res.returncode == 0 and "Wrote 1 file;" in res.stdout

    res = run_cli("show", "--json", str(week), env=cli_env)
    assert res.returncode == 0, res.stderr
    shown = {Path(d["path"]).name: d for d in json.loads(res.stdout)}
    assert set(shown) == {"IMG_0.JPG", "IMG_1.JPG", "IMG_2.JPG"}
    assert shown["IMG_0.JPG"]["title"] == "Week 23"
    assert shown["IMG_0.JPG"]["caption"] == "Ferien in München"
    assert shown["IMG_0.JPG"]["gps"] == {"lat": 48.1374, "lon": 11.5755, "alt": 519.0}
    assert shown["IMG_0.JPG"]["capture_time"] == "2024-06-01T10:30:00"
    assert shown["IMG_0.JPG"]["camera"] == "TestCam TC-1"
    assert shown["IMG_1.JPG"]["gps"] == {"lat": -1.0, "lon": -2.0, "alt": None}
    text = run_cli("show", str(week / "IMG_0.JPG"), env=cli_env).stdout
    assert "Ferien in München" in text and "48.1374000, 11.5755000" in text
    (exif,) = exiftool_json(week / "IMG_0.JPG")
    assert exif["XMP-dc:Title"] == "Week 23" and exif["GPS:GPSAltitude"] == 519


def test_tag_does_gps_title_caption_in_one_rewrite(
    settings: Settings, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    photo = tmp_path / "one.jpg"
    photo.write_bytes(camera_jpeg(5))
    inode = photo.stat().st_ino
    res = run_cli(
        "tag",
        "--coords",
        "-8.5,115.2",
        "--title",
        "Bali",
        "--caption",
        "Sunset",
        "--json",
        str(photo),
        env=cli_env,
    )
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["changed"] == 1
    (doc,) = exiftool_json(photo)
    assert (doc["Composite:GPSLatitude"], doc["XMP-dc:Title"], doc["IPTC:Caption-Abstract"]) == (
        -8.5,
        "Bali",
        "Sunset",
    )
    assert photo.stat().st_ino != inode  # replaced once, by rename


def test_tag_with_gpx(settings: Settings, tmp_path: Path, cli_env: dict[str, str]) -> None:
    gpx = tmp_path / "t.gpx"
    gpx.write_text(
        '<gpx xmlns="http://www.topografix.com/GPX/1/1"><trk><trkseg>'
        '<trkpt lat="10" lon="20"><time>2024-06-01T08:00:00Z</time></trkpt>'
        '<trkpt lat="11" lon="22"><time>2024-06-01T08:01:00Z</time></trkpt>'
        "</trkseg></trk></gpx>",
        encoding="utf-8",
    )
    on = tmp_path / "on.jpg"  # camera: 10:30:00 local (+02:00), clock 29 m 30 s fast
    on.write_bytes(camera_jpeg(1))
    off = tmp_path / "off.jpg"
    off.write_bytes(camera_jpeg(2, taken=None))
    res = run_cli(
        "tag",
        "--gpx",
        str(gpx),
        "--offset",
        "+00:29:30",
        "--tz",
        "+02:00",
        "--title",
        "Walk",
        "--json",
        str(on),
        str(off),
        env=cli_env,
    )
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["changed"] == 2  # both got the title; only one got a position
    assert any("no capture time inside the file" in p["reason"] for p in doc["problems"])
    (a, b) = exiftool_json(on, off)
    assert (
        abs(a["Composite:GPSLatitude"] - 10.5) < 1e-7
        and abs(a["Composite:GPSLongitude"] - 21) < 1e-7
    )
    assert "Composite:GPSLatitude" not in b and b["XMP-dc:Title"] == "Walk"
    res = run_cli("geotag", "--gpx", str(tmp_path / "missing.gpx"), str(on), env=cli_env)
    assert res.returncode == 2 and "cannot read GPX file" in res.stderr


def test_usage_errors_and_problem_exit_status(
    settings: Settings, tmp_path: Path, cli_env: dict[str, str]
) -> None:
    photo = tmp_path / "p.jpg"
    photo.write_bytes(camera_jpeg(3))
    for args, message in (
        (["geotag", str(photo)], "give one of --place, --coords or --gpx"),
        (["geotag", "--coords", "north", str(photo)], "expected coordinates such as"),
        (["geotag", "--place", "nowhere", str(photo)], "no place named 'nowhere'"),
        (["geotag", "--place", "a", "--coords", "1,2", str(photo)], "give only one of"),
        (["caption", str(photo)], "give --title and/or --caption"),
        (["tag", str(photo)], "nothing to write"),
    ):
        res = run_cli(*args, env=cli_env)
        assert res.returncode == 2, (args, res.stderr)
        assert message in res.stderr, (args, res.stderr)
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8 not really")
    res = run_cli(
        "caption",
        "--title",
        "x",
        "--json",
        str(photo),
        str(broken),
        str(tmp_path / "gone.jpg"),
        env=cli_env,
    )
    assert res.returncode == 1
    doc = json.loads(res.stdout)
    assert doc["changed"] == 1
    reasons = {Path(p["path"]).name: p["reason"] for p in doc["problems"]}
    assert "looks truncated or damaged" in reasons["broken.jpg"]
    assert reasons["gone.jpg"] == "no such file or folder"
    res = run_cli("show", str(broken), env=cli_env)
    assert res.returncode == 1 and "unreadable image or metadata" in res.stdout


def test_show_cancelled_says_so_and_fails(
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    week = _week(tmp_path)
    cancel = CancelToken()
    cancel.cancel()  # what Ctrl-C does
    args = argparse.Namespace(paths=[week], json=False)
    assert run_show(args, settings, cancel) == 1
    assert "cancelled: showed 0 of 3 files" in capsys.readouterr().err
    assert run_show(args, settings, CancelToken()) == 0
