"""Dates in the metadata blocks stills carry: EXIF/TIFF (with maker notes), XMP and IPTC.

Each parser takes the block's bytes (or a reader of them) and returns ranked `Stamp`s; it
never raises on a malformed block (callers catch struct/index errors as "nothing found").
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable
from datetime import datetime, timedelta

from photoarchive.importing.dates_base import (
    CREATED,
    DATE_CREATED,
    MAKERNOTE,
    MODIFIED,
    ORIGINAL,
    XMP_DATE_CREATED,
    XMP_ORIGINAL,
    Stamp,
    exif_date,
    iso_date,
    make_date,
    parse_offset,
)

ReadAt = Callable[[int, int], bytes]

TAG_MAKE = 0x010F
TAG_DATETIME = 0x0132
TAG_XMP = 0x02BC
TAG_IPTC = 0x83BB
TAG_EXIF_IFD = 0x8769
TAG_DATETIME_ORIGINAL = 0x9003
TAG_DATETIME_DIGITIZED = 0x9004
TAG_OFFSET = 0x9010
TAG_OFFSET_ORIGINAL = 0x9011
TAG_OFFSET_DIGITIZED = 0x9012
TAG_MAKERNOTE = 0x927C
_WANTED = frozenset(
    {
        TAG_MAKE,
        TAG_DATETIME,
        TAG_XMP,
        TAG_IPTC,
        TAG_DATETIME_ORIGINAL,
        TAG_DATETIME_DIGITIZED,
        TAG_OFFSET,
        TAG_OFFSET_ORIGINAL,
        TAG_OFFSET_DIGITIZED,
        TAG_MAKERNOTE,
    }
)
_BLOBS = frozenset({TAG_XMP, TAG_IPTC, TAG_MAKERNOTE})
_TYPE_SIZE = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
BLOB_LIMIT = 4 << 20


def parse_tiff_at(read: ReadAt) -> dict[int, bytes]:
    """The date, XMP, IPTC and maker-note tags of IFD0 and the Exif IFD of a TIFF structure
    (offsets relative to its header); first occurrence wins, so IFD0 before the Exif IFD.
    The XMP, IPTC and maker-note blobs are read only when there is no DateTimeOriginal."""
    hdr = read(0, 8)
    if len(hdr) < 8 or hdr[:2] not in (b"II", b"MM"):
        return {}
    e = "<" if hdr[:2] == b"II" else ">"
    entry, offset = struct.Struct(e + "HHI"), struct.Struct(e + "I")
    out: dict[int, bytes] = {}
    blobs: dict[int, tuple[int, int]] = {}
    todo = [offset.unpack(hdr[4:8])[0]]
    visited: set[int] = set()
    while todo and len(visited) < 8:
        ifd = todo.pop()
        if ifd in visited or ifd < 8:
            continue
        visited.add(ifd)
        raw = read(ifd, 2)
        if len(raw) < 2:
            continue
        count = min(struct.unpack(e + "H", raw)[0], 512)
        entries = read(ifd + 2, 12 * count)
        for i in range(0, len(entries) - 11, 12):
            tag, typ, n = entry.unpack_from(entries, i)
            if tag == TAG_EXIF_IFD and typ in (4, 13):
                todo.append(offset.unpack_from(entries, i + 8)[0])
            elif tag in _WANTED and tag not in out and tag not in blobs and typ in _TYPE_SIZE:
                length = n * _TYPE_SIZE[typ]
                if length <= 4:
                    out[tag] = entries[i + 8 : i + 8 + length]
                elif tag in _BLOBS:
                    blobs[tag] = (offset.unpack_from(entries, i + 8)[0], length)
                elif length <= BLOB_LIMIT:
                    out[tag] = read(offset.unpack_from(entries, i + 8)[0], length)
    if TAG_DATETIME_ORIGINAL not in out:
        for tag, (at, length) in blobs.items():
            if length <= BLOB_LIMIT:
                out[tag] = read(at, length)
    if TAG_MAKERNOTE in out:
        out[-1] = hdr[:2]  # the byte order maker notes without their own header inherit
    return out


def parse_tiff(data: bytes) -> dict[int, bytes]:
    return parse_tiff_at(lambda offset, length: data[offset : offset + length])


def tiff_stamps(tags: dict[int, bytes]) -> list[Stamp]:
    """EXIF dates by rank, then what the TIFF's own XMP, IPTC and maker note say."""
    out: list[Stamp] = []
    for tag, off_tag, rank in (
        (TAG_DATETIME_ORIGINAL, TAG_OFFSET_ORIGINAL, ORIGINAL),
        (TAG_DATETIME_DIGITIZED, TAG_OFFSET_DIGITIZED, CREATED),
        (TAG_DATETIME, TAG_OFFSET, MODIFIED),
    ):
        value = exif_date(tags.get(tag, b""))
        if value:
            out.append(Stamp(value, parse_offset(tags.get(off_tag, b"")), "exif", rank))
    if out and out[0].rank == ORIGINAL:
        return out  # nothing else can rank higher: spare the XMP, IPTC and maker note
    if TAG_XMP in tags:
        out += xmp_stamps(tags[TAG_XMP])
    if TAG_IPTC in tags:
        out += iptc_stamps(tags[TAG_IPTC])
    if TAG_MAKERNOTE in tags:
        out += makernote_stamps(tags[TAG_MAKERNOTE], tags.get(TAG_MAKE, b""))
    return out


