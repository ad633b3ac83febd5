"""Dates from the containers stills come in: JPEG segments, TIFF-based RAW, HEIF/AVIF, CR3,
RAF, MRW, Canon CIFF (CRW), Sigma X3F, PSD, and any other format carrying an EXIF block or
an XMP packet in its head (PNG, WebP, JPEG XL, JPEG 2000, GIF)."""

from __future__ import annotations

import struct
from datetime import datetime, timedelta

from photoarchive.importing.dates_base import (
    MAKERNOTE,
    ORIGINAL,
    TIFF_BYTES,
    Reader,
    Stamp,
)
from photoarchive.importing.dates_exif import (
    find_xmp,
    iptc_stamps,
    parse_tiff,
    parse_tiff_at,
    photoshop_resources,
    picture_info_stamps,
    qvci_stamps,
    tiff_stamps,
    xmp_stamps,
)

_CR3_UUID = bytes.fromhex("85c0b687820f11e08111f4ce462b6a48")
_TIFF_HEADERS = (b"II*\x00", b"MM\x00*")


def jpeg_stamps(r: Reader, start: int = 0) -> list[Stamp]:
    """EXIF, XMP, IPTC (APP13), Casio QVCI and PictureInfo (APP12) segments of a JPEG."""
    if r.read(start, 2) != b"\xff\xd8":
        return []
    out: list[Stamp] = []
    pos = start + 2
    for _ in range(128):
        hdr = r.read(pos, 4)
        if len(hdr) < 4 or hdr[0] != 0xFF or hdr[1] in (0xDA, 0xD9):
            break
        (length,) = struct.unpack(">H", hdr[2:])
        if hdr[1] in (0xE1, 0xEC, 0xED):
            seg = r.read(pos + 4, length - 2)
            if seg.startswith(b"Exif\x00\x00"):
                out += tiff_stamps(parse_tiff(seg[6:]))
                if out and out[0].rank == ORIGINAL:
                    return out  # the camera's own date: nothing later can rank higher
            elif seg.startswith(b"http://ns.adobe.com/xap/1.0/\x00"):
                out += xmp_stamps(seg[29:])
            elif seg.startswith(b"QVCI\x00"):
                out += qvci_stamps(seg)
            elif hdr[1] == 0xEC and b"TimeDate=" in seg:
                out += picture_info_stamps(seg)
            elif seg.startswith(b"Photoshop 3.0\x00"):
                out += iptc_stamps(photoshop_resources(seg[14:]).get(0x0404, b""))
        pos += 2 + length
    return out


