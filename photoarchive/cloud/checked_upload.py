"""One file's checked upload: read once, hashed, sent with its checksum, recorded only when
the server's checksum equals ours.

New objects are written with `if_generation_match=0`, replacements with the generation seen at
planning, so a concurrent writer is never silently overwritten; a 412 is looked into (an earlier
attempt may have stored the same bytes) rather than overwritten.
"""

from __future__ import annotations

import logging
import mimetypes
import mmap
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from google.api_core import exceptions as api_exceptions
from google.api_core.retry import Retry
from google.cloud import storage

from photoarchive.cloud.client import friendly
from photoarchive.cloud.deadlines import LinkWatch
from photoarchive.cloud.plan import SyncItem
from photoarchive.cloud.state import (
    RemoteObject,
    Sums,
    SyncRecord,
    remote_of,
    remote_of_item,
    sums_of_bytes,
    sums_of_file,
)
from photoarchive.cloud.target import Target
from photoarchive.cloud.upload import multipart_upload
from photoarchive.fileio import ALIGN, aligned_buffer, read_direct
from photoarchive.jobs import Problem

log = logging.getLogger(__name__)

STORAGE_CLASS = "NEARLINE"
MEMORY_LIMIT = 32 << 20  # files up to this size are read once into memory, then sent
CHUNK_SIZE = 16 << 20  # resumable upload chunk (a multiple of 256 KiB)


@dataclass(frozen=True)
class Outcome:
    item: SyncItem
    record: SyncRecord | None = None
    problem: Problem | None = None
    arrived_before: bool = False
    network: bool = False


_buffers = threading.local()


def _read(path: Path, size: int) -> memoryview:
    """The file's bytes in this thread's buffer (reused: a fresh multi-megabyte allocation
    per file costs more than the read), read past the page cache where possible."""
    buf: mmap.mmap | None = getattr(_buffers, "buf", None)
    need = size + 2 * ALIGN
    if buf is None or len(buf) < need:  # the old map goes when its last view does
        buf = _buffers.buf = aligned_buffer(max(need, 8 << 20))
    return read_direct(path, buf, size)


def _snapshot(item: SyncItem) -> tuple[memoryview | None, Sums] | Problem:
    """The bytes to send (files up to MEMORY_LIMIT, read once; what was hashed is what is
    sent) and their sums, refusing a file that moved underneath. A larger file is sent from
    disk with the sums planning took where it took them (reading it again would only repeat
    them): the server refuses bytes that do not match the CRC32C sent, and the record is
    kept only when its checksums equal these."""
    try:
        st = os.stat(item.path)
    except FileNotFoundError:
        return Problem(item.rel, "the file vanished before upload; nothing was recorded")
    if (st.st_size, st.st_mtime_ns) != (item.size, item.mtime_ns):
        return Problem(item.rel, "the file changed after planning; run sync again to send it")
    if item.size > MEMORY_LIMIT:  # sent from the file: its CRC32C goes along, checked twice
        return None, item.sums or sums_of_file(item.path, md5=False)  # the plan's, if it read it
    data = _read(item.path, item.size)
    st2 = os.stat(item.path)
    if (st2.st_size, st2.st_mtime_ns) != (item.size, item.mtime_ns) or len(data) != item.size:
        return Problem(item.rel, "the file changed while it was read; run sync again")
    return data, sums_of_bytes(data)


def _send(
    bucket: storage.Bucket, item: SyncItem, data: memoryview | None, sums: Sums, retry: Retry
) -> RemoteObject:
    """One upload, checksum sent along; what the server reports it stored."""
    ctype = mimetypes.guess_type(item.rel)[0] or "application/octet-stream"
    if data is not None:
        meta = {
            "name": item.object,
            "storageClass": STORAGE_CLASS,
            "crc32c": sums.crc32c,
            "contentType": ctype,
        }
        return remote_of_item(
            multipart_upload(bucket.client, bucket.name, meta, data, ctype, item.generation, retry)
        )
    blob = bucket.blob(item.object, chunk_size=CHUNK_SIZE)
    blob.storage_class = STORAGE_CLASS
    blob.crc32c = sums.crc32c  # real GCS rejects the upload if the bytes do not match
    with open(item.path, "rb") as fh:
        blob.upload_from_file(
            fh,
            content_type=ctype,
            size=item.size,
            if_generation_match=item.generation,
            checksum=None,
            retry=retry,
        )
    return remote_of(blob)


