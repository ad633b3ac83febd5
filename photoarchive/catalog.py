"""The SQLite catalog: an index of the archive, never the only copy of anything.

Every row can be rebuilt from the week folders (`verify --rebuild`); what cannot be rebuilt
(which card a file came from, import history) is convenience, not data.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from photoarchive import journal
from photoarchive.names import db_value, from_db
from photoarchive.private import open_private, private_dir

log = logging.getLogger(__name__)

SCHEMA_VERSION = 3

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,          -- archive-relative WEEK/NAME; see names.db_value
    week TEXT NOT NULL,
    hash TEXT NOT NULL,                 -- BLAKE3 of the current content
    import_hash TEXT NOT NULL,          -- BLAKE3 as imported: identity survives metadata edits
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    capture_time TEXT,                  -- ISO 8601, with offset when the camera wrote one
    capture_guess INTEGER NOT NULL DEFAULT 0,
    role TEXT NOT NULL DEFAULT 'media', -- 'media', 'sidecar' or 'other' (unknown camera file)
    source_volume TEXT,
    source_path TEXT,
    import_id INTEGER,
    image_hash TEXT,                    -- hash of the image data alone (imagedata.py), or NULL
    import_size INTEGER                 -- size as imported (NULL: unknown, older catalogs)
);
CREATE INDEX IF NOT EXISTS files_hash ON files(hash);
CREATE INDEX IF NOT EXISTS files_import_hash ON files(import_hash);
CREATE INDEX IF NOT EXISTS files_week ON files(week);
CREATE TABLE IF NOT EXISTS imports (
    id INTEGER PRIMARY KEY,
    started_at REAL NOT NULL,
    finished_at REAL,
    sources TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'running',
    copied INTEGER NOT NULL DEFAULT 0,
    already INTEGER NOT NULL DEFAULT 0,
    skipped INTEGER NOT NULL DEFAULT 0,
    problems INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS flickr_photos (  -- schema 3: what is on Flickr (flickr/records.py)
    account TEXT NOT NULL,              -- the Flickr user's NSID
    identity TEXT NOT NULL,             -- files.import_hash: survives metadata edits
    path TEXT NOT NULL,                 -- archive-relative WEEK/NAME when last seen (db_value)
    photo_id TEXT,                      -- NULL while an async upload's ticket is pending
    ticket_id TEXT,
    hash TEXT NOT NULL,                 -- content hash of the file when last sent or updated
    title TEXT NOT NULL DEFAULT '',     -- what Flickr was last told:
    caption TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '',
    lat REAL,                           -- NULL: no location given (none, or hidden)
    lon REAL,
    geo_hidden INTEGER NOT NULL DEFAULT 0,
    uploaded_at REAL NOT NULL,
    PRIMARY KEY (account, identity)
);
CREATE INDEX IF NOT EXISTS flickr_photos_path ON flickr_photos(path);
CREATE TABLE IF NOT EXISTS source_seen (
    volume TEXT NOT NULL,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (volume, path)
);
"""


@dataclass(frozen=True)
class FileRecord:
    path: str
    week: str
    hash: str
    size: int
    mtime_ns: int
    capture_time: str | None = None
    capture_guess: bool = False
    role: str = "media"
    source_volume: str | None = None
    source_path: str | None = None
    import_id: int | None = None
    import_hash: str = ""  # defaults to hash
    image_hash: str | None = None  # the image data alone: unchanged by metadata edits
    import_size: int | None = None  # size as imported; defaults to size


_FILE_COLUMNS = (
    "path, week, hash, import_hash, size, mtime_ns, capture_time, capture_guess, role, "
    "source_volume, source_path, import_id, image_hash, import_size"
)
_FILE_SLOTS = ",".join("?" * len(_FILE_COLUMNS.split(",")))


def _record(row: sqlite3.Row) -> FileRecord:
    return FileRecord(
        path=from_db(row["path"]) or "",
        week=from_db(row["week"]) or "",
        hash=row["hash"],
        import_hash=row["import_hash"],
        size=row["size"],
        mtime_ns=row["mtime_ns"],
        capture_time=row["capture_time"],
        capture_guess=bool(row["capture_guess"]),
        role=row["role"],
        source_volume=from_db(row["source_volume"]),
        source_path=from_db(row["source_path"]),
        import_id=row["import_id"],
        image_hash=row["image_hash"],
        import_size=row["import_size"],
    )


def _values(rec: FileRecord) -> tuple[object, ...]:
    return (
        db_value(rec.path),
        db_value(rec.week),
        rec.hash,
        rec.import_hash or rec.hash,
        rec.size,
        rec.mtime_ns,
        rec.capture_time,
        int(rec.capture_guess),
        rec.role,
        None if rec.source_volume is None else db_value(rec.source_volume),
        None if rec.source_path is None else db_value(rec.source_path),
        rec.import_id,
        rec.image_hash,
        rec.size if rec.import_size is None and not rec.import_hash else rec.import_size,
    )


