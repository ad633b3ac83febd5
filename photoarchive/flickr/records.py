"""The catalog's record of what is on Flickr (`flickr_photos`) and the "on Flickr" counts.

One row per (account, import identity): the photo id, the path the file had, and what Flickr was
last told (title, caption, tags, location), so a re-run sends nothing and an edit sends only the
changed fields. A row is written as soon as Flickr answers with a photo id (or a ticket), before
the next file starts. Free of flickrapi, so the GUI's badges load nothing heavy.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace

from photoarchive.catalog import Catalog
from photoarchive.config import Settings
from photoarchive.names import db_value, from_db

_COLUMNS = (
    "account, identity, path, photo_id, ticket_id, hash, title, caption, tags, lat, lon, "
    "geo_hidden, uploaded_at"
)


@dataclass(frozen=True)
class FlickrRecord:
    account: str
    identity: str
    path: str
    photo_id: str | None
    ticket_id: str | None
    hash: str
    title: str = ""
    caption: str = ""
    tags: str = ""
    lat: float | None = None
    lon: float | None = None
    geo_hidden: bool = False
    uploaded_at: float = 0.0

    def with_sent(
        self, title: str, caption: str, tags: str, where: tuple[float, float] | None, hidden: bool
    ) -> FlickrRecord:
        lat, lon = where if where else (None, None)
        return replace(self, title=title, caption=caption, tags=tags, lat=lat, lon=lon,
                       geo_hidden=hidden)  # fmt: skip


def _row(r: sqlite3.Row | tuple) -> FlickrRecord:  # type: ignore[type-arg]
    return FlickrRecord(
        r[0], r[1], from_db(r[2]) or "", r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10],
        bool(r[11]), r[12],
    )  # fmt: skip


def load(catalog: Catalog, account: str) -> dict[str, FlickrRecord]:
    """identity -> record, for one account."""
    rows = catalog.conn.execute(f"SELECT {_COLUMNS} FROM flickr_photos WHERE account=?", (account,))
    return {r[1]: _row(r) for r in rows}


def save(catalog: Catalog, records: Iterable[FlickrRecord]) -> None:
    """Write now (autocommit per call): the record must survive a kill right after."""
    rows = [
        (r.account, r.identity, db_value(r.path), r.photo_id, r.ticket_id, r.hash, r.title,
         r.caption, r.tags, r.lat, r.lon, int(r.geo_hidden), r.uploaded_at or time.time())
        for r in records
    ]  # fmt: skip
    if rows:
        with catalog.transaction() as conn:
            conn.executemany(
                f"INSERT OR REPLACE INTO flickr_photos ({_COLUMNS}) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
                rows,
            )


def forget(catalog: Catalog, account: str, identity: str) -> None:
    catalog.conn.execute(
        "DELETE FROM flickr_photos WHERE account=? AND identity=?", (account, identity)
    )


def flickr_status(settings: Settings) -> dict[str, tuple[int, int]]:
    """week -> (media files on Flickr under any account, media files), for the week badge."""
    with Catalog(settings.catalog_path) as catalog:
        rows = catalog.conn.execute(
            "SELECT f.week, SUM(EXISTS(SELECT 1 FROM flickr_photos p WHERE "
            "p.identity=f.import_hash AND p.photo_id IS NOT NULL)), COUNT(*) FROM files f "
            "WHERE f.role='media' GROUP BY f.week"
        )
        return {from_db(r[0]) or "": (int(r[1] or 0), int(r[2])) for r in rows}


def on_flickr(catalog: Catalog, week: str) -> set[str]:
    """Archive paths of this week's files that are on Flickr, for the per-photo badge."""
    rows = catalog.conn.execute(
        "SELECT f.path FROM files f WHERE f.week=? AND EXISTS(SELECT 1 FROM flickr_photos p "
        "WHERE p.identity=f.import_hash AND p.photo_id IS NOT NULL)",
        (db_value(week),),
    )
    return {from_db(r[0]) or "" for r in rows}
