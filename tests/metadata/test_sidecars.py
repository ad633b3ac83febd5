"""XMP sidecars for files exiv2 cannot write (HEIC, video) and, by setting, for RAW."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from metadata.mdtools import EXIFTOOL, camera_jpeg, exiftool_json
from PIL import Image

from photoarchive.config import Settings
from photoarchive.metadata.coords import Coordinates
from photoarchive.metadata.reading import read_metadata
from photoarchive.metadata.tagging import TagEdit, apply_tags

pytestmark = pytest.mark.skipif(EXIFTOOL is None, reason="exiftool not installed")

FAKE_HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
FAKE_MP4 = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 64


def test_heic_and_video_get_a_sidecar_read_back_as_their_metadata(
    settings: Settings, tmp_path: Path
) -> None:
    heic = tmp_path / "IMG_0001.HEIC"
    mp4 = tmp_path / "clip.mp4"
    heic.write_bytes(FAKE_HEIC)
    mp4.write_bytes(FAKE_MP4)
    edit = TagEdit(gps=Coordinates(-33.8567844, -151.2152967, -2.5), title="Plage", caption="Été")
    result = apply_tags(settings, [heic, mp4], edit)
    assert [p.reason for p in result.problems] == []
    assert result.changed == 2
    assert heic.read_bytes() == FAKE_HEIC and mp4.read_bytes() == FAKE_MP4  # never touched
    for media in (heic, mp4):
        sidecar = media.with_name(media.name + ".xmp")
        (doc,) = exiftool_json(sidecar)
        assert abs(float(doc["XMP-exif:GPSLatitude"]) - edit.gps.lat) < 1e-7  # type: ignore[union-attr,arg-type]
        assert abs(float(doc["XMP-exif:GPSLongitude"]) - edit.gps.lon) < 1e-7  # type: ignore[union-attr,arg-type]
        assert doc["XMP-exif:GPSAltitudeRef"] == 1
        assert doc["XMP-dc:Title"] == "Plage" and doc["XMP-dc:Description"] == "Été"
        meta = read_metadata(media)
        assert meta.sidecar == sidecar
        assert (meta.title, meta.caption) == ("Plage", "Été")
        assert meta.gps is not None and abs(meta.gps.lon - edit.gps.lon) < 1e-7  # type: ignore[union-attr]


def test_sidecar_edits_merge_and_an_existing_lightroom_sidecar_is_reused(
    settings: Settings, tmp_path: Path
) -> None:
    heic = tmp_path / "IMG_0002.heic"
    heic.write_bytes(FAKE_HEIC)
    apply_tags(settings, [heic], TagEdit(title="First"))
    apply_tags(settings, [heic], TagEdit(gps=Coordinates(1.0, 2.0)))
    meta = read_metadata(heic)
    assert meta.title == "First" and meta.gps == Coordinates(1.0, 2.0)
    kept = apply_tags(settings, [heic], TagEdit(gps=Coordinates(3.0, 4.0)))
    assert kept.changed == 0 and "kept the GPS position" in (kept.results[0].message or "")

    other = tmp_path / "IMG_0003.heic"
    other.write_bytes(FAKE_HEIC)
    lightroom = tmp_path / "IMG_0003.xmp"
    apply_tags(settings, [heic], TagEdit(caption="x"))  # make a valid XMP packet to copy
    lightroom.write_bytes(heic.with_name(heic.name + ".xmp").read_bytes())
    apply_tags(settings, [other], TagEdit(title="Lightroom's file"))
    assert not (tmp_path / "IMG_0003.heic.xmp").exists()
    (doc,) = exiftool_json(lightroom)
    assert doc["XMP-dc:Title"] == "Lightroom's file" and doc["XMP-dc:Description"] == "x"


def test_raw_goes_to_a_sidecar_only_when_the_setting_says_so(
    settings: Settings, tmp_path: Path
) -> None:
    raw = tmp_path / "IMG_0004.dng"
    Image.new("RGB", (16, 12), (1, 2, 3)).save(raw, "TIFF")  # a TIFF-structured stand-in
    original = raw.read_bytes()
    sidecar_settings = dataclasses.replace(settings, raw_sidecar=True)
    result = apply_tags(sidecar_settings, [raw], TagEdit(title="Sidecar"))
    assert result.changed == 1 and raw.read_bytes() == original
    assert (tmp_path / "IMG_0004.dng.xmp").exists()
    assert read_metadata(raw).title == "Sidecar"

    raw2 = tmp_path / "IMG_0005.dng"
    raw2.write_bytes(original)
    result = apply_tags(settings, [raw2], TagEdit(title="In place"))
    assert result.changed == 1 and raw2.read_bytes() != original
    assert not (tmp_path / "IMG_0005.dng.xmp").exists()
    (doc,) = exiftool_json(raw2)
    assert doc["XMP-dc:Title"] == "In place"


def test_a_lightroom_sidecar_beside_a_jpeg_does_not_hide_what_was_written_in_it(
    settings: Settings, tmp_path: Path
) -> None:
    jpeg = tmp_path / "IMG_1.jpg"
    jpeg.write_bytes(camera_jpeg(1))
    raw_side = tmp_path / "IMG_1.xmp"  # a RAW sibling's Lightroom sidecar, titled differently
    heic = tmp_path / "IMG_9.heic"
    heic.write_bytes(b"\x00\x00\x00\x18ftypheic" + bytes(40))
    assert apply_tags(settings, [heic], TagEdit(title="Old title"), workers=1).ok
    raw_side.write_bytes(heic.with_name(heic.name + ".xmp").read_bytes())
    result = apply_tags(settings, [jpeg], TagEdit(title="New title"), workers=1)
    assert result.ok and result.changed == 1
    assert read_metadata(jpeg).title == "New title"
    assert read_metadata(jpeg).sidecar is None
    assert raw_side.exists()  # someone else's file: left alone
