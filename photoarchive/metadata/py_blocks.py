"""A small pure-Python reader for the tags photoarchive shows, for when exiv2 cannot read a
block (or the file): title, caption, dates, GPS and camera, from EXIF/TIFF, IPTC and XMP.

Values come back under exiv2's key names and in its text forms ("40/1 44/1 55/1" for GPS
rationals), so `reading` treats them like exiv2's. It reads what the import's date reader
finds (the same segment and container walk), never raises on malformed bytes, and never
writes: a file it reads here is one exiv2 would refuse to rewrite anyway.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable

from photoarchive.importing.dates_exif import find_xmp, iptc_records, photoshop_resources
from photoarchive.metadata.tag_values import X_DEFAULT

ReadAt = Callable[[int, int], bytes]

_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
_IFD0 = {
    0x010E: "Exif.Image.ImageDescription",
    0x010F: "Exif.Image.Make",
    0x0110: "Exif.Image.Model",
    0x0132: "Exif.Image.DateTime",
    0x9003: "Exif.Image.DateTimeOriginal",
    0x9C9B: "Exif.Image.XPTitle",
    0x9C9C: "Exif.Image.XPComment",
}
_EXIF = {
    0x9003: "Exif.Photo.DateTimeOriginal",
    0x9004: "Exif.Photo.DateTimeDigitized",
    0x9010: "Exif.Photo.OffsetTime",
    0x9011: "Exif.Photo.OffsetTimeOriginal",
    0x9012: "Exif.Photo.OffsetTimeDigitized",
    0x9286: "Exif.Photo.UserComment",
}
_GPS = {
    1: "Exif.GPSInfo.GPSLatitudeRef",
    2: "Exif.GPSInfo.GPSLatitude",
    3: "Exif.GPSInfo.GPSLongitudeRef",
    4: "Exif.GPSInfo.GPSLongitude",
    5: "Exif.GPSInfo.GPSAltitudeRef",
    6: "Exif.GPSInfo.GPSAltitude",
}
_XMP_TEXT = {"dc:title": "Xmp.dc.title", "dc:description": "Xmp.dc.description"}
_XMP_SIMPLE = {
    "exif:DateTimeOriginal": "Xmp.exif.DateTimeOriginal",
    "exif:DateTimeDigitized": "Xmp.exif.DateTimeDigitized",
    "xmp:CreateDate": "Xmp.xmp.CreateDate",
    "photoshop:DateCreated": "Xmp.photoshop.DateCreated",
    "exif:GPSLatitude": "Xmp.exif.GPSLatitude",
    "exif:GPSLongitude": "Xmp.exif.GPSLongitude",
    "exif:GPSAltitude": "Xmp.exif.GPSAltitude",
    "exif:GPSAltitudeRef": "Xmp.exif.GPSAltitudeRef",
}
_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'", "&#xA;": "\n"}


def _value(e: str, typ: int, raw: bytes, key: str) -> object:
    if key.endswith(("XPTitle", "XPComment")):
        return raw.decode("utf-16-le", "replace").rstrip("\x00")
    if key.endswith("UserComment"):
        code, body = raw[:8], raw[8:]
        if code.startswith(b"UNICODE"):
            return body.decode("utf-16-be" if e == ">" else "utf-16-le", "replace")
        return body.decode("utf-8", "replace").rstrip("\x00 ")
    if typ == 2:
        return raw.split(b"\x00", 1)[0].decode("utf-8", "replace")
    if typ in (5, 10):
        fmt = e + ("I" if typ == 5 else "i")
        pairs = [struct.unpack_from(fmt * 2, raw, i) for i in range(0, len(raw) - 7, 8)]
        return " ".join(f"{n}/{d}" for n, d in pairs)
    if typ in (1, 7):
        return " ".join(str(b) for b in raw)
    return raw


def tiff_tags(read: ReadAt) -> dict[str, object]:
    """IFD0, Exif and GPS tags of a TIFF structure under exiv2's key names."""
    hdr = read(0, 8)
    if len(hdr) < 8 or hdr[:2] not in (b"II", b"MM"):
        return {}
    e = "<" if hdr[:2] == b"II" else ">"
    out: dict[str, object] = {}
    todo = [(struct.unpack(e + "I", hdr[4:8])[0], _IFD0)]
    seen: set[int] = set()
    while todo and len(seen) < 8:
        ifd, names = todo.pop()
        if ifd in seen or ifd < 8:
            continue
        seen.add(ifd)
        raw = read(ifd, 2)
        count = min(struct.unpack(e + "H", raw)[0], 512) if len(raw) == 2 else 0
        entries = read(ifd + 2, 12 * count)
        for i in range(len(entries) // 12):
            tag, typ, n = struct.unpack_from(e + "HHI", entries, 12 * i)
            field = entries[12 * i + 8 : 12 * i + 12]
            if names is _IFD0 and tag in (0x8769, 0x8825):
                todo.append((struct.unpack(e + "I", field)[0], _EXIF if tag == 0x8769 else _GPS))
                continue
            key = names.get(tag)
            if key is None or typ not in _SIZES or key in out:
                continue
            length = n * _SIZES[typ]
            if length > 1 << 16:
                continue
            data = field[:length] if length <= 4 else read(struct.unpack(e + "I", field)[0], length)
            out[key] = _value(e, typ, data, key)
    return out


def iptc_tags(block: bytes) -> dict[str, object]:
    records = iptc_records(block)
    utf8 = records.get((1, 90), b"") == b"\x1b%G"
    out: dict[str, object] = {}
    for (rec, ds), key in (
        ((2, 5), "Iptc.Application2.ObjectName"),
        ((2, 120), "Iptc.Application2.Caption"),
        ((2, 55), "Iptc.Application2.DateCreated"),
        ((2, 60), "Iptc.Application2.TimeCreated"),
    ):
        raw = records.get((rec, ds))
        if raw:
            try:
                out[key] = raw.decode("utf-8")
            except UnicodeDecodeError:
                out[key] = raw.decode("utf-8" if utf8 else "cp1252", "replace")
    return out


def _unescape(text: str) -> str:
    for entity, char in _ENTITIES.items():
        text = text.replace(entity, char)
    return text.strip()


def xmp_tags(packet: bytes) -> dict[str, object]:
    """dc:title/dc:description (x-default, else the first alternative), dates and GPS. Keeps
    the first of duplicated properties (exiv2 refuses such packets), as exiftool does."""
    text = packet.decode("utf-8", "replace")
    out: dict[str, object] = {}
    for qname, key in _XMP_TEXT.items():
        m = re.search(rf"<{qname}\b[^>]*>(.*?)</{qname}>", text, re.S)
        if not m:
            continue
        items = re.findall(r"<rdf:li\b([^>]*)>(.*?)</rdf:li>", m.group(1), re.S)
        chosen = next((v for a, v in items if "x-default" in a), items[0][1] if items else "")
        if _unescape(chosen):
            out[key] = {X_DEFAULT: _unescape(chosen)}
    for qname, key in _XMP_SIMPLE.items():
        m = re.search(rf"{qname}\s*=\s*[\"']([^\"']*)[\"']|<{qname}(?:\s[^>]*)?>([^<]*)<", text)
        if m and _unescape(m.group(1) or m.group(2) or ""):
            out[key] = _unescape(m.group(1) or m.group(2))
    return out


def jpeg_parts(data: bytes) -> tuple[bytes | None, bytes | None, bytes | None]:
    """(EXIF TIFF bytes, IPTC block, XMP packet) from a JPEG's header segments."""
    exif = iptc = xmp = None
    pos = 2
    while pos + 4 <= len(data) and data[pos] == 0xFF and data[pos + 1] not in (0xDA, 0xD9):
        (length,) = struct.unpack_from(">H", data, pos + 2)
        seg = data[pos + 4 : pos + 2 + length]
        if data[pos + 1] == 0xE1 and seg.startswith(b"Exif\x00\x00") and exif is None:
            exif = seg[6:]
        elif data[pos + 1] == 0xE1 and seg.startswith(b"http://ns.adobe.com/xap/1.0/\x00"):
            xmp = xmp or seg[29:]
        elif data[pos + 1] == 0xED and seg.startswith(b"Photoshop 3.0\x00"):
            iptc = iptc or photoshop_resources(seg[14:]).get(0x0404)
        pos += 2 + max(length, 2)
    return exif, iptc, xmp


def afcp_iptc(data: bytes) -> bytes | None:
    """IPTC in an AFCP trailer (appended by some editors after the image)."""
    tail = data[-12:]
    if tail[:3] != b"AXS" or tail[3:4] not in (b"!", b"*"):
        return None
    e = ">" if tail[3:4] == b"!" else "<"
    (start,) = struct.unpack(e + "I", tail[4:8])
    count = min(struct.unpack_from(e + "H", data, start + 6)[0], 64) if start + 8 < len(data) else 0
    for i in range(count):
        name, size, offset = struct.unpack_from(e + "4sII", data, start + 12 + 12 * i)
        if name == b"IPTC":
            return data[offset : offset + size]
    return None


def _raw_blocks(data: bytes) -> tuple[bytes | None, bytes | None, bytes | None]:
    exif = iptc = xmp = None
    if data[:2] == b"\xff\xd8":
        exif, iptc, xmp = jpeg_parts(data)
        iptc = iptc or afcp_iptc(data)
    elif data[:4] in (b"II*\x00", b"MM\x00*", b"IIRO", b"IIU\x00", b"MMOR"):
        exif, iptc = data, _tiff_blob(data, 0x83BB)
    elif data[:4] == b"8BPS":
        (mode,) = struct.unpack_from(">I", data, 26)
        res = photoshop_resources(data[34 + mode :])
        exif, iptc, xmp = res.get(0x0422), res.get(0x0404), res.get(0x0424)
    else:
        found = [i for i in (data.find(b"II*\x00"), data.find(b"MM\x00*")) if i >= 0]
        exif = data[min(found) :] if found else None
    return exif, iptc, xmp or find_xmp(data)


def py_blocks(data: bytes) -> tuple[dict[str, object], dict[str, object], dict[str, object]]:
    """(exif, iptc, xmp) as far as this reader finds them; never raises on bad bytes."""
    try:
        exif_raw, iptc_raw, xmp_raw = _raw_blocks(data)
    except (struct.error, IndexError, ValueError):
        exif_raw, iptc_raw, xmp_raw = None, None, find_xmp(data)
    out: list[dict[str, object]] = []
    for raw, parse in (
        (exif_raw, lambda b: tiff_tags(lambda o, n: b[o : o + n])),
        (iptc_raw, iptc_tags),
        (xmp_raw, xmp_tags),
    ):
        try:
            out.append(parse(raw) if raw else {})
        except (struct.error, IndexError, ValueError, OverflowError):
            out.append({})
    return out[0], out[1], out[2]


def _tiff_blob(data: bytes, wanted: int) -> bytes | None:
    e = "<" if data[:2] == b"II" else ">"
    (ifd,) = struct.unpack_from(e + "I", data, 4)
    (count,) = struct.unpack_from(e + "H", data, ifd)
    for i in range(min(count, 512)):
        tag, typ, n, off = struct.unpack_from(e + "HHII", data, ifd + 2 + 12 * i)
        if tag == wanted and typ in _SIZES:
            return data[off : off + n * _SIZES[typ]]
    return None
