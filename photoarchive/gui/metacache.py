"""What the grid and the week badges need to know about each photo, cached by mtime.

Reading 25,000 files' metadata takes minutes; the badges (geotagged n/N, captioned n/N) and the
week titles come from this small SQLite cache instead, filled as weeks are browsed (or by the
"Read all metadata" job). A file whose mtime changed is read again. Qt-free; one connection
per thread.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from photoarchive.private import open_private, private_dir

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS info (
    path TEXT PRIMARY KEY, week TEXT NOT NULL, mtime_ns INTEGER NOT NULL,
    title TEXT, caption TEXT, lat REAL, lon REAL, alt REAL, capture_time TEXT, camera TEXT,
    unreadable TEXT, location TEXT
);
CREATE INDEX IF NOT EXISTS info_week ON info(week);
"""


@dataclass(frozen=True)
class PhotoInfo:
    """The displayable metadata of one photo (a flat copy of metadata.PhotoMetadata)."""

    title: str = ""
    caption: str = ""
    lat: float | None = None
    lon: float | None = None
    alt: float | None = None
    capture_time: str = ""
    camera: str = ""
    unreadable: str = ""  # why the metadata could not be read, if it could not
    location: str = ""  # the place's name (city, region, country) as written in the file

    @property
    def has_gps(self) -> bool:
        return self.lat is not None and self.lon is not None

    @property
    def has_caption(self) -> bool:
        return bool(self.caption.strip())

    @property
    def coordinates(self) -> str:
        if not self.has_gps:
            return ""
        text = f"{self.lat:.6f}, {self.lon:.6f}"
        return f"{text}, {self.alt:g} m" if self.alt is not None else text


@dataclass(frozen=True)
class WeekBadges:
    known: int  # photos whose metadata is cached
    geotagged: int
    captioned: int
    title: str


def read_info(path: Path) -> PhotoInfo:
    """Read through metadata.reading.read_metadata (exiv2 is reached only there). In the GUI
    this runs only in gui.meta_reader's helper processes."""
    try:
        from photoarchive.metadata.reading import read_metadata
    except ImportError:
        return PhotoInfo(unreadable="metadata support is not installed")
    try:
        m = read_metadata(path)
    except Exception as exc:  # one bad file must not stop the grid
        return PhotoInfo(unreadable=str(exc) or exc.__class__.__name__)
    return info_from_metadata(m)


def info_from_metadata(m: Any) -> PhotoInfo:
    gps = getattr(m, "gps", None)
    return PhotoInfo(
        title=m.title or "",
        caption=m.caption or "",
        lat=gps.lat if gps else None,
        lon=gps.lon if gps else None,
        alt=gps.alt if gps else None,
        capture_time=m.capture_time.isoformat(sep=" ") if m.capture_time else "",
        camera=m.camera or "",
        location=getattr(m, "location", None) or "",
    )


class MetaCache:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        private_dir(path.parent)
        if not os.path.lexists(path):  # 0600 before SQLite makes it
            with contextlib.suppress(FileExistsError):  # another process was first
                os.close(open_private(path, os.O_RDWR | os.O_EXCL))
        conn = self._conn()
        columns = {row[1] for row in conn.execute("PRAGMA table_info(info)")}
        if columns and "location" not in columns:  # an older cache: read everything again
            conn.execute("DROP TABLE info")
        conn.executescript(_SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    def get(self, path: Path, mtime_ns: int) -> PhotoInfo | None:
        row = (
            self._conn()
            .execute(
                "SELECT title, caption, lat, lon, alt, capture_time, camera, unreadable, location, "
                "mtime_ns FROM info WHERE path=?",
                (str(path),),
            )
            .fetchone()
        )
        if row is None or row[9] != mtime_ns:
            return None
        return PhotoInfo(
            *(v if v is not None else d for v, d in zip(row[:9], _DEFAULTS, strict=True))
        )

    def put(self, path: Path, week: str, mtime_ns: int, info: PhotoInfo) -> None:
        self.put_many([(path, week, mtime_ns, info)])

    def put_many(self, rows: Iterable[tuple[Path, str, int, PhotoInfo]]) -> None:
        values = [
            (
                str(p),
                w,
                m,
                i.title,
                i.caption,
                i.lat,
                i.lon,
                i.alt,
                i.capture_time,
                i.camera,
                i.unreadable,
                i.location,
            )
            for p, w, m, i in rows
        ]
        self._conn().executemany(
            "INSERT OR REPLACE INTO info VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", values
        )

    def badges(self) -> dict[str, WeekBadges]:
        rows = self._conn().execute(
            "SELECT week, COUNT(*), SUM(lat IS NOT NULL), SUM(TRIM(COALESCE(caption,''))<>''), "
            "(SELECT title FROM info j WHERE j.week=i.week AND COALESCE(title,'')<>'' "
            " GROUP BY title ORDER BY COUNT(*) DESC LIMIT 1) FROM info i GROUP BY week"
        )
        return {r[0]: WeekBadges(r[1], r[2] or 0, r[3] or 0, r[4] or "") for r in rows}

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


_DEFAULTS = ("", "", None, None, None, "", "", "", "")
