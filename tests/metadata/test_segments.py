"""The pure-Python header readers agree with exiv2 and exiftool."""

from __future__ import annotations

import io
import subprocess
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pyexiv2
import pytest
from imaging import jpeg_bytes
from metadata.mdtools import EXIFTOOL, camera_jpeg, exiftool_json
from PIL import Image

from photoarchive.config import Settings
from photoarchive.metadata.coords import Coordinates
from photoarchive.metadata.exiv2 import HEAD_READ
from photoarchive.metadata.jpeg_segments import iptc_digests, quick_exif, scan_offset
from photoarchive.metadata.reading import read_metadata, read_preview
from photoarchive.metadata.tagging import TagEdit, apply_tags

KEYS = (
    "Exif.Image.ImageDescription",
    "Exif.GPSInfo.GPSLatitudeRef",
    "Exif.GPSInfo.GPSLatitude",
    "Exif.GPSInfo.GPSLongitudeRef",
    "Exif.GPSInfo.GPSLongitude",
    "Exif.GPSInfo.GPSAltitudeRef",
    "Exif.GPSInfo.GPSAltitude",
)


@pytest.mark.skipif(EXIFTOOL is None, reason="exiftool not installed")
@pytest.mark.parametrize("order", ["II", "MM"])
def test_quick_exif_matches_exiv2_in_both_byte_orders(
    make_jpeg: Callable[..., Path], order: str
) -> None:
    path = make_jpeg(f"{order}.jpg")
    subprocess.run(
        [
            str(EXIFTOOL),
            "-q",
            "-overwrite_original",
            f"-ExifByteOrder={order}",
            "-GPSLatitude=12.3456789",
            "-GPSLatitudeRef=S",
            "-GPSLongitude=98.7654321",
            "-GPSLongitudeRef=W",
            "-GPSAltitude=1234.5",
            "-GPSAltitudeRef=1",
            "-ImageDescription=Déjà vu 東京",
            "-IPTC:ObjectName=x",
            "-IPTCDigest=new",
            str(path),
        ],
        check=True,
    )
    data = path.read_bytes()
    head = data[: scan_offset(data)] + b"\xff\xd9"
    with pyexiv2.ImageData(head) as img:
        exiv2 = {k: v for k, v in img.read_exif().items() if k in KEYS}
    assert len(exiv2) == len(KEYS)
    assert quick_exif(head) == exiv2
    (doc,) = exiftool_json(path)
    current, stored = iptc_digests(head)
    assert current == stored == doc["File:CurrentIPTCDigest"] == doc["Photoshop:IPTCDigest"]


def test_quick_exif_declines_what_it_cannot_read(make_jpeg: Callable[..., Path]) -> None:
    data = make_jpeg("x.jpg").read_bytes()
    tiff = data.find(b"Exif\x00\x00") + 6
    broken = data[:tiff] + b"XX" + data[tiff + 2 :]
    assert quick_exif(broken) is None  # the caller then asks exiv2
    far = bytearray(data)
    far[tiff + 4 : tiff + 8] = b"\xff\xff\xff\x00"
    assert quick_exif(bytes(far)) is None
    assert quick_exif(b"\xff\xd8\xff\xd9") == {}
    assert scan_offset(b"not a jpeg") is None


def _jpeg(width: int, height: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 90)).save(buf, "JPEG")
    return buf.getvalue()


def test_read_preview_picks_the_smallest_big_enough_embedded_jpeg(tmp_path: Path) -> None:
    photo = tmp_path / "p.jpg"
    photo.write_bytes(camera_jpeg(1, size=(640, 480), thumb_width=320))
    thumb = read_preview(photo, min_width=256)
    assert thumb is not None and Image.open(io.BytesIO(thumb)).size == (320, 240)
    assert read_preview(photo, min_width=400) is None  # the caller decodes the photo instead

    raw = tmp_path / "IMG_1.dng"  # TIFF-structured, preview in IFD1 as RAW files have
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (1, 2, 3)).save(buf, "TIFF")
    with pyexiv2.ImageData(buf.getvalue()) as img:
        img.modify_thumbnail(_jpeg(300, 200))
        raw.write_bytes(img.get_bytes())
    preview = read_preview(raw, min_width=256)
    assert preview is not None and Image.open(io.BytesIO(preview)).size == (300, 200)
    assert read_preview(tmp_path / "missing.jpg") is None
    junk = tmp_path / "junk.cr2"
    junk.write_bytes(b"II*\x00" + b"\xff" * 100)
    assert read_preview(junk) is None


def test_reading_a_jpeg_whose_headers_exceed_the_first_read(
    settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "fat.jpg"  # 400 KB of APP15 segments before the image data
    path.write_bytes(jpeg_bytes(3, datetime(2023, 5, 6, 7, 8, 9), pad_to=400_000))
    assert scan_offset(path.read_bytes()) > HEAD_READ
    apply_tags(settings, [path], TagEdit(title="Fat headers", gps=Coordinates(-5.0, 6.0)))
    meta = read_metadata(path)
    assert meta.title == "Fat headers" and meta.gps == Coordinates(-5.0, 6.0)
    assert meta.capture_time == datetime(2023, 5, 6, 7, 8, 9)
