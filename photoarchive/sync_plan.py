"""Planning a sync: one paged listing of the bucket against the archive and what was uploaded.

What was uploaded lives in the catalog's `sync_objects` table (created here), keyed by target
and archive path, with the size and mtime the file had when read: a file whose size and mtime
still match, and whose object still has the recorded generation, is never read again.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import google_crc32c
from google.api_core import exceptions as api_exceptions
from google.api_core.retry import Retry
from google.cloud import storage

from photoarchive.archive import iter_archive_files
from photoarchive.gcs import GcsError, Target, friendly, retry_policy
from photoarchive.hashing import new_hasher
from photoarchive.jobs import CancelToken, Problem, Progress, ProgressCallback, Severity

log = logging.getLogger(__name__)

NEARLINE_MIN_DAYS = 30
_LIST_FIELDS = "items(name,size,md5Hash,crc32c,generation,timeCreated,storageClass),nextPageToken"
GUIDE_NAMES = ("README.html", "README.txt")
_READ_CHUNK = 4 << 20

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
"""


@dataclass(frozen=True)
class Sums:
    """Checksums of one file's bytes: the two GCS reports (base64) and our own content hash."""

    md5: str
    crc32c: str
    blake3: str
    size: int


@dataclass(frozen=True)
class SyncRecord:
    target: str
    path: str
    object: str
    generation: int
    md5: str
    crc32c: str
    size: int
    mtime_ns: int
    hash: str
    uploaded_at: float


@dataclass(frozen=True)
class RemoteObject:
    name: str
    size: int
    md5: str
    crc32c: str
    generation: int
    created: datetime | None = None
    storage_class: str = ""


@dataclass(frozen=True)
class SyncItem:
    """One file to upload: `generation` is the object's current one (0 when there is none)."""

    rel: str
    week: str
    path: Path
    size: int
    mtime_ns: int
    object: str
    reason: str  # "new", "missing" (recorded but gone from the bucket), "changed", "conflict"
    generation: int = 0
    remote_created: datetime | None = None
    sums: Sums | None = None  # known when planning had to read the file


@dataclass
class SyncPlan:
    target: Target
    new: list[SyncItem] = field(default_factory=list)
    changed: list[SyncItem] = field(default_factory=list)
    held_back: list[SyncItem] = field(default_factory=list)
    held_weeks: list[str] = field(default_factory=list)
    unknown_remote: list[RemoteObject] = field(default_factory=list)
    adopt: list[SyncRecord] = field(default_factory=list)  # already in the bucket, intact
    unchanged: int = 0
    local: list[LocalFile] = field(default_factory=list)  # the archive as scanned
    remote_objects: int = 0
    problems: list[Problem] = field(default_factory=list)
    hold_back_days: int = 0
    planned_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def bytes_new(self) -> int:
        return sum(i.size for i in self.new)

    @property
    def bytes_changed(self) -> int:
        return sum(i.size for i in self.changed)

    def early(self, items: Iterable[SyncItem | RemoteObject]) -> int:
        """How many of these objects are younger than Nearline's 30-day minimum."""
        limit = self.planned_at - timedelta(days=NEARLINE_MIN_DAYS)
        n = 0
        for it in items:
            created = it.remote_created if isinstance(it, SyncItem) else it.created
            if created is not None and created > limit:
                n += 1
        return n

    @property
    def nothing_to_do(self) -> bool:
        return not (self.new or self.changed or self.adopt)


def ensure_schema(conn: sqlite3.Connection) -> None:
    conn.executescript(_SCHEMA)


def load_records(conn: sqlite3.Connection, target: Target) -> dict[str, SyncRecord]:
    ensure_schema(conn)
    rows = conn.execute(
        "SELECT target, path, object, generation, md5, crc32c, size, mtime_ns, hash, uploaded_at "
        "FROM sync_objects WHERE target=?",
        (target.url,),
    )
    return {r[1]: SyncRecord(*r) for r in rows}


