"""Capture time from exiv2's tag dictionaries, in the same order as the import's fast reader
(`importing.dates_base`): DateTimeOriginal (EXIF, then XMP), creation dates (EXIF, XMP,
IPTC DateCreated + TimeCreated), maker-note dates, and an editor's ModifyDate only last.

Also the import's date fallback: `ExivDates` reads, in one helper process started on first
need, the files whose head held no date for the fast reader (formats it does not parse).
Pure functions here take dictionaries; exiv2 is loaded only inside the helper process.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import TracebackType

from photoarchive.importing.capture_time import CaptureTime
from photoarchive.importing.dates_base import exif_date, iso_date, parse_offset
from photoarchive.media import Kind, kind_of
from photoarchive.metadata.tag_values import text_value

log = logging.getLogger(__name__)

FALLBACK_TIMEOUT_S = 30.0
READ_LIMIT = 256 << 20  # bigger files are not worth a second read for a date

_EXIF = (
    ("Exif.Photo.DateTimeOriginal", "Exif.Photo.OffsetTimeOriginal"),
    ("Exif.Image.DateTimeOriginal", "Exif.Photo.OffsetTimeOriginal"),  # TIFF/EP RAW
)
_XMP_ORIGINAL = ("Xmp.exif.DateTimeOriginal",)
_EXIF_CREATED = (("Exif.Photo.DateTimeDigitized", "Exif.Photo.OffsetTimeDigitized"),)
_XMP_CREATED = ("Xmp.exif.DateTimeDigitized", "Xmp.xmp.CreateDate")
_IPTC = (
    ("Iptc.Application2.DateCreated", "Iptc.Application2.TimeCreated"),
    ("Iptc.Application2.DigitalCreationDate", "Iptc.Application2.DigitalCreationTime"),
)
_MODIFIED = (("Exif.Image.DateTime", "Exif.Photo.OffsetTime"),)


def _aware(value: datetime, offset: timedelta | None) -> datetime:
    return value if offset is None else value.replace(tzinfo=timezone(offset))


def _exif(exif: dict[str, object], keys: tuple[tuple[str, str], ...]) -> datetime | None:
    for key, off_key in keys:
        value = exif_date(str(exif.get(key) or "").encode())
        if value:
            return _aware(value, parse_offset(str(exif.get(off_key) or "").encode()))
    return None


def _xmp(xmp: dict[str, object], keys: tuple[str, ...]) -> datetime | None:
    for key in keys:
        parsed = iso_date(text_value(xmp.get(key)) or "")
        if parsed:
            return _aware(*parsed)
    return None


def _iptc(iptc: dict[str, object]) -> datetime | None:
    for date_key, time_key in _IPTC:
        day = (text_value(iptc.get(date_key)) or "").replace("-", "")
        clock = (text_value(iptc.get(time_key)) or "").replace(":", "")
        if len(day) != 8 or not day.isdigit():
            continue
        hms = clock[:6] if clock[:6].isdigit() else "000000"
        text = f"{day[:4]}-{day[4:6]}-{day[6:]}T{hms[:2]}:{hms[2:4]}:{hms[4:6]}{clock[6:]}"
        parsed = iso_date(text) or iso_date(text[:19])
        if parsed:
            return _aware(*parsed)
    return None


def _makernote(exif: dict[str, object]) -> datetime | None:
    """Maker-note dates exiv2 decodes as EXIF-style text (Canon CIFF, Sigma, Panasonic, ...)."""
    for key in sorted(exif):
        maker = key.count(".") == 2 and not key.startswith(("Exif.Image.", "Exif.Photo."))
        if maker and key.endswith(("DateTimeOriginal", "DateTime", "TimeStamp")):
            value = exif_date(str(exif[key]).encode())
            if value:
                return value
    return None


def capture_from_tags(
    exif: dict[str, object], iptc: dict[str, object], xmp: dict[str, object]
) -> tuple[datetime, str] | None:
    """(capture time, where from) by the import's precedence; ModifyDate only when alone."""
    for found, source in (
        (_exif(exif, _EXIF), "exif"),
        (_xmp(xmp, _XMP_ORIGINAL), "xmp"),
        (_exif(exif, _EXIF_CREATED), "exif"),
        (_xmp(xmp, _XMP_CREATED), "xmp"),
        (_iptc(iptc), "iptc"),
        (_xmp(xmp, ("Xmp.photoshop.DateCreated",)), "xmp"),
        (_makernote(exif), "makernote"),
        (_exif(exif, _MODIFIED), "modified"),
    ):
        if found is not None:
            return found, source
    return None


_quiet = False


def _child_dates(path: str) -> tuple[str, str] | None:
    """In the helper process: every block exiv2 can read, each on its own."""
    global _quiet
    if not _quiet:  # exiv2 prints its warnings on stdout: not on the user's terminal
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        _quiet = True
    from photoarchive.metadata.block_reader import exiv2_blocks

    with open(path, "rb") as fh:
        data = fh.read(READ_LIMIT)
    tags = exiv2_blocks(data)
    found = capture_from_tags(tags.exif, tags.iptc, tags.xmp)
    return None if found is None else (found[0].isoformat(), found[1])


class ExivDates:
    """The import's date fallback: exiv2 in one helper process, restarted if a file kills it.

    Callable with a path; None for anything but stills and RAW, and when it finds nothing.
    """

    def __init__(self, timeout: float = FALLBACK_TIMEOUT_S) -> None:
        self.timeout = timeout
        self.calls = 0
        self._pool: ProcessPoolExecutor | None = None

    def __call__(self, path: Path) -> CaptureTime | None:
        if kind_of(Path(path).name) not in (Kind.PHOTO, Kind.RAW):
            return None  # videos (exiv2 reads none here) and "other" files: no second read
        self.calls += 1
        if self._pool is None:
            ctx = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(max_workers=1, mp_context=ctx)
        try:
            found = self._pool.submit(_child_dates, os.fspath(path)).result(self.timeout)
        except (BrokenProcessPool, FutureTimeout, OSError) as exc:
            log.warning("exiv2 could not read the dates of %s: %s", path, exc or "timed out")
            self.close(kill=True)
            return None
        if found is None:
            return None
        value = datetime.fromisoformat(found[0])
        offset = value.utcoffset()
        source = "modified" if found[1] == "modified" else "exiv2"
        return CaptureTime(value.replace(tzinfo=None), offset, source)

    def close(self, kill: bool = False) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if kill:
            for proc in list(getattr(pool, "_processes", {}).values()):
                proc.kill()
        pool.shutdown(wait=not kill, cancel_futures=True)

    def __enter__(self) -> ExivDates:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
