"""Every entry of an EXIF/TIFF block as plain values, read without exiv2.

The write check compares a file's tags before and after an edit with this reader, so it must
not share the writer's code: exiv2 reading back its own re-serialised maker notes would see
nothing wrong where exiftool sees tags lost. Values are decoded (byte order does not matter),
pointer and offset tags are replaced by what they point to (they may move), and the maker note
is kept as its bytes with its position (its internal offsets break if it moves).
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass, field

# Sub-IFD pointers: followed, their own value left out (it may move).
SUB_IFDS = {0x8769: "ExifIFD", 0x8825: "GPS", 0xA005: "InteropIFD", 0x014A: "SubIFD"}
# Offset tag -> its byte-count tag: compared by the data they point to.
DATA_POINTERS = {0x0201: 0x0202, 0x0111: 0x0117, 0x0144: 0x0145}
MAKER_NOTE = 0x927C
# Blocks TIFF files carry in IFD0: IPTC-NAA, XMP, Photoshop resources (compared as blocks).
EMBEDDED = {0x83BB: "iptc", 0x02BC: "xmp", 0x8649: "photoshop"}
# Maker notes whose offsets count from their own start (or own TIFF header): they may move.
SELF_RELATIVE = (b"Nikon\x00\x02", b"OLYMPUS\x00", b"OM SYSTEM\x00", b"FUJIFILM", b"Apple iOS")
_TYPES = {1: "B", 2: "s", 3: "H", 4: "I", 5: "II", 6: "b", 7: "s", 8: "h", 9: "i", 10: "ii"}
_TYPES |= {11: "f", 12: "d", 13: "I", 16: "Q", 17: "q", 18: "Q"}
_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
_SIZES |= {16: 8, 17: 8, 18: 8}
MAX_IFDS = 64
MAX_ENTRIES = 4096


class TiffError(ValueError):
    """The block is not a TIFF structure this reader can follow."""


@dataclass
class TiffTags:
    """(IFD name, tag) -> decoded value; the maker note apart, with its offset in the block."""

    values: dict[tuple[str, int], object] = field(default_factory=dict)
    maker_note: bytes | None = None
    maker_note_at: int | None = None
    embedded: dict[str, bytes] = field(default_factory=dict)
    outside: list[str] = field(default_factory=list)  # data pointers beyond the block
    problems: list[str] = field(default_factory=list)


def _value(tiff: bytes, e: str, typ: int, count: int, raw_off: int) -> tuple[bytes, int]:
    size = _SIZES[typ] * count
    if size <= 4:
        return tiff[raw_off : raw_off + size], raw_off
    (off,) = struct.unpack_from(e + "I", tiff, raw_off)
    if off + size > len(tiff):
        raise TiffError(f"value at {off}+{size} outside the block")
    return tiff[off : off + size], off


def _decode(raw: bytes, e: str, typ: int, count: int) -> object:
    if typ in (1, 2, 7, 6) or typ not in _TYPES:
        return raw.rstrip(b"\x00") if typ == 2 else raw
    fmt = _TYPES[typ]
    per = len(fmt)
    return struct.unpack_from(e + fmt[0] * (count * per), raw)


def walk(tiff: bytes) -> TiffTags:
    """All entries of IFD0, its chain (IFD1 = thumbnail) and the Exif, GPS, Interop and
    SubIFDs. Raises TiffError when the header itself is not TIFF."""
    if len(tiff) < 8 or tiff[:2] not in (b"II", b"MM"):
        raise TiffError("not a TIFF/EXIF block")
    e = "<" if tiff[:2] == b"II" else ">"
    out = TiffTags()
    (first,) = struct.unpack_from(e + "I", tiff, 4)
    todo: list[tuple[str, int]] = [("IFD0", first)]
    seen: set[int] = set()
    while todo and len(seen) < MAX_IFDS:
        name, ifd = todo.pop(0)
        if ifd in seen or ifd < 8 or ifd + 2 > len(tiff):
            if ifd and ifd not in seen:
                out.problems.append(f"{name} at {ifd} outside the block")
            continue
        seen.add(ifd)
        try:
            _walk_ifd(tiff, e, name, ifd, out, todo)
        except (TiffError, struct.error) as exc:
            out.problems.append(f"{name}: {exc}")
    return out


def _walk_ifd(
    tiff: bytes, e: str, name: str, ifd: int, out: TiffTags, todo: list[tuple[str, int]]
) -> None:
    (count,) = struct.unpack_from(e + "H", tiff, ifd)
    if count > MAX_ENTRIES or ifd + 2 + 12 * count > len(tiff):
        raise TiffError(f"{count} entries do not fit")
    entries: dict[int, tuple[int, int, bytes, int]] = {}
    for i in range(count):
        pos = ifd + 2 + 12 * i
        tag, typ, n = struct.unpack_from(e + "HHI", tiff, pos)
        if typ not in _SIZES:
            out.values[(name, tag)] = ("unknown type", typ, n, tiff[pos + 8 : pos + 12])
            continue
        try:
            raw, at = _value(tiff, e, typ, n, pos + 8)
        except TiffError as exc:
            out.values[(name, tag)] = ("bad offset", str(exc))
            continue
        entries[tag] = (typ, n, raw, at)
    for tag, (typ, n, raw, at) in entries.items():
        if tag in SUB_IFDS and typ in (4, 13):
            subs = struct.unpack_from(e + "I" * n, raw)
            for k, sub in enumerate(subs):
                todo.append((SUB_IFDS[tag] + (str(k) if k else ""), sub))
            continue
        if tag in EMBEDDED and name == "IFD0":
            out.embedded[EMBEDDED[tag]] = raw
            continue
        if tag == MAKER_NOTE and name == "ExifIFD":
            out.maker_note, out.maker_note_at = raw, at
            continue
        if tag in DATA_POINTERS and DATA_POINTERS[tag] in entries:
            value = _pointed(tiff, e, (typ, n, raw), entries[DATA_POINTERS[tag]])
            out.values[(name, tag)] = value
            if isinstance(value, tuple) and value[:1] == ("outside",):
                out.outside.append(f"{name}.{tag:04x}")
            continue
        if tag in DATA_POINTERS.values() and any(
            DATA_POINTERS[p] == tag for p in entries if p in DATA_POINTERS
        ):
            continue  # compared through the data its offset tag points to
        out.values[(name, tag)] = (typ, _decode(raw, e, typ, n))
    end = ifd + 2 + 12 * count
    if end + 4 <= len(tiff):
        (nxt,) = struct.unpack_from(e + "I", tiff, end)
        if nxt:
            todo.append((f"IFD{int(name[3:]) + 1}" if name[:3] == "IFD" else name + "+", nxt))


def _pointed(
    tiff: bytes, e: str, offsets: tuple[int, int, bytes], counts: tuple[int, int, bytes, int]
) -> object:
    """Digest of the data a pointer tag and its byte-count tag describe (strips, thumbnail)."""
    otyp, on, oraw = offsets
    ctyp, cn, craw, _ = counts
    offs = _decode(oraw, e, otyp, on)
    lens = _decode(craw, e, ctyp, cn)
    if not isinstance(offs, tuple) or not isinstance(lens, tuple):
        return ("pointer", oraw, craw)
    if any(off + size > len(tiff) for off, size in zip(offs, lens, strict=False) if size):
        return ("outside", offs, lens)  # data after the block (a preview in the trailer?)
    h = hashlib.blake2b(digest_size=16)
    for off, size in zip(offs, lens, strict=False):
        chunk = tiff[off : off + size]
        h.update(len(chunk).to_bytes(8, "little"))
        h.update(chunk)
    return ("data", len(offs), h.hexdigest())


def maker_note_may_move(note: bytes) -> bool:
    return note.startswith(SELF_RELATIVE)