def save_records(conn: sqlite3.Connection, records: Iterable[SyncRecord]) -> None:
    rows = [
        (
            r.target,
            r.path,
            r.object,
            r.generation,
            r.md5,
            r.crc32c,
            r.size,
            r.mtime_ns,
            r.hash,
            r.uploaded_at,
        )
        for r in records
    ]
    if not rows:
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.executemany("INSERT OR REPLACE INTO sync_objects VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def forget_records(conn: sqlite3.Connection, target: Target, paths: Iterable[str]) -> None:
    conn.executemany(
        "DELETE FROM sync_objects WHERE target=? AND path=?", [(target.url, p) for p in paths]
    )


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


def sums_of_bytes(data: bytes | memoryview) -> Sums:
    h = new_hasher()
    h.update(data)
    return Sums(
        b64(hashlib.md5(data).digest()),
        b64(google_crc32c.Checksum(data).digest()),
        h.hexdigest(),
        len(data),
    )


def sums_of_file(path: Path) -> Sums:
    """One streaming pass computing all three checksums."""
    md5, crc, h, size = hashlib.md5(), google_crc32c.Checksum(), new_hasher(), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_READ_CHUNK):
            md5.update(chunk)
            crc.update(chunk)
            h.update(chunk)
            size += len(chunk)
    return Sums(b64(md5.digest()), b64(crc.digest()), h.hexdigest(), size)


@dataclass(frozen=True)
class LocalFile:
    rel: str
    week: str
    path: Path
    size: int
    mtime_ns: int


def scan_local(root: Path) -> Iterator[LocalFile | Problem]:
    for f in iter_archive_files(root):
        try:
            st = os.stat(f.path)
        except OSError as exc:
            yield Problem(f.rel, f"cannot read: {exc.strerror}")
            continue
        yield LocalFile(f.rel, f.week, f.path, st.st_size, st.st_mtime_ns)


def name_problem(name: str) -> str:
    """Why GCS cannot hold an object of this name ("" when it can)."""
    try:
        size = len(name.encode("utf-8"))
    except UnicodeEncodeError:
        return "the file name is not valid UTF-8, which object names must be; rename the file"
    if size > 1024:
        return "the name is longer than the 1024 bytes an object name may have"
    if "\r" in name or "\n" in name:
        return "the name contains a line break, which object names may not; rename the file"
    return ""


def _item(f: LocalFile, target: Target, reason: str, remote: RemoteObject | None) -> SyncItem:
    return SyncItem(
        f.rel,
        f.week,
        f.path,
        f.size,
        f.mtime_ns,
        target.object_name(f.rel),
        reason,
        remote.generation if remote else 0,
        remote.created if remote else None,
    )


def build_plan(
    target: Target,
    local: Iterable[LocalFile | Problem],
    remote: dict[str, RemoteObject],
    records: dict[str, SyncRecord],
    cancel: CancelToken,
    progress: ProgressCallback | None = None,
    hold_back_days: int = 0,
    now: float | None = None,
) -> SyncPlan:
    """Compare the archive with the listing and the records; read only files we cannot trust."""
    plan = SyncPlan(target, hold_back_days=hold_back_days)
    plan.remote_objects = len(remote)
    remote = dict(remote)
    for name in GUIDE_NAMES:  # ours, at the bucket root
        remote.pop(name, None)
    to_check: list[tuple[LocalFile, RemoteObject]] = []
    newest: dict[str, int] = {}
    for entry in local:
        if isinstance(entry, Problem):
            plan.problems.append(entry)
            continue
        cancel.raise_if_cancelled()
        f = entry
        bad_name = name_problem(target.object_name(f.rel))
        if bad_name:
            plan.problems.append(Problem(f.rel, bad_name))
            continue
        plan.local.append(f)
        newest[f.week] = max(newest.get(f.week, 0), f.mtime_ns)
        obj = remote.pop(target.object_name(f.rel), None)
        rec = records.get(f.rel)
        same_local = rec is not None and rec.size == f.size and rec.mtime_ns == f.mtime_ns
        if obj is None:
            plan.new.append(_item(f, target, "missing" if rec else "new", None))
        elif same_local and rec is not None and obj.generation == rec.generation:
            plan.unchanged += 1
        elif same_local and rec is not None and obj.md5 == rec.md5 and obj.size == rec.size:
            plan.adopt.append(_record(target, f, obj, rec.hash))
        elif same_local:
            plan.changed.append(_item(f, target, "conflict", obj))
        else:
            to_check.append((f, obj))
    _check_unknown(plan, target, to_check, cancel, progress)
    plan.unknown_remote = sorted(remote.values(), key=lambda o: o.name)
    _hold_back(plan, newest, hold_back_days, now if now is not None else time.time())
    return plan


