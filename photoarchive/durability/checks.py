"""What scrub found for each file, and the cards in the safe: two small catalog tables.

`durability_checks` keeps, per archive path, when the archive copy was last re-read and what it
was (ok, edited, damaged, missing), and the same for its bucket object. `cards` names the
camera cards imports came from ("blue 64 GB, safe shelf 2"), keyed by the volume id the
importer records (`uuid:...` where the system knows the filesystem UUID).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable

from photoarchive.names import db_value

_SCHEMA = """
CREATE TABLE IF NOT EXISTS durability_checks (
    path PRIMARY KEY,            -- archive-relative WEEK/NAME (names.db_value)
    local_at REAL,               -- last re-read of the archive copy
    local_state TEXT,            -- 'ok', 'edited', 'damaged', 'missing'
    remote_at REAL,              -- last check of its bucket object
    remote_state TEXT            -- 'ok', 'changed', 'missing'
);
CREATE TABLE IF NOT EXISTS cards (
    volume TEXT PRIMARY KEY,     -- as files.source_volume: 'uuid:...' or 'mount:...'
    label TEXT NOT NULL DEFAULT '',
    labelled_at REAL
);
"""

LOCAL_OK, EDITED, DAMAGED, MISSING = "ok", "edited", "damaged", "missing"
REMOTE_OK, REMOTE_CHANGED, REMOTE_MISSING = "ok", "changed", "missing"


def ensure_schema(conn: sqlite3.Connection) -> None:
    conn.executescript(_SCHEMA)


def _batch(conn: sqlite3.Connection, sql: str, rows: list[tuple[bytes | str, float, str]]) -> None:
    """One transaction for the batch (the catalog's connection commits every statement)."""
    if not rows:
        return
    if conn.in_transaction:
        conn.executemany(sql, rows)
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany(sql, rows)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def record_local(conn: sqlite3.Connection, results: Iterable[tuple[str, str]]) -> None:
    """(path, state) of files just re-read."""
    _record(conn, "local", results)


def record_remote(conn: sqlite3.Connection, results: Iterable[tuple[str, str]]) -> None:
    """(path, state) of bucket objects just checked."""
    _record(conn, "remote", results)


def _record(conn: sqlite3.Connection, side: str, results: Iterable[tuple[str, str]]) -> None:
    now = time.time()
    _batch(
        conn,
        f"INSERT INTO durability_checks(path, {side}_at, {side}_state) VALUES (?,?,?) "
        f"ON CONFLICT(path) DO UPDATE SET {side}_at=excluded.{side}_at, "
        f"{side}_state=excluded.{side}_state",
        [(db_value(p), now, s) for p, s in results],
    )


def card_labels(conn: sqlite3.Connection) -> dict[str, str]:
    return {r[0]: r[1] for r in conn.execute("SELECT volume, label FROM cards WHERE label != ''")}


def set_card_label(conn: sqlite3.Connection, volume: str, label: str) -> None:
    conn.execute(
        "INSERT INTO cards(volume, label, labelled_at) VALUES (?,?,?) ON CONFLICT(volume) "
        "DO UPDATE SET label=excluded.label, labelled_at=excluded.labelled_at",
        (volume, label, time.time()),
    )
