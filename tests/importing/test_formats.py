"""No camera file left behind: every still/RAW/video format is imported, an unknown file in a
DCIM folder is copied as an "other" file and listed, and camera housekeeping is skipped by name."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from cards import mov_bytes, tiff_with_date
from imaging import jpeg_bytes, tree_bytes, write_file

from photoarchive import pipeline
from photoarchive.config import Settings
from photoarchive.media import MEDIA_KINDS, Kind, group_key, is_housekeeping, kind_of, split_name

ISSUE_FORMATS = [
    "tiff",
    "png",
    "webp",
    "avif",
    "jxl",
    "gif",
    "crw",
    "mrw",
    "x3f",
    "iiq",
    "srw",
    "3fr",
    "erf",
    "kdc",
    "mos",
    "nrw",
    "mkv",
    "m4v",
    "3gp",
    "mpg",
    "wmv",
    "dv",
    "m2ts",
]


def test_every_format_the_issue_names_is_media() -> None:
    for ext in ISSUE_FORMATS:
        for name in (f"IMG_1.{ext}", f"IMG_1.{ext.upper()}"):
            assert kind_of(name) in MEDIA_KINDS, name
    assert kind_of("MVI_1.MTS") is Kind.VIDEO and kind_of("P1.TIF") is Kind.PHOTO
    assert kind_of("IMG_1.WAV") is Kind.OTHER
    # A voice memo travels with its photo; side-file chains still strip every known suffix.
    assert group_key("IMG_1.WAV") == group_key("IMG_1.JPG") == group_key("img_1.CR2.xmp")
    assert split_name("IMG_1.CR2.xmp") == ("IMG_1", ".CR2.xmp")
    assert split_name("my.holiday.jpg") == ("my.holiday", ".jpg")
    for name in ("M0100.CTG", "INDEX.BDM", "00000.CPI", "Thumbs.db", ".DS_Store", "NC_FLLST.DAT"):
        assert is_housekeeping(name), name
    assert not is_housekeeping("IMG_1.JPG") and not is_housekeeping("GPS.LOG")


def test_camera_card_with_every_kind_of_file(tmp_path: Path, settings: Settings) -> None:
    card = tmp_path / "card"
    dcim = card / "DCIM" / "100CAMERA"
    taken = datetime(2022, 6, 15, 10, 30)  # a Wednesday: week of Monday 13 June
    tiff = tiff_with_date(taken)
    camera_files = {
        "IMG_0001.JPG": jpeg_bytes(1, taken),
        "IMG_0001.WAV": b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 64,  # the photo's voice memo
        "SCAN0002.TIF": tiff,
        "DSC_0003.NRW": tiff + b"\x01",
        "SDIM0004.X3F": b"FOVb" + b"\x00" * 60,
        "PICT0005.MRW": b"\x00MRM" + b"\x00" * 60,
        "CRW_0006.CRW": b"II\x1a\x00\x00\x00HEAPCCDR" + b"\x00" * 50,
        "P0007.IIQ": tiff + b"\x02",
        "SAM_0008.SRW": tiff + b"\x03",
        "IMG_0009.PNG": b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
        "IMG_0010.WEBP": b"RIFF\x20\x00\x00\x00WEBPVP8 " + b"\x00" * 40,
        "IMG_0011.MKV": b"\x1aE\xdf\xa3" + b"\x00" * 60,
        "MVI_0012.M4V": mov_bytes(datetime(2022, 6, 15, 8, 30), brand=b"M4V "),
        "MOV_0013.3GP": mov_bytes(datetime(2022, 6, 15, 8, 31), brand=b"3gp4"),
        "GPS_0014.NMEA": b"$GPGGA,103000.00,4807.038,N\r\n",  # unknown kind, alone
    }
    for name, data in camera_files.items():
        write_file(dcim / name, data, mtime=taken)
    housekeeping = {
        "DCIM/CANONMSC/M0100.CTG": b"ctg",
        "DCIM/100CAMERA/Thumbs.db": b"cache",
        "DCIM/100CAMERA/.DS_Store": b"\x00\x00\x00\x01Bud1",
        "PRIVATE/AVCHD/BDMV/INDEX.BDM": b"INDX0100",
    }
    for rel, data in housekeeping.items():
        write_file(card / rel, data, mtime=taken)
    write_file(card / "MISC/AUTPRINT.MRK", b"[HDR]\n", mtime=taken)  # not under DCIM

    plan = pipeline.plan(settings, [card])
    assert sorted(Path(p).name for p in plan.others) == ["GPS_0014.NMEA", "IMG_0001.WAV"]
    skipped = {Path(p.path).name: p.reason for p in plan.skipped}
    assert skipped["AUTPRINT.MRK"] == "not a photo or video"
    for rel in housekeeping:
        assert skipped[Path(rel).name] == "camera housekeeping file", rel

    summary = pipeline.import_photos(settings, plan)
    assert summary.ok, summary.all_problems
    archived = tree_bytes(settings.archive)
    week = "2022-06-13"
    assert archived == {f"{week}/{name}": data for name, data in camera_files.items()}

    # Other files are known by content like photos: a second import copies nothing.
    again = pipeline.import_photos(settings, [card])
    assert again.copied == [] and again.ok
    assert len(again.plan.already) == len(camera_files)
    # Only media show as photos; the catalog still lists the other files.
    with pipeline.open_catalog(settings) as catalog:
        roles = {Path(r.path).name: r.role for r in catalog.files()}
    assert roles["IMG_0001.WAV"] == roles["GPS_0014.NMEA"] == "other"
    assert roles["CRW_0006.CRW"] == roles["MOV_0013.3GP"] == "media"
