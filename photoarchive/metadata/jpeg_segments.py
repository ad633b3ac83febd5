"""Small, pure-Python readers of JPEG header structures used around exiv2.

They let the writer hand exiv2 only a photo's headers (not megabytes of scan data), keep the
Photoshop IPTCDigest honest, and check GPS and captions without converting every EXIF tag to
text (exiv2 spends ~6 ms turning a 50 KB maker note into a string, twice per file).
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable

_SOS_STUB = b"\xff\xda\x00\x02"


def scan_offset(data: bytes) -> int | None:
    """Offset of the first SOS marker: everything before it is headers; None if not clean."""
    if data[:2] != b"\xff\xd8":
        return None
    pos = 2
    end = len(data)
    while pos + 4 <= end:
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xDA:
            return pos
        if marker in (0xD8, 0xD9) or 0xD0 <= marker <= 0xD7:
            return None
        (length,) = struct.unpack_from(">H", data, pos + 2)
        if length < 2:
            return None
        pos += 2 + length
    return None


def headers_only(head: bytes) -> bool:
    """True if head (ending in an EOI marker) holds nothing but header segments."""
    body = head[:-2]
    return head[-2:] == b"\xff\xd9" and scan_offset(body + _SOS_STUB) == len(body)


def _segments(head: bytes) -> list[tuple[int, int, int]]:
    """(marker, payload start, payload end) of the header segments."""
    out = []
    pos = 2
    while pos + 4 <= len(head) and head[pos] == 0xFF and head[pos + 1] not in (0xDA, 0xD9):
        (length,) = struct.unpack_from(">H", head, pos + 2)
        out.append((head[pos + 1], pos + 4, min(pos + 2 + length, len(head))))
        pos += 2 + length
    return out


def photoshop_resources(head: bytes) -> dict[int, tuple[int, int]]:
    """Resource id -> (offset in head, size) of the first Photoshop APP13 segment."""
    found: dict[int, tuple[int, int]] = {}
    for marker, start, end in _segments(head):
        seg = head[start:end]
        if marker != 0xED or not seg.startswith(b"Photoshop 3.0\x00"):
            continue
        i = 14
        while i + 12 <= len(seg) and seg[i : i + 4] == b"8BIM":
            (rid,) = struct.unpack_from(">H", seg, i + 4)
            j = i + 6 + ((seg[i + 6] + 2) & ~1)  # Pascal name, padded to even
            if j + 4 > len(seg):
                break
            (size,) = struct.unpack_from(">I", seg, j)
            found.setdefault(rid, (start + j + 4, size))
            i = j + 4 + size + (size & 1)
        return found
    return found


def iptc_digests(head: bytes) -> tuple[str | None, str | None]:
    """(MD5 of the IPTC block now, the IPTCDigest stored in Photoshop resource 0x0425)."""
    res = photoshop_resources(head)
    current = stored = None
    if 0x0404 in res:
        off, size = res[0x0404]
        current = hashlib.md5(head[off : off + size]).hexdigest()
    if 0x0425 in res and res[0x0425][1] == 16:
        off = res[0x0425][0]
        stored = head[off : off + 16].hex()
    return current, stored


def refresh_iptc_digest(head: bytes) -> bytes:
    """Set a stored IPTCDigest to the IPTC now in the file (exiv2 leaves it stale)."""
    res = photoshop_resources(head)
    if 0x0404 not in res or 0x0425 not in res or res[0x0425][1] != 16:
        return head
    off, size = res[0x0404]
    digest = hashlib.md5(head[off : off + size]).digest()
    at = res[0x0425][0]
    return head[:at] + digest + head[at + 16 :]


def jpeg_width(data: bytes) -> int | None:
    for marker, start, end in _segments(data):
        if marker in (0xC0, 0xC1, 0xC2) and end - start >= 5:
            return int(struct.unpack_from(">H", data, start + 3)[0])
    return None


_GPS_NAMES = {
    1: "GPSLatitudeRef",
    2: "GPSLatitude",
    3: "GPSLongitudeRef",
    4: "GPSLongitude",
    5: "GPSAltitudeRef",
    6: "GPSAltitude",
}
_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1, 9: 4, 10: 8}


def _value(tiff: bytes, e: str, pos: int) -> str | None:
    """One IFD entry's value in exiv2's text form (ASCII, BYTE, RATIONAL only)."""
    typ, count = struct.unpack_from(e + "HI", tiff, pos + 2)
    size = _SIZES.get(typ, 0) * count
    if not size:
        return None
    off = pos + 8 if size <= 4 else struct.unpack_from(e + "I", tiff, pos + 8)[0]
    raw = tiff[off : off + size]
    if len(raw) < size:
        raise ValueError("value outside the EXIF block")
    if typ == 2:
        return raw.split(b"\x00", 1)[0].decode("utf-8", "replace")
    if typ in (1, 7):
        return " ".join(str(b) for b in raw)
    if typ == 5:
        nums = struct.unpack_from(e + f"{2 * count}I", raw)
        return " ".join(f"{nums[i]}/{nums[i + 1]}" for i in range(0, len(nums), 2))
    return None


def quick_exif(head: bytes) -> dict[str, str] | None:
    """GPS position tags and ImageDescription, as exiv2 would name and print them.

    None when the EXIF block is not one this reader understands (the caller asks exiv2).
    """
    for marker, start, end in _segments(head):
        seg = head[start:end]
        if marker != 0xE1 or not seg.startswith(b"Exif\x00\x00"):
            continue
        tiff = seg[6:]
        try:
            return _read_tiff(tiff)
        except (struct.error, ValueError, IndexError):
            return None
    return {}


def _read_tiff(tiff: bytes) -> dict[str, str]:
    if tiff[:2] not in (b"II", b"MM"):
        raise ValueError("not TIFF")
    e = "<" if tiff[:2] == b"II" else ">"
    out: dict[str, str] = {}
    (ifd0,) = struct.unpack_from(e + "I", tiff, 4)
    (count,) = struct.unpack_from(e + "H", tiff, ifd0)
    gps_ifd = None
    for i in range(count):
        pos = ifd0 + 2 + 12 * i
        (tag,) = struct.unpack_from(e + "H", tiff, pos)
        if tag == 0x010E:
            value = _value(tiff, e, pos)
            if value is not None:
                out["Exif.Image.ImageDescription"] = value
        elif tag == 0x8825:
            gps_ifd = struct.unpack_from(e + "I", tiff, pos + 8)[0]
    if gps_ifd:
        (count,) = struct.unpack_from(e + "H", tiff, gps_ifd)
        for i in range(count):
            pos = gps_ifd + 2 + 12 * i
            (tag,) = struct.unpack_from(e + "H", tiff, pos)
            if tag in _GPS_NAMES:
                value = _value(tiff, e, pos)
                if value is not None:
                    out["Exif.GPSInfo." + _GPS_NAMES[tag]] = value
    return out


def tiff_jpegs(read: Callable[[int, int], bytes]) -> list[tuple[int, int]]:
    """(offset, length) of JPEG previews in a TIFF-based file (DNG, CR2, NEF, ARW, PEF, ...).

    `read(offset, length)` reads from the file, so a RAW is never loaded whole.
    """
    head = read(0, 8)
    if head[:2] not in (b"II", b"MM"):
        return []
    e = "<" if head[:2] == b"II" else ">"
    found: list[tuple[int, int]] = []
    todo = [struct.unpack_from(e + "I", head, 4)[0]]
    seen: set[int] = set()
    while todo and len(seen) < 32:
        ifd = todo.pop()
        if ifd in seen or ifd < 8:
            continue
        seen.add(ifd)
        raw = read(ifd, 2)
        if len(raw) < 2:
            continue
        (count,) = struct.unpack_from(e + "H", raw)
        body = read(ifd + 2, 12 * min(count, 1000) + 4)
        tags: dict[int, list[int]] = {}
        for i in range(min(count, 1000, (len(body) - 4) // 12)):
            tag, typ, n = struct.unpack_from(e + "HHI", body, 12 * i)
            if typ not in (3, 4, 13) or n == 0:
                continue
            width = 2 if typ == 3 else 4
            fmt = e + ("H" if typ == 3 else "I") * min(n, 64)
            data = body[12 * i + 8 : 12 * i + 12] if n * width <= 4 else None
            if data is None:
                (off,) = struct.unpack_from(e + "I", body, 12 * i + 8)
                data = read(off, width * min(n, 64))
            if len(data) >= struct.calcsize(fmt):
                tags[tag] = list(struct.unpack_from(fmt, data))
        if 0x0201 in tags and 0x0202 in tags:
            found.append((tags[0x0201][0], tags[0x0202][0]))
        if tags.get(0x0103, [0])[0] in (6, 7) and len(tags.get(0x0111, [])) == 1:
            found.append((tags[0x0111][0], tags.get(0x0117, [0])[0]))
        todo += tags.get(0x014A, []) + tags.get(0x8769, [])
        end = 12 * min(count, 1000)
        if len(body) >= end + 4:
            todo.append(struct.unpack_from(e + "I", body, end)[0])
    return [(o, n) for o, n in found if o > 0 and n > 0]
