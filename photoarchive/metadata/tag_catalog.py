"""How a tagging batch keeps the catalog right: each file's catalogued hash, the intent journal
(a rename noted before it happens) and the new hashes recorded after, and stale temporaries.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from photoarchive.archive import is_temp
from photoarchive.catalog import Catalog, FileRecord
from photoarchive.config import Settings
from photoarchive.hashing import hash_file
from photoarchive.journal import read_intent
from photoarchive.metadata.sidecars import existing_sidecar
from photoarchive.metadata.workers import Outcome, Task
from photoarchive.names import show

log = logging.getLogger(__name__)


def archive_rel(settings: Settings, path: Path) -> str | None:
    try:
        rel = path.resolve().relative_to(settings.archive.resolve())
    except (ValueError, OSError):
        return None
    return rel.as_posix() if len(rel.parts) == 2 else None


def remove_stale_temps(tasks: list[Task]) -> None:
    """Temporaries a killed run left next to the files of this batch (and their sidecars)."""
    by_folder: dict[Path, set[str]] = {}
    for task in tasks:
        path = Path(task.path)
        names = by_folder.setdefault(path.parent, set())
        names.update({path.name, path.name + ".xmp", path.stem + ".xmp"})
    for folder, names in by_folder.items():
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if is_temp(entry.name) and entry.name[1:].rsplit(".", 2)[0] in names:
                try:
                    os.unlink(entry.path)
                    log.info("removed stale temporary %s", entry.path)
                except OSError as exc:
                    log.warning("cannot remove stale temporary %s: %s", entry.path, exc)


def catalogued_hash(catalog: Catalog, settings: Settings, task: Task) -> str | None:
    """The catalog's hash of the file the task rewrites (None: not catalogued)."""
    path = Path(task.path)
    target = existing_sidecar(path) if task.sidecar else path
    rel = archive_rel(settings, target) if target is not None else None
    rec = catalog.file(rel) if rel else None
    return rec.hash if rec is not None else None


def recover_intent(catalog: Catalog, settings: Settings, task: Task) -> bool:
    """Record a rename whose report was lost; True if this run did rewrite the file."""
    intent = read_intent(Path(task.intent)) if task.intent else None
    if intent is None:
        return False
    target = Path(intent.target)
    try:
        if hash_file(target) != intent.hash:
            return False  # killed before the rename: the file is as catalogued
        st = os.stat(target)
    except OSError:
        return False
    log.info("recording an edit whose report was lost: %s", show(target))
    update_catalog(
        catalog,
        settings,
        Outcome(
            task.path,
            changed=True,
            written=str(target),
            new_sidecar=intent.new_sidecar,
            hash=intent.hash,
            size=st.st_size,
            mtime_ns=st.st_mtime_ns,
        ),
    )
    return True


def update_catalog(catalog: Catalog, settings: Settings, o: Outcome) -> None:
    assert o.written and o.hash
    rel = archive_rel(settings, Path(o.written))
    if rel is None:
        return
    if catalog.file(rel) is not None:
        catalog.update_content(rel, o.hash, o.size, o.mtime_ns)
    elif o.new_sidecar:
        media = catalog.file(archive_rel(settings, Path(o.path)) or "")
        if media is not None:
            catalog.add_files(
                [
                    FileRecord(
                        path=rel,
                        week=media.week,
                        hash=o.hash,
                        size=o.size,
                        mtime_ns=o.mtime_ns,
                        role="sidecar",
                    )
                ]
            )


LEGACY_JOURNAL_PREFIX = "tag-journal-"


def replay_legacy_journals(catalog: Catalog, settings: Settings) -> int:
    """Journals older versions left in the cache dir when killed (no lock, no archive named):
    record the edits they hold for this archive; a folder goes once nothing in it is for
    another archive. Runs under the archive lock, so no batch of this archive is writing."""
    try:
        folders = [e.path for e in os.scandir(settings.cache_dir) if e.is_dir()]
    except OSError:
        return 0
    count = 0
    for folder in folders:
        if not os.path.basename(folder).startswith(LEGACY_JOURNAL_PREFIX):
            continue
        foreign = False
        for entry in os.scandir(folder):
            intent = read_intent(Path(entry.path))
            rel = archive_rel(settings, Path(intent.target)) if intent else None
            if intent is None or rel is None:
                foreign = foreign or intent is not None
                continue
            try:
                if catalog.file(rel) is None or hash_file(Path(intent.target)) != intent.hash:
                    continue  # not catalogued (a new sidecar: verify --rebuild), or not renamed
                st = os.stat(intent.target)
            except OSError:
                continue
            catalog.update_content(rel, intent.hash, st.st_size, st.st_mtime_ns)
            count += 1
        if not foreign:
            shutil.rmtree(folder, ignore_errors=True)
    return count
