"""Import execution: copy a plan's new files into week folders, verified, then catalog them.

Order of durability: temp file -> fsync -> read-back check -> link into place -> fsync the
folder -> catalog row. A run killed anywhere leaves either no final name or a complete file
that the next run recognises (same name, same content) and adopts instead of copying again.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from photoarchive.archive import archive_lock, clean_stale_temps, fsync_dir
from photoarchive.catalog import Catalog, FileRecord
from photoarchive.config import Settings
from photoarchive.fileio import describe_os_error
from photoarchive.hashing import hash_file
from photoarchive.imagedata import image_data_hash
from photoarchive.importing.copier import CopyRequest, CopyResult, VerifiedCopier
from photoarchive.importing.plan import ImportPlan, PlannedFile, PlannedGroup, archived_copy
from photoarchive.importing.reported import remember
from photoarchive.importing.volumes import record_volumes
from photoarchive.jobs import (
    Cancelled,
    CancelToken,
    Problem,
    Progress,
    ProgressCallback,
    Severity,
)
from photoarchive.manifest import write_changed
from photoarchive.media import split_name

log = logging.getLogger(__name__)

FLUSH_EVERY = 64
MAX_SUFFIX = 999


@dataclass
class ImportSummary:
    plan: ImportPlan
    import_id: int | None = None
    duplicates_skipped: int = 0  # second copies not needed because the first arrived
    copied: list[str] = field(default_factory=list)  # archive-relative paths
    adopted: list[str] = field(default_factory=list)  # found complete from an interrupted run
    problems: list[Problem] = field(default_factory=list)
    bytes_copied: int = 0
    cancelled: bool = False
    dry_run: bool = False
    stale_temps_removed: int = 0

    @property
    def weeks(self) -> list[str]:
        return sorted({p.split("/", 1)[0] for p in self.copied + self.adopted})

    @property
    def all_problems(self) -> list[Problem]:
        return [*self.plan.problems, *self.problems]

    @property
    def ok(self) -> bool:
        """No problem but notes (reported before), not cancelled."""
        serious = [p for p in self.all_problems if p.severity is not Severity.NOTE]
        return not serious and not self.cancelled

    def to_json(self) -> str:
        plan = self.plan
        return json.dumps(
            {
                "sources": [str(s) for s in plan.sources],
                "dry_run": self.dry_run,
                "cancelled": self.cancelled,
                "import_id": self.import_id,
                "planned_new": plan.new_files,
                "planned_bytes": plan.new_bytes,
                "copied": self.copied,
                "adopted": self.adopted,
                "bytes_copied": self.bytes_copied,
                "already_archived": len(plan.already),
                "duplicates_in_run": sum(len(g.files) for g in plan.duplicates),
                "skipped": [p.as_dict() for p in plan.skipped],
                "problems": [p.as_dict(severity=True) for p in self.all_problems],
                "guessed_dates": plan.guessed,
                "other_files": plan.others,
                "weeks": self.weeks,
            },
        )


class _Run:
    def __init__(
        self,
        settings: Settings,
        plan: ImportPlan,
        catalog: Catalog,
        summary: ImportSummary,
        cancel: CancelToken,
        progress: ProgressCallback | None,
        verify_from_disk: bool,
    ) -> None:
        self.archive = settings.archive
        self.plan = plan
        self.catalog = catalog
        self.summary = summary
        self.cancel = cancel
        self.progress = progress
        self.copier = VerifiedCopier(verify_from_disk=verify_from_disk)
        self.reserved: dict[str, set[str]] = {}
        self.listed: dict[str, set[str]] = {}
        self.records: list[FileRecord] = []
        self.seen: list[tuple[str, str, int, int, str]] = []
        self.total_files = plan.new_files + sum(len(g.files) for g in plan.duplicates)
        self.total_bytes = plan.new_bytes  # once: summing it per progress report was quadratic
        self.files_done = 0  # written to a temp name, or failed, or adopted
        self.bytes_done = 0

    def execute(self) -> None:
        try:
            for group in self.plan.new:
                self.cancel.raise_if_cancelled()
                self._import_group(group)
            self._settle()
            for group in self.plan.duplicates:
                self.cancel.raise_if_cancelled()
                self._import_duplicates(group)
            self._report("")
        except Cancelled:
            self.summary.cancelled = True
        finally:
            self._settle()
            self.copier.close()
            for pf in self.plan.already:
                if pf.hash and pf.archived_as:
                    src = pf.source
                    self.seen.append((pf.volume, src.rel, src.size, src.mtime_ns, pf.hash))
            self._flush()

    def _settle(self) -> None:
        """Wait for every copy in flight and catalog what arrived."""
        for res in self._counted(self.copier.drain):
            self._on_result(res)
        self._flush()

    def _import_duplicates(self, group: PlannedGroup) -> None:
        """Second copies of content met earlier in this run: needed only if the first failed."""
        missing = [
            pf
            for pf in group.files
            if pf.content and not archived_copy(self.catalog, self.archive, pf.hash or "")
        ]
        for pf in group.files:
            if pf.content and pf not in missing:
                self.summary.duplicates_skipped += 1
                self.files_done += 1
                src = pf.source
                self.seen.append((pf.volume, src.rel, src.size, src.mtime_ns, pf.hash or ""))
        if missing:
            sidecars = [pf for pf in group.files if pf.role == "sidecar"]
            self._import_group(
                PlannedGroup(group.group, group.capture, group.week, missing + sidecars)
            )
        else:
            self.files_done += sum(pf.role == "sidecar" for pf in group.files)

    def _counted(self, step: Callable[[], list[CopyResult]]) -> list[CopyResult]:
        """Run a copier step, counting the files its workers finished meanwhile as done."""
        files, size = self.copier.taken_files, self.copier.taken_bytes
        try:
            return step()
        finally:
            self.files_done += self.copier.taken_files - files
            self.bytes_done += self.copier.taken_bytes - size

    def _report(self, current: str) -> None:
        if self.progress:
            self.progress(
                Progress(
                    "copy",
                    self.files_done,
                    self.total_files,
                    self.bytes_done,
                    self.total_bytes,
                    current,
                )
            )

    def _import_group(self, group: PlannedGroup) -> None:
        week_dir = self.archive / group.week
        try:
            if group.week not in self.listed and not week_dir.is_dir():
                week_dir.mkdir()
                fsync_dir(self.archive)  # the new folder's own entry must survive a power cut
        except OSError as exc:
            self._fail(
                group.files, describe_os_error(exc, f"cannot create week folder {group.week}")
            )
            return
        try:
            names = self._choose_names(group, week_dir)
        except OSError as exc:
            self._fail(group.files, f"cannot read: {exc.strerror}")
            return
        if names is None:
            self._fail(group.files, "no free file name in the week folder")
            return
        if any(adopt for _, adopt in names.values()):
            # Found complete from an interrupted run: its name must be durable before the
            # catalog says so (the copier does this for the files it places itself).
            try:
                fsync_dir(week_dir)
            except OSError as exc:
                reason = describe_os_error(exc, "cannot make the folder durable")
                self._fail(group.files, f"{reason}; re-checked next time")
                return
        for pf in group.files:
            name, adopt = names[id(pf)]
            self._report(str(pf.source.path))
            if adopt:
                self.files_done += 1
                self.bytes_done += pf.source.size
                image = image_data_hash(week_dir / name) if pf.role != "sidecar" else None
                self._record(group, pf, name, pf.hash or "", image, adopted=True)
                continue
            req = CopyRequest(
                pf.source.path,
                pf.source.size,
                pf.source.mtime_ns,
                week_dir / name,
                tag=(group, pf),
            )
            finished = self._counted(lambda req=req: self.copier.copy(req, self.cancel))
            for res in finished:
                self._on_result(res)

    def _choose_names(
        self, group: PlannedGroup, week_dir: Path
    ) -> dict[int, tuple[str, bool]] | None:
        """The first suffix under which every file of the shot is free or already there."""
        taken = self.reserved.setdefault(group.week, set())
        if group.week not in self.listed:
            # One listing per folder and run (the archive lock keeps other writers out); a stat
            # per name would queue behind the directory updates of the copies in flight.
            self.listed[group.week] = set(os.listdir(week_dir))
        present = self.listed[group.week]
        for n in range(MAX_SUFFIX + 1):
            chosen: dict[int, tuple[str, bool]] = {}
            for pf in group.files:
                stem, rest = split_name(pf.source.path.name)
                name = f"{stem}_{n}{rest}" if n else pf.source.path.name
                target = week_dir / name
                if name in taken:
                    break
                if name in present:
                    if not self._same_content(pf, target):
                        break
                    chosen[id(pf)] = (name, True)
                else:
                    chosen[id(pf)] = (name, False)
            else:
                taken.update(name for name, _ in chosen.values())
                return chosen
        return None

    @staticmethod
    def _same_content(pf: PlannedFile, target: Path) -> bool:
        try:
            if os.path.getsize(target) != pf.source.size:
                return False
        except OSError:
            return False
        if pf.hash is None:
            pf.hash = hash_file(pf.source.path)
        return hash_file(target) == pf.hash

    def _fail(self, files: list[PlannedFile], reason: str) -> None:
        for pf in files:
            self.summary.problems.append(Problem(str(pf.source.path), reason))
            self.files_done += 1

    def _on_result(self, res: CopyResult) -> None:
        group, pf = res.request.tag  # type: ignore[misc]
        if not res.ok:
            self.summary.problems.append(Problem(str(pf.source.path), res.error or "failed"))
            return
        self.summary.bytes_copied += pf.source.size
        image = res.image_hash if pf.role != "sidecar" else None
        self._record(group, pf, res.request.dest.name, res.hash or "", image, adopted=False)

    def _record(
        self,
        group: PlannedGroup,
        pf: PlannedFile,
        name: str,
        content: str,
        image_hash: str | None,
        *,
        adopted: bool,
    ) -> None:
        rel = f"{group.week}/{name}"
        (self.summary.adopted if adopted else self.summary.copied).append(rel)
        src = pf.source
        self.records.append(
            FileRecord(
                path=rel,
                week=group.week,
                hash=content,
                size=src.size,
                mtime_ns=src.mtime_ns,
                capture_time=group.capture.iso(),
                capture_guess=group.capture.guess,
                role=pf.role,
                source_volume=pf.volume,
                source_path=src.rel,
                import_id=self.summary.import_id,
                image_hash=image_hash,
            )
        )
        self.seen.append((pf.volume, src.rel, src.size, src.mtime_ns, content))
        if len(self.records) >= FLUSH_EVERY:
            self._flush()

    def _flush(self) -> None:
        """Catalog what is durable: every name recorded here was fsynced into its folder."""
        if self.records:
            self.catalog.add_files(self.records)
            self.records = []
        if self.seen:
            self.catalog.mark_seen(self.seen)
            self.seen = []


def run_import(
    settings: Settings,
    plan: ImportPlan,
    catalog: Catalog,
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
    *,
    dry_run: bool = False,
    verify_from_disk: bool = False,
) -> ImportSummary:
    """Carry out a plan; per-file problems are collected, never raised."""
    summary = ImportSummary(plan=plan, dry_run=dry_run)
    if dry_run:
        return summary
    try:
        settings.archive.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        reason = f"cannot create the archive folder: {exc.strerror}"
        summary.problems.append(Problem(str(settings.archive), reason))
        return summary
    with archive_lock(settings.lock_path):
        summary.stale_temps_removed = len(clean_stale_temps(settings.archive))
        summary.import_id = catalog.start_import(json.dumps([str(s) for s in plan.sources]))
        run = _Run(
            settings, plan, catalog, summary, cancel or CancelToken(), progress, verify_from_disk
        )
        run.execute()
        remember(catalog.conn, plan.unfixable)  # reported now: a note from now on
        record_volumes(catalog.conn, plan.volumes)  # cards in the safe: label, UUID, size
        summary.problems += write_changed(settings, catalog).problems  # week manifests
        catalog.finish_import(
            summary.import_id,
            "cancelled" if summary.cancelled else "done",
            len(summary.copied),
            len(plan.already),
            len(plan.skipped),
            len(summary.all_problems),
        )
    return summary
