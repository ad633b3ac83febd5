"""What we write, read back by independent readers (exiftool; iptcinfo3 for IPTC)."""

from __future__ import annotations

import io
import logging
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from iptcinfo3 import IPTCInfo
from metadata.mdtools import EXIFTOOL, exiftool_json, exiftool_warnings, read_tags, scan_data
from PIL import Image

from photoarchive.config import Settings
from photoarchive.metadata.coords import Coordinates
from photoarchive.metadata.exiv2 import EditSpec, rewrite_bytes
from photoarchive.metadata.reading import read_metadata
from photoarchive.metadata.tagging import TagEdit, apply_tags

pytestmark = pytest.mark.skipif(EXIFTOOL is None, reason="exiftool not installed")

PLACES = {
    "ne.jpg": Coordinates(48.8583701, 2.2944813, 330.75),  # north-east
    "nw.jpg": Coordinates(40.6892494, -74.0445004, None),  # north-west
    "se.jpg": Coordinates(-33.8567844, 151.2152967, 4.2),  # south-east
    "sw.jpg": Coordinates(-22.9519173, -43.2104872, 709.0),  # south-west
    "dead_sea.jpg": Coordinates(31.5590, 35.4732, -430.5),  # below sea level
}
TEXTS = {
    "title": "Grüße aus Köln — Ελλάδα 東京 😀",
    "caption": 'Zoë\'s café: καλημέρα, 你好世界, Ünïcödé ✓ 👨‍👩‍👧 and "quotes" & <tags>',
}


def test_gps_round_trip_all_hemispheres_and_below_sea_level(
    settings: Settings, make_jpeg: Callable[..., Path]
) -> None:
    paths = {name: make_jpeg(name, seed=i) for i, name in enumerate(PLACES)}
    edits = {paths[name]: TagEdit(gps=c) for name, c in PLACES.items()}
    result = apply_tags(settings, list(paths.values()), edits)
    assert result.problems == []
    assert result.changed == len(PLACES)
    for doc in exiftool_json(*paths.values()):
        want = PLACES[Path(str(doc["SourceFile"])).name]
        assert abs(float(doc["Composite:GPSLatitude"]) - want.lat) < 1e-7  # type: ignore[arg-type]
        assert abs(float(doc["Composite:GPSLongitude"]) - want.lon) < 1e-7  # type: ignore[arg-type]
        assert doc["GPS:GPSLatitudeRef"] == ("S" if want.lat < 0 else "N")
        assert doc["GPS:GPSLongitudeRef"] == ("W" if want.lon < 0 else "E")
        assert doc["GPS:GPSVersionID"] == "2 3 0 0"
        assert doc["GPS:GPSMapDatum"] == "WGS-84"
        if want.alt is None:
            assert "GPS:GPSAltitude" not in doc and "GPS:GPSAltitudeRef" not in doc
        else:
            assert doc["GPS:GPSAltitudeRef"] == (1 if want.alt < 0 else 0)
            assert float(doc["Composite:GPSAltitude"]) == pytest.approx(want.alt, abs=1e-3)  # type: ignore[arg-type]
    # Seconds are stored as precise rationals, not rounded to whole seconds.
    raw = exiftool_json(paths["se.jpg"], args=("-GPSLatitude#",))
    assert raw[0]["GPS:GPSLatitude"] == pytest.approx(33.8567844, abs=1e-7)
    got = read_metadata(paths["dead_sea.jpg"]).gps
    assert got is not None and got.alt == pytest.approx(-430.5)


def test_unicode_title_and_caption_in_iptc_xmp_and_exif(
    settings: Settings, make_jpeg: Callable[..., Path]
) -> None:
    path = make_jpeg("text.jpg")
    result = apply_tags(settings, [path], TagEdit(**TEXTS))
    assert result.problems == [] and result.changed == 1
    (doc,) = exiftool_json(path)
    assert doc["IPTC:CodedCharacterSet"] == "\x1b%G"  # UTF-8 marker: others decode it right
    assert doc["IPTC:ObjectName"] == TEXTS["title"]
    assert doc["XMP-dc:Title"] == TEXTS["title"]
    assert doc["IPTC:Caption-Abstract"] == TEXTS["caption"]
    assert doc["XMP-dc:Description"] == TEXTS["caption"]
    assert doc["IFD0:ImageDescription"] == TEXTS["caption"]
    (mwg,) = exiftool_json(path, args=("-use", "MWG", "-MWG:Description"))
    assert mwg["MWG:Description"] == TEXTS["caption"]
    logging.getLogger("iptcinfo").setLevel(logging.ERROR)
    info = IPTCInfo(str(path))  # second, independent IPTC reader (read only)
    assert info["object name"].decode("utf-8") == TEXTS["title"]
    assert info["caption/abstract"].decode("utf-8") == TEXTS["caption"]
    meta = read_metadata(path)
    assert (meta.title, meta.caption) == (TEXTS["title"], TEXTS["caption"])