def boxes(r: Reader, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """(type, payload offset, payload end) of the ISO-BMFF/QuickTime boxes in [start, end)."""
    out = []
    pos = start
    while pos + 8 <= end and len(out) < 4096:
        hdr = r.read(pos, 16)
        if len(hdr) < 8:
            break
        size, typ = struct.unpack(">I4s", hdr[:8])
        header = 8
        if size == 1 and len(hdr) == 16:
            size, header = struct.unpack(">Q", hdr[8:])[0], 16
        elif size == 0:
            size = end - pos
        if size < header:
            break
        out.append((typ, pos + header, min(pos + size, end)))
        pos += size
    return out


def find_box(r: Reader, path: list[bytes], start: int, end: int) -> tuple[int, int] | None:
    for typ, s, e in boxes(r, start, end):
        if typ == path[0]:
            return (s, e) if len(path) == 1 else find_box(r, path[1:], s, e)
    return None


def heif_stamps(r: Reader) -> list[Stamp]:
    """The Exif item of a HEIF/AVIF file, found through iinf and iloc."""
    meta = find_box(r, [b"meta"], 0, r.size)
    if not meta:
        return []
    start, end = meta[0] + 4, meta[1]  # full box: skip version/flags
    exif_ids: set[int] = set()
    iinf = find_box(r, [b"iinf"], start, end)
    if iinf:
        version = r.read(iinf[0], 1)[:1]
        first = iinf[0] + (6 if version == b"\x00" else 8)
        for typ, s, _e in boxes(r, first, iinf[1]):
            body = r.read(s, 16)
            if typ == b"infe" and len(body) >= 12 and body[0] >= 2:
                if body[0] == 2:
                    item_id, item_type = struct.unpack(">H", body[4:6])[0], body[8:12]
                else:
                    item_id, item_type = struct.unpack(">I", body[4:8])[0], body[10:14]
                if item_type == b"Exif":
                    exif_ids.add(item_id)
    iloc = find_box(r, [b"iloc"], start, end)
    if not exif_ids or not iloc:
        return []
    data = r.read(iloc[0], iloc[1] - iloc[0])
    version = data[0]
    off_size, len_size = data[4] >> 4, data[4] & 15
    base_size, idx_size = data[5] >> 4, (data[5] & 15) if version in (1, 2) else 0
    pos = 6

    def num(size: int) -> int:
        nonlocal pos
        value = int.from_bytes(data[pos : pos + size], "big") if size else 0
        pos += size
        return value

    count = num(2 if version < 2 else 4)
    for _ in range(count):
        item_id = num(2 if version < 2 else 4)
        if version in (1, 2):
            num(2)
        num(2)
        base = num(base_size)
        extents = num(2)
        first_extent: tuple[int, int] | None = None
        for _ in range(extents):
            num(idx_size)
            ext = (num(off_size), num(len_size))
            first_extent = first_extent or ext
        if item_id in exif_ids and first_extent:
            blob = r.read(base + first_extent[0], first_extent[1])
            if len(blob) > 4:
                skip = struct.unpack(">I", blob[:4])[0]
                return tiff_stamps(parse_tiff(blob[4 + skip :]))
    return []


def cr3_stamps(r: Reader) -> list[Stamp]:
    moov = find_box(r, [b"moov"], 0, r.size)
    if not moov:
        return []
    for typ, s, e in boxes(r, moov[0], moov[1]):
        if typ == b"uuid" and r.read(s, 16) == _CR3_UUID:
            tags: dict[int, bytes] = {}
            for sub, ss, se in boxes(r, s + 16, e):
                if sub in (b"CMT1", b"CMT2"):
                    # CMT2 is the Exif IFD stored as a TIFF: its first IFD holds the dates.
                    tags.update(parse_tiff(r.read(ss, se - ss)))
            return tiff_stamps(tags)
    return []


def mrw_stamps(r: Reader) -> list[Stamp]:
    """Minolta MRW: blocks after the 8-byte header; 'TTW' holds a TIFF structure."""
    (end,) = struct.unpack(">I", r.read(4, 4))
    pos = 8
    while pos + 8 <= min(end + 8, r.size):
        name, length = struct.unpack(">4sI", r.read(pos, 8))
        if name == b"\x00TTW":

            def read(offset: int, n: int, base: int = pos + 8, size: int = length) -> bytes:
                return r.read(base + offset, min(n, size - offset))

            return tiff_stamps(parse_tiff_at(read))
        pos += 8 + length
    return []


def ciff_stamps(r: Reader) -> list[Stamp]:
    """Canon CIFF (CRW): the TimeStamp record (0x180e) in the heap tree, Unix-style clock."""
    e = "<" if r.read(0, 2) == b"II" else ">"
    (header,) = struct.unpack(e + "I", r.read(2, 4))
    todo = [(header, r.size)]
    seen = 0
    while todo and seen < 64:
        start, end = todo.pop()
        seen += 1
        if end - start < 6:
            continue
        (table,) = struct.unpack(e + "I", r.read(end - 4, 4))
        at = start + table
        count = struct.unpack(e + "H", r.read(at, 2))[0]
        entries = r.read(at + 2, 10 * min(count, 1024))
        for i in range(len(entries) // 10):
            tag, size, offset = struct.unpack_from(e + "HII", entries, 10 * i)
            kind = tag & 0x3800
            if tag & 0x3FFF == 0x180E:
                raw = (
                    entries[10 * i + 2 : 10 * i + 10] if tag & 0x4000 else r.read(start + offset, 8)
                )
                return _unix_stamp(struct.unpack(e + "I", raw[:4])[0])
            if kind in (0x2800, 0x3000) and not tag & 0x4000:
                todo.append((start + offset, start + offset + size))
    return []


def x3f_stamps(r: Reader) -> list[Stamp]:
    """Sigma X3F: the PROP section's TIME property (camera clock as Unix time); newer files
    also carry an EXIF block, found by the generic scan."""
    (directory,) = struct.unpack("<I", r.read(r.size - 4, 4))
    head = r.read(directory, 12)
    if head[:4] != b"SECd":
        return []
    count = min(struct.unpack("<I", head[8:12])[0], 64)
    for i in range(count):
        offset, length, kind = struct.unpack("<II4s", r.read(directory + 12 + 12 * i, 12))
        if kind != b"PROP":
            continue
        sec = r.read(offset, min(length, TIFF_BYTES))
        n = struct.unpack_from("<I", sec, 8)[0]
        chars = sec[24 + 8 * n :].decode("utf-16-le", "replace")
        for k in range(n):
            name_at, value_at = struct.unpack_from("<II", sec, 24 + 8 * k)
            if chars[name_at : name_at + 5] == "TIME\x00":
                value = chars[value_at:].split("\x00", 1)[0]
                return _unix_stamp(int(value)) if value.isdigit() else []
    return []


def psd_stamps(r: Reader) -> list[Stamp]:
    (mode_len,) = struct.unpack(">I", r.read(26, 4))
    (res_len,) = struct.unpack(">I", r.read(30 + mode_len, 4))
    res = photoshop_resources(r.read(34 + mode_len, min(res_len, TIFF_BYTES)))
    out: list[Stamp] = []
    if 0x0422 in res:
        out += tiff_stamps(parse_tiff(res[0x0422]))
    if 0x0424 in res:
        out += xmp_stamps(res[0x0424])
    return out + iptc_stamps(res.get(0x0404, b""))


def scan_stamps(data: bytes) -> list[Stamp]:
    """Any format: an EXIF/TIFF block (PNG eXIf, WebP EXIF, JPEG XL and JPEG 2000 boxes) and
    an XMP packet found in the bytes given."""
    out: list[Stamp] = []
    for magic in _TIFF_HEADERS:
        at = data.find(magic)
        if at >= 0:
            out += tiff_stamps(parse_tiff(data[at:]))
    packet = find_xmp(data)
    if packet:
        out += xmp_stamps(packet)
    return out


def afcp_stamps(r: Reader) -> list[Stamp]:
    """IPTC in an AXS File Concatenation Protocol trailer (appended to JPEG or TIFF)."""
    tail = r.read(r.size - 12, 12)
    if tail[:3] != b"AXS" or tail[3:4] not in (b"!", b"*"):
        return []
    e = ">" if tail[3:4] == b"!" else "<"
    (start,) = struct.unpack(e + "I", tail[4:8])
    head = r.read(start, 12)
    if head[:3] != b"AXS":
        return []
    count = min(struct.unpack(e + "H", head[6:8])[0], 64)
    entries = r.read(start + 12, 12 * count)
    for i in range(len(entries) // 12):
        name, size, offset = struct.unpack_from(e + "4sII", entries, 12 * i)
        if name == b"IPTC":
            return iptc_stamps(r.read(offset, size))
    return []


def _unix_stamp(secs: int) -> list[Stamp]:
    """A camera clock stored as seconds since 1970 (wall clock, no zone)."""
    try:
        value = datetime(1970, 1, 1) + timedelta(seconds=secs)
    except OverflowError:
        return []
    return [Stamp(value, None, "makernote", MAKERNOTE)] if 1980 <= value.year <= 2200 else []


def still_stamps(r: Reader, suffix: str) -> list[Stamp] | None:
    """Stamps of a still image's container, or None when the head is no still format known."""
    head = r.head
    if head[:2] == b"\xff\xd8":
        return jpeg_stamps(r) or afcp_stamps(r)
    if head[:8] == b"II\x1a\x00\x00\x00HE" or head[6:14] == b"HEAPCCDR":
        return ciff_stamps(r)
    if head[:4] in _TIFF_HEADERS or head[:4] in (b"IIRO", b"IIRS", b"IIU\x00", b"MMOR"):
        return tiff_stamps(parse_tiff_at(r.read))  # ORF and RW2 only change the magic number
    if head.startswith(b"FUJIFILMCCD-RAW"):
        (jpeg_offset,) = struct.unpack(">I", head[84:88])
        return jpeg_stamps(r, jpeg_offset)
    if head[:4] == b"\x00MRM":
        return mrw_stamps(r)
    if head[:4] == b"FOVb":
        return x3f_stamps(r) + scan_stamps(r.read(0, TIFF_BYTES))
    if head[:4] == b"8BPS":
        return psd_stamps(r)
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand == b"crx ":
            return cr3_stamps(r)
        if suffix in (".heic", ".heif", ".hif", ".avif") or brand in (
            b"heic",
            b"heix",
            b"mif1",
            b"msf1",
            b"avif",
        ):
            return heif_stamps(r)
    return None
