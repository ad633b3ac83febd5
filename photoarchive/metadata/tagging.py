"""Batch geotagging, titles and captions over a pool of worker processes.

Both cores work, a crash inside exiv2 costs one file (the chunk it broke is retried file by file
in a fresh pool), cancel stops between chunks, and files inside the archive get their new hash
recorded so `verify` sees a legitimate edit, not a changed file.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path

from photoarchive.archive import archive_lock, is_temp
from photoarchive.catalog import Catalog
from photoarchive.config import Settings
from photoarchive.importing.card_guard import ON_CARD, on_camera_card
from photoarchive.jobs import CancelToken, Problem, Progress, ProgressCallback, Severity
from photoarchive.journal import open_run
from photoarchive.manifest import write_changed
from photoarchive.media import MEDIA_KINDS, kind_of
from photoarchive.metadata.edit import TagEdit
from photoarchive.metadata.exiv2 import PhotoMetadata
from photoarchive.metadata.pool import default_workers, run_pool
from photoarchive.metadata.sidecars import (
    INPLACE_EXTS,
    is_supported,
    uses_sidecar,
)
from photoarchive.metadata.tag_catalog import (
    archive_rel,
    catalogued_hash,
    recover_intent,
    remove_stale_temps,
    replay_legacy_journals,
    update_catalog,
)
from photoarchive.metadata.workers import (
    Outcome,
    ReadOutcome,
    Task,
    read_chunk,
    run_chunk,
)

log = logging.getLogger(__name__)

# A chunk's files are all written before any is renamed, so fsyncs overlap the next file's
# work; chunks bound memory (a chunk's originals stay in memory until renamed).
CHUNK_FILES = 16
CHUNK_BYTES = 64 << 20
CRASHED = "the metadata library crashed on this file (damaged or hostile file?); left unchanged"


@dataclass(frozen=True)
class FileResult:
    path: Path
    changed: bool
    message: str | None = None


@dataclass
class BatchResult:
    results: list[FileResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    cancelled: bool = False

    @property
    def changed(self) -> int:
        return sum(r.changed for r in self.results)

    @property
    def ok(self) -> bool:
        return not any(p.severity is Severity.ERROR for p in self.problems) and not self.cancelled


def expand_paths(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Files named, and the photos/videos inside folders named (one level, as week folders)."""
    files: list[Path] = []
    problems: list[Problem] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = [
                p
                for p in sorted(path.iterdir())
                if p.is_file()
                and not p.name.startswith(".")
                and not is_temp(p.name)
                and (kind_of(p.name) in MEDIA_KINDS or p.suffix.lower() in INPLACE_EXTS)
            ]
            if not found:
                problems.append(Problem(str(path), "no photos in this folder", Severity.WARNING))
            candidates = found
        elif path.exists():
            candidates = [path]
        else:
            problems.append(Problem(str(path), "no such file or folder"))
            continue
        for p in candidates:
            key = p.resolve()
            if key not in seen:
                seen.add(key)
                files.append(p)
    return files, problems


def _written_after_all(batch: BatchResult, path: str) -> None:
    """A file already recorded as failed (its worker died alone, retried file by file) that the
    journal shows renamed into place: its result becomes written, its error goes."""
    for i, r in enumerate(batch.results):
        if str(r.path) == path and not r.changed:
            batch.results[i] = FileResult(r.path, True)
            batch.problems = [p for p in batch.problems if p.path != path]


def _chunks(tasks: list[Task], sizes: dict[str, int]) -> list[list[Task]]:
    chunks: list[list[Task]] = []
    current: list[Task] = []
    weight = 0
    for task in tasks:
        current.append(task)
        weight += sizes.get(task.path, 0)
        if len(current) >= CHUNK_FILES or weight >= CHUNK_BYTES:
            chunks.append(current)
            current, weight = [], 0
    if current:
        chunks.append(current)
    return chunks


