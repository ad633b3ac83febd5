"""Realistic camera cards for import tests: DCIM trees, RAW+JPEG pairs, side files, videos.

Container formats (MOV, HEIC, CR3, RAF, TIFF-based RAW) are built byte by byte with just the
structures a camera writes for dates, so tests need no binary fixtures.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from imaging import jpeg_bytes, write_file


def tiff_with_date(taken: datetime, offset: str | None = None, exif_in_ifd0: bool = False) -> bytes:
    """A little-endian TIFF whose Exif IFD (or IFD0) holds DateTimeOriginal."""
    stamp = taken.strftime("%Y:%m:%d %H:%M:%S").encode() + b"\x00"
    tags = [(0x9003, stamp)] + ([(0x9011, offset.encode() + b"\x00")] if offset else [])
    out = bytearray(b"II*\x00" + struct.pack("<I", 8))

    def ifd(entries: list[tuple[int, int, int, bytes]], at: int) -> bytes:
        body = struct.pack("<H", len(entries))
        data = b""
        data_at = at + 2 + 12 * len(entries) + 4
        for tag, typ, count, value in entries:
            if len(value) <= 4:
                body += struct.pack("<HHI", tag, typ, count) + value.ljust(4, b"\x00")
            else:
                body += struct.pack("<HHII", tag, typ, count, data_at + len(data))
                data += value
        return body + b"\x00\x00\x00\x00" + data

    ascii_entries = [(t, 2, len(v), v) for t, v in tags]
    if exif_in_ifd0:
        out += ifd(ascii_entries, 8)
        return bytes(out)
    ifd0 = ifd([(0x8769, 4, 1, struct.pack("<I", 0))], 8)
    exif_at = 8 + len(ifd0)
    ifd0 = ifd([(0x8769, 4, 1, struct.pack("<I", exif_at))], 8)
    out += ifd0 + ifd(ascii_entries, exif_at)
    return bytes(out)


def box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def mov_bytes(taken_utc: datetime | None, payload: int = 2048, brand: bytes = b"qt  ") -> bytes:
    secs = 0 if taken_utc is None else int((taken_utc - datetime(1904, 1, 1)).total_seconds())
    mvhd = b"\x00\x00\x00\x00" + struct.pack(">IIII", secs, secs, 600, 6000) + b"\x00" * 80
    return (
        box(b"ftyp", brand + b"\x00\x00\x02\x00" + brand)
        + box(b"moov", box(b"mvhd", mvhd))
        + box(b"mdat", bytes(range(256)) * (payload // 256))
    )


def heic_bytes(taken: datetime, offset: str | None = None) -> bytes:
    exif = b"\x00\x00\x00\x00" + tiff_with_date(taken, offset)
    ftyp = box(b"ftyp", b"heic\x00\x00\x00\x00mif1heic")
    hdlr = box(b"hdlr", b"\x00" * 8 + b"pict" + b"\x00" * 13)
    infe = box(b"infe", b"\x02\x00\x00\x00" + struct.pack(">HH", 1, 0) + b"Exif" + b"\x00")
    iinf = box(b"iinf", b"\x00\x00\x00\x00" + struct.pack(">H", 1) + infe)

    def build(exif_offset: int) -> bytes:
        iloc = box(
            b"iloc",
            b"\x00\x00\x00\x00"
            + bytes([0x44, 0x00])
            + struct.pack(">HHHHII", 1, 1, 0, 1, exif_offset, len(exif)),
        )
        meta = box(b"meta", b"\x00\x00\x00\x00" + hdlr + iinf + iloc)
        return ftyp + meta

    head = build(0)
    return build(len(head) + 8) + box(b"mdat", exif)


def cr3_bytes(taken: datetime) -> bytes:
    uuid = bytes.fromhex("85c0b687820f11e08111f4ce462b6a48")
    cmt1 = box(b"CMT1", b"II*\x00\x08\x00\x00\x00\x00\x00\x00\x00\x00\x00")
    cmt2 = box(b"CMT2", tiff_with_date(taken, exif_in_ifd0=True))
    moov = box(b"moov", box(b"uuid", uuid + cmt1 + cmt2))
    return box(b"ftyp", b"crx \x00\x00\x00\x01crx isom") + moov + box(b"mdat", b"\x00" * 512)


def raf_bytes(taken: datetime, seed: int) -> bytes:
    jpeg = jpeg_bytes(seed, taken)
    header = b"FUJIFILMCCD-RAW 0201FF393501".ljust(84, b"\x00")
    header += struct.pack(">II", 100, len(jpeg))
    return header.ljust(100, b"\x00") + jpeg + b"\x00" * 1024


def avi_bytes(taken: datetime) -> bytes:
    idit = taken.strftime("%a %b %d %H:%M:%S %Y").encode() + b"\n\x00"
    return (
        b"RIFF\x00\x10\x00\x00AVI LIST\x20\x00\x00\x00hdrlIDIT"
        + struct.pack("<I", len(idit))
        + idit
        + b"\x00" * 512
    )


@dataclass
class Card:
    root: Path
    media: dict[str, datetime] = field(default_factory=dict)  # card rel path -> capture time
    sidecars: dict[str, str] = field(default_factory=dict)  # card rel path -> its photo's rel

    @property
    def dcim(self) -> Path:
        return self.root / "DCIM"


def make_card(root: Path, start: datetime, days: int = 21, per_day: int = 2, seed: int = 0) -> Card:
    """JPEGs over several weeks in two camera folders, one per day-parity."""
    card = Card(root)
    n = 0
    for d in range(days):
        for k in range(per_day):
            taken = start + timedelta(days=d, hours=9 + k, minutes=k * 7)
            folder = "100CANON" if n < (days * per_day) // 2 else "101CANON"
            rel = f"DCIM/{folder}/IMG_{seed * 1000 + n:04d}.JPG"
            write_file(root / rel, jpeg_bytes(seed * 100000 + n, taken), mtime=taken)
            card.media[rel] = taken
            n += 1
    write_file(root / "MISC/AUTPRINT.MRK", b"[HDR]\n", mtime=start)
    return card