def _record(target: Target, f: LocalFile, obj: RemoteObject, content_hash: str) -> SyncRecord:
    return SyncRecord(
        target.url,
        f.rel,
        obj.name,
        obj.generation,
        obj.md5,
        obj.crc32c,
        f.size,
        f.mtime_ns,
        content_hash,
        time.time(),
    )


def _check_unknown(
    plan: SyncPlan,
    target: Target,
    pending: list[tuple[LocalFile, RemoteObject]],
    cancel: CancelToken,
    progress: ProgressCallback | None,
) -> None:
    """Read files whose object exists but whose content we never confirmed (a lost record,
    an edit, or an upload interrupted before it was recorded)."""
    if not pending:
        return
    total = sum(f.size for f, _ in pending)
    done = 0

    def one(f: LocalFile) -> Sums | OSError:
        try:
            return sums_of_file(f.path)
        except OSError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=4) as pool:
        for i, ((f, obj), sums) in enumerate(
            zip(pending, pool.map(one, [f for f, _ in pending]), strict=True), 1
        ):
            cancel.raise_if_cancelled()
            done += f.size
            if progress:
                progress(Progress("compare", i, len(pending), done, total, f.rel))
            if isinstance(sums, OSError):
                plan.problems.append(Problem(f.rel, f"cannot read: {sums.strerror}"))
            elif sums.size != f.size:
                plan.problems.append(
                    Problem(f.rel, "changed while being compared; run sync again", Severity.WARNING)
                )
            elif sums.md5 == obj.md5 and sums.crc32c == obj.crc32c and obj.size == f.size:
                plan.adopt.append(_record(target, f, obj, sums.blake3))
            else:
                item = _item(f, target, "changed", obj)
                plan.changed.append(
                    SyncItem(**{**item.__dict__, "sums": sums})  # keep what we read
                )


def _hold_back(plan: SyncPlan, newest: dict[str, int], days: int, now: float) -> None:
    """Keep weeks edited in the last `days` days out of the bucket until they settle."""
    if days <= 0:
        return
    limit_ns = int((now - days * 86400) * 1e9)
    held = {week for week, mtime in newest.items() if mtime >= limit_ns}
    if not held:
        return
    plan.held_weeks = sorted(held)
    for attr in ("new", "changed"):
        keep = []
        for item in getattr(plan, attr):
            (plan.held_back if item.week in held else keep).append(item)
        setattr(plan, attr, keep)


def remote_of(blob: storage.Blob) -> RemoteObject:
    return RemoteObject(
        blob.name,
        int(blob.size or 0),
        blob.md5_hash or "",
        blob.crc32c or "",
        int(blob.generation or 0),
        blob.time_created,
        blob.storage_class or "",
    )


def _iso(text: str | None) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if text else None
    except ValueError:
        return None


def remote_of_item(item: dict[str, Any]) -> RemoteObject:
    """From the JSON API's object resource (skips building a Blob: 25,000 of them cost ~1 s)."""
    return RemoteObject(
        item["name"],
        int(item.get("size") or 0),
        item.get("md5Hash", ""),
        item.get("crc32c", ""),
        int(item.get("generation") or 0),
        _iso(item.get("timeCreated")),
        item.get("storageClass", ""),
    )


def list_remote(
    client: storage.Client, target: Target, retry: Retry | None = None
) -> dict[str, RemoteObject]:
    """The whole prefix, one paged listing, with only the fields planning needs."""
    try:
        pages = client.list_blobs(
            target.bucket,
            prefix=target.list_prefix,
            fields=_LIST_FIELDS,
            page_size=1000,
            retry=retry or retry_policy(),
        )
        pages.item_to_value = lambda _iterator, item: item  # raw resources, not Blobs
        out: dict[str, RemoteObject] = {}
        for item in pages:
            obj = remote_of_item(item)
            out[obj.name] = obj
        return out
    except api_exceptions.NotFound:
        raise GcsError(
            "not-found",
            f"the bucket {target.bucket} does not exist (create it with "
            f"`photoarchive bucket create gs://{target.bucket} --location LOC`)",
        ) from None
    except Exception as exc:
        raise friendly(exc, f"listing {target.url}") from None
