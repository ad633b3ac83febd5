"""What `flickr upload PATH|WEEK...` means: files, week folders or ranges of weeks, resolved to
the catalog's records (the import identity is what makes an upload happen only once)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from photoarchive.catalog import Catalog, FileRecord
from photoarchive.config import Settings
from photoarchive.jobs import Problem
from photoarchive.names import show


def _rel(settings: Settings, path: Path) -> str | None:
    root = os.path.realpath(settings.archive)
    real = os.path.realpath(path)
    if real != root and not real.startswith(root + os.sep):
        return None
    return os.path.relpath(real, root).replace(os.sep, "/")


def resolve_targets(
    settings: Settings, catalog: Catalog, targets: Sequence[str]
) -> tuple[list[FileRecord], list[Problem]]:
    """The catalog's media records for these targets, in week and path order, each once."""
    found: dict[str, FileRecord] = {}
    problems: list[Problem] = []
    weeks = [w for w, _ in catalog.weeks()]
    for target in targets:
        if ".." in target and not os.path.exists(target):
            first, _, last = target.partition("..")
            chosen = [w for w in weeks if first.strip() <= w <= last.strip()]
            if not chosen:
                problems.append(Problem(target, "no week in this range is in the archive"))
            for week in chosen:
                found.update((r.path, r) for r in catalog.files(week))
            continue
        path = Path(target)
        if not path.exists() and (settings.archive / target).exists():
            path = settings.archive / target
        rel = _rel(settings, path) if path.exists() else None
        if rel is None:
            why = "not in the archive" if path.exists() else "no such file, week or week range"
            problems.append(Problem(show(target), why))
            continue
        if path.is_dir():
            records = catalog.files(rel)
            if not records:
                problems.append(Problem(show(target), "no catalogued photos in this folder"))
            found.update((r.path, r) for r in records)
            continue
        record = catalog.file(rel)
        if record is None:
            problems.append(
                Problem(show(target), "not in the catalog (run photoarchive verify --rebuild)")
            )
        else:
            found[record.path] = record
    media = [r for r in found.values() if r.role == "media"]
    media.sort(key=lambda r: (r.week, r.capture_time or "", r.path))
    return media, problems