def apply_tags(
    settings: Settings,
    paths: Sequence[Path],
    edit: TagEdit | Mapping[Path, TagEdit],
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
    *,
    workers: int | None = None,
) -> BatchResult:
    """Write the edit into each file (or its XMP sidecar); per-file results, never raises
    for one file's trouble. Raises ArchiveBusy if another job is writing to the archive."""
    cancel = cancel or CancelToken()
    report = progress or (lambda _p: None)
    batch = BatchResult()
    tasks: list[Task] = []
    sizes: dict[str, int] = {}
    rels: dict[str, str] = {}
    mounts: dict[Path, bool] = {}
    for path in paths:
        path = Path(path)
        one = edit.get(path) if isinstance(edit, Mapping) else edit
        if one is None or one.empty:
            batch.results.append(FileResult(path, False, "nothing to change"))
            continue
        if not is_supported(path):
            msg = f"unsupported file type {path.suffix or '(none)'}; left unchanged"
            batch.results.append(FileResult(path, False, msg))
            batch.problems.append(Problem(str(path), msg))
            continue
        if on_camera_card(path, mounts):
            msg = ON_CARD
            batch.results.append(FileResult(path, False, msg))
            batch.problems.append(Problem(str(path), msg))
            continue
        try:
            sizes[str(path)] = os.stat(path).st_size
        except OSError:
            sizes[str(path)] = 0
        rel = archive_rel(settings, path)
        if rel:
            rels[str(path)] = rel
        tasks.append(Task(str(path), one, uses_sidecar(path, settings.raw_sidecar), bool(rel)))
    total, bytes_total = len(tasks), sum(sizes.values())
    state = {"done": 0, "bytes": 0}
    with ExitStack() as stack:
        catalog: Catalog | None = None
        if rels:
            stack.enter_context(archive_lock(settings.lock_path))
            if settings.catalog_path.exists():
                catalog = stack.enter_context(Catalog(settings.catalog_path))
                replay_legacy_journals(catalog, settings)
        if catalog is not None:
            journal = stack.enter_context(open_run(settings.catalog_path, settings.archive))
            tasks = [
                replace(
                    t,
                    intent=str(journal / f"{i}.intent"),
                    expect_hash=catalogued_hash(catalog, settings, t),
                )
                if t.want_hash
                else t
                for i, t in enumerate(tasks)
            ]

        # Files a killed worker renamed before it could report (from the journal): their retry
        # finds them already edited, but this run wrote them.
        recovered: set[str] = set()

        def record(outcomes: list[Outcome]) -> None:
            for o in outcomes:
                path = Path(o.path)
                msg = "; ".join(o.notes) or None
                if o.path in recovered and not o.error:
                    o = replace(o, changed=True)
                state["done"] += 1
                state["bytes"] += o.bytes_in
                if o.error:
                    batch.problems.append(Problem(o.path, o.error))
                    batch.results.append(FileResult(path, False, o.error))
                    continue
                if o.notes:
                    batch.problems.append(Problem(o.path, msg or "", Severity.WARNING))
                batch.results.append(FileResult(path, o.changed, msg))
                if catalog is not None and o.changed and o.hash and o.written:
                    update_catalog(catalog, settings, o)

        def on_done(chunk: list[Task], outcomes: list[Outcome]) -> None:
            record(outcomes)
            report(
                Progress(
                    "tagging",
                    state["done"],
                    total,
                    state["bytes"],
                    bytes_total,
                    chunk[-1].path if chunk else "",
                )
            )

        def on_crash(task: Task, message: str = CRASHED) -> None:
            record([Outcome(task.path, error=message, bytes_in=sizes.get(task.path, 0))])

        def on_lost(chunk: list[Task]) -> None:
            """Renames a killed worker did but could not report: record them in the catalog;
            its temporaries go before the chunk is retried."""
            if catalog is not None:
                for task in chunk:
                    if recover_intent(catalog, settings, task):
                        recovered.add(task.path)
                        _written_after_all(batch, task.path)
            remove_stale_temps(chunk)

        remove_stale_temps(tasks)
        report(Progress("tagging", 0, total, 0, bytes_total))
        finished = run_pool(
            _chunks(tasks, sizes),
            run_chunk,
            on_done,
            on_crash,
            cancel,
            workers or default_workers(),
            on_crash,
            on_lost,
        )
        if catalog is not None:  # the edited weeks' manifests, still under the lock
            batch.problems += write_changed(settings, catalog).problems
    batch.cancelled = not finished
    return batch


@dataclass(frozen=True)
class ReadResult:
    path: Path
    metadata: PhotoMetadata | None
    error: str | None = None


def read_all(
    paths: Sequence[Path],
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
    *,
    workers: int | None = None,
) -> list[ReadResult]:
    """read_metadata for many files in worker processes (a hostile file cannot crash us)."""
    cancel = cancel or CancelToken()
    report = progress or (lambda _p: None)
    found: dict[str, ReadResult] = {}
    names = [str(p) for p in paths]
    chunks = [names[i : i + 16] for i in range(0, len(names), 16)]

    def on_done(chunk: list[str], outs: list[ReadOutcome]) -> None:
        for o in outs:
            found[o.path] = ReadResult(Path(o.path), o.metadata, o.error)
        report(Progress("reading", len(found), len(names), current=chunk[-1]))

    def on_crash(path: str, message: str = CRASHED) -> None:
        found[path] = ReadResult(Path(path), None, message)

    if chunks:
        run_pool(
            chunks, read_chunk, on_done, on_crash, cancel, workers or default_workers(), on_crash
        )
    return [found[n] for n in names if n in found]
