"""Helpers for the metadata tests: realistic JPEGs and exiftool as the independent reader."""

from __future__ import annotations

import io
import json
import random
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pyexiv2
from PIL import Image

EXIFTOOL = shutil.which("exiftool")


def exiftool_json(*paths: Path, args: tuple[str, ...] = ()) -> list[dict[str, object]]:
    """exiftool's view of files: numeric values (-n), family-1 groups (-G1)."""
    assert EXIFTOOL, "exiftool is required (Debian libimage-exiftool-perl)"
    out = subprocess.run(
        [EXIFTOOL, "-j", "-n", "-G1", "-a", *args, *map(str, paths)],
        capture_output=True,
        check=True,
    )
    return json.loads(out.stdout.decode("utf-8"))  # type: ignore[no-any-return]


def exiftool_warnings(path: Path) -> set[str]:
    """The warnings `exiftool -validate` raises about a file."""
    assert EXIFTOOL
    out = subprocess.run(
        [EXIFTOOL, "-validate", "-warning", "-a", "-s3", str(path)],
        capture_output=True,
        check=False,
    )
    lines = out.stdout.decode("utf-8", "replace").splitlines()
    return {ln.strip() for ln in lines if ln.strip() and "Warnings" not in ln and ln != "OK"}


def scan_data(data: bytes) -> bytes:
    """A JPEG's compressed image data (from the first SOS marker): the pixels, untouched."""
    from photoarchive.metadata.exiv2 import jpeg_scan_offset

    pos = jpeg_scan_offset(data)
    assert pos is not None
    return data[pos:]


def camera_jpeg(
    seed: int,
    size: tuple[int, int] = (160, 120),
    taken: datetime | None = datetime(2024, 6, 1, 10, 30, 0),
    makernote: int = 2048,
    exif: dict[str, str] | None = None,
    thumb_width: int = 160,
) -> bytes:
    """A JPEG with noise pixels, camera EXIF, an opaque maker-note block and a thumbnail."""
    rnd = random.Random(seed)
    img = Image.frombytes("RGB", size, rnd.randbytes(size[0] * size[1] * 3))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    tags = {
        "Exif.Image.Make": "TestCam",
        "Exif.Image.Model": "TC-1",
        "Exif.Image.XResolution": "72/1",
        "Exif.Image.YResolution": "72/1",
        "Exif.Image.ResolutionUnit": "2",
        "Exif.Image.YCbCrPositioning": "1",
        "Exif.Photo.ExifVersion": "48 50 51 50",
        "Exif.Photo.ComponentsConfiguration": "1 2 3 0",
        "Exif.Photo.FlashpixVersion": "48 49 48 48",
        "Exif.Photo.ColorSpace": "1",
        "Exif.Photo.PixelXDimension": str(size[0]),
        "Exif.Photo.PixelYDimension": str(size[1]),
        "Exif.Photo.ExposureTime": "1/125",
        "Exif.Photo.FNumber": "28/10",
        "Exif.Photo.ISOSpeedRatings": "200",
    }
    if taken is not None:
        stamp = taken.strftime("%Y:%m:%d %H:%M:%S")
        tags["Exif.Photo.DateTimeOriginal"] = stamp
        tags["Exif.Image.DateTime"] = stamp
    if makernote:
        tags["Exif.Photo.MakerNote"] = " ".join(str(rnd.randrange(256)) for _ in range(makernote))
    tags.update(exif or {})
    thumb = io.BytesIO()
    img.resize((thumb_width, thumb_width * size[1] // size[0])).save(thumb, "JPEG", quality=70)
    with pyexiv2.ImageData(buf.getvalue()) as data:
        data.modify_exif(tags)
        if thumb_width:
            data.modify_thumbnail(thumb.getvalue())
        return data.get_bytes()  # type: ignore[no-any-return]


def read_tags(data: bytes) -> tuple[dict[str, str], dict[str, object], dict[str, object]]:
    """(exif, iptc, xmp) as pyexiv2 reads them, for before/after comparisons."""
    with pyexiv2.ImageData(data) as img:
        return img.read_exif(), img.read_iptc(), img.read_xmp()


def camera_card(root: Path, shots: tuple[int, ...] = (0, 1, 2)) -> Path:
    """A card with IMG_<n>.JPG taken 2024-03-05 09:0n (week 2024-03-04); returns its DCIM
    folder, for adding more files before importing `root`."""
    folder = root / "DCIM" / "100CAM"
    folder.mkdir(parents=True)
    for i in shots:
        (folder / f"IMG_{i}.JPG").write_bytes(camera_jpeg(i, taken=datetime(2024, 3, 5, 9, i)))
    return folder
