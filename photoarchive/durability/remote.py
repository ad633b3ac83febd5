"""Scrub's bucket side: the listing against what was uploaded, and a few downloads to compare.

Listing only (no download): every uploaded file's object must still have the size, CRC32C and
MD5 recorded at upload. Then a small random sample is downloaded and its bytes hashed (BLAKE3)
against the catalog. A missing or changed object is re-uploaded (with --repair) from the archive
file once that file has been re-read and matches the catalog, never from an unverified one, and
only over the generation seen in the listing (or if still absent), so nothing newer is lost.
"""

from __future__ import annotations

import logging
import random
from typing import TYPE_CHECKING

from photoarchive.catalog import Catalog
from photoarchive.config import Settings
from photoarchive.durability import checks
from photoarchive.durability.findings import Finding, ScrubReport
from photoarchive.hashing import new_hasher
from photoarchive.jobs import CancelToken, Problem

if TYPE_CHECKING:
    from photoarchive.cloud.state import RemoteObject, SyncRecord

log = logging.getLogger(__name__)


def check_remote(
    settings: Settings,
    catalog: Catalog,
    report: ScrubReport,
    *,
    repair: bool,
    sample: int,
    cancel: CancelToken,
) -> None:
    from photoarchive.cloud.client import GcsError, make_client
    from photoarchive.cloud.state import list_remote, load_records
    from photoarchive.cloud.target import parse_target

    target = parse_target(settings.bucket)
    client = make_client(settings)
    try:
        listing = list_remote(client, target)
    except GcsError as exc:
        report.problems.append(Problem(target.url, str(exc)))
        return
    records = load_records(catalog.conn, target)
    current = {r.path: r for r in catalog.files()}
    results: list[tuple[str, str]] = []
    good: list[SyncRecord] = []
    for rel, rec in sorted(records.items()):
        if cancel.cancelled:
            report.cancelled = True
            break
        file = current.get(rel)
        if file is None or file.hash != rec.hash:
            continue  # an older upload of a file changed since: the sync's business
        report.remote_checked += 1
        obj = listing.get(rec.object)
        state = _state(rec, obj)
        if state == checks.REMOTE_OK:
            good.append(rec)
            results.append((rel, state))
            continue
        detail = "object missing from the bucket" if obj is None else "object changed in the bucket"
        finding = Finding(rel, f"remote-{state}", detail)
        report.findings.append(finding)
        if not repair:
            finding.action = "would re-upload it from the verified archive file with --repair"
            results.append((rel, state))
            continue
        results.append((rel, _reupload(settings, client, target, catalog, rel, obj, finding)))
    for rec in random.sample(good, min(sample, len(good))):
        report.sampled += 1
        try:
            data = (
                client.bucket(target.bucket)
                .blob(rec.object)
                .download_as_bytes(timeout=settings.network_timeout)
            )
        except Exception as exc:
            report.problems.append(Problem(rec.path, f"cannot download the sample: {exc}"))
            continue
        h = new_hasher()
        h.update(data)
        if h.hexdigest() != rec.hash:
            report.findings.append(
                Finding(rec.path, "remote-changed", "downloaded bytes differ from the archive")
            )
            results.append((rec.path, checks.REMOTE_CHANGED))
    checks.record_remote(catalog.conn, results)


def _state(rec: SyncRecord, obj: RemoteObject | None) -> str:
    if obj is None:
        return checks.REMOTE_MISSING
    same = (obj.size, obj.crc32c) == (rec.size, rec.crc32c) and obj.generation == rec.generation
    if rec.md5 and obj.md5 and rec.md5 != obj.md5:
        same = False
    return checks.REMOTE_OK if same else checks.REMOTE_CHANGED


def _reupload(
    settings: Settings,
    client: object,
    target: object,
    catalog: Catalog,
    rel: str,
    obj: RemoteObject | None,
    finding: Finding,
) -> str:
    from photoarchive.cloud.state import SyncRecord, save_records, sums_of_file

    state = checks.REMOTE_MISSING if obj is None else checks.REMOTE_CHANGED
    rec = catalog.file(rel)
    path = settings.archive / rel
    try:
        sums = sums_of_file(path, md5=False)  # one read: the BLAKE3 check and the CRC32C
        if rec is None or sums.blake3 != rec.hash:
            finding.action = "cannot re-upload: the archive file does not match the catalog"
            return state
        blob = client.bucket(target.bucket).blob(target.object_name(rel))  # type: ignore[attr-defined]
        blob.storage_class = "NEARLINE"
        blob.upload_from_filename(
            str(path),
            if_generation_match=obj.generation if obj is not None else 0,
            checksum="crc32c",
            timeout=settings.network_timeout,
        )
        blob.reload(timeout=settings.network_timeout)
        if (blob.crc32c, int(blob.size or 0)) != (sums.crc32c, sums.size):
            finding.action = "re-upload failed: the bucket reports other checksums"
            return state
        st = path.stat()
        from photoarchive.cloud.state import remote_of

        save_records(
            catalog.conn,
            [SyncRecord.of(target, rel, remote_of(blob), st.st_size, st.st_mtime_ns, rec.hash)],  # type: ignore[arg-type]
        )
    except Exception as exc:
        finding.action = f"re-upload failed: {exc}"
        return state
    finding.action = "re-uploaded from the verified archive file"
    return checks.REMOTE_OK