def test_nothing_else_changes_pixels_makernote_and_other_tags(
    settings: Settings, make_jpeg: Callable[..., Path]
) -> None:
    path = make_jpeg("keep.jpg", size=(640, 480), makernote=8192)
    before = path.read_bytes()
    warnings_before = exiftool_warnings(path)
    exif0, _, _ = read_tags(before)
    (doc0,) = exiftool_json(path, args=("-b",))
    result = apply_tags(
        settings,
        [path],
        TagEdit(gps=Coordinates(-33.8568, 151.2153, 12.0), title="t", caption=TEXTS["caption"]),
    )
    assert result.changed == 1
    after = path.read_bytes()
    assert scan_data(after) == scan_data(before)  # compressed image data byte-identical
    img0, img1 = Image.open(io.BytesIO(before)), Image.open(io.BytesIO(after))
    assert img0.tobytes() == img1.tobytes()
    exif1, iptc1, _ = read_tags(after)
    assert exif1["Exif.Photo.MakerNote"] == exif0["Exif.Photo.MakerNote"]
    offsets = ("Exif.Image.ExifTag", "Exif.Image.GPSTag", "Exif.Thumbnail.JPEGInterchangeFormat")
    for key, value in exif0.items():
        if key.startswith(("Exif.GPSInfo.", "Exif.Image.ImageDescription")) or key in offsets:
            continue
        assert exif1.get(key) == value, key
    # exiftool's view of everything we did not mean to touch is unchanged (thumbnail included)
    (doc1,) = exiftool_json(path, args=("-b",))
    ours = ("GPS:", "IPTC:", "XMP", "Composite:GPS", "File:CurrentIPTCDigest", "System:File")
    kept = {
        k: v for k, v in doc0.items() if not k.startswith(ours) and k != "IFD0:ImageDescription"
    }
    assert "IFD1:ThumbnailImage" in kept and "ExifIFD:ExposureTime" in kept
    for key, value in kept.items():
        if key not in ("IFD1:ThumbnailOffset", "ExifTool:Warning"):  # offsets move
            assert doc1.get(key) == value, key
    assert exiftool_warnings(path) <= warnings_before  # no new -validate warnings
    assert iptc1["Iptc.Envelope.CharacterSet"] == "\x1b%G"


def test_iptc_length_limits_cut_on_character_boundary(
    settings: Settings, make_jpeg: Callable[..., Path]
) -> None:
    path = make_jpeg("long.jpg")
    title = "é" * 40  # 80 bytes: IPTC ObjectName holds 64
    caption = "東" * 700  # 2100 bytes: Caption-Abstract holds 2000
    result = apply_tags(settings, [path], TagEdit(title=title, caption=caption))
    assert result.changed == 1
    (message,) = [r.message for r in result.results]
    assert message is not None
    assert "title cut to 64 bytes in IPTC" in message
    assert "caption cut to 1998 bytes in IPTC" in message
    assert result.problems and result.problems[0].severity == "warning"
    (doc,) = exiftool_json(path)
    assert doc["IPTC:ObjectName"] == "é" * 32
    assert doc["IPTC:Caption-Abstract"] == "東" * 666
    assert doc["XMP-dc:Title"] == title  # the full text stays in XMP
    assert doc["XMP-dc:Description"] == caption
    assert not any("IPTC" in w for w in exiftool_warnings(path))
    assert read_metadata(path).title == title  # MWG: XMP wins over the cut IPTC


def test_existing_gps_is_kept_unless_overwrite(
    settings: Settings, make_jpeg: Callable[..., Path]
) -> None:
    path = make_jpeg("gps.jpg")
    apply_tags(settings, [path], TagEdit(gps=Coordinates(10.5, 20.25, 100.0)))
    before = path.read_bytes()
    kept = apply_tags(settings, [path], TagEdit(gps=Coordinates(-1.0, -2.0)))
    assert kept.changed == 0 and path.read_bytes() == before
    assert "kept the GPS position already in the file" in (kept.results[0].message or "")
    done = apply_tags(settings, [path], TagEdit(gps=Coordinates(-1.0, -2.0), overwrite_gps=True))
    assert done.changed == 1
    (doc,) = exiftool_json(path)
    assert (doc["Composite:GPSLatitude"], doc["Composite:GPSLongitude"]) == (-1, -2)
    assert "GPS:GPSAltitude" not in doc  # the old place's altitude went with it
    again = apply_tags(settings, [path], TagEdit(gps=Coordinates(-1.0, -2.0), overwrite_gps=True))
    assert again.changed == 0  # same values: the file is not rewritten


def test_clearing_and_partial_edits(settings: Settings, make_jpeg: Callable[..., Path]) -> None:
    path = make_jpeg("clear.jpg")
    apply_tags(settings, [path], TagEdit(title="Old title", caption="Old caption"))
    apply_tags(settings, [path], TagEdit(caption="New caption"))  # title left alone
    meta = read_metadata(path)
    assert (meta.title, meta.caption) == ("Old title", "New caption")
    apply_tags(settings, [path], TagEdit(title=""))
    (doc,) = exiftool_json(path)
    assert "IPTC:ObjectName" not in doc and "XMP-dc:Title" not in doc
    assert doc["IPTC:Caption-Abstract"] == "New caption"


