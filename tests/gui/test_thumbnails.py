"""Thumbnail sources: the embedded EXIF preview for large files, a scaled decode otherwise,
with the camera's orientation applied either way."""

from __future__ import annotations

import io
from pathlib import Path

import pyexiv2
from imaging import jpeg_bytes
from PIL import Image

from photoarchive.gui.thumbcache import PREVIEW_MIN_BYTES, make_thumbnail, thumbnail


def _solid_jpeg(colour: tuple[int, int, int], size: tuple[int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "JPEG", quality=90)
    return buf.getvalue()


def _with_preview(main: bytes, preview: bytes, orientation: int = 1) -> bytes:
    with pyexiv2.ImageData(main) as img:
        img.modify_exif({"Exif.Image.Orientation": str(orientation)})
        img.modify_thumbnail(preview)
        return img.get_bytes()


def _centre(qimage) -> tuple[int, int, int]:
    c = qimage.pixelColor(qimage.width() // 2, qimage.height() // 2)
    return c.red(), c.green(), c.blue()


def test_large_file_uses_the_embedded_preview_small_file_is_decoded(tmp_path: Path) -> None:
    red_main = _solid_jpeg((220, 20, 20), (1200, 900))
    blue_preview = _solid_jpeg((20, 20, 220), (160, 120))
    data = _with_preview(red_main, blue_preview)
    big = tmp_path / "big.jpg"
    pad = b"\xff\xef" + (60002).to_bytes(2, "big") + bytes(60000)
    big.write_bytes(data[:2] + pad * (PREVIEW_MIN_BYTES // 60000 + 1) + data[2:])
    small = tmp_path / "small.jpg"
    small.write_bytes(data)
    assert big.stat().st_size >= PREVIEW_MIN_BYTES > small.stat().st_size

    from_preview = make_thumbnail(big, 128, big.stat().st_size)
    decoded = make_thumbnail(small, 128, small.stat().st_size)
    assert from_preview is not None and decoded is not None
    assert from_preview.getpixel((64, 48))[2] > 180  # blue: the embedded preview
    assert decoded.getpixel((64, 48))[0] > 180  # red: the image itself
    assert max(decoded.size) == 128


def test_orientation_is_applied_to_decodes_and_previews(tmp_path: Path) -> None:
    rotated = tmp_path / "rotated.jpg"
    rotated.write_bytes(
        jpeg_bytes(1, None, size=(320, 240), extra_exif={"Exif.Image.Orientation": "6"})
    )
    img = thumbnail(rotated)
    assert img is not None and (img.width(), img.height()) == (96, 128)  # portrait
    again = thumbnail(rotated)  # from the cache, same picture
    assert again is not None and _centre(again) == _centre(img)


def test_undecodable_file_gives_none_and_no_cache_entry(tmp_path: Path) -> None:
    from photoarchive.gui.thumbcache import thumb_path

    junk = tmp_path / "junk.jpg"
    junk.write_bytes(b"\xff\xd8\xff" + bytes(100))
    assert thumbnail(junk) is None
    assert not thumb_path(junk).exists()
