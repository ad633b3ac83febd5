"""What exiftool says a file's capture time is, by the import's precedence, for comparing.

One `exiftool -j -G1 -a -time:all` process reads every file; `expected_date` then applies the
order the issue asks for: DateTimeOriginal (EXIF, then XMP), CreateDate/DateCreated (EXIF,
XMP, IPTC), maker-note dates, video container dates, and IFD0 ModifyDate only last.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

# Groups that are not maker notes or RAW headers (their DateTimeOriginal is ranked elsewhere).
_NOT_MAKER = re.compile(
    r"^(System|File|ExifIFD|IFD\d|SubIFD\d*|GPS|XMP-.*|IPTC\d*|ICC.*|FlashPix|Composite|"
    r"QuickTime|Track\d+|Keys|ItemList|UserData|H264|RIFF|ASF|Matroska|DV|M2TS|Photoshop|JFIF)$"
)
_CONTAINER = (
    "QuickTime:CreateDate",
    "H264:DateTimeOriginal",
    "RIFF:DateTimeOriginal",
    "DV:DateTimeOriginal",
)
_CONTAINER_UTC = ("ASF:CreationDate", "Matroska:DateTimeOriginal")
_DATE = re.compile(r"(\d{4}):(\d\d):(\d\d)(?: (\d\d):(\d\d)(?::(\d\d))?)?")


@dataclass(frozen=True)
class Expected:
    when: datetime  # naive: wall clock, or UTC when utc is set
    tag: str
    utc: bool = False  # QuickTime/ASF/Matroska store UTC; exiftool shows it as stored
    minutes_only: bool = False  # exiftool drops the seconds of some AVI spellings


def exiftool_times(paths: list[Path]) -> dict[Path, dict[str, str]]:
    out = subprocess.run(
        [
            "exiftool",
            "-j",
            "-G1",
            "-a",
            "-time:all",
            "-api",
            "LargeFileSupport=1",
            *map(str, paths),
        ],
        capture_output=True,
        check=False,
        timeout=120,
    )
    docs = json.loads(out.stdout or b"[]")
    return {Path(d["SourceFile"]): {k: str(v) for k, v in d.items()} for d in docs}


def _parse(value: str) -> datetime | None:
    m = _DATE.match(value.strip())
    if not m:
        return None
    y, mo, d, h, mi, s = (int(g) if g else 0 for g in m.groups())
    try:
        result = datetime(y, mo, d, h, mi, s)
    except ValueError:
        return None
    return result if 1980 <= result.year <= 2200 else None


def expected_date(tags: dict[str, str]) -> Expected | None:
    def first(*names: str) -> tuple[str, datetime] | None:
        for name in names:
            value = _parse(tags.get(name, ""))
            if value:
                return name, value
        return None

    def iptc() -> tuple[str, datetime] | None:
        for group in sorted(g.split(":")[0] for g in tags if re.match(r"IPTC\d*:DateCreated$", g)):
            day = _parse(tags[f"{group}:DateCreated"])
            clock = re.match(r"(\d\d):(\d\d):(\d\d)", tags.get(f"{group}:TimeCreated", ""))
            if day:
                h, mi, s = (int(g) for g in clock.groups()) if clock else (0, 0, 0)
                return f"{group}:DateCreated", day.replace(hour=h, minute=mi, second=s)
        return None

    maker = sorted(
        k for k in tags if k.endswith(":DateTimeOriginal") and not _NOT_MAKER.match(k.split(":")[0])
    )
    for found in (
        first("ExifIFD:DateTimeOriginal", "IFD0:DateTimeOriginal"),
        first("XMP-exif:DateTimeOriginal"),
        first("ExifIFD:CreateDate", "XMP-exif:DateTimeDigitized", "XMP-xmp:CreateDate"),
        iptc(),
        first("XMP-photoshop:DateCreated"),
        first(*maker),
    ):
        if found:
            return Expected(found[1], found[0])
    for name in _CONTAINER + _CONTAINER_UTC:
        value = _parse(tags.get(name, ""))
        if value:
            utc = name in _CONTAINER_UTC or name.startswith("QuickTime:")
            return Expected(value, name, utc=utc, minutes_only=name.startswith("RIFF:"))
    found = first("IFD0:ModifyDate")
    return Expected(found[1], found[0]) if found else None
