"""Dates from video containers: QuickTime/MP4 (with or without an `ftyp` box), AVI `IDIT`
in its common spellings, AVCHD/MTS (the H.264 MDPM block), Matroska, ASF/WMV and DV."""

from __future__ import annotations

import calendar
import re
import struct
from datetime import UTC, datetime, timedelta

from photoarchive.importing.dates_base import (
    CONTAINER,
    TIFF_BYTES,
    Reader,
    Stamp,
    bcd,
    make_date,
    parse_offset,
    plausible,
)
from photoarchive.importing.dates_stills import find_box

_QT_EPOCH = datetime(1904, 1, 1, tzinfo=UTC)
_MKV_EPOCH = datetime(2001, 1, 1, tzinfo=UTC)
_FILETIME_EPOCH = datetime(1601, 1, 1, tzinfo=UTC)
# Top-level atoms an old QuickTime file (no ftyp) may start with.
QT_ATOMS = frozenset({b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot", b"junk"})
_MDPM = bytes.fromhex("17ee8c60f84d11d98cd60800200c9a66") + b"MDPM"
_ASF_FILE_PROPERTIES = bytes.fromhex("a1dcab8c47a9cf118ee400c00c205365")
_ASF_HEADER = bytes.fromhex("3026b2758e66cf11a6d900aa0062ce6c")
_APPLE_DATE = re.compile(rb"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)([+-]\d\d:?\d\d|Z)?")
_MONTHS = {m.upper(): i for i, m in enumerate(calendar.month_abbr) if m}
_YMD_HM = re.compile(
    r"(\d{4})[-/:]\s*(\d+)[-/:]\s*(\d+)/?(?:\s+|T)(\d+)[-:]\s*(\d+)(?:[-:]\s*(\d+))?\s*(P?)"
)


def _utc_stamp(utc: datetime, source: str) -> Stamp | None:
    """A UTC time shown as this machine's wall clock, as other programs show it."""
    if not plausible(utc):
        return None
    local = utc.replace(microsecond=0).astimezone()
    return Stamp(local.replace(tzinfo=None), local.utcoffset(), source, CONTAINER)


def quicktime_stamps(r: Reader) -> list[Stamp]:
    """Apple's creationdate key (local time with its offset), else mvhd's creation time (UTC)."""
    moov = find_box(r, [b"moov"], 0, r.size)
    if not moov:
        return []
    out: list[Stamp] = []
    if moov[1] - moov[0] <= 4 * TIFF_BYTES:
        data = r.read(moov[0], moov[1] - moov[0])
        if b"com.apple.quicktime.creationdate" in data:
            m = _APPLE_DATE.search(data, data.find(b"ilst"))
            value = make_date(*(int(g) for g in m.groups()[:6])) if m else None
            if m and value:
                offset = parse_offset(m.group(7) or b"") if m.group(7) != b"Z" else timedelta(0)
                out.append(Stamp(value, offset, "quicktime", CONTAINER))
    mvhd = find_box(r, [b"mvhd"], moov[0], moov[1])
    body = r.read(mvhd[0], 12) if mvhd else b""
    if len(body) >= 8:
        secs = (
            struct.unpack(">Q", body[4:12])[0]
            if body[0] == 1
            else struct.unpack(">I", body[4:8])[0]
        )
        if secs:
            try:
                stamp = _utc_stamp(_QT_EPOCH + timedelta(seconds=secs), "quicktime")
            except OverflowError:
                stamp = None
            out += [stamp] if stamp else []
    return out


def riff_date(text: str) -> datetime | None:
    """AVI IDIT spellings: 'Mon Mar 10 15:04:43 2003', 'MON OCT 26 12:14:34 2009',
    '2009/10/27 12:14:34', '2005-08-25 12:53:16', '2001/ 1/27  1:42PM', '2005/11/28/ 09:19'."""
    parts = text.split()
    if len(parts) >= 5 and parts[1][:3].upper() in _MONTHS:
        hms = [int(p) for p in parts[3].split(":")] if parts[3].count(":") == 2 else None
        if hms and parts[2].isdigit() and parts[4][:4].isdigit():
            return make_date(int(parts[4][:4]), _MONTHS[parts[1][:3].upper()], int(parts[2]), *hms)
    m = _YMD_HM.search(text)
    if m:
        y, mo, d, h, mi, s, pm = m.groups()
        hour = int(h) + (12 if pm and int(h) < 12 else 0)
        return make_date(int(y), int(mo), int(d), hour, int(mi), int(s or 0))
    return None


def avi_stamps(r: Reader) -> list[Stamp]:
    head = r.head
    for chunk in (b"IDIT", b"ICRD"):
        at = head.find(chunk)
        if at < 0 or at + 8 > len(head):
            continue
        (size,) = struct.unpack_from("<I", head, at + 4)
        text = head[at + 8 : at + 8 + min(size, 64)].split(b"\x00")[0].decode("latin-1")
        value = riff_date(text.strip())
        if value:
            return [Stamp(value, None, "avi", CONTAINER)]
    return []


def mdpm_stamps(data: bytes) -> list[Stamp]:
    """AVCHD (MTS/M2TS): the recording date in the H.264 SEI 'MDPM' block (BCD, with zone)."""
    at = data.find(_MDPM)
    if at < 0:
        return []
    pos = at + len(_MDPM)
    count = data[pos] if pos < len(data) else 0
    entries = {data[p]: data[p + 1 : p + 5] for p in range(pos + 1, pos + 1 + 5 * count, 5)}
    first, second = entries.get(0x18, b""), entries.get(0x19, b"")
    if len(first) < 4 or len(second) < 4:
        return []
    tz, *digits = first + second
    y1, y2, mo, d, h, mi, s = (bcd(b) for b in digits)
    value = make_date(y1 * 100 + y2, mo, d, h, mi, s)
    if value is None:
        return []
    offset = None
    if not tz & 0x80:
        offset = timedelta(hours=(tz >> 1) & 0x0F, minutes=30 if tz & 1 else 0)
        offset = -offset if tz & 0x20 else offset
    return [Stamp(value, offset, "mts", CONTAINER)]


def mkv_stamps(head: bytes) -> list[Stamp]:
    """Matroska Segment Info DateUTC (0x4461): nanoseconds since 2001-01-01 UTC."""
    at = head.find(b"\x44\x61\x88")
    if at < 0 or at + 11 > len(head):
        return []
    (ns,) = struct.unpack_from(">q", head, at + 3)
    try:
        stamp = _utc_stamp(_MKV_EPOCH + timedelta(microseconds=ns // 1000), "mkv")
    except OverflowError:
        return []
    return [stamp] if stamp else []


def asf_stamps(head: bytes) -> list[Stamp]:
    """ASF/WMV File Properties creation date (FILETIME, UTC)."""
    at = head.find(_ASF_FILE_PROPERTIES)
    if at < 0 or at + 56 > len(head):
        return []
    (ticks,) = struct.unpack_from("<Q", head, at + 48)
    if not ticks:
        return []
    try:
        stamp = _utc_stamp(_FILETIME_EPOCH + timedelta(microseconds=ticks // 10), "asf")
    except OverflowError:
        return []
    return [stamp] if stamp else []


def dv_stamps(data: bytes) -> list[Stamp]:
    """DV: the VAUX recording date (pack 0x62) and time (0x63, next pack), BCD."""
    at = data.find(b"\x62")
    while at >= 0 and at + 10 <= len(data):
        if data[at + 5] == 0x63:
            d, mo, y = bcd(data[at + 2] & 0x3F), bcd(data[at + 3] & 0x1F), bcd(data[at + 4])
            s, mi, h = bcd(data[at + 7] & 0x7F), bcd(data[at + 8] & 0x7F), bcd(data[at + 9] & 0x3F)
            if min(d, mo, y, s, mi, h) >= 0:
                value = make_date(y + (2000 if y < 90 else 1900), mo, d, h, mi, s)
                if value:
                    return [Stamp(value, None, "dv", CONTAINER)]
        at = data.find(b"\x62", at + 1)
    return []


def video_stamps(r: Reader, suffix: str) -> list[Stamp] | None:
    """Stamps of a video container, or None when the head is no video format known."""
    head = r.head
    if head[4:8] in QT_ATOMS:
        return quicktime_stamps(r)
    if head[:4] == b"RIFF" and head[8:12] in (b"AVI ", b"AVIX"):
        return avi_stamps(r)
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return mkv_stamps(head)
    if head[:16] == _ASF_HEADER:
        return asf_stamps(head)
    if suffix in (".mts", ".m2ts", ".m2t", ".ts", ".mod", ".tod") or head[:1] == b"\x47":
        return mdpm_stamps(r.read(0, TIFF_BYTES))
    if suffix == ".dv" or head[:3] == b"\x1f\x07\x00":
        return dv_stamps(r.read(0, 150_000))
    return None
