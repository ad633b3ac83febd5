"""Checking the archive against the catalog, and rebuilding the catalog from the folders."""

from __future__ import annotations

import json
import logging
import mmap
import os
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from photoarchive.archive import iter_archive_files
from photoarchive.catalog import Catalog, FileRecord
from photoarchive.config import Settings
from photoarchive.fileio import aligned_buffer, hash_fd, open_source
from photoarchive.hashing import hash_file
from photoarchive.imagedata import ImageDataHasher, image_data_hash, is_legacy
from photoarchive.importing.capture_time import DateFallback, read_capture_time
from photoarchive.jobs import CancelToken, Problem, Progress, ProgressCallback
from photoarchive.media import catalog_role, kind_of

log = logging.getLogger(__name__)


@dataclass
class VerifyReport:
    checked: int = 0
    ok: int = 0
    missing: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)  # image data changed: damaged?
    edited: list[str] = field(default_factory=list)  # metadata only, by another program
    unknown: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rebuilt: bool = False
    cancelled: bool = False

    @property
    def clean(self) -> bool:
        return not (self.missing or self.changed or self.edited or self.unknown or self.problems)

    def to_json(self) -> str:
        data = asdict(self)
        data["problems"] = [p.as_dict() for p in self.problems]
        return json.dumps(data)  # names.py: ASCII JSON keeps exact names


def verify_archive(
    settings: Settings,
    catalog: Catalog,
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
) -> VerifyReport:
    """Re-hash every catalogued file; report missing, changed and unknown files."""
    cancel = cancel or CancelToken()
    report = VerifyReport()
    records = catalog.files()
    on_disk = {f.rel: f for f in iter_archive_files(settings.archive)}
    total_bytes = sum(r.size for r in records)
    done_bytes = 0
    for i, rec in enumerate(records, 1):
        if cancel.cancelled:
            report.cancelled = True
            break
        if progress:
            progress(Progress("verify", i, len(records), done_bytes, total_bytes, rec.path))
        found = on_disk.pop(rec.path, None)
        if found is None:
            report.missing.append(rec.path)
            continue
        report.checked += 1
        try:
            content = hash_file(found.path)
        except OSError as exc:
            report.problems.append(Problem(rec.path, f"cannot read: {exc.strerror}"))
            continue
        done_bytes += rec.size
        if content == rec.hash:
            report.ok += 1
        elif rec.image_hash and same_image(found.path, rec):
            report.edited.append(rec.path)  # the picture is the same: a metadata edit
        else:
            report.changed.append(rec.path)
    if not report.cancelled:
        report.unknown = sorted(on_disk)
    return report


def rebuild_catalog(
    settings: Settings,
    catalog: Catalog,
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
    weeks: Callable[[str], bool] | None = None,
    known: Mapping[str, FileRecord] | None = None,
    date_fallback: DateFallback | None = None,
) -> VerifyReport:
    """Index the week folders from scratch. A file keeps its import identity and card origin
    from the old catalog or from `known` (the week manifests) when its content still matches,
    or when only its metadata changed (same image-data hash); a file whose image data changed
    is listed as changed and catalogued as new.

    weeks: which folders are weeks (default: every visible folder), for adopting a tree that
    holds other folders too. date_fallback: as for the import's plan, so dates agree."""
    cancel = cancel or CancelToken()
    report = VerifyReport(rebuilt=True)
    previous = {r.path: r for r in catalog.files()}
    files = [f for f in iter_archive_files(settings.archive) if weeks is None or weeks(f.week)]
    records: list[FileRecord] = []
    buf = aligned_buffer()
    for i, f in enumerate(files, 1):
        if cancel.cancelled:
            report.cancelled = True
            return report  # the old catalog stays as it was
        if progress:
            progress(Progress("rebuild", i, len(files), current=f.rel))
        role = catalog_role(kind_of(f.name))
        olds = [r for r in (previous.get(f.rel), (known or {}).get(f.rel)) if r is not None]
        # The image-data hash comes from the same read as the content hash where it will be
        # needed (adopting, a new file); a known file whose content still matches keeps its own.
        stream = role != "sidecar" and not any(r.image_hash for r in olds)
        try:
            st, content, streamed = _hash_once(f.path, buf, stream)
            capture = read_capture_time(f.path, st.st_mtime_ns, date_fallback)
        except OSError as exc:
            report.problems.append(Problem(f.rel, f"cannot read: {exc.strerror}"))
            continue
        old = next((r for r in olds if r.hash == content), None)
        image = old.image_hash if old else None
        if image is None and role != "sidecar":
            image = streamed if stream else image_data_hash(f.path)
        if old is None and image is not None:  # metadata edited since the record was made
            old = next((r for r in olds if r.image_hash == image), None) or next(
                (r for r in olds if is_legacy(r.image_hash) and same_image(f.path, r)), None
            )
        if old is None and olds and role != "sidecar":
            report.changed.append(f.rel)  # image data differs: damaged or edited elsewhere
        records.append(
            FileRecord(
                path=f.rel,
                week=f.week,
                hash=content,
                import_hash=old.import_hash if old else content,
                import_size=old.import_size if old else st.st_size,
                size=st.st_size,
                mtime_ns=st.st_mtime_ns,
                capture_time=capture.iso(),
                capture_guess=capture.guess,
                role=role,
                source_volume=old.source_volume if old else None,
                source_path=old.source_path if old else None,
                import_id=old.import_id if old else None,
                image_hash=image,
            )
        )
        report.checked += 1
        report.ok += 1
    catalog.replace_all(records)
    return report


def _hash_once(path: Path, buf: mmap.mmap, image: bool) -> tuple[os.stat_result, str, str | None]:
    """(stat, content hash, image-data hash if asked) from one read of the file."""
    fd = open_source(path)
    try:
        st = os.fstat(fd)
        hasher = ImageDataHasher(fd, st.st_size) if image else None
        content, _ = hash_fd(fd, buf, feed=hasher.feed if hasher else None)
        return st, content, hasher.result().hash if hasher else None
    finally:
        os.close(fd)


def same_image(path: Path, rec: FileRecord) -> bool:
    """The file's image data is the one rec recorded (in rec's hash algorithm)."""
    return image_data_hash(path, like=rec.image_hash) == rec.image_hash
