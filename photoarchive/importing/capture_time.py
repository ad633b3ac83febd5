"""Capture time from the bytes cameras write, without exiv2.

Import reads dates from every new file on a card; a small pure-Python reader of the few
structures involved (`dates_stills`: EXIF/XMP/IPTC in JPEG, TIFF-based RAW, HEIF, CR3, RAF,
MRW, CRW, X3F, PSD and maker notes; `dates_video`: QuickTime, AVI, AVCHD, Matroska, ASF, DV)
is fast, reads only the file's head and cannot crash the program on a hostile file. The best
date wins by rank (`dates_base`); where none is found, an optional fallback (exiv2 in a worker
process, injected by the caller: this package may not import `metadata`) may find more.
"""

from __future__ import annotations

import logging
import os
import struct
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from photoarchive.importing.dates_base import MODIFIED, Reader, Stamp
from photoarchive.importing.dates_exif import parse_tiff
from photoarchive.importing.dates_stills import scan_stamps, still_stamps
from photoarchive.importing.dates_video import video_stamps

log = logging.getLogger(__name__)

__all__ = ["CaptureTime", "DateFallback", "looks_damaged", "parse_tiff", "read_capture_time"]

# Phones append data after the image's end marker (motion photos' video, Samsung trailers,
# MPF secondary images) and say so in the header: such a file is not truncated.
_TRAILER_MARKERS = (b"MotionPhoto", b"MicroVideo", b"MPF\x00", b"GCamera:", b"SEFH")
# Editors append metadata trailers after the end marker and sign the file's last bytes:
# AFCP ("AXS!"/"AXS*" + offsets), PhotoMechanic ("cbipcbbl"), FotoStation, Samsung, Canon VRD.
_TRAILER_ENDS = (b"cbipcbbl", b"\xa1\xb2\xc3\xd4", b"SEFT", b"CANON OPTIONAL DATA\x00")


@dataclass(frozen=True)
class CaptureTime:
    """Wall-clock time at capture (what the camera showed), with its UTC offset when known."""

    local: datetime  # naive, camera wall clock
    offset: timedelta | None
    # 'exif', 'xmp', 'iptc', 'makernote', 'quicktime', 'avi', 'mts', 'mkv', 'asf', 'dv',
    # 'modified' (an editor's save date: nothing better inside), 'exiv2' (the fallback), 'mtime'
    source: str

    @property
    def guess(self) -> bool:
        return self.source == "mtime"

    def iso(self) -> str:
        if self.offset is None:
            return self.local.isoformat()
        return self.local.replace(tzinfo=timezone(self.offset)).isoformat()


# Given a file whose head holds no capture date, a better reader's answer (or None).
DateFallback = Callable[[Path], CaptureTime | None]


def embedded_stamps(path: Path) -> list[Stamp]:
    """Every date the fast reader finds in the file, in the order found (OSError passes)."""
    with open(path, "rb") as fh:
        r = Reader(fh, os.fstat(fh.fileno()).st_size)
        return _stamps(r, path.suffix.lower())


def best_stamp(stamps: list[Stamp]) -> Stamp | None:
    return min(stamps, key=lambda s: s.rank) if stamps else None


def _stamps(r: Reader, suffix: str) -> list[Stamp]:
    try:
        found = still_stamps(r, suffix)
        if found is None:
            found = video_stamps(r, suffix)
        if found is None:
            found = scan_stamps(r.head)
    except (struct.error, IndexError, ValueError, OverflowError) as exc:
        log.debug("unparsable header: %s", exc)
        return []
    return found


def _capture(stamp: Stamp) -> CaptureTime:
    source = "modified" if stamp.rank >= MODIFIED else stamp.source
    return CaptureTime(stamp.local, stamp.offset, source)


def read_capture_time(
    path: Path, mtime_ns: int | None = None, fallback: DateFallback | None = None
) -> CaptureTime:
    """The best embedded date (DateTimeOriginal, then creation, maker-note and container
    dates; an editor's ModifyDate last), else the fallback's, else the file time."""
    with open(path, "rb") as fh:
        st = os.fstat(fh.fileno())
        best = best_stamp(_stamps(Reader(fh, st.st_size), path.suffix.lower()))
        mtime_ns = st.st_mtime_ns if mtime_ns is None else mtime_ns
    if best is not None and best.rank < MODIFIED:
        return _capture(best)
    if fallback is not None:
        try:
            found = fallback(path)
        except Exception as exc:  # a broken fallback costs a date, never the import
            log.warning("date fallback failed on %s: %s", path, exc)
            found = None
        if found is not None and not found.guess:
            return found
    if best is not None:
        return _capture(best)
    local = datetime.fromtimestamp(mtime_ns / 1e9).replace(microsecond=0)
    return CaptureTime(local=local, offset=None, source="mtime")


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
        raw_tail = fh.read()
    if head[:2] != b"\xff\xd8":
        return "not a JPEG image (no start-of-image marker)"
    ended = raw_tail.rstrip(b"\x00\xff").endswith(b"\xff\xd9")
    signed = raw_tail.endswith(_TRAILER_ENDS) or raw_tail[-12:-8] in (b"AXS!", b"AXS*")
    if not (ended or signed or any(m in head for m in _TRAILER_MARKERS)):
        return "JPEG looks truncated (no end-of-image marker)"
    return None