def upload_item(
    bucket: storage.Bucket,
    target: Target,
    item: SyncItem,
    retry: Retry,
    watch: LinkWatch | None = None,
) -> Outcome:
    """Send one file; the record is returned only when the server's checksum equals ours.

    CRC32C is the transfer check (what Google's own tools use; MD5 would cost the client more
    CPU than the upload); BLAKE3 is the content identity the catalog knows the file by. Not
    tried (an empty outcome) once the watch has given up on the server.
    """
    if watch is not None and watch.gave_up:
        return Outcome(item)
    try:
        snap = _snapshot(item)
    except OSError as exc:
        return Outcome(item, problem=Problem(item.rel, f"cannot read: {exc.strerror}"))
    if isinstance(snap, Problem):
        return Outcome(item, problem=snap)
    data, sums = snap
    if item.sums is not None and item.sums.blake3 != sums.blake3:
        return Outcome(item, problem=Problem(item.rel, "the file changed after planning"))
    try:
        got = _send(bucket, item, data, sums, retry)
    except api_exceptions.PreconditionFailed:
        return _after_conflict(bucket, target, item, sums, retry)
    except FileNotFoundError:
        return Outcome(item, problem=Problem(item.rel, "the file vanished during upload"))
    except Exception as exc:
        err = friendly(exc, "upload")
        return Outcome(item, problem=Problem(item.rel, str(err)), network=err.kind == "network")
    if watch is not None:
        watch.ok()
    if not sums.matches(got):
        return Outcome(item, problem=_mismatch(bucket, item, got, sums, retry))
    return Outcome(
        item, record=SyncRecord.of(target, item.rel, got, item.size, item.mtime_ns, sums.blake3)
    )


def _mismatch(
    bucket: storage.Bucket, item: SyncItem, got: RemoteObject, sums: Sums, retry: Retry
) -> Problem:
    """The server holds other bytes than we hashed (the file changed while it was sent, or
    the transfer was damaged): never recorded; a copy we just created is removed again."""
    what = f"the bucket's copy does not match the file (crc32c {got.crc32c} vs {sums.crc32c})"
    if item.generation == 0:
        try:
            bucket.blob(item.object).delete(if_generation_match=got.generation, retry=retry)
            again = "removed; the file will be sent again on the next sync"
            return Problem(item.rel, f"{what}; did it change during upload? The copy was {again}")
        except Exception as exc:
            log.warning("cannot remove mismatching copy of %s: %s", item.rel, exc)
    return Problem(item.rel, f"{what}; not recorded: sync again, then check the bucket copy")


def _after_conflict(
    bucket: storage.Bucket, target: Target, item: SyncItem, sums: Sums, retry: Retry
) -> Outcome:
    """412: an earlier attempt whose answer was lost may have stored it; otherwise, hands off."""
    try:
        blob = bucket.get_blob(item.object, retry=retry)
    except Exception as exc:
        return Outcome(item, problem=Problem(item.rel, str(friendly(exc, "upload"))))
    if blob is not None:
        got = remote_of(blob)
        if sums.matches(got):
            return Outcome(
                item,
                record=SyncRecord.of(target, item.rel, got, item.size, item.mtime_ns, sums.blake3),
                arrived_before=True,
            )
    return Outcome(
        item,
        problem=Problem(
            item.rel,
            "the object was changed in the bucket by someone else since planning; "
            "not overwritten (run sync again to see it)",
        ),
    )
