"""Adopting a collection the family already keeps.

Weekly folders named by a pattern (given, or guessed and confirmed) are taken in place: the
folder becomes the archive and is indexed without copying or changing a byte. Any other layout
is copied (or moved) into weekly folders by the importer itself, so it gets the import's
guarantees: verified copies, nothing overwritten, duplicates by content copied once. A move
deletes a source file only after its content is found, verified, in the archive.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from photoarchive.archive import (
    BadWeekPattern,
    archive_lock,
    check_week_pattern,
    monday_of,
    week_folder,
)
from photoarchive.catalog import Catalog
from photoarchive.config import Settings
from photoarchive.hashing import hash_file
from photoarchive.importing.importer import ImportSummary, run_import
from photoarchive.importing.plan import archived_copy, plan_import
from photoarchive.importing.verify import VerifyReport, rebuild_catalog
from photoarchive.jobs import CancelToken, Problem, Progress, ProgressCallback, Severity
from photoarchive.manifest import read_all as read_manifests

log = logging.getLogger(__name__)

# Week folder names seen in the wild, most likely first.
CANDIDATE_PATTERNS = (
    "%Y-%m-%d",
    "%G-W%V",
    "%Y%m%d",
    "%Y_%m_%d",
    "%Y.%m.%d",
    "%d.%m.%Y",
    "%GW%V",
    "%G_W%V",
    "%G-%V",
)


class Mode(StrEnum):
    IN_PLACE = "in-place"
    COPY = "copy"
    MOVE = "move"


class AdoptError(ValueError):
    """The folder cannot be adopted this way; the message says why and what to do."""


def week_of(name: str, pattern: str) -> str | None:
    """The Monday (ISO date) of the week this folder name stands for, or None if the pattern
    does not name it that way (the name must be exactly what the pattern gives its week)."""
    try:
        if "%G" in pattern or "%V" in pattern:
            day = datetime.strptime(f"{name}|1", f"{pattern}|%u")
        else:
            day = datetime.strptime(name, pattern)
    except ValueError:
        return None
    if week_folder(day, pattern) != name:
        return None  # e.g. a Tuesday's date: not this pattern's name for the week
    return monday_of(day.date()).isoformat()


@dataclass
class Survey:
    """What a folder holds at its top level, read before anything is decided."""

    root: Path
    folders: list[str] = field(default_factory=list)
    loose_files: list[str] = field(default_factory=list)
    pattern: str | None = None  # the best candidate, if any folder matched one
    weeks: list[str] = field(default_factory=list)  # folders the pattern names as weeks

    @property
    def others(self) -> list[str]:
        return [f for f in self.folders if f not in set(self.weeks)]

    @property
    def looks_weekly(self) -> bool:
        """Most folders are weeks: adopting in place is the natural choice."""
        return bool(self.weeks) and len(self.weeks) * 2 > len(self.folders)

    def describe(self) -> str:
        if not self.pattern:
            return f"{len(self.folders)} folders, none named like weeks"
        example = self.weeks[-1]
        return (
            f"{len(self.weeks)} of {len(self.folders)} folders are weeks named {self.pattern!r} "
            f"(e.g. {example})"
        )


def survey(root: Path, pattern: str | None = None) -> Survey:
    """List the top level and find (or check) the week folder pattern."""
    root = Path(root)
    if not root.is_dir():
        raise AdoptError(f"{root} is not a folder")
    result = Survey(root)
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            result.folders.append(entry.name)
        elif entry.is_file(follow_symlinks=False):
            result.loose_files.append(entry.name)
    candidates = [pattern] if pattern else list(CANDIDATE_PATTERNS)
    best: list[str] = []
    for cand in candidates:
        matched = [f for f in result.folders if week_of(f, cand)]
        if len(matched) > len(best) or (pattern and cand == pattern):
            best, result.pattern = matched, cand
    result.weeks = best
    if not best and not pattern:
        result.pattern = None
    return result


@dataclass
class AdoptReport:
    mode: Mode
    root: Path
    pattern: str
    indexed: VerifyReport | None = None  # in place
    imported: ImportSummary | None = None  # copy / move
    moved: list[str] = field(default_factory=list)  # source files removed after the copy
    kept: list[Problem] = field(default_factory=list)  # sources a move left, with the reason
    left_out: list[Problem] = field(default_factory=list)  # in place: not week folders
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (source, same as)
    settings: Settings | None = None  # in place: the archive is now `root`

    @property
    def problems(self) -> list[Problem]:
        out = list(self.left_out)
        if self.indexed:
            out += self.indexed.problems
        if self.imported:
            out += self.imported.all_problems
        return out + self.kept

    @property
    def cancelled(self) -> bool:
        return bool(
            (self.indexed and self.indexed.cancelled) or (self.imported and self.imported.cancelled)
        )


def adopt_in_place(
    settings: Settings,
    root: Path,
    pattern: str,
    catalog_for: Callable[[Settings], Catalog],
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
) -> tuple[Settings, AdoptReport]:
    """Make `root` the archive and index its week folders; nothing under `root` is written.

    Returns the settings to save (archive and week pattern) and what was indexed."""
    from dataclasses import replace

    try:
        check_week_pattern(pattern)
    except BadWeekPattern as exc:
        raise AdoptError(str(exc)) from None
    found = survey(root, pattern)
    if not found.weeks:
        raise AdoptError(
            f"no folder in {root} is a week named {pattern!r}; give the pattern the folders "
            "use (--pattern), or copy the photos into weekly folders (--copy)"
        )
    new = replace(settings, archive=Path(os.path.abspath(root)), week_pattern=pattern)
    report = AdoptReport(Mode.IN_PLACE, new.archive, pattern)
    for name in found.others:
        report.left_out.append(
            Problem(
                str(root / name),
                f"not a week folder named {pattern!r}: left as it is and not indexed "
                "(import it into the archive to have it indexed)",
                Severity.WARNING,
            )
        )
    for name in found.loose_files:
        report.left_out.append(
            Problem(str(root / name), "not inside a week folder: not indexed", Severity.WARNING)
        )
    weeks = set(found.weeks)
    for week in found.weeks:
        with os.scandir(root / week) as it:
            for entry in it:
                if entry.is_dir(follow_symlinks=False) and not entry.name.startswith("."):
                    report.left_out.append(
                        Problem(
                            entry.path,
                            "a folder inside a week folder: its photos are not indexed",
                            Severity.WARNING,
                        )
                    )
    # A tree a photoarchive kept before carries week manifests: they give back each file's
    # import identity and card. Read only: adopting writes nothing under `root`.
    known, manifest_problems = read_manifests(new.archive)
    with archive_lock(new.lock_path), catalog_for(new) as catalog:
        report.indexed = rebuild_catalog(
            new, catalog, cancel, progress, weeks=weeks.__contains__, known=known
        )
    report.indexed.problems[:0] = manifest_problems
    report.settings = new
    log.info("adopted %s in place: %d files", root, report.indexed.checked)
    return new, report


def _check_outside(settings: Settings, root: Path) -> None:
    src, archive = os.path.realpath(root), os.path.realpath(settings.archive)
    if src == archive or src.startswith(archive + os.sep) or archive.startswith(src + os.sep):
        raise AdoptError(
            f"{root} and the archive {settings.archive} overlap: copy or move from a folder "
            "outside the archive, or adopt it in place"
        )


def adopt_by_import(
    settings: Settings,
    root: Path,
    mode: Mode,
    catalog_for: Callable[[Settings], Catalog],
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
) -> AdoptReport:
    """Copy (or move) every photo under `root` into the archive's weekly folders."""
    root = Path(root)
    if not root.is_dir():
        raise AdoptError(f"{root} is not a folder")
    _check_outside(settings, root)
    cancel = cancel or CancelToken()
    report = AdoptReport(mode, root, settings.week_pattern)
    with catalog_for(settings) as catalog:
        plan = plan_import(settings, [root], catalog, cancel, progress)
        for group in plan.duplicates:
            for pf in group.files:
                if pf.role == "media":
                    first = next(
                        (
                            str(o.source.path)
                            for g in plan.new
                            for o in g.files
                            if o.hash == pf.hash and o.hash
                        ),
                        "another file of this folder",
                    )
                    report.duplicates.append((str(pf.source.path), first))
        report.imported = run_import(settings, plan, catalog, cancel, progress)
        if mode is Mode.MOVE and not report.imported.cancelled:
            _remove_archived_sources(settings, catalog, report, cancel, progress)
    return report


