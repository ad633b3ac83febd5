"""Capture time from the bytes cameras write, without exiv2.

Import reads dates from every new file on a card; a small pure-Python reader of the few
structures involved (EXIF in JPEG/TIFF-based RAW, RAF, HEIF/CR3 boxes, QuickTime, AVI) is fast,
reads only the file's head and cannot crash the program on a hostile file.
"""

from __future__ import annotations

import logging
import os
import re
import struct
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

log = logging.getLogger(__name__)

HEAD_BYTES = 64 * 1024
TIFF_BYTES = 1 << 20
_CR3_UUID = bytes.fromhex("85c0b687820f11e08111f4ce462b6a48")
_QT_EPOCH = datetime(1904, 1, 1, tzinfo=UTC)
_EXIF_DATE = re.compile(rb"(\d{4}):(\d\d):(\d\d)[ T](\d\d):(\d\d):(\d\d)")
_OFFSET = re.compile(rb"([+-])(\d\d):(\d\d)")

# Phones append data after the image's end marker (motion photos' video, Samsung trailers,
# MPF secondary images) and say so in the header: such a file is not truncated.
_TRAILER_MARKERS = (b"MotionPhoto", b"MicroVideo", b"MPF\x00", b"GCamera:", b"SEFH")

TAG_EXIF_IFD = 0x8769
TAG_DATETIME = 0x0132
TAG_DATETIME_ORIGINAL = 0x9003
TAG_DATETIME_DIGITIZED = 0x9004
TAG_OFFSET_ORIGINAL = 0x9011


@dataclass(frozen=True)
class CaptureTime:
    """Wall-clock time at capture (what the camera showed), with its UTC offset when known."""

    local: datetime  # naive, camera wall clock
    offset: timedelta | None
    source: str  # 'exif', 'quicktime', 'avi', 'mtime'

    @property
    def guess(self) -> bool:
        return self.source == "mtime"

    def iso(self) -> str:
        if self.offset is None:
            return self.local.isoformat()
        return self.local.replace(tzinfo=timezone(self.offset)).isoformat()


class _Reader:
    """Random access over a file, caching its head so most parses cost one read."""

    def __init__(self, fh: object, size: int) -> None:
        self.fh = fh
        self.size = size
        self.head = fh.read(HEAD_BYTES)  # type: ignore[attr-defined]

    def read(self, offset: int, length: int) -> bytes:
        if offset < 0 or length < 0 or offset >= self.size:
            return b""
        if offset + length <= len(self.head):
            return self.head[offset : offset + length]
        self.fh.seek(offset)  # type: ignore[attr-defined]
        return self.fh.read(min(length, TIFF_BYTES))  # type: ignore[attr-defined]


def _exif_date(raw: bytes) -> datetime | None:
    m = _EXIF_DATE.search(raw)
    if not m:
        return None
    try:
        value = datetime(*(int(g) for g in m.groups()))
    except ValueError:
        return None
    return value if 1980 <= value.year <= 2200 else None


def _exif_offset(raw: bytes) -> timedelta | None:
    m = _OFFSET.search(raw)
    if not m:
        return None
    sign = -1 if m.group(1) == b"-" else 1
    delta = timedelta(hours=int(m.group(2)), minutes=int(m.group(3)))
    return sign * delta if delta <= timedelta(hours=14) else None


def parse_tiff(data: bytes) -> dict[int, bytes]:
    """ASCII tags of IFD0 and the Exif IFD of a TIFF structure starting at data[0]."""
    if len(data) < 8 or data[:2] not in (b"II", b"MM"):
        return {}
    e = "<" if data[:2] == b"II" else ">"
    out: dict[int, bytes] = {}
    todo = [struct.unpack_from(e + "I", data, 4)[0]]
    visited: set[int] = set()
    while todo:
        ifd = todo.pop()
        if ifd in visited or ifd + 2 > len(data) or len(visited) > 8:
            continue
        visited.add(ifd)
        (count,) = struct.unpack_from(e + "H", data, ifd)
        for i in range(min(count, 512)):
            pos = ifd + 2 + 12 * i
            if pos + 12 > len(data):
                break
            tag, typ, n = struct.unpack_from(e + "HHI", data, pos)
            if tag == TAG_EXIF_IFD and typ in (4, 13):
                todo.append(struct.unpack_from(e + "I", data, pos + 8)[0])
            elif typ == 2 and tag in (
                TAG_DATETIME,
                TAG_DATETIME_ORIGINAL,
                TAG_DATETIME_DIGITIZED,
                TAG_OFFSET_ORIGINAL,
            ):
                if n <= 4:
                    out[tag] = data[pos + 8 : pos + 8 + n]
                else:
                    (off,) = struct.unpack_from(e + "I", data, pos + 8)
                    out[tag] = data[off : off + n]
    return out


