"""Capture-time sources the corpus lacks, built byte by byte as the cameras write them: AVI
IDIT spellings, Reconyx maker notes, PictureInfo, XMP ahead of an editor's ModifyDate; and
the exiv2 fallback the import uses when the fast reader finds nothing."""

from __future__ import annotations

import struct
import zlib
from datetime import datetime
from pathlib import Path

from cards import avi_bytes, box
from imaging import write_file

from photoarchive import pipeline
from photoarchive.config import Settings
from photoarchive.importing.capture_time import read_capture_time
from photoarchive.importing.dates_video import riff_date
from photoarchive.metadata.dates import ExivDates

TAKEN = datetime(2019, 7, 14, 6, 5, 4)
MTIME = datetime(2021, 1, 1, 12)


def _tiff(ifd0: list[tuple[int, int, bytes]], exif: list[tuple[int, int, bytes]]) -> bytes:
    """Little-endian TIFF: IFD0 entries, then an Exif IFD; (tag, type, value bytes)."""

    def ifd(entries: list[tuple[int, int, bytes]], at: int) -> bytes:
        size = {1: 1, 2: 1, 3: 2, 4: 4, 7: 1}
        body, data = struct.pack("<H", len(entries)), b""
        data_at = at + 2 + 12 * len(entries) + 4
        for tag, typ, value in sorted(entries):
            count = len(value) // size[typ]
            if len(value) <= 4:
                body += struct.pack("<HHI", tag, typ, count) + value.ljust(4, b"\x00")
            else:
                body += struct.pack("<HHII", tag, typ, count, data_at + len(data))
                data += value + b"\x00" * (len(value) & 1)
        return body + b"\x00\x00\x00\x00" + data

    first = ifd([*ifd0, (0x8769, 4, b"\x00\x00\x00\x00")], 8)
    exif_at = 8 + len(first)
    first = ifd([*ifd0, (0x8769, 4, struct.pack("<I", exif_at))], 8)
    return b"II*\x00\x08\x00\x00\x00" + first + ifd(exif, exif_at)


def _jpeg(*segments: tuple[int, bytes]) -> bytes:
    out = b"\xff\xd8"
    for marker, payload in segments:
        out += bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload
    return out + b"\xff\xda\x00\x02" + b"\x11" * 64 + b"\xff\xd9"


def _xmp(prop: str, value: str) -> bytes:
    return (
        b"http://ns.adobe.com/xap/1.0/\x00"
        + b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf='
        + b'"http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" '
        + b'xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:xmp="http://ns.adobe.com/xap/1.0/">'
        + f"<{prop}>{value}</{prop}></rdf:Description></rdf:RDF></x:xmpmeta>".encode()
    )


def test_avi_idit_spellings() -> None:
    for text, want in (
        ("Mon Mar 10 15:04:43 2003", datetime(2003, 3, 10, 15, 4, 43)),
        ("MON OCT 26 12:14:34 2009", datetime(2009, 10, 26, 12, 14, 34)),
        ("Tue Mar  3 01:02:03 2009", datetime(2009, 3, 3, 1, 2, 3)),
        ("2009/10/27 12:14:34", datetime(2009, 10, 27, 12, 14, 34)),
        ("2005:08:25 12:53:16", datetime(2005, 8, 25, 12, 53, 16)),
        ("2005-08-25 12:53:16", datetime(2005, 8, 25, 12, 53, 16)),
        ("2001/ 1/27  1:42PM", datetime(2001, 1, 27, 13, 42)),
        ("2005/11/28/ 09:19", datetime(2005, 11, 28, 9, 19)),
    ):
        assert riff_date(text) == want, text
    assert riff_date("garbage") is None and riff_date("Mon Foo 99 99:99:99 2003") is None


def test_avi_file_with_slashed_idit(tmp_path: Path) -> None:
    data = avi_bytes(TAKEN).replace(
        TAKEN.strftime("%a %b %d %H:%M:%S %Y").encode(), b"2019/07/14 06:05:04\x00\x00\x00\x00\x00"
    )
    p = write_file(tmp_path / "MOV_0001.AVI", data, mtime=MTIME)
    assert (read_capture_time(p).local, read_capture_time(p).source) == (TAKEN, "avi")


def test_reconyx_maker_note(tmp_path: Path) -> None:
    words = struct.pack("<6H", 4, 5, 6, 7, 14, 2019)  # s, m, h, month, day, year
    note = b"\x01\xf1\x03\x00" + b"\x00" * 18 + words + b"\x00" * 32
    tiff = _tiff([(0x010F, 2, b"RECONYX\x00")], [(0x927C, 7, note)])
    p = write_file(tmp_path / "RCNX0001.JPG", _jpeg((0xE1, b"Exif\x00\x00" + tiff)), mtime=MTIME)
    ct = read_capture_time(p)
    assert (ct.local, ct.source) == (TAKEN, "makernote")
    note2 = b"RECONYXH2\x00".ljust(0x3E, b"\x00") + struct.pack("<6H", 4, 5, 6, 14, 7, 2019)
    tiff2 = _tiff([(0x010F, 2, b"RECONYX\x00")], [(0x927C, 7, note2 + b"\x00" * 16)])
    p2 = write_file(tmp_path / "RCNX0002.JPG", _jpeg((0xE1, b"Exif\x00\x00" + tiff2)))
    assert read_capture_time(p2).local == TAKEN