# --- XMP ---------------------------------------------------------------------------------------

_NS = {
    "http://ns.adobe.com/exif/1.0/": "exif",
    "http://ns.adobe.com/xap/1.0/": "xmp",
    "http://ns.adobe.com/photoshop/1.0/": "photoshop",
    "http://ns.adobe.com/tiff/1.0/": "tiff",
}
_XMP_DATES = (
    ("exif", "DateTimeOriginal", XMP_ORIGINAL),
    ("exif", "DateTimeDigitized", CREATED),
    ("xmp", "CreateDate", CREATED),
    ("photoshop", "DateCreated", XMP_DATE_CREATED),
    ("tiff", "DateTime", MODIFIED),
)
_XMLNS = re.compile(r"xmlns:([\w.-]+)\s*=\s*[\"']([^\"']+)[\"']")
XMP_START = (b"<x:xmpmeta", b"<x:xapmeta", b"<rdf:RDF")


def find_xmp(data: bytes) -> bytes | None:
    """The first XMP packet in data (a file's head, a segment, a box)."""
    starts = [i for i in (data.find(s) for s in XMP_START) if i >= 0]
    if not starts:
        return None
    start = min(starts)
    end = data.find(b"</x:xmpmeta>", start)
    return data[start : end + 12 if end >= 0 else len(data)]


def xmp_stamps(packet: bytes) -> list[Stamp]:
    text = packet[:BLOB_LIMIT].decode("utf-8", "replace")
    prefixes: dict[str, set[str]] = {}
    for m in _XMLNS.finditer(text):
        ns = _NS.get(m.group(2))
        if ns:
            prefixes.setdefault(ns, set()).add(m.group(1))
    out: list[Stamp] = []
    for ns, name, rank in _XMP_DATES:
        for prefix in prefixes.get(ns, ()):
            qname = re.escape(f"{prefix}:{name}")
            m = re.search(rf"{qname}\s*=\s*[\"']([^\"']*)[\"']|<{qname}(?:\s[^>]*)?>([^<]*)<", text)
            parsed = iso_date(m.group(1) or m.group(2)) if m else None
            if parsed:
                out.append(Stamp(parsed[0], parsed[1], "xmp", rank))
                break
    return out


# --- IPTC --------------------------------------------------------------------------------------


def iptc_records(block: bytes) -> dict[tuple[int, int], bytes]:
    """IPTC-IIM datasets (first of each) of a block."""
    out: dict[tuple[int, int], bytes] = {}
    pos = block.find(b"\x1c")
    while pos >= 0 and pos + 5 <= len(block) and block[pos] == 0x1C:
        rec, ds, length = (
            block[pos + 1],
            block[pos + 2],
            struct.unpack_from(">H", block, pos + 3)[0],
        )
        if length & 0x8000:  # extended length: not used for dates, and ends the walk
            break
        out.setdefault((rec, ds), block[pos + 5 : pos + 5 + length])
        pos += 5 + length
    return out