def _jpeg_exif(r: _Reader, start: int = 0) -> dict[int, bytes]:
    pos = start + 2
    if r.read(start, 2) != b"\xff\xd8":
        return {}
    for _ in range(64):
        hdr = r.read(pos, 4)
        if len(hdr) < 4 or hdr[0] != 0xFF or hdr[1] in (0xDA, 0xD9):
            return {}
        length = struct.unpack(">H", hdr[2:])[0]
        if hdr[1] == 0xE1:
            seg = r.read(pos + 4, length - 2)
            if seg.startswith(b"Exif\x00\x00"):
                return parse_tiff(seg[6:])
        pos += 2 + length
    return {}


def _boxes(r: _Reader, start: int, end: int) -> list[tuple[bytes, int, int]]:
    """(type, payload offset, payload end) of the boxes between start and end."""
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


def _find_box(r: _Reader, path: list[bytes], start: int, end: int) -> tuple[int, int] | None:
    for typ, s, e in _boxes(r, start, end):
        if typ == path[0]:
            return (s, e) if len(path) == 1 else _find_box(r, path[1:], s, e)
    return None


def _heif_exif(r: _Reader) -> dict[int, bytes]:
    meta = _find_box(r, [b"meta"], 0, r.size)
    if not meta:
        return {}
    start, end = meta[0] + 4, meta[1]  # full box: skip version/flags
    exif_ids: set[int] = set()
    iinf = _find_box(r, [b"iinf"], start, end)
    if iinf:
        version = r.read(iinf[0], 1)[:1]
        first = iinf[0] + (6 if version == b"\x00" else 8)
        for typ, s, _e in _boxes(r, first, iinf[1]):
            body = r.read(s, 16)
            if typ == b"infe" and len(body) >= 12 and body[0] >= 2:
                if body[0] == 2:
                    item_id, item_type = struct.unpack(">H", body[4:6])[0], body[8:12]
                else:
                    item_id, item_type = struct.unpack(">I", body[4:8])[0], body[10:14]
                if item_type == b"Exif":
                    exif_ids.add(item_id)
    iloc = _find_box(r, [b"iloc"], start, end)
    if not exif_ids or not iloc:
        return {}
    data = r.read(iloc[0], iloc[1] - iloc[0])
    version = data[0]
    off_size, len_size = data[4] >> 4, data[4] & 15
    base_size, idx_size = data[5] >> 4, (data[5] & 15) if version in (1, 2) else 0
    pos = 6
    count, pos = (
        (struct.unpack_from(">H", data, pos)[0], pos + 2)
        if version < 2
        else (
            struct.unpack_from(">I", data, pos)[0],
            pos + 4,
        )
    )

    def num(size: int) -> int:
        nonlocal pos
        value = int.from_bytes(data[pos : pos + size], "big") if size else 0
        pos += size
        return value

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
                return parse_tiff(blob[4 + skip :])
    return {}


def _cr3_exif(r: _Reader) -> dict[int, bytes]:
    moov = _find_box(r, [b"moov"], 0, r.size)
    if not moov:
        return {}
    for typ, s, e in _boxes(r, moov[0], moov[1]):
        if typ == b"uuid" and r.read(s, 16) == _CR3_UUID:
            tags: dict[int, bytes] = {}
            for sub, ss, se in _boxes(r, s + 16, e):
                if sub in (b"CMT1", b"CMT2"):
                    # CMT2 is the Exif IFD stored as a TIFF: its first IFD holds the dates.
                    tags.update(parse_tiff(r.read(ss, se - ss)))
            return tags
    return {}


