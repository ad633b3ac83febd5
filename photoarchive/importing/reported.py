"""Card files that can never be imported and were already reported (an empty file).

A card kept in the safe never changes: an empty file on it would otherwise make every later
import of that card fail forever. Such a file is reported once as an error; the import that
reported it remembers it here (by volume, path, size and mtime, as `source_seen` does), and
later plans list it as a note that does not change the exit status.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from photoarchive.names import db_value, from_db

_SCHEMA = """
CREATE TABLE IF NOT EXISTS source_reported (
    volume TEXT NOT NULL,
    path TEXT NOT NULL,          -- names.db_value
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (volume, path)
);
"""

Entry = tuple[str, str, int, int, str]  # volume, path on the card, size, mtime_ns, reason


def reported_before(conn: sqlite3.Connection, volume: str) -> set[tuple[str, int, int]]:
    """(path, size, mtime_ns) of this volume's files already reported as never importable."""
    conn.executescript(_SCHEMA)
    rows = conn.execute(
        "SELECT path, size, mtime_ns FROM source_reported WHERE volume=?", (db_value(volume),)
    )
    return {(from_db(r[0]) or "", r[1], r[2]) for r in rows}


def remember(conn: sqlite3.Connection, entries: Iterable[Entry]) -> None:
    rows = [(db_value(v), db_value(p), size, mtime, why) for v, p, size, mtime, why in entries]
    if not rows:
        return
    conn.executescript(_SCHEMA)
    conn.executemany("INSERT OR REPLACE INTO source_reported VALUES (?,?,?,?,?)", rows)