def iptc_stamps(block: bytes) -> list[Stamp]:
    """DateCreated + TimeCreated, then DigitalCreationDate + Time ('20061029', '062751-0500')."""
    records = iptc_records(block)
    out: list[Stamp] = []
    for date_ds, time_ds in ((55, 60), (62, 63)):
        day = records.get((2, date_ds), b"").strip()
        if len(day) != 8 or not day.isdigit():
            continue
        clock = records.get((2, time_ds), b"").strip()
        hms = [int(clock[i : i + 2]) for i in (0, 2, 4)] if clock[:6].isdigit() else [0, 0, 0]
        value = make_date(int(day[:4]), int(day[4:6]), int(day[6:8]), *hms)
        if value:
            offset = parse_offset(clock[6:]) if len(clock) >= 11 else None
            out.append(Stamp(value, offset, "iptc", DATE_CREATED))
    return out


def photoshop_resources(data: bytes) -> dict[int, bytes]:
    """Photoshop image resources ('8BIM' blocks): 0x0404 IPTC, 0x0424 XMP, 0x0422 EXIF."""
    out: dict[int, bytes] = {}
    pos = data.find(b"8BIM")
    while pos >= 0 and pos + 12 <= len(data) and data[pos : pos + 4] == b"8BIM":
        (rid,) = struct.unpack_from(">H", data, pos + 4)
        name_len = data[pos + 6]
        at = pos + 6 + ((name_len + 2) & ~1)
        if at + 4 > len(data):
            break
        (size,) = struct.unpack_from(">I", data, at)
        out.setdefault(rid, data[at + 4 : at + 4 + size])
        pos = at + 4 + size + (size & 1)
    return out


# --- maker notes and camera-specific blocks ----------------------------------------------------

_DOTTED = re.compile(rb"(\d{4})\.(\d\d)\.(\d\d)\.(\d\d)\.(\d\d)\.(\d\d)")


def makernote_stamps(note: bytes, make: bytes) -> list[Stamp]:
    """Reconyx trail cameras keep their date only in the maker note (all models)."""
    value: datetime | None = None
    if note[:2] == b"\x01\xf1" and (note[2:4] in (b"\x02\x00", b"\x03\x00") or b"RECONYX" in make):
        w = struct.unpack_from("<6H", note, 0x16)  # HyperFire: s, m, h, month, day, year
        if w[0] & 0xFF00 and not w[0] & 0xFF:  # seen written big-endian
            w = tuple((v >> 8) | ((v & 0xFF) << 8) for v in w)
        value = make_date(w[5], w[3], w[4], w[2], w[1], w[0])
    elif note.startswith((b"RECONYXUF\x00", b"RECONYXHF4K\x00")):
        at = 0x3B if note[7:9] == b"UF" else 0x2F
        s, mi, h, d, mo, y = struct.unpack_from("<5BH", note, at)
        value = make_date(y, mo, d, h, mi, s)
    elif note.startswith((b"RECONYXH2\x00", b"RECONYXMF\x00")):
        at = 0x3E if note[7:9] == b"H2" else 0x4E
        s, mi, h, d, mo, y = struct.unpack_from("<6H", note, at)
        value = make_date(y, mo, d, h, mi, s)
    return [Stamp(value, None, "makernote", MAKERNOTE)] if value else []


def qvci_stamps(segment: bytes) -> list[Stamp]:
    """Casio QV-7000SX 'QVCI' APP1 segment: '1998.10.24.12.08.57' at 0x4d."""
    m = _DOTTED.match(segment[0x4D : 0x4D + 20])
    value = make_date(*(int(g) for g in m.groups())) if m else None
    return [Stamp(value, None, "makernote", MAKERNOTE)] if value else []


def picture_info_stamps(segment: bytes) -> list[Stamp]:
    """Olympus/Agfa/Toshiba APP12 '[picture info]' text: TimeDate=<camera clock as Unix time>."""
    m = re.search(rb"TimeDate=(\d{6,12})", segment)
    if not m:
        return []
    try:
        value = datetime(1970, 1, 1) + timedelta(seconds=int(m.group(1)))
    except OverflowError:
        return []
    return [Stamp(value, None, "makernote", MAKERNOTE)] if 1980 <= value.year <= 2200 else []