def test_picture_info_app12(tmp_path: Path) -> None:
    secs = int((TAKEN - datetime(1970, 1, 1)).total_seconds())
    info = f"[picture info]\r\nTimeDate={secs}\r\nShutter=1234\r\n".encode()
    p = write_file(tmp_path / "P0001.JPG", _jpeg((0xEC, info)), mtime=MTIME)
    assert (read_capture_time(p).local, read_capture_time(p).source) == (TAKEN, "makernote")


def test_xmp_original_date_beats_an_editors_modify_date(tmp_path: Path) -> None:
    saved = _tiff([(0x0132, 2, b"2023:05:06 07:08:09\x00")], [])
    for prop, value in (
        ("exif:DateTimeOriginal", "2019-07-14T06:05:04+02:00"),
        ("xmp:CreateDate", "2019-07-14T06:05:04"),
    ):
        data = _jpeg((0xE1, b"Exif\x00\x00" + saved), (0xE1, _xmp(prop, value)))
        p = write_file(tmp_path / "edited.jpg", data, mtime=MTIME)
        ct = read_capture_time(p)
        assert (ct.local, ct.source) == (TAKEN, "xmp"), prop
    only_saved = write_file(tmp_path / "saved.jpg", _jpeg((0xE1, b"Exif\x00\x00" + saved)))
    ct = read_capture_time(only_saved)
    assert (ct.local, ct.source) == (datetime(2023, 5, 6, 7, 8, 9), "modified")


def test_quicktime_with_apple_creationdate_and_no_ftyp(tmp_path: Path) -> None:
    keys = box(
        b"keys", b"\x00" * 8 + struct.pack(">I", 40) + b"mdta" + b"com.apple.quicktime.creationdate"
    )
    ilst = box(
        b"ilst",
        box(
            b"\x00\x00\x00\x01",
            box(b"data", b"\x00\x00\x00\x01\x00\x00\x00\x00" + b"2019-07-14T06:05:04+0200"),
        ),
    )
    moov = box(b"moov", box(b"meta", b"\x00" * 4 + keys + ilst))
    p = write_file(tmp_path / "IMG_0001.MOV", box(b"wide", b"") + moov + box(b"mdat", b"\x00" * 64))
    ct = read_capture_time(p)
    assert (ct.iso(), ct.source) == ("2019-07-14T06:05:04+02:00", "quicktime")


def _png_with_compressed_xmp(taken: datetime) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    xmp = _xmp("exif:DateTimeOriginal", taken.isoformat())[29:]
    ihdr = chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
    itxt = chunk(b"iTXt", b"XML:com.adobe.xmp\x00\x01\x00\x00\x00" + zlib.compress(xmp))
    idat = chunk(b"IDAT", zlib.compress(b"\x00\x00"))
    return b"\x89PNG\r\n\x1a\n" + ihdr + itxt + idat + chunk(b"IEND", b"")


def test_exiv2_fallback_reads_what_the_fast_reader_cannot(
    tmp_path: Path, settings: Settings
) -> None:
    taken = datetime(2012, 3, 4, 5, 6, 7)
    card = tmp_path / "card" / "DCIM" / "100TEST"
    p = write_file(card / "SCAN0001.PNG", _png_with_compressed_xmp(taken), mtime=MTIME)
    assert read_capture_time(p).guess  # compressed XMP: not for the fast reader
    with ExivDates() as fallback:
        ct = read_capture_time(p, fallback=fallback)
        assert (ct.local, ct.source) == (taken, "exiv2")
        # Videos are not sent to exiv2; a file the fast reader dates costs no fallback call.
        video = write_file(card / "MVI_0002.MP4", b"\x00\x00\x00\x08free" + b"\x00" * 64)
        assert read_capture_time(video, fallback=fallback).guess
        dated = write_file(card / "MVI_0003.AVI", avi_bytes(taken))
        assert read_capture_time(dated, fallback=fallback).source == "avi"
        memo = write_file(card / "MVI_0003.WAV", b"RIFF\x00\x00\x00\x00WAVE" + b"\x00" * 64)
        assert read_capture_time(memo, fallback=fallback).guess  # an "other" file: not read twice
        assert fallback.calls == 1
    # The import's planning uses it: the scan lands in the week of its date, not its file time.
    plan = pipeline.plan(settings, [card.parent.parent])
    weeks = {g.group.media[0].path.name: g.week for g in plan.new}
    assert weeks["SCAN0001.PNG"] == "2012-02-27"
    assert str(card / "SCAN0001.PNG") not in plan.guessed
    # verify --rebuild dates the archived copy the same way (the fallback again).
    summary = pipeline.import_photos(settings, plan)
    assert "2012-02-27/SCAN0001.PNG" in summary.copied
    pipeline.verify(settings, rebuild=True)
    with pipeline.open_catalog(settings) as catalog:
        record = catalog.file("2012-02-27/SCAN0001.PNG")
    assert record is not None and record.capture_time == taken.isoformat()
    assert not record.capture_guess
