"""Scrub: re-read archive files, oldest-verified first, within a budget; repair from the bucket.

A file whose BLAKE3 matches the catalog is ok. One whose whole hash changed but whose image
data did not had its metadata edited by another program (`--repair` accepts the edit: the
catalog and the manifest take the new hash). One whose image data changed is damaged. Repair
never overwrites the only good copy: the bucket object whose recorded hash is the catalog's is
downloaded to a temporary name, verified, the damaged file linked into the quarantine folder
(`.quarantine/` in the archive, never deleted) and the good copy renamed over it, so a kill
at any moment leaves the old file or the restored one under the final name.
`--remote` (remote.py) checks the bucket side.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

from photoarchive.archive import archive_lock, clean_stale_temps, fsync_dir, temp_name
from photoarchive.catalog import Catalog, FileRecord
from photoarchive.config import Settings
from photoarchive.durability import checks
from photoarchive.durability.findings import Finding, ScrubReport
from photoarchive.fileio import describe_os_error, unlink_quietly
from photoarchive.hashing import FileDigest, digest_files, hash_file
from photoarchive.jobs import CancelToken, Problem, Progress, ProgressCallback
from photoarchive.manifest import write_changed
from photoarchive.names import from_db

if TYPE_CHECKING:
    from photoarchive.cloud.state import SyncRecord

log = logging.getLogger(__name__)

QUARANTINE = ".quarantine"


def _order(catalog: Catalog) -> list[FileRecord]:
    """Every catalogued file, the one verified longest ago first (never-checked first)."""
    rows = catalog.conn.execute(
        "SELECT f.path FROM files f LEFT JOIN durability_checks c ON c.path = f.path "
        "LEFT JOIN imports i ON i.id = f.import_id "
        "ORDER BY COALESCE(c.local_at, i.finished_at, 0), f.path"
    )
    paths = [from_db(r[0]) or "" for r in rows]
    by_path = {r.path: r for r in catalog.files()}
    return [by_path[p] for p in paths if p in by_path]


def scrub(
    settings: Settings,
    budget_seconds: float | None = None,
    budget_bytes: int | None = None,
    *,
    remote: bool = False,
    repair: bool = False,
    sample: int = 3,
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
) -> ScrubReport:
    """Re-read archive files within the budget (at least one); with remote, check the bucket.
    Raises ArchiveBusy when another job is writing to the archive."""
    cancel = cancel or CancelToken()
    report = ScrubReport()
    start = time.monotonic()
    with archive_lock(settings.lock_path), Catalog(settings.catalog_path) as catalog:
        checks.ensure_schema(catalog.conn)
        clean_stale_temps(settings.archive)  # e.g. a download a killed repair left
        records = _order(catalog)
        total_bytes = sum(r.size for r in records)
        bucket = _Bucket(settings) if repair and settings.bucket else None
        results: list[tuple[str, str]] = []
        todo = _within_budget(records, start, budget_seconds, budget_bytes, cancel)
        reads = digest_files(todo, lambda rec: settings.archive / rec.path)
        done = 0
        with closing(reads):
            for rec, read in reads:  # hashed on threads, a few files ahead, in this order
                if cancel.cancelled:
                    report.cancelled = True
                    break
                if progress:
                    progress(
                        Progress("scrub", done, len(records), report.bytes, total_bytes, rec.path)
                    )
                state = _check_one(settings, catalog, rec, read, report, bucket, repair)
                done += 1
                if state:
                    results.append((rec.path, state))
                if len(results) >= 256:
                    checks.record_local(catalog.conn, results)
                    results = []
        report.remaining = len(records) - done
        checks.record_local(catalog.conn, results)
        if remote and settings.bucket and not report.cancelled:
            from photoarchive.durability.remote import check_remote

            check_remote(settings, catalog, report, repair=repair, sample=sample, cancel=cancel)
        report.problems += write_changed(settings, catalog).problems
    report.seconds = time.monotonic() - start
    return report


def _within_budget(
    records: list[FileRecord],
    start: float,
    budget_seconds: float | None,
    budget_bytes: int | None,
    cancel: CancelToken,
) -> Iterator[FileRecord]:
    """The files to re-read: the first always, then while the budget lasts (the bytes of the
    files handed out for reading, as catalogued) and nobody cancelled."""
    handed = 0
    for n, rec in enumerate(records):
        spent = time.monotonic() - start
        over = (budget_seconds is not None and spent >= budget_seconds) or (
            budget_bytes is not None and handed >= budget_bytes
        )
        if (n and over) or cancel.cancelled:
            return
        handed += rec.size
        yield rec


def _check_one(
    settings: Settings,
    catalog: Catalog,
    rec: FileRecord,
    read: FileDigest | OSError,
    report: ScrubReport,
    bucket: _Bucket | None,
    repair: bool,
) -> str | None:
    """What the file just re-read (or the error that stopped reading it) says about it."""
    path = settings.archive / rec.path
    if isinstance(read, FileNotFoundError):
        report.checked += 1
        return _repair(settings, catalog, rec, report, bucket, checks.MISSING, "not in the archive")
    if isinstance(read, OSError):
        report.problems.append(Problem(rec.path, describe_os_error(read, "cannot read")))
        return None
    report.checked += 1
    report.bytes += read.size
    content = read.hash
    if content == rec.hash:
        report.ok += 1
        return checks.LOCAL_OK
    # Here: only a file whose bytes changed needs its picture compared (~1 ms of imports).
    from photoarchive.imagedata import image_data_hash

    image = image_data_hash(path, like=rec.image_hash) if rec.role != "sidecar" else None
    if rec.image_hash and image == rec.image_hash:
        finding = Finding(rec.path, "edited", "metadata changed by another program; picture same")
        report.findings.append(finding)
        if not repair:
            finding.action = "would accept the edit (catalog and manifest updated) with --repair"
            return checks.EDITED
        catalog.update_content(rec.path, content, read.size, read.mtime_ns)
        finding.action = "accepted: the catalog and the week manifest have the new hash"
        return checks.LOCAL_OK
    detail = "image data changed: damaged, or edited by another program"
    if rec.role == "sidecar" or not rec.image_hash:
        detail = "content changed (no image-data hash to tell an edit from damage)"
    return _repair(settings, catalog, rec, report, bucket, checks.DAMAGED, detail)


class _Bucket:
    """The bucket side of a repair; loads google-cloud-storage only when a repair needs it."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._client: object | None = None
        self._records: dict[str, SyncRecord] | None = None  # what was uploaded, loaded once

    def download(self, rec: FileRecord, dest: Path) -> str:
        """Download the object recorded for this file with the catalog's hash; '' if none."""
        from photoarchive.cloud.client import make_client
        from photoarchive.cloud.state import load_records
        from photoarchive.cloud.target import parse_target

        target = parse_target(self.settings.bucket)
        if self._records is None:
            with Catalog(self.settings.catalog_path) as catalog:
                self._records = load_records(catalog.conn, target)
        record = self._records.get(rec.path)
        if record is None or record.hash != rec.hash:
            return ""
        if self._client is None:
            self._client = make_client(self.settings)
        blob = self._client.bucket(target.bucket).blob(record.object)  # type: ignore[attr-defined]
        fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
        with os.fdopen(fd, "wb") as fh:
            blob.download_to_file(fh, timeout=self.settings.network_timeout)
            fh.flush()
            os.fsync(fh.fileno())
        return record.object