def _exiftool_set(path: Path, *assignments: str) -> None:
    subprocess.run(
        [str(EXIFTOOL), "-q", "-overwrite_original", *assignments, str(path)], check=True
    )


def test_reading_follows_mwg_precedence(make_jpeg: Callable[..., Path]) -> None:
    exif_first = make_jpeg("a.jpg")
    _exiftool_set(
        exif_first,
        "-EXIF:ImageDescription=from exif",
        "-IPTC:Caption-Abstract=from iptc",
        "-XMP-dc:Description=from xmp",
    )
    assert read_metadata(exif_first).caption == "from exif"

    xmp_over_iptc = make_jpeg("b.jpg")
    _exiftool_set(xmp_over_iptc, "-IPTC:ObjectName=iptc title", "-XMP-dc:Title=xmp title")
    assert read_metadata(xmp_over_iptc).title == "xmp title"

    # IPTC changed by a program unaware of XMP: the stored IPTC digest no longer matches.
    stale = make_jpeg("c.jpg")
    _exiftool_set(stale, "-IPTC:ObjectName=first", "-XMP-dc:Title=first", "-IPTCDigest=new")
    _exiftool_set(stale, "-IPTC:ObjectName=changed later")
    assert read_metadata(stale).title == "changed later"
    (doc,) = exiftool_json(stale, args=("-use", "MWG"))
    assert doc["IPTC:ObjectName"] == "changed later"

    only_iptc = make_jpeg("d.jpg")
    _exiftool_set(only_iptc, "-IPTC:Caption-Abstract=only iptc")
    assert read_metadata(only_iptc).caption == "only iptc"
    (doc,) = exiftool_json(only_iptc, args=("-use", "MWG", "-MWG:Description"))
    assert doc["MWG:Description"] == "only iptc"


def test_our_write_refreshes_a_stored_iptc_digest(
    settings: Settings, make_jpeg: Callable[..., Path]
) -> None:
    path = make_jpeg("digest.jpg")
    _exiftool_set(path, "-IPTC:Caption-Abstract=old", "-XMP-dc:Description=old", "-IPTCDigest=new")
    apply_tags(settings, [path], TagEdit(caption="new caption"))
    (doc,) = exiftool_json(path, args=("-use", "MWG"))
    assert doc["Photoshop:IPTCDigest"] == doc["File:CurrentIPTCDigest"]
    assert doc["MWG:Description"] == "new caption"


def test_jpeg_edit_keeps_the_camera_exif_bytes_and_the_image_data(
    make_jpeg: Callable[..., Path],
) -> None:
    """The original EXIF block stays byte for byte (only the header's IFD0 offset moves, a new
    IFD0 and GPS IFD follow it); the scan data is untouched."""
    from photoarchive.metadata.blocks import jpeg_blocks

    data = make_jpeg("same.jpg", size=(320, 240)).read_bytes()
    spec = EditSpec(gps=Coordinates(1.25, -2.5, 3.0), title="t", caption="c é")
    new = rewrite_bytes(data, spec).data
    assert new is not None
    old_exif, new_exif = jpeg_blocks(data).exif, jpeg_blocks(new).exif
    assert old_exif and new_exif and len(new_exif) > len(old_exif)
    assert new_exif[:4] == old_exif[:4] and new_exif[8 : len(old_exif)] == old_exif[8:]
    assert scan_data(new) == scan_data(data)
    path = make_jpeg("same.jpg")
    path.write_bytes(new)
    meta = read_metadata(path)
    assert (meta.title, meta.caption) == ("t", "c é") and meta.gps is not None


@pytest.mark.parametrize("fmt", ["PNG", "TIFF"])
def test_png_and_tiff_in_place(settings: Settings, tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"image.{fmt.lower()}"
    Image.new("RGB", (32, 24), (10, 200, 30)).save(path, fmt)
    pixels = Image.open(path).tobytes()
    warnings_before = exiftool_warnings(path)
    result = apply_tags(settings, [path], TagEdit(gps=Coordinates(-45.5, -70.25), **TEXTS))
    assert result.problems == [] and result.changed == 1
    (doc,) = exiftool_json(path)
    assert doc["Composite:GPSLatitude"] == -45.5 and doc["Composite:GPSLongitude"] == -70.25
    assert doc["XMP-dc:Title"] == TEXTS["title"]
    assert doc["XMP-dc:Description"] == TEXTS["caption"]
    assert Image.open(path).tobytes() == pixels
    assert read_metadata(path).title == TEXTS["title"]
    assert exiftool_warnings(path) <= warnings_before


def test_data_after_the_image_is_kept(settings: Settings, make_jpeg: Callable[..., Path]) -> None:
    """Phones append a second image or a video after the JPEG's end marker: it must survive."""
    path = make_jpeg("motion.jpg")
    trailer = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40
    path.write_bytes(path.read_bytes() + trailer)
    before = scan_data(path.read_bytes())
    assert apply_tags(settings, [path], TagEdit(caption="with trailer")).changed == 1
    after = path.read_bytes()
    assert after.endswith(trailer) and scan_data(after) == before
    assert read_metadata(path).caption == "with trailer"
