"""The catalog's record of uploads (`sync_objects`) and the per-week synced counts.

Free of the Google libraries, so the GUI's week list can show its "synced" badge without
loading them.
"""

from __future__ import annotations

import sqlite3

from photoarchive.catalog import Catalog
from photoarchive.cloud.target import target_url
from photoarchive.config import Settings

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sync_objects (
    target TEXT NOT NULL,        -- gs://BUCKET[/PREFIX]
    path TEXT NOT NULL,          -- archive-relative WEEK/NAME
    object TEXT NOT NULL,
    generation INTEGER NOT NULL,
    md5 TEXT NOT NULL,           -- base64, as the API reports it
    crc32c TEXT NOT NULL,        -- base64, as the API reports it
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,   -- of the local file when it was read for upload
    hash TEXT NOT NULL,          -- BLAKE3 of the uploaded bytes (the catalog's content hash)
    uploaded_at REAL NOT NULL,
    PRIMARY KEY (target, path)
);
CREATE INDEX IF NOT EXISTS sync_objects_path ON sync_objects(path);
CREATE TABLE IF NOT EXISTS sync_week_notes (
    target TEXT NOT NULL, week TEXT NOT NULL, note TEXT NOT NULL, PRIMARY KEY (target, week)
);
"""


def ensure_schema(conn: sqlite3.Connection) -> None:
    conn.executescript(_SCHEMA)


def sync_status(settings: Settings) -> dict[str, tuple[int, int]]:
    """week -> (files whose current content is in the bucket, files), for the GUI's badge."""
    target = target_url(settings.bucket)
    with Catalog(settings.catalog_path) as catalog:
        ensure_schema(catalog.conn)
        rows = catalog.conn.execute(
            "SELECT f.week, SUM(EXISTS(SELECT 1 FROM sync_objects s WHERE s.path=f.path "
            "AND s.hash=f.hash AND (?='' OR s.target=?))), COUNT(*) FROM files f GROUP BY f.week",
            (target, target),
        )
        return {r[0]: (int(r[1] or 0), int(r[2])) for r in rows}


def sync_notes(settings: Settings) -> dict[str, str]:
    """week -> why the last sync left some of its files out (held back, possibly damaged...)."""
    target = target_url(settings.bucket)
    if not target:
        return {}
    with Catalog(settings.catalog_path) as catalog:
        ensure_schema(catalog.conn)
        rows = catalog.conn.execute(
            "SELECT week, note FROM sync_week_notes WHERE target=?", (target,)
        )
        return {r[0]: r[1] for r in rows}
