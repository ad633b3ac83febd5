"""JPEG edits change only what they set: IPTC encodings and times, a new EXIF block, XMP
namespaces, rdf:about, duplicates, ExtendedXMP, MPF offsets, maker notes exiv2 rejects."""

from __future__ import annotations

import hashlib
import io
import struct
from collections.abc import Callable
from pathlib import Path

import pyexiv2
import pytest
from corpus_files import CORPUS
from metadata.mdtools import EXIFTOOL, exiftool_json, exiftool_warnings
from PIL import Image

from photoarchive.config import Settings
from photoarchive.metadata.blocks import EXT_SIG, XMP_SIG, jpeg_blocks, jpeg_segments
from photoarchive.metadata.coords import Coordinates
from photoarchive.metadata.exiv2 import EditSpec, MetadataError, rewrite_bytes
from photoarchive.metadata.tagging import TagEdit, apply_tags
from photoarchive.metadata.write_check import iptc_datasets

pytestmark = pytest.mark.skipif(EXIFTOOL is None, reason="exiftool not installed")


def _seg(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def _with_segments(jpeg: bytes, *segments: bytes) -> bytes:
    """The JPEG with extra segments right after SOI (and its APP0/APP1s)."""
    last = 2
    for marker, _start, end in jpeg_segments(jpeg):
        if marker in (0xE0, 0xE1):
            last = end
    return jpeg[:last] + b"".join(segments) + jpeg[last:]


def _iptc(*sets: tuple[int, int, bytes]) -> bytes:
    data = b"".join(bytes([0x1C, r, d]) + struct.pack(">H", len(v)) + v for r, d, v in sets)
    res = b"8BIM\x04\x04\x00\x00" + struct.pack(">I", len(data)) + data + b"\x00" * (len(data) & 1)
    return _seg(0xED, b"Photoshop 3.0\x00" + res)


def _plain_jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(buf, "JPEG")
    return buf.getvalue()


def _xmp(body: str, about: str = "") -> bytes:
    return (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f'<rdf:Description rdf:about="{about}" {body}</rdf:Description></rdf:RDF></x:xmpmeta>'
        '<?xpacket end="w"?>'
    ).encode()


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_latin1_iptc_is_converted_and_time_created_kept(settings: Settings, tmp_path: Path) -> None:
    data = _with_segments(
        _plain_jpeg(),
        _iptc(
            (2, 0, b"\x00\x04"),
            (2, 55, b"20240601"),
            (2, 60, b"123456"),
            (2, 90, "Göteborg".encode("latin-1")),
            (2, 116, "© Anna".encode("cp1252")),
        ),
    )
    path = _write(tmp_path, "latin1.jpg", data)
    result = apply_tags(settings, [path], TagEdit(caption="Hamnen"))
    assert result.changed == 1
    assert "converted 2 IPTC value(s) from Latin-1 to UTF-8" in (result.results[0].message or "")
    (doc,) = exiftool_json(path)
    assert doc["IPTC:City"] == "Göteborg" and doc["IPTC:CopyrightNotice"] == "© Anna"
    assert doc["IPTC:CodedCharacterSet"] == "\x1b%G"
    assert doc["IPTC:Caption-Abstract"] == "Hamnen"
    iptc = jpeg_blocks(path.read_bytes()).iptc
    assert iptc is not None and (2, 60, b"123456") in iptc_datasets(iptc)  # no "+0000" added


def test_a_file_without_exif_gets_the_required_ifd0_tags(
    settings: Settings, tmp_path: Path
) -> None:
    path = _write(tmp_path, "plain.jpg", _plain_jpeg())
    before = exiftool_warnings(path)
    edit = TagEdit(gps=Coordinates(57.7, 11.97, 3.0), title="T", caption="C")
    assert apply_tags(settings, [path], edit).changed == 1
    (doc,) = exiftool_json(path)
    assert (doc["IFD0:XResolution"], doc["IFD0:YResolution"]) == (72, 72)
    assert (doc["IFD0:ResolutionUnit"], doc["IFD0:YCbCrPositioning"]) == (2, 1)
    assert doc["IFD0:ImageDescription"] == "C" and doc["GPS:GPSVersionID"] == "2 3 0 0"
    assert exiftool_warnings(path) <= before


def test_xmp_namespace_uris_and_rdf_about_are_kept(settings: Settings, tmp_path: Path) -> None:
    packet = _xmp(
        'xmlns:MicrosoftPhoto="http://ns.microsoft.com/photo/1.0" '
        'xmlns:xmp="http://ns.adobe.com/xap/1.0/" MicrosoftPhoto:Rating="75" xmp:Rating="4">',
        about="uuid:faf5bdd5-ba3d-11da-ad31-d33d75182f1b",
    )
    path = _write(tmp_path, "ms.jpg", _with_segments(_plain_jpeg(), _seg(0xE1, XMP_SIG + packet)))
    result = apply_tags(settings, [path], TagEdit(title="Titel"))
    assert result.changed == 1, result.results[0].message
    xmp = jpeg_blocks(path.read_bytes()).xmp or b""
    assert b'"http://ns.microsoft.com/photo/1.0"' in xmp
    assert b'rdf:about="uuid:faf5bdd5-ba3d-11da-ad31-d33d75182f1b"' in xmp
    (doc,) = exiftool_json(path)
    assert doc["XMP-microsoft:RatingPercent"] == 75 and doc["XMP-xmp:Rating"] == 4
    assert doc["XMP-dc:Title"] == "Titel"


def test_duplicate_xmp_property_is_repaired_keeping_the_first(tmp_path: Path) -> None:
    packet = _xmp(
        'xmlns:xmp="http://ns.adobe.com/xap/1.0/"><xmp:Rating>3</xmp:Rating>'
        "<xmp:Rating>5</xmp:Rating>"
    )
    data = _with_segments(_plain_jpeg(), _seg(0xE1, XMP_SIG + packet))
    with pytest.raises(RuntimeError), pyexiv2.ImageData(data) as img:  # exiv2 alone refuses
        img.read_xmp()
    result = rewrite_bytes(data, EditSpec(caption="Neu"))
    assert any("repaired the XMP" in n and "Rating" in n for n in result.notes)
    (doc,) = exiftool_json(_write(tmp_path, "dup.jpg", result.data or b""))
    assert doc["XMP-xmp:Rating"] == 3 and doc["XMP-dc:Description"] == "Neu"


def test_extended_xmp_loses_the_old_text_and_keeps_the_rest(tmp_path: Path) -> None:
    extended = _xmp(
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/">'
        "<dc:description><rdf:Alt><rdf:li xml:lang='x-default'>old secret text</rdf:li>"
        "</rdf:Alt></dc:description><photoshop:Instructions>keep me</photoshop:Instructions>"
    )
    guid = hashlib.md5(extended).hexdigest().upper()
    main = _xmp(f'xmlns:xmpNote="http://ns.adobe.com/xmp/note/" xmpNote:HasExtendedXMP="{guid}">')
    ext = _seg(0xE1, EXT_SIG + guid.encode() + struct.pack(">II", len(extended), 0) + extended)
    data = _with_segments(_plain_jpeg(), _seg(0xE1, XMP_SIG + main), ext)
    (old,) = exiftool_json(_write(tmp_path, "old.jpg", data))
    assert old["XMP-dc:Description"] == "old secret text"
    result = rewrite_bytes(data, EditSpec(caption="new text"))
    new = result.data or b""
    assert b"old secret text" not in new
    (doc,) = exiftool_json(_write(tmp_path, "new.jpg", new))
    assert doc["XMP-dc:Description"] == "new text"
    assert doc["XMP-photoshop:Instructions"] == "keep me"
    blocks = jpeg_blocks(new)
    assert blocks.extended_xmp is not None
    assert doc["XMP-xmpNote:HasExtendedXMP"] == hashlib.md5(blocks.extended_xmp).hexdigest().upper()


def _mpf(second_image_at: int) -> bytes:
    entries = struct.pack(">IIIHH", 0x030000, 1000, 0, 0, 0)
    entries += struct.pack(">IIIHH", 0x010002, 10, second_image_at, 0, 0)
    ifd = struct.pack(">H", 1) + struct.pack(">HHII", 0xB002, 7, 32, 8 + 2 + 12 + 4) + b"\0" * 4
    return _seg(0xE2, b"MPF\x00" + b"MM\x00*" + struct.pack(">I", 8) + ifd + entries)


def test_mpf_offsets_follow_segments_that_change_after_it() -> None:
    packet = _xmp('xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:Rating="1">')
    data = _with_segments(_plain_jpeg(), _mpf(5000), _seg(0xE1, XMP_SIG + packet))
    old_len = len(data)
    new = rewrite_bytes(data, EditSpec(title="A much longer title than there was before")).data
    assert new is not None
    mpf = next(new[s:e] for m, s, e in jpeg_segments(new) if new[s : s + 4] == b"MPF\x00")
    (second,) = struct.unpack_from(">I", mpf, 4 + 8 + 14 + 4 + 16 + 8)
    mpf_pos = new.find(b"MPF\x00") + 4
    old_pos = data.find(b"MPF\x00") + 4
    # the second image is where it was relative to the end of the file
    assert (len(new) - (mpf_pos + second)) == (old_len - (old_pos + 5000))


def test_a_maker_note_exiv2_rejects_does_not_stop_the_write(
    settings: Settings, tmp_path: Path
) -> None:
    data = (CORPUS / "exiftool" / "Canon.jpg").read_bytes()
    tiff = data.index(b"Exif\x00\x00") + 6
    ifd0 = struct.unpack_from("<I", data, tiff + 4)[0]
    # find the maker note through the Exif IFD, then claim 16740 entries as the DNG in the
    # corpus does ("Directory Canon with 16740 entries considered invalid")
    exif_ifd = next(
        struct.unpack_from("<I", data, tiff + ifd0 + 2 + 12 * i + 8)[0]
        for i in range(struct.unpack_from("<H", data, tiff + ifd0)[0])
        if struct.unpack_from("<H", data, tiff + ifd0 + 2 + 12 * i)[0] == 0x8769
    )
    note = next(
        struct.unpack_from("<I", data, tiff + exif_ifd + 2 + 12 * i + 8)[0]
        for i in range(struct.unpack_from("<H", data, tiff + exif_ifd)[0])
        if struct.unpack_from("<H", data, tiff + exif_ifd + 2 + 12 * i)[0] == 0x927C
    )
    patched = bytearray(data)
    struct.pack_into("<H", patched, tiff + note, 16740)
    bad = bytes(patched)
    with pytest.raises(RuntimeError, match="considered invalid"), pyexiv2.ImageData(bad) as img:
        img.read_exif()
    path = _write(tmp_path, "canon_bad_note.jpg", bad)
    before = path.read_bytes()
    result = apply_tags(settings, [path], TagEdit(caption="Trotzdem"))
    assert result.changed == 1, result.results[0].message
    old_exif, new_exif = jpeg_blocks(before).exif or b"", jpeg_blocks(path.read_bytes()).exif
    assert new_exif is not None and new_exif[8 : len(old_exif)] == old_exif[8:]  # kept as is
    (doc,) = exiftool_json(path)
    assert doc["IFD0:ImageDescription"] == "Trotzdem"


def test_clearing_a_title_in_a_sidecar_removes_it_and_keeps_the_rest() -> None:
    from photoarchive.metadata.exiv2 import rewrite_sidecar

    first = rewrite_sidecar(None, EditSpec(title="A title", caption="A caption")).data
    assert first is not None
    cleared = rewrite_sidecar(first, EditSpec(title="")).data
    assert cleared is not None
    assert b"A title" not in cleared and b"A caption" in cleared


def test_latin1_iptc_in_a_tiff_is_converted_too(settings: Settings, tmp_path: Path) -> None:
    import subprocess

    path = tmp_path / "latin1.tif"
    path.write_bytes((CORPUS / "exiftool" / "ExifTool.tif").read_bytes())
    assert EXIFTOOL
    subprocess.run(
        [EXIFTOOL, "-q", "-overwrite_original", "-charset", "iptc=Latin", "-City=Göteborg", path],
        check=True,
    )
    result = apply_tags(settings, [path], TagEdit(caption="Hamnen"))
    assert result.changed == 1, result.results[0].message
    assert "converted 1 IPTC value(s)" in (result.results[0].message or "")
    (doc,) = exiftool_json(path)
    assert doc["IPTC:City"] == "Göteborg" and doc["IPTC:Caption-Abstract"] == "Hamnen"
    assert doc["IPTC:By-line"] == "I'm the author"


def test_exif_pointing_after_its_segment_is_refused_not_broken(
    make_jpeg: Callable[..., Path],
) -> None:
    """A thumbnail (or preview) stored after the EXIF segment, found by an offset from the
    EXIF header: growing the block would break it, so the write is refused."""
    data = bytearray(make_jpeg("far.jpg").read_bytes())
    tiff = data.index(b"Exif\x00\x00") + 6
    e = "<" if data[tiff : tiff + 2] == b"II" else ">"
    ifd = struct.unpack_from(e + "I", data, tiff + 4)[0]
    count = struct.unpack_from(e + "H", data, tiff + ifd)[0]
    ifd1 = struct.unpack_from(e + "I", data, tiff + ifd + 2 + 12 * count)[0]
    for i in range(struct.unpack_from(e + "H", data, tiff + ifd1)[0]):
        pos = tiff + ifd1 + 2 + 12 * i
        if struct.unpack_from(e + "H", data, pos)[0] == 0x0201:
            struct.pack_into(e + "I", data, pos + 8, 70_000)
    with pytest.raises(MetadataError, match="outside its segment"):
        rewrite_bytes(bytes(data), EditSpec(caption="x"))
    assert rewrite_bytes(bytes(data), EditSpec(title="only IPTC and XMP")).data  # EXIF kept