_MANIFEST_COLUMNS = (
    "path, week, hash, import_hash, size, capture_time, capture_guess, source_volume, "
    "source_path, image_hash"
)
_CHANGED_WEEKS = f"""
CREATE TABLE IF NOT EXISTS changed_weeks (week PRIMARY KEY);
CREATE TRIGGER IF NOT EXISTS files_week_ins AFTER INSERT ON files
BEGIN INSERT OR IGNORE INTO changed_weeks VALUES (NEW.week); END;
CREATE TRIGGER IF NOT EXISTS files_week_upd AFTER UPDATE OF {_MANIFEST_COLUMNS} ON files
BEGIN
    INSERT OR IGNORE INTO changed_weeks VALUES (OLD.week);
    INSERT OR IGNORE INTO changed_weeks VALUES (NEW.week);
END;
CREATE TRIGGER IF NOT EXISTS files_week_del AFTER DELETE ON files
BEGIN INSERT OR IGNORE INTO changed_weeks VALUES (OLD.week); END;
"""


def _upgrade(conn: sqlite3.Connection) -> None:
    """Bring a catalog written by an older version up to this schema (additive only).

    New tables (schema 3: flickr_photos) arrive through _SCHEMA's CREATE TABLE IF NOT EXISTS.
    """
    columns = {r[1] for r in conn.execute("PRAGMA table_info(files)")}
    if "image_hash" not in columns:  # schema 1 -> 2: image-data identity
        conn.execute("ALTER TABLE files ADD COLUMN image_hash TEXT")
    if "import_size" not in columns:  # an edited file's card original is found by its size
        conn.execute("ALTER TABLE files ADD COLUMN import_size INTEGER")
    conn.execute("CREATE INDEX IF NOT EXISTS files_image_hash ON files(image_hash)")
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name='changed_weeks'").fetchone() is None:
        # Weeks whose manifest must be rewritten (durability.manifest): marked by triggers in
        # the transaction that changes them; every week once, when the table first appears.
        conn.executescript(_CHANGED_WEEKS)
        conn.execute("INSERT OR IGNORE INTO changed_weeks SELECT DISTINCT week FROM files")
    conn.execute(
        "UPDATE meta SET value=? WHERE key='schema_version' AND CAST(value AS INTEGER) < ?",
        (str(SCHEMA_VERSION), SCHEMA_VERSION),
    )