def _quicktime_time(r: _Reader) -> datetime | None:
    mvhd = _find_box(r, [b"moov", b"mvhd"], 0, r.size)
    if not mvhd:
        return None
    body = r.read(mvhd[0], 12)
    if len(body) < 8:
        return None
    secs = struct.unpack(">Q", body[4:12])[0] if body[0] == 1 else struct.unpack(">I", body[4:8])[0]
    if secs == 0:
        return None
    try:
        value = _QT_EPOCH + timedelta(seconds=secs)
    except OverflowError:
        return None
    return value if 1980 <= value.year <= 2200 else None


def _tags_for(r: _Reader, suffix: str) -> dict[int, bytes]:
    head = r.head
    if head[:2] == b"\xff\xd8":
        return _jpeg_exif(r)
    if head[:2] in (b"II", b"MM"):
        return parse_tiff(r.read(0, TIFF_BYTES))
    if head.startswith(b"FUJIFILMCCD-RAW"):
        (jpeg_offset,) = struct.unpack(">I", head[84:88])
        return _jpeg_exif(r, jpeg_offset)
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand == b"crx ":
            return _cr3_exif(r)
        if suffix in (".heic", ".heif", ".hif") or brand in (b"heic", b"heix", b"mif1", b"msf1"):
            return _heif_exif(r)
    return {}


def read_capture_time(path: Path, mtime_ns: int | None = None) -> CaptureTime:
    """EXIF DateTimeOriginal (+ OffsetTimeOriginal), then embedded video dates, then mtime."""
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            r = _Reader(fh, st.st_size)
            found = _embedded_time(r, path.suffix.lower())
            if found:
                return found
            mtime_ns = st.st_mtime_ns if mtime_ns is None else mtime_ns
    except (struct.error, IndexError, ValueError) as exc:
        log.debug("unparsable header in %s: %s", path, exc)
        mtime_ns = os.stat(path).st_mtime_ns if mtime_ns is None else mtime_ns
    local = datetime.fromtimestamp(mtime_ns / 1e9).replace(microsecond=0)
    return CaptureTime(local=local, offset=None, source="mtime")


def _embedded_time(r: _Reader, suffix: str) -> CaptureTime | None:
    tags = _tags_for(r, suffix)
    for tag in (TAG_DATETIME_ORIGINAL, TAG_DATETIME_DIGITIZED, TAG_DATETIME):
        value = _exif_date(tags.get(tag, b""))
        if value:
            offset = _exif_offset(tags.get(TAG_OFFSET_ORIGINAL, b""))
            return CaptureTime(local=value, offset=offset, source="exif")
    if r.head[4:8] == b"ftyp":
        utc = _quicktime_time(r)
        if utc:
            local = utc.astimezone().replace(tzinfo=None)
            return CaptureTime(local=local, offset=utc.astimezone().utcoffset(), source="quicktime")
    if r.head[:4] == b"RIFF" and b"IDIT" in r.head:
        raw = r.head[r.head.index(b"IDIT") + 8 :][:40].split(b"\x00")[0].strip().decode("latin-1")
        for fmt in ("%a %b %d %H:%M:%S %Y", "%Y:%m:%d %H:%M:%S"):
            try:
                return CaptureTime(datetime.strptime(raw, fmt), None, "avi")
            except ValueError:
                continue
    return None


def looks_damaged(path: Path, size: int) -> str | None:
    """A short reason when a file is evidently broken (read from its two ends), else None."""
    if size == 0:
        return "empty file (0 bytes)"
    suffix = path.suffix.lower()
    if suffix not in (".jpg", ".jpeg"):
        return None
    with open(path, "rb") as fh:
        head = fh.read(64 * 1024)
        fh.seek(max(0, size - 4096))
        tail = fh.read().rstrip(b"\x00\xff")
    if head[:2] != b"\xff\xd8":
        return "not a JPEG image (no start-of-image marker)"
    if not tail.endswith(b"\xff\xd9") and not any(m in head for m in _TRAILER_MARKERS):
        return "JPEG looks truncated (no end-of-image marker)"
    return None
