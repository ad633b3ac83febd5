"""The whole weekly loop as the user runs it, then what the family sees.

Import a card (real camera JPEGs from the corpus beside generated ones), geotag a week from a
named place, title and caption it, sync to the bucket (fake-gcs-server), then play the family:
rclone downloads the week byte for byte and exiftool reads this week's title, caption and
place from the download; the family pages link every photo to its original. Each step is the
real command line in a subprocess; nothing is called behind its back.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import urllib.request
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cloud import gcs_fixtures
from cloud.gcs_fixtures import Gcs
from imaging import jpeg_bytes, tree_bytes, write_file

from photoarchive.cloud.client import EMULATOR_ENV
from photoarchive.config import Settings, save_settings

fake_gcs_url = gcs_fixtures.fake_gcs_url  # the storage server's fixtures, as in tests/cloud/
bucket = gcs_fixtures.gcs

CORPUS = Path(__file__).parent / "corpus"
WEEK = "2024-06-03"  # the Monday of the generated shots' week


def exiftool_json(*paths: Path) -> list[dict[str, object]]:
    out = subprocess.run(
        ["exiftool", "-j", "-n", "-XMP:Title", "-XMP:Description", "-IPTC:Caption-Abstract",
         "-IPTC:ObjectName", "-GPSLatitude", "-GPSLongitude", "-XMP:Location",
         *map(str, paths)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return list(json.loads(out.stdout))


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=20) as r:
        return bytes(r.read())


@pytest.fixture
def card(tmp_path: Path) -> Path:
    """A camera card: four generated shots of one June week and two real camera files."""
    root = tmp_path / "card"
    start = datetime(2024, 6, 4, 9, 30)
    for i in range(4):
        taken = start + timedelta(hours=5 * i)
        write_file(root / f"DCIM/100CANON/IMG_{i:04d}.JPG", jpeg_bytes(i, taken), taken)
    for name in ("Canon.jpg", "Nikon.jpg"):
        src = CORPUS / "exiftool" / name
        if src.exists():
            dest = root / "DCIM/101REAL" / name.upper()
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest)
    return root


def test_import_geotag_caption_sync_then_the_family_sees_this_week(
    settings: Settings, bucket: Gcs, cli_env: dict[str, str], card: Path, tmp_path: Path
) -> None:
    if not shutil.which("exiftool") or not shutil.which("rclone"):
        pytest.skip("exiftool and rclone are installed by `make test`")
    gcs = bucket
    save_settings(replace(settings, bucket=gcs.target, site_base_url=gcs.url))
    env = dict(cli_env, **{EMULATOR_ENV: gcs.url})

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "photoarchive", *args, "--archive", str(settings.archive)]
        return subprocess.run(
            cmd, env=env, capture_output=True, text=True, timeout=180, stdin=subprocess.DEVNULL
        )

    card_before = tree_bytes(card)
    imported = run("import", str(card), "--json")
    assert imported.returncode == 0, imported.stdout + imported.stderr
    summary = json.loads(imported.stdout)
    assert len(summary["copied"]) == len(card_before)
    assert WEEK in summary["weeks"]
    assert tree_bytes(card) == card_before  # the card goes into the safe unchanged
    week = settings.archive / WEEK
    photos = sorted(week.glob("IMG_*.JPG"))
    assert len(photos) == 4

    added = run("places", "add", "Lake house", "47.3670, 8.5400", "--radius", "300")
    assert added.returncode == 0, added.stderr
    tagged = run(
        "tag", str(week), "--place", "Lake house", "--title", "Sommer am See",
        "--caption", "Grossmutter am Steg",
    )  # fmt: skip
    assert tagged.returncode == 0, tagged.stdout + tagged.stderr
    for meta in exiftool_json(*photos):
        assert meta["Title"] == "Sommer am See" and meta["ObjectName"] == "Sommer am See"
        assert meta["Description"] == "Grossmutter am Steg"
        assert meta["Caption-Abstract"] == "Grossmutter am Steg"
        assert abs(float(meta["GPSLatitude"]) - 47.3670) < 1e-5  # type: ignore[arg-type]
        assert abs(float(meta["GPSLongitude"]) - 8.5400) < 1e-5  # type: ignore[arg-type]
    verified = run("verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr  # edits are catalogued

    synced = run("sync")
    assert synced.returncode == 0, synced.stdout + synced.stderr

    # The family, with rclone: the week's originals, byte for byte, with this week's captions.
    family = tmp_path / "family"
    remote = (
        f":gcs,anonymous=true,project_number=test,endpoint='{gcs.url}/storage/v1/':"
        f"{gcs.bucket}/{WEEK}"
    )
    got = subprocess.run(
        ["rclone", "copy", remote, str(family)], capture_output=True, text=True, timeout=120
    )
    assert got.returncode == 0, got.stderr
    assert tree_bytes(family) == tree_bytes(week)
    for meta in exiftool_json(*sorted(family.glob("IMG_*.JPG"))):
        assert meta["Description"] == "Grossmutter am Steg"

    # The family, with a browser: the list of weeks leads to this week's page, whose links
    # are the originals.
    index = fetch(f"{gcs.url}/{gcs.bucket}/_site/index.html").decode("utf-8")
    assert "Sommer am See" in index
    page = fetch(f"{gcs.url}/{gcs.bucket}/_site/{WEEK}/index.html").decode("utf-8")
    assert "Grossmutter am Steg" in page and "Lake house" in page
    for p in photos:
        assert f"{gcs.url}/{gcs.bucket}/{WEEK}/{p.name}" in page
        assert fetch(f"{gcs.url}/{gcs.bucket}/{WEEK}/{p.name}") == p.read_bytes()

    # A caption corrected after the sync reaches the family with the next plain sync.
    fixed = run("caption", str(photos[0]), "--caption", "Grossvater am Steg")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    again = run("sync")
    assert again.returncode == 0, again.stdout + again.stderr
    got = subprocess.run(
        ["rclone", "copy", remote, str(family)], capture_output=True, text=True, timeout=120
    )
    assert got.returncode == 0, got.stderr
    assert tree_bytes(family) == tree_bytes(week)
    assert exiftool_json(family / photos[0].name)[0]["Description"] == "Grossvater am Steg"
    page = fetch(f"{gcs.url}/{gcs.bucket}/_site/{WEEK}/index.html").decode("utf-8")
    assert "Grossvater am Steg" in page
