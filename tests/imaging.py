"""Test images made on the fly (Pillow + pyexiv2): nothing large is committed."""

from __future__ import annotations

import io
import os
import random
from datetime import datetime
from pathlib import Path

import pyexiv2
from PIL import Image

from photoarchive.archive import MANIFEST_NAME


def jpeg_bytes(
    seed: int,
    taken: datetime | None,
    size: tuple[int, int] = (64, 48),
    offset: str | None = None,
    extra_exif: dict[str, str] | None = None,
    pad_to: int = 0,
) -> bytes:
    """A small, unique JPEG with EXIF (DateTimeOriginal when `taken` is given)."""
    rnd = random.Random(seed)
    img = Image.new("RGB", size, (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    for _ in range(8):
        x, y = rnd.randrange(size[0]), rnd.randrange(size[1])
        img.putpixel((x, y), (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256)))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    exif = {"Exif.Image.Make": "TestCam", "Exif.Image.Model": f"Model {seed % 3}"}
    if taken is not None:
        stamp = taken.strftime("%Y:%m:%d %H:%M:%S")
        exif["Exif.Photo.DateTimeOriginal"] = stamp
        exif["Exif.Image.DateTime"] = stamp
    if offset:
        exif["Exif.Photo.OffsetTimeOriginal"] = offset
    exif.update(extra_exif or {})
    with pyexiv2.ImageData(buf.getvalue()) as data:
        data.modify_exif(exif)
        out = data.get_bytes()
    if pad_to > len(out):
        # Realistic sizes without slow encoding: random bytes in an APP15 segment chain.
        pad = bytearray()
        need = pad_to - len(out)
        while need > 4:
            chunk = min(need - 4, 65533)
            pad += b"\xff\xef" + (chunk + 2).to_bytes(2, "big") + rnd.randbytes(chunk)
            need -= chunk + 4
        out = out[:2] + bytes(pad) + out[2:]
    return out


def write_file(path: Path, data: bytes, mtime: datetime | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if mtime is not None:
        ts = mtime.timestamp()
        os.utime(path, (ts, ts))
    return path


def tree_bytes(root: Path, manifests: bool = False) -> dict[str, bytes]:
    """Every file under root with its bytes, for byte-for-byte comparisons; the week manifests
    (not photos: tests/test_manifest.py checks them) only when asked for."""
    return {
        str(p.relative_to(root)): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and (manifests or p.name != MANIFEST_NAME)
    }


def tree_stats(root: Path) -> dict[str, tuple[int, int, int]]:
    """(size, mtime_ns, mode) of every file and folder under root."""
    out = {}
    for p in sorted(root.rglob("*")):
        st = p.stat()
        out[str(p.relative_to(root))] = (st.st_size, st.st_mtime_ns, st.st_mode)
    return out


def heic_bytes(
    colour: tuple[int, int, int], taken: datetime | None, size: tuple[int, int] = (320, 240)
) -> bytes:
    """A small HEIC (what phones take), made with pillow-heif, with an EXIF capture time."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    exif = Image.Exif()
    exif[0x010F] = "PhoneCam"  # Make
    if taken is not None:
        stamp = taken.strftime("%Y:%m:%d %H:%M:%S")
        exif.get_ifd(0x8769)[0x9003] = stamp  # DateTimeOriginal
        exif[0x0132] = stamp  # DateTime
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "HEIF", quality=70, exif=exif.tobytes())
    return buf.getvalue()
