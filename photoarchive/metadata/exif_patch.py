"""Change IFD0 and the GPS IFD of a JPEG's EXIF block without re-serialising the rest.

exiv2 rewrites the whole EXIF block, and the camera's maker notes, whose values sit at offsets
only the camera firmware fully knows, break or lose tags (Canon, Olympus, Ricoh, Sanyo, FLIR,
JVC...). Here the original bytes stay exactly where they were: a new IFD0 (the old entries
with ImageDescription and the GPS pointer changed) and a new GPS IFD are appended at the end of
the block and the TIFF header is pointed at the new IFD0. Every other directory, the maker note
and the thumbnail keep their bytes and offsets. The old IFD0 stays behind, unreferenced.

A file without EXIF gets a new block whose IFD0 has the tags the EXIF standard requires
(XResolution, YResolution, ResolutionUnit, YCbCrPositioning), as exiftool writes them.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from photoarchive.metadata.coords import Coordinates
from photoarchive.metadata.tag_values import dms_rational

APP1_MAX = 65533 - 6  # an APP1 segment's payload, less "Exif\0\0"
IMAGE_DESCRIPTION = 0x010E
GPS_POINTER = 0x8825
# GPS tags this edit owns: VersionID, Lat/Lon and refs, altitude and ref, map datum.
GPS_OWNED = frozenset({0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x12})


class ExifPatchError(ValueError):
    """The EXIF block cannot be patched safely; the message is for the user."""


@dataclass(frozen=True)
class Entry:
    """One IFD entry: either raw (12 bytes copied, offsets into the original block) or new."""

    tag: int
    raw: bytes | None = None  # the original 12 bytes
    typ: int = 0
    count: int = 0
    value: bytes = b""  # new entries: the value bytes in the block's byte order


def _entries(tiff: bytes, e: str, ifd: int) -> tuple[list[Entry], int]:
    """The entries of the IFD at `ifd` and its next-IFD offset."""
    if ifd < 8 or ifd + 2 > len(tiff):
        raise ExifPatchError("the EXIF block's first directory lies outside it")
    (count,) = struct.unpack_from(e + "H", tiff, ifd)
    end = ifd + 2 + 12 * count
    if count > 1000 or end + 4 > len(tiff):
        raise ExifPatchError("the EXIF block's first directory is damaged")
    out = [
        Entry(struct.unpack_from(e + "H", tiff, p)[0], tiff[p : p + 12])
        for p in range(ifd + 2, end, 12)
    ]
    (nxt,) = struct.unpack_from(e + "I", tiff, end)
    return out, nxt


def _rationals(e: str, text: str) -> bytes:
    nums = [int(x) for part in text.split() for x in part.split("/")]
    return struct.pack(e + f"{len(nums)}I", *nums)


def gps_entries(e: str, c: Coordinates) -> list[Entry]:
    """GPSVersionID 2.3.0.0, position with refs, altitude (when known), WGS-84 datum."""
    out = [
        Entry(0x00, typ=1, count=4, value=bytes([2, 3, 0, 0])),
        Entry(0x01, typ=2, count=2, value=b"S\x00" if c.lat < 0 else b"N\x00"),
        Entry(0x02, typ=5, count=3, value=_rationals(e, dms_rational(c.lat))),
        Entry(0x03, typ=2, count=2, value=b"W\x00" if c.lon < 0 else b"E\x00"),
        Entry(0x04, typ=5, count=3, value=_rationals(e, dms_rational(c.lon))),
    ]
    if c.alt is not None:
        out.append(Entry(0x05, typ=1, count=1, value=bytes([1 if c.alt < 0 else 0])))
        out.append(
            Entry(0x06, typ=5, count=1, value=_rationals(e, f"{round(abs(c.alt) * 1000)}/1000"))
        )
    out.append(Entry(0x12, typ=2, count=7, value=b"WGS-84\x00"))
    return out


def _required_ifd0(e: str) -> list[Entry]:
    return [
        Entry(0x011A, typ=5, count=1, value=struct.pack(e + "II", 72, 1)),
        Entry(0x011B, typ=5, count=1, value=struct.pack(e + "II", 72, 1)),
        Entry(0x0128, typ=3, count=1, value=struct.pack(e + "H", 2)),
        Entry(0x0213, typ=3, count=1, value=struct.pack(e + "H", 1)),
    ]


def _append_ifd(block: bytearray, e: str, entries: list[Entry], nxt: int) -> int:
    """Write an IFD (sorted by tag) and its new values at the end of block; its offset."""
    if len(block) % 2:
        block.append(0)
    at = len(block)
    entries = sorted(entries, key=lambda x: x.tag)
    values_at = at + 2 + 12 * len(entries) + 4
    body = bytearray(struct.pack(e + "H", len(entries)))
    extra = bytearray()
    for entry in entries:
        if entry.raw is not None:
            body += entry.raw
            continue
        head = struct.pack(e + "HHI", entry.tag, entry.typ, entry.count)
        if len(entry.value) <= 4:
            body += head + entry.value.ljust(4, b"\x00")
        else:
            off = values_at + len(extra)
            body += head + struct.pack(e + "I", off)
            extra += entry.value + b"\x00" * (len(entry.value) % 2)
    body += struct.pack(e + "I", nxt)
    block += body + extra
    return at


_UNSET = object()


def patch_exif(
    tiff: bytes | None,
    description: str | object | None = _UNSET,
    gps: Coordinates | object | None = _UNSET,
    processing_method: bool = False,
) -> bytes:
    """The EXIF block with ImageDescription (None removes it) and/or the GPS position set;
    `_UNSET` leaves a field alone. Raises ExifPatchError when that cannot be done safely."""
    created = tiff is None
    if tiff is None:
        tiff = b"II*\x00" + struct.pack("<I", 0)
    if len(tiff) < 8 or tiff[:4] not in (b"II*\x00", b"MM\x00*"):
        raise ExifPatchError("the EXIF block does not start with a TIFF header")
    e = "<" if tiff[:2] == b"II" else ">"
    (first,) = struct.unpack_from(e + "I", tiff, 4)
    if created or first == 0:
        ifd0, nxt = _required_ifd0(e), 0
    else:
        ifd0, nxt = _entries(tiff, e, first)
    block = bytearray(tiff)
    if description is not _UNSET:
        ifd0 = [x for x in ifd0 if x.tag != IMAGE_DESCRIPTION]
        if description:
            raw = str(description).encode("utf-8") + b"\x00"
            ifd0.append(Entry(IMAGE_DESCRIPTION, typ=2, count=len(raw), value=raw))
    if gps is not _UNSET:
        old_gps: list[Entry] = []
        pointer = next((x for x in ifd0 if x.tag == GPS_POINTER), None)
        if pointer is not None and pointer.raw is not None:
            (off,) = struct.unpack_from(e + "I", pointer.raw, 8)
            try:
                old_gps, _ = _entries(tiff, e, off)
            except ExifPatchError:
                old_gps = []  # a damaged GPS IFD is replaced: its position is what we set
        kept = [x for x in old_gps if x.tag not in GPS_OWNED]
        if processing_method:
            kept = [x for x in kept if x.tag != 0x1B]
        ifd0 = [x for x in ifd0 if x.tag != GPS_POINTER]
        if isinstance(gps, Coordinates) or kept:
            new = gps_entries(e, gps) if isinstance(gps, Coordinates) else []
            if processing_method and isinstance(gps, Coordinates):
                method = b"ASCII\x00\x00\x00MANUAL"
                new.append(Entry(0x1B, typ=7, count=len(method), value=method))
            gps_at = _append_ifd(block, e, kept + new, 0)
            ifd0.append(Entry(GPS_POINTER, typ=4, count=1, value=struct.pack(e + "I", gps_at)))
    at = _append_ifd(block, e, ifd0, nxt)
    block[4:8] = struct.pack(e + "I", at)
    if len(block) > APP1_MAX:
        raise ExifPatchError("the EXIF block would outgrow its 64 KB segment; left unchanged")
    return bytes(block)
