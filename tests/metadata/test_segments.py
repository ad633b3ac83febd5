"""The pure-Python header readers agree with exiv2 and exiftool."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pyexiv2
import pytest
from metadata.mdtools import EXIFTOOL, exiftool_json

from photoarchive.jpeg_segments import iptc_digests, quick_exif, scan_offset

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