def _remove_archived_sources(
    settings: Settings,
    catalog: Catalog,
    report: AdoptReport,
    cancel: CancelToken,
    progress: ProgressCallback | None,
) -> None:
    """Delete each source whose content the archive holds, re-hashed now; keep the rest."""
    summary = report.imported
    assert summary is not None
    plan = summary.plan
    troubled = {p.path for p in summary.all_problems}
    files = [pf for g in plan.new + plan.duplicates for pf in g.files] + plan.already
    for i, pf in enumerate(files, 1):
        cancel.raise_if_cancelled()
        path = pf.source.path
        if progress:
            progress(Progress("move", i, len(files), current=str(path)))
        if str(path) in troubled:
            continue  # its problem is reported already; the file stays
        try:
            content = hash_file(path)
            if content != (pf.hash or content) or not archived_copy(
                catalog, settings.archive, content
            ):
                report.kept.append(
                    Problem(str(path), "kept: its content is not in the archive", Severity.WARNING)
                )
                continue
            os.unlink(path)
        except OSError as exc:
            report.kept.append(Problem(str(path), f"kept: cannot remove it: {exc.strerror}"))
            continue
        report.moved.append(str(path))
    _remove_empty_folders(report.root)


def _remove_empty_folders(root: Path) -> None:
    for dirpath, _dirs, _files in os.walk(root, topdown=False):
        if Path(dirpath) == root:
            continue
        with contextlib.suppress(OSError):
            os.rmdir(dirpath)  # only succeeds when empty
