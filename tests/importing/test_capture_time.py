"""Capture dates from every container the importer reads, checked against what was written."""

from __future__ import annotations

import os
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cards import avi_bytes, cr3_bytes, heic_bytes, mov_bytes, raf_bytes, tiff_with_date
from imaging import jpeg_bytes, write_file

from photoarchive.importing.capture_time import looks_damaged, read_capture_time

TAKEN = datetime(2024, 2, 29, 23, 59, 58)


def test_jpeg_date_and_offset(tmp_path: Path) -> None:
    p = write_file(tmp_path / "a.jpg", jpeg_bytes(1, TAKEN, offset="-05:30"))
    ct = read_capture_time(p)
    assert (ct.local, ct.offset, ct.source) == (TAKEN, -timedelta(hours=5, minutes=30), "exif")
    assert ct.iso() == "2024-02-29T23:59:58-05:30"
    assert not ct.guess


@pytest.mark.parametrize(
    ("name", "maker"),
    [
        ("x.CR2", lambda: tiff_with_date(TAKEN, "+09:00") + os.urandom(4096)),
        ("x.NEF", lambda: tiff_with_date(TAKEN)),
        ("x.DNG", lambda: tiff_with_date(TAKEN, exif_in_ifd0=True)),
        ("x.HEIC", lambda: heic_bytes(TAKEN, "+09:00")),
        ("x.CR3", lambda: cr3_bytes(TAKEN)),
        ("x.RAF", lambda: raf_bytes(TAKEN, 3)),
        ("x.AVI", lambda: avi_bytes(TAKEN)),
    ],
)
def test_containers(tmp_path: Path, name: str, maker) -> None:  # type: ignore[no-untyped-def]
    p = write_file(tmp_path / name, maker(), mtime=datetime(2001, 1, 1))
    ct = read_capture_time(p)
    assert ct.local == TAKEN
    assert ct.source in ("exif", "avi")


def test_quicktime_utc_becomes_local_wall_clock(tmp_path: Path) -> None:
    utc = datetime(2023, 12, 31, 23, 30, 0)
    p = write_file(tmp_path / "MVI_1.MOV", mov_bytes(utc))
    ct = read_capture_time(p)
    expected = utc.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)
    assert (ct.local, ct.source) == (expected, "quicktime")


def test_no_date_falls_back_to_mtime_flagged_as_guess(tmp_path: Path) -> None:
    mtime = datetime(2022, 7, 14, 12, 0, 0)
    for name, data in (
        ("nodate.jpg", jpeg_bytes(2, None)),
        ("zero.MOV", mov_bytes(None)),
        ("garbage.jpg", os.urandom(3000)),
        ("short.CR2", b"II*\x00\xff\xff"),
        ("empty.jpg", b""),
    ):
        ct = read_capture_time(write_file(tmp_path / name, data, mtime=mtime))
        assert (ct.local, ct.guess) == (mtime, True), name


def test_hostile_headers_never_raise(tmp_path: Path) -> None:
    """Truncations of valid files at every boundary give a date or a guess, never an error."""
    mtime = datetime(2020, 5, 5, 5, 5, 5)
    for whole, name in ((heic_bytes(TAKEN), "cut.heic"), (jpeg_bytes(5, TAKEN), "cut.jpg")):
        for cut in range(0, len(whole), 7):
            p = write_file(tmp_path / name, whole[:cut], mtime=mtime)
            assert read_capture_time(p).local in (TAKEN, mtime)


def test_random_corruption_never_raises(tmp_path: Path) -> None:
    rnd = random.Random(7)
    mtime = datetime(2020, 5, 5, 5, 5, 5)
    samples = [heic_bytes(TAKEN), jpeg_bytes(6, TAKEN), tiff_with_date(TAKEN), cr3_bytes(TAKEN)]
    for i in range(400):
        data = bytearray(samples[i % len(samples)])
        for _ in range(rnd.randint(1, 6)):
            data[rnd.randrange(len(data))] = rnd.randrange(256)
        p = write_file(tmp_path / f"f{i % 4}.heic", bytes(data), mtime=mtime)
        assert read_capture_time(p).local.year >= 1980


def test_damage_detection(tmp_path: Path) -> None:
    good = jpeg_bytes(4, TAKEN)
    assert looks_damaged(write_file(tmp_path / "g.jpg", good), len(good)) is None
    cut = good[: len(good) // 2]
    assert "truncated" in (looks_damaged(write_file(tmp_path / "t.jpg", cut), len(cut)) or "")
    # A phone's motion photo: the video follows the image, the header says so.
    xmp = b'http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta GCamera:MotionPhoto="1"/>'
    motion = good[:2] + b"\xff\xe1" + (len(xmp) + 2).to_bytes(2, "big") + xmp + good[2:]
    motion += b"\x00\x00\x00\x18ftypmp42" + os.urandom(5000)
    assert looks_damaged(write_file(tmp_path / "m.jpg", motion), len(motion)) is None
    plain_trailer = good + os.urandom(5000)
    assert "truncated" in (
        looks_damaged(write_file(tmp_path / "p.jpg", plain_trailer), len(plain_trailer)) or ""
    )
    junk = os.urandom(500)
    assert "not a JPEG" in (looks_damaged(write_file(tmp_path / "j.jpg", junk), 500) or "")
    assert "empty" in (looks_damaged(write_file(tmp_path / "e.jpg", b""), 0) or "")