class Catalog:
    """One connection, used from the thread that opened it; open one per job."""

    def __init__(self, path: Path) -> None:
        private_dir(path.parent)
        if not os.path.lexists(path):  # 0600 before SQLite makes it (and its -wal, -shm)
            with contextlib.suppress(FileExistsError):  # another process was first
                os.close(open_private(path, os.O_RDWR | os.O_EXCL))
        self.path = path
        self.conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.executescript(_SCHEMA)
        _upgrade(self.conn)
        self.conn.execute(
            "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema_version', ?)",
            (str(SCHEMA_VERSION),),
        )
        self.replay_journal()

    def replay_journal(self) -> int:
        """Record the edits of tagging runs killed before they could (journal.py)."""
        count = 0
        try:
            for edits in journal.dead_runs(self.path):
                for e in edits:
                    if self.file(e.rel) is not None:
                        self.update_content(e.rel, e.hash, e.size, e.mtime_ns)
                    elif e.new_sidecar and e.media_rel and (media := self.file(e.media_rel)):
                        rec = FileRecord(
                            e.rel, media.week, e.hash, e.size, e.mtime_ns, role="sidecar"
                        )
                        self.add_files([rec])
                    else:
                        continue
                    count += 1
        except (OSError, sqlite3.Error) as exc:
            log.warning("cannot replay the tagging journal: %s", exc)
        return count

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # --- files -------------------------------------------------------------------------
    def add_files(self, records: Iterable[FileRecord]) -> None:
        with self.transaction() as conn:
            conn.executemany(
                f"INSERT OR REPLACE INTO files ({_FILE_COLUMNS}) VALUES ({_FILE_SLOTS})",
                [_values(r) for r in records],
            )

    def archived_copies(self, content_hash: str) -> list[tuple[str, int]]:
        """(path, size) of media (or other camera) files with this content, now or as imported."""
        rows = self.conn.execute(
            "SELECT path, size FROM files WHERE role!='sidecar' AND (hash=? OR import_hash=?)",
            (content_hash, content_hash),
        )
        return [(from_db(r[0]) or "", r[1]) for r in rows]

    def image_hash(self, path: str) -> str | None:
        """The image-data hash recorded for an archive path (WEEK/NAME), if any."""
        row = self.conn.execute(
            "SELECT image_hash FROM files WHERE path=?", (db_value(path),)
        ).fetchone()
        return row[0] if row else None

    def set_image_hash(self, path: str, image_hash: str | None) -> None:
        """Record the image-data hash of a file catalogued without one (older catalogs)."""
        self.conn.execute(
            "UPDATE files SET image_hash=? WHERE path=?", (image_hash, db_value(path))
        )

    def changed_weeks(self) -> list[str]:
        """Weeks changed since their manifest was last written (oldest first)."""
        rows = self.conn.execute("SELECT week FROM changed_weeks ORDER BY week")
        return [from_db(r[0]) or "" for r in rows]

    def clear_changed_week(self, week: str) -> None:
        self.conn.execute("DELETE FROM changed_weeks WHERE week=?", (db_value(week),))

    def known_sizes(self) -> set[int]:
        """Sizes of archived files, now and as imported (a card's original of an edited file)."""
        rows = self.conn.execute(
            "SELECT size FROM files UNION SELECT import_size FROM files WHERE import_size > 0"
        )
        return {r[0] for r in rows}

    def file(self, path: str) -> FileRecord | None:
        row = self.conn.execute(
            f"SELECT {_FILE_COLUMNS} FROM files WHERE path=?", (db_value(path),)
        ).fetchone()
        return _record(row) if row else None

    def files(self, week: str | None = None) -> list[FileRecord]:
        if week is None:
            rows = self.conn.execute(f"SELECT {_FILE_COLUMNS} FROM files ORDER BY path")
        else:
            rows = self.conn.execute(
                f"SELECT {_FILE_COLUMNS} FROM files WHERE week=? ORDER BY path", (db_value(week),)
            )
        return [_record(r) for r in rows]

    def weeks(self) -> list[tuple[str, int]]:
        """(week folder, media count), newest first."""
        rows = self.conn.execute(
            "SELECT week, SUM(role='media') FROM files GROUP BY week ORDER BY week DESC"
        )
        return [(from_db(r[0]) or "", int(r[1] or 0)) for r in rows]

    def update_content(self, path: str, content_hash: str, size: int, mtime_ns: int) -> None:
        """Record a legitimate rewrite (metadata edit); the import identity stays."""
        self.conn.execute(
            "UPDATE files SET hash=?, size=?, mtime_ns=? WHERE path=?",
            (content_hash, size, mtime_ns, db_value(path)),
        )

    def replace_all(self, records: Iterable[FileRecord]) -> None:
        """Rebuild: the archive folders are the truth; keep identities we still know."""
        old = {
            from_db(r[0]): r[1] for r in self.conn.execute("SELECT path, import_hash FROM files")
        }
        rows = []
        for rec in records:
            values = list(_values(rec))
            if rec.path in old and not rec.import_hash:
                values[3] = old[rec.path]
            rows.append(tuple(values))
        with self.transaction() as conn:
            conn.execute("DELETE FROM files")
            conn.executemany(f"INSERT INTO files ({_FILE_COLUMNS}) VALUES ({_FILE_SLOTS})", rows)

    # --- sources -----------------------------------------------------------------------
    def seen_hashes(self, volume: str) -> dict[tuple[str, int, int], str]:
        """(path, size, mtime_ns) -> hash of this volume's files seen before, still archived."""
        rows = self.conn.execute(
            "SELECT s.path, s.size, s.mtime_ns, s.hash FROM source_seen s WHERE s.volume=? "
            "AND EXISTS (SELECT 1 FROM files f WHERE f.import_hash=s.hash OR f.hash=s.hash)",
            (db_value(volume),),
        )
        return {(from_db(r[0]) or "", r[1], r[2]): r[3] for r in rows}

    def mark_seen(self, entries: Iterable[tuple[str, str, int, int, str]]) -> None:
        """entries: (volume, path, size, mtime_ns, hash)."""
        with self.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO source_seen VALUES (?,?,?,?,?)",
                [(db_value(vol), db_value(path), *rest) for vol, path, *rest in entries],
            )

    # --- import runs -------------------------------------------------------------------
    def start_import(self, sources: str) -> int:
        cur = self.conn.execute(
            "INSERT INTO imports(started_at, sources) VALUES (?, ?)", (time.time(), sources)
        )
        return int(cur.lastrowid or 0)

    def finish_import(
        self, import_id: int, status: str, copied: int, already: int, skipped: int, problems: int
    ) -> None:
        self.conn.execute(
            "UPDATE imports SET finished_at=?, status=?, copied=?, already=?, skipped=?, "
            "problems=? WHERE id=?",
            (time.time(), status, copied, already, skipped, problems, import_id),
        )
