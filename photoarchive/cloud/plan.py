"""Planning a sync: the bucket's listing against the archive and what was uploaded.

Only files we cannot trust are read: no record, or size/mtime changed since the upload, while
the bucket holds an object of that name (a lost record, an edit, an interrupted run).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from photoarchive import names
from photoarchive.archive import iter_archive_files
from photoarchive.cloud.state import RemoteObject, Sums, SyncRecord, sums_of_file
from photoarchive.cloud.target import SITE_FOLDER, Target
from photoarchive.jobs import CancelToken, Problem, Progress, ProgressCallback, Severity

log = logging.getLogger(__name__)

NEARLINE_MIN_DAYS = 30
GUIDE_NAMES = ("README.html", "README.txt")


def drop_ours(target: Target, remote: dict[str, RemoteObject]) -> None:
    """Take the guide and the site's pages out of a listing: they are not archive files."""
    for name in GUIDE_NAMES:  # ours, at the bucket root
        remote.pop(name, None)
    site = target.object_name(SITE_FOLDER) + "/"
    for name in [n for n in remote if n.startswith(site)]:
        del remote[name]


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
    changed: list[SyncItem] = field(default_factory=list)  # not replaced unless asked
    edited: list[SyncItem] = field(default_factory=list)  # metadata only: replaced (cloud.edits)
    damaged: list[SyncItem] = field(default_factory=list)  # image data changed: never replaced
    held_back: list[SyncItem] = field(default_factory=list)
    held_weeks: list[str] = field(default_factory=list)
    unknown_remote: list[RemoteObject] = field(default_factory=list)
    adopt: list[SyncRecord] = field(default_factory=list)  # already in the bucket, intact
    unchanged: int = 0
    mapped: list[tuple[str, str]] = field(default_factory=list)  # (rel, object): names.py
    local: list[LocalFile] = field(default_factory=list)  # the archive as scanned
    problems: list[Problem] = field(default_factory=list)
    hold_back_days: int = 0
    # The family pages' objects (name -> md5, generation) as the planning listing saw them,
    # so publishing them lists nothing again; None where no listing was made.
    site_listing: dict[str, tuple[str, int]] | None = None
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

    def early_charge(self, price_gb_month: float) -> EarlyCharge:
        """The Nearline early-deletion charge of replacing the edited files' objects now."""
        return early_charge(self.edited, price_gb_month, self.planned_at)

    @property
    def nothing_to_do(self) -> bool:
        return not (self.new or self.changed or self.edited or self.adopt)


@dataclass(frozen=True)
class EarlyCharge:
    """Nearline bills 30 days at least: replacing or deleting a younger object bills the rest."""

    objects: int = 0
    dollars: float = 0.0

    def words(self) -> str:
        if not self.objects:
            return "no early-deletion charge"
        return (
            f"{self.objects} of them younger than {NEARLINE_MIN_DAYS} days: Nearline "
            f"early-deletion charge about ${self.dollars:.4f}"
        )


def early_charge(
    items: Iterable[SyncItem], price_gb_month: float, now: datetime | None = None
) -> EarlyCharge:
    """For each object younger than 30 days, its size at the configured price for the days
    it has left of Nearline's minimum."""
    now = now or datetime.now(UTC)
    n, dollars = 0, 0.0
    for item in items:
        if item.remote_created is None:
            continue
        age_days = (now - item.remote_created).total_seconds() / 86400
        if age_days < NEARLINE_MIN_DAYS:
            n += 1
            left = NEARLINE_MIN_DAYS - max(0.0, age_days)
            dollars += item.size / (1 << 30) * price_gb_month * left / NEARLINE_MIN_DAYS
    return EarlyCharge(n, dollars)


@dataclass(frozen=True)
class LocalFile:
    rel: str
    week: str
    path: Path
    size: int
    mtime_ns: int


def scan_local(root: Path) -> Iterator[LocalFile | Problem]:
    for f in iter_archive_files(root, manifests=True):  # a week travels with its manifest
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
    remote = dict(remote)
    site = target.object_name(SITE_FOLDER) + "/"
    plan.site_listing = {n: (o.md5, o.generation) for n, o in remote.items() if n.startswith(site)}
    drop_ours(target, remote)
    to_check: list[tuple[LocalFile, RemoteObject]] = []
    newest: dict[str, int] = {}
    objects: dict[str, str] = {}  # object name -> rel: a mapped name may not meet a real one
    for entry in local:
        if isinstance(entry, Problem):
            plan.problems.append(entry)
            continue
        cancel.raise_if_cancelled()
        f = entry
        object_name = target.object_name(f.rel)
        bad_name = name_problem(object_name)
        if not bad_name and objects.setdefault(object_name, f.rel) != f.rel:
            bad_name = f"its bucket name {object_name!r} is already used by another file"
        if bad_name:
            plan.problems.append(Problem(f.rel, bad_name))
            continue
        if names.is_mapped(f.rel):
            plan.mapped.append((f.rel, object_name))
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
            plan.adopt.append(SyncRecord.of(target, f.rel, obj, f.size, f.mtime_ns, rec.hash))
        elif same_local:
            plan.changed.append(_item(f, target, "conflict", obj))
        else:
            to_check.append((f, obj))
    _check_unknown(plan, target, to_check, cancel, progress)
    plan.unknown_remote = sorted(remote.values(), key=lambda o: o.name)
    _hold_back(plan, newest, hold_back_days, now if now is not None else time.time())
    return plan


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
            elif sums.matches(obj):
                plan.adopt.append(
                    SyncRecord.of(target, f.rel, obj, f.size, f.mtime_ns, sums.blake3)
                )
            else:
                item = _item(f, target, "changed", obj)
                plan.changed.append(
                    dataclasses.replace(item, sums=sums)  # keep what we read
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
