"""What the date readers share: random access over a file's head, the ranked date they
report, and the parsers for the date spellings found inside files.

Ranks follow the Metadata Working Group guidance and exiftool's practice: the camera's
DateTimeOriginal first (EXIF, then XMP), then creation dates (EXIF CreateDate, XMP, IPTC
DateCreated + TimeCreated), then maker-note dates, then video container dates; an editor's
ModifyDate (IFD0 DateTime) only when nothing else is there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import BinaryIO

HEAD_BYTES = 64 * 1024
TIFF_BYTES = 1 << 20

# Lower is better.
ORIGINAL = 0  # EXIF DateTimeOriginal (IFD0's in TIFF/EP RAW)
XMP_ORIGINAL = 1  # XMP exif:DateTimeOriginal
CREATED = 2  # EXIF CreateDate (DateTimeDigitized), XMP xmp:CreateDate
DATE_CREATED = 3  # IPTC DateCreated + TimeCreated (the time is in IPTC only, mostly)
XMP_DATE_CREATED = 4  # XMP photoshop:DateCreated, its mirror (often the day alone)
MAKERNOTE = 5  # maker-note and RAW-header dates (Canon CIFF, Casio, Reconyx, Sigma, ...)
CONTAINER = 6  # video container dates (QuickTime, AVI IDIT, AVCHD, Matroska, ASF, DV)
MODIFIED = 7  # IFD0 ModifyDate: when an editor last saved, never ahead of the above

_EXIF_DATE = re.compile(rb"(\d{4})[:/-](\d\d)[:/-](\d\d)[ T](\d\d):(\d\d):(\d\d)")
_OFFSET = re.compile(rb"([+-])(\d\d):?(\d\d)")
_ISO = re.compile(
    r"(\d{4})(?:-(\d\d)(?:-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d))?(?:\.\d+)?)?)?)?"
    r"\s*(Z|[+-]\d\d:?\d\d)?$"
)


@dataclass(frozen=True)
class Stamp:
    """A date found in a file: camera wall clock, UTC offset when known, where it came from."""

    local: datetime
    offset: timedelta | None
    source: str  # 'exif', 'xmp', 'iptc', 'makernote', 'quicktime', 'avi', 'mts', ...
    rank: int


class Reader:
    """Random access over a file, caching its head so most parses cost one read."""

    def __init__(self, fh: BinaryIO, size: int) -> None:
        self.fh = fh
        self.size = size
        self.head = fh.read(HEAD_BYTES)

    def read(self, offset: int, length: int) -> bytes:
        if offset < 0 or length <= 0 or offset >= self.size:
            return b""
        if offset + length <= len(self.head):
            return self.head[offset : offset + length]
        self.fh.seek(offset)
        return self.fh.read(min(length, TIFF_BYTES))


def plausible(value: datetime) -> datetime | None:
    return value if 1980 <= value.year <= 2200 else None


def make_date(*parts: int) -> datetime | None:
    try:
        return plausible(datetime(*parts))  # type: ignore[arg-type]
    except (ValueError, OverflowError, TypeError):
        return None


def exif_date(raw: bytes) -> datetime | None:
    """'2024:02:29 23:59:58' (also with '-', '/' or 'T'); blank or zero dates give None."""
    m = _EXIF_DATE.search(raw)
    return make_date(*(int(g) for g in m.groups())) if m else None


def parse_offset(raw: bytes) -> timedelta | None:
    m = _OFFSET.search(raw)
    if not m:
        return None
    delta = timedelta(hours=int(m.group(2)), minutes=int(m.group(3)))
    if delta > timedelta(hours=14):
        return None
    return -delta if m.group(1) == b"-" else delta


def iso_date(text: str) -> tuple[datetime, timedelta | None] | None:
    """XMP dates: '2005-08-03T18:59:18-04:00', '2004-02-26', '2006-10-29T06:27Z'."""
    m = _ISO.match(text.strip())
    if not m:
        return None
    y, mo, d, h, mi, s, tz = m.groups()
    value = make_date(int(y), int(mo or 1), int(d or 1), int(h or 0), int(mi or 0), int(s or 0))
    if value is None:
        return None
    offset = None
    if tz == "Z":
        offset = timedelta(0)
    elif tz:
        offset = parse_offset(tz.encode())
    return value, offset


def bcd(byte: int) -> int:
    """A binary-coded decimal byte (0x59 -> 59); -1 when it is not one."""
    hi, lo = byte >> 4, byte & 15
    return hi * 10 + lo if hi < 10 and lo < 10 else -1