def _repair(
    settings: Settings,
    catalog: Catalog,
    rec: FileRecord,
    report: ScrubReport,
    bucket: _Bucket | None,
    state: str,
    detail: str,
) -> str:
    finding = Finding(rec.path, state, detail)
    report.findings.append(finding)
    if bucket is None:
        finding.action = (
            "would restore it from the bucket with --repair"
            if settings.bucket
            else "no bucket configured: restore it from another copy"
        )
        return state
    final = settings.archive / rec.path
    temp = final.parent / temp_name(final.name)
    try:
        final.parent.mkdir(parents=True, exist_ok=True)
        name = bucket.download(rec, temp)
        if not name:
            finding.action = "cannot repair: the bucket holds no copy with the catalogued hash"
            unlink_quietly(temp)
            return state
        if hash_file(temp) != rec.hash:
            unlink_quietly(temp)
            finding.action = "cannot repair: the bucket's copy does not match the catalog either"
            return state
        if state == "damaged":
            _quarantine(settings, final, rec.path)
        os.replace(temp, final)  # the final name: the old file, then the restored one
        fsync_dir(final.parent)
    except Exception as exc:  # network, permissions, disk full: reported, never raised
        unlink_quietly(temp)
        msg = describe_os_error(exc, "repair failed") if isinstance(exc, OSError) else str(exc)
        report.problems.append(Problem(rec.path, f"repair failed: {msg}"))
        finding.action = "repair failed"
        return state
    st = os.stat(final)
    catalog.update_content(rec.path, rec.hash, st.st_size, st.st_mtime_ns)
    report.repaired += 1
    finding.action = f"restored from the bucket ({name})" + (
        "; the damaged file is in quarantine" if state == "damaged" else ""
    )
    return checks.LOCAL_OK


def _quarantine(settings: Settings, damaged: Path, rel: str) -> Path:
    """Keep the damaged file (a second name for it) before the good copy replaces it."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    dest = settings.archive / QUARANTINE / stamp / rel
    dest.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    while True:
        try:
            os.link(damaged, dest)
            break
        except FileExistsError:
            n += 1
            dest = dest.with_name(f"{Path(rel).name}.{n}")
    fsync_dir(dest.parent)
    return dest
