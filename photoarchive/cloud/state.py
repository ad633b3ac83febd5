"""What we know about each side: the `sync_objects` records, checksums, the bucket listing.

What was uploaded lives in the catalog's `sync_objects` table (created here), keyed by target
and archive path, with the size and mtime the file had when read: a file whose size and mtime
still match, and whose object still has the recorded generation, is never read again.
"""

from __future__ import annotations

import base64
import hashlib
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import crc32c
from google.api_core import exceptions as api_exceptions
from google.api_core.retry import Retry
from google.cloud import storage

from photoarchive.cloud.client import GcsError, friendly, retry_policy
from photoarchive.cloud.status import ensure_schema
from photoarchive.cloud.target import Target
from photoarchive.hashing import new_hasher
from photoarchive.names import db_value, from_db

_LIST_FIELDS = "items(name,size,md5Hash,crc32c,generation,timeCreated,storageClass),nextPageToken"
_READ_CHUNK = 4 << 20


@dataclass(frozen=True)
class Sums:
    """Checksums of one file's bytes: the two GCS reports (base64; md5 "" when not computed,
    as for uploads) and our own content hash."""

    md5: str
    crc32c: str
    blake3: str
    size: int

    def matches(self, obj: RemoteObject) -> bool:
        """The object holds these bytes: size and crc32c, and md5 where both sides have one
        (we skip it for uploads; GCS has none for composite objects)."""
        same = (self.crc32c, self.size) == (obj.crc32c, obj.size)
        return same and (not self.md5 or not obj.md5 or self.md5 == obj.md5)


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

    @classmethod
    def of(
        cls, target: Target, rel: str, obj: RemoteObject, size: int, mtime_ns: int, content: str
    ) -> SyncRecord:
        """What we now know is in the bucket for this file, as of this moment."""
        return cls(
            target.url,
            rel,
            obj.name,
            obj.generation,
            obj.md5,
            obj.crc32c,
            size,
            mtime_ns,
            content,
            time.time(),
        )


@dataclass(frozen=True)
class RemoteObject:
    name: str
    size: int
    md5: str
    crc32c: str
    generation: int
    created: datetime | None = None
    storage_class: str = ""


def load_records(conn: sqlite3.Connection, target: Target) -> dict[str, SyncRecord]:
    ensure_schema(conn)
    rows = conn.execute(
        "SELECT target, path, object, generation, md5, crc32c, size, mtime_ns, hash, uploaded_at "
        "FROM sync_objects WHERE target=?",
        (target.url,),
    )
    out = {}
    for r in rows:
        rel = from_db(r[1]) or ""
        out[rel] = SyncRecord(r[0], rel, *r[2:])
    return out


def save_records(conn: sqlite3.Connection, records: Iterable[SyncRecord]) -> None:
    rows = [
        (
            r.target,
            db_value(r.path),
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
    rows = [(target.url, db_value(p)) for p in paths]
    conn.executemany("DELETE FROM sync_objects WHERE target=? AND path=?", rows)


def b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


def _crc32c(crc: int) -> str:
    return b64(crc.to_bytes(4, "big"))


def sums_of_bytes(data: bytes | bytearray | memoryview) -> Sums:
    """For uploads: CRC32C is the transfer check (no MD5: it would triple the hashing)."""
    h = new_hasher(max_threads=1)  # callers run one per thread already
    h.update(data)
    return Sums("", _crc32c(crc32c.crc32c(data)), h.hexdigest(), len(data))


def sums_of_file(path: Path, md5: bool = True) -> Sums:
    """One streaming pass computing the checksums."""
    md5_h = hashlib.md5() if md5 else None
    crc, h, size = 0, new_hasher(max_threads=1), 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_READ_CHUNK):
            if md5_h is not None:
                md5_h.update(chunk)
            crc = crc32c.crc32c(chunk, crc)
            h.update(chunk)
            size += len(chunk)
    return Sums(b64(md5_h.digest()) if md5_h else "", _crc32c(crc), h.hexdigest(), size)


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
            f"the bucket {target.bucket} does not exist: create it first",
        ) from None
    except Exception as exc:
        raise friendly(exc, f"listing {target.url}") from None
