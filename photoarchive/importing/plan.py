"""Import planning: what on the cards is new, and which week folder each shot goes to.

Planning reads only file heads (dates) and hashes only files whose size collides with
something already known, so a re-scan of a known card costs a directory walk. Identity is by
content: a photo already archived is never copied again, whatever its name on the card.
"""

from __future__ import annotations

import errno
import logging
import os
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from photoarchive.archive import check_week_pattern, week_folder
from photoarchive.catalog import Catalog
from photoarchive.config import Settings
from photoarchive.hashing import hash_file
from photoarchive.importing.capture_time import (
    CaptureTime,
    DateFallback,
    looks_damaged,
    read_capture_time,
)
from photoarchive.importing.cards import ShotGroup, SourceFile, scan_source
from photoarchive.importing.reported import Entry, reported_before
from photoarchive.importing.volumes import VolumeIdentity, identify
from photoarchive.jobs import CancelToken, Problem, Progress, ProgressCallback, Severity
from photoarchive.media import Kind, catalog_role

log = logging.getLogger(__name__)


@dataclass
class PlannedFile:
    source: SourceFile
    volume: str
    hash: str | None = None  # known when hashed while planning
    archived_as: str | None = None  # archive path, when the content is archived and present

    @property
    def role(self) -> str:
        return catalog_role(self.source.kind)

    @property
    def content(self) -> bool:
        """Media or an 'other' camera file: known by its content, unlike a side file."""
        return self.role != "sidecar"


@dataclass
class PlannedGroup:
    group: ShotGroup
    capture: CaptureTime
    week: str
    files: list[PlannedFile]  # the files of this shot that are new


@dataclass
class ImportPlan:
    sources: list[Path]
    new: list[PlannedGroup] = field(default_factory=list)
    already: list[PlannedFile] = field(default_factory=list)
    duplicates: list[PlannedGroup] = field(default_factory=list)  # same content twice in a run
    skipped: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Files that can never be imported, reported for the first time by this plan (reported.py)
    unfixable: list[Entry] = field(default_factory=list)
    volumes: list[VolumeIdentity] = field(default_factory=list)  # the cards read, one each

    @property
    def new_files(self) -> int:
        return sum(len(g.files) for g in self.new)

    @property
    def new_bytes(self) -> int:
        return sum(f.source.size for g in self.new for f in g.files)

    @property
    def guessed(self) -> list[str]:
        return [str(g.group.dated[0].path) for g in self.new if g.capture.guess]

    @property
    def others(self) -> list[str]:
        """New files of unknown kind from camera folders: copied, and listed for the user."""
        return [str(f.source.path) for g in self.new for f in g.files if f.role == "other"]


def archived_copy(catalog: Catalog, archive: Path, content_hash: str) -> str | None:
    """Archive path of this content if the catalog knows it AND the file is still there."""
    for path, size in catalog.archived_copies(content_hash):
        try:
            if os.stat(archive / path).st_size == size:
                return path
        except OSError:
            continue
    return None


_PREFETCH_THREADS = 8
HEAD, TAIL = 64 * 1024, 4096  # what looks_damaged and the date readers read of a file


def prefetch_ends(files: list[SourceFile], cancel: CancelToken) -> None:
    """Read every file's head and tail into the page cache, several at a time: the checks and
    date readers then find them there. One at a time, a cold card answered 300 files' two
    ends in about a second, one seek after another; with reads queued, far less. The copy
    reads these pages from the cache, so the card is still read once."""

    def read_ends(f: SourceFile) -> None:
        if cancel.cancelled:
            return
        try:
            fd = os.open(f.path, os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            return  # the plan reports it when it reads the file itself
        try:
            os.pread(fd, HEAD, 0)
            if f.size > HEAD:
                os.pread(fd, TAIL, max(HEAD, f.size - TAIL))
        except OSError:
            pass
        finally:
            os.close(fd)

    if len(files) > 1:
        with ThreadPoolExecutor(_PREFETCH_THREADS, thread_name_prefix="prefetch") as pool:
            for _ in pool.map(read_ends, files):
                pass


def _group_capture(group: ShotGroup, fallback: DateFallback | None = None) -> CaptureTime:
    """The shot's date: photos and RAWs before videos, embedded dates before mtime."""
    media = sorted(group.dated, key=lambda f: f.kind is Kind.VIDEO)
    first: CaptureTime | None = None
    for f in media:
        try:
            ct = read_capture_time(f.path, f.mtime_ns, fallback)
        except OSError:
            continue
        if not ct.guess:
            return ct
        first = first or ct
    if first is None:
        raise OSError(errno.EIO, "cannot read any file of this shot")
    return first


def _report_unfixable(
    plan: ImportPlan,
    catalog: Catalog,
    pf: PlannedFile,
    damage: str,
    reported: dict[str, set[tuple[str, int, int]]],
) -> None:
    """An error the first time; a note once an import has reported it (the card cannot
    change, so it must not fail every import of that card forever)."""
    src = pf.source
    if pf.volume not in reported:
        reported[pf.volume] = reported_before(catalog.conn, pf.volume)
    if (src.rel, src.size, src.mtime_ns) in reported[pf.volume]:
        why = f"{damage}; nothing to copy (reported before: the card still holds it)"
        plan.problems.append(Problem(str(src.path), why, Severity.NOTE))
    else:
        plan.problems.append(Problem(str(src.path), f"{damage}; nothing to copy"))
        plan.unfixable.append((pf.volume, src.rel, src.size, src.mtime_ns, damage))


def plan_import(
    settings: Settings,
    sources: list[Path],
    catalog: Catalog,
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
    date_fallback: DateFallback | None = None,
) -> ImportPlan:
    """Decide what to copy; reads the cards, writes nothing. `date_fallback` reads the dates
    of files whose head holds none for the fast reader (the facade passes exiv2's)."""
    cancel = cancel or CancelToken()
    check_week_pattern(settings.week_pattern)
    plan = ImportPlan(sources=list(sources))
    scans = []
    for src in sources:
        if not Path(src).is_dir():
            plan.problems.append(Problem(str(src), "source folder not found or not a folder"))
            continue
        scan = scan_source(Path(src), cancel)
        plan.skipped += scan.skipped
        plan.problems += scan.problems
        scans.append(scan)
        if all(v.volume != scan.volume for v in plan.volumes):
            plan.volumes.append(identify(Path(src)))

    # Pass 1: what was seen before (no reads of the card), what needs looking at.
    candidates: list[tuple[ShotGroup, list[PlannedFile]]] = []
    for scan in scans:
        seen = catalog.seen_hashes(scan.volume)
        for group in scan.groups:
            fresh = []
            for f in group.files:
                known = seen.get((f.rel, f.size, f.mtime_ns))
                pf = PlannedFile(f, scan.volume, hash=known)
                if known:
                    pf.archived_as = archived_copy(catalog, settings.archive, known)
                if pf.archived_as:
                    plan.already.append(pf)
                else:  # new, or its archived copy has gone missing: copy it again
                    fresh.append(pf)
            if any(pf.content for pf in fresh):
                candidates.append((group, fresh))
            else:
                plan.already += [pf for pf in fresh]

    # Pass 2: hash only where the size says the content might already be known.
    prefetch_ends([pf.source for _, fresh in candidates for pf in fresh if pf.content], cancel)
    sizes = catalog.known_sizes()
    counts = Counter(pf.source.size for _, fresh in candidates for pf in fresh if pf.content)
    total = sum(len(fresh) for _, fresh in candidates)
    done = 0
    seen_in_run: set[str] = set()
    reported: dict[str, set[tuple[str, int, int]]] = {}
    for group, fresh in candidates:
        cancel.raise_if_cancelled()
        new_files: list[PlannedFile] = []
        dup_files: list[PlannedFile] = []
        for pf in fresh:
            done += 1
            if progress:
                progress(Progress("plan", done, total, current=str(pf.source.path)))
            src = pf.source
            if pf.role == "sidecar":
                new_files.append(pf)
                continue
            try:
                damage = looks_damaged(src.path, src.size)
                if damage and src.size == 0:
                    _report_unfixable(plan, catalog, pf, damage, reported)
                    continue
                if damage:
                    plan.problems.append(
                        Problem(str(src.path), f"{damage}; copied as it is", Severity.WARNING)
                    )
                if pf.hash is None and (src.size in sizes or counts[src.size] > 1):
                    pf.hash = hash_file(src.path)
            except OSError as exc:
                plan.problems.append(Problem(str(src.path), f"cannot read: {exc.strerror}"))
                continue
            if pf.hash:
                pf.archived_as = archived_copy(catalog, settings.archive, pf.hash)
                if pf.archived_as:
                    plan.already.append(pf)
                    continue
                if pf.hash in seen_in_run:
                    dup_files.append(pf)  # a fallback, copied only if the first copy fails
                    continue
                seen_in_run.add(pf.hash)
            new_files.append(pf)
        media_new = any(pf.content for pf in new_files)
        if not media_new and not dup_files:
            plan.already += new_files
            continue
        try:
            capture = _group_capture(group, date_fallback)
        except OSError as exc:
            plan.problems.append(Problem(str(group.dated[0].path), f"cannot read: {exc}"))
            continue
        week = week_folder(capture.local, settings.week_pattern)
        if media_new:
            plan.new.append(PlannedGroup(group, capture, week, new_files))
        else:
            dup_files += new_files  # side files travel with whichever copy is used
        if dup_files:
            plan.duplicates.append(PlannedGroup(group, capture, week, dup_files))
    plan.new.sort(key=lambda g: (g.capture.local, str(g.group.folder), g.group.key))
    return plan
