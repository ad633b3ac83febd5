"""Batch geotagging, titles and captions over a pool of worker processes.

Both cores work, a crash inside exiv2 costs one file (the chunk it broke is retried file by file
in a fresh pool), cancel stops between chunks, and files inside the archive get their new hash
recorded so `verify` sees a legitimate edit, not a changed file.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TypeVar

from photoarchive.archive import archive_lock, is_temp
from photoarchive.catalog import Catalog, FileRecord
from photoarchive.config import Settings
from photoarchive.hashing import hash_file
from photoarchive.importing.card_guard import ON_CARD, on_camera_card
from photoarchive.jobs import CancelToken, Problem, Progress, ProgressCallback, Severity
from photoarchive.media import MEDIA_KINDS, kind_of
from photoarchive.metadata.edit import TagEdit
from photoarchive.metadata.exiv2 import PhotoMetadata
from photoarchive.metadata.sidecars import (
    INPLACE_EXTS,
    existing_sidecar,
    is_supported,
    uses_sidecar,
)
from photoarchive.metadata.workers import (
    Outcome,
    ReadOutcome,
    Task,
    init_worker,
    read_chunk,
    read_intent,
    run_chunk,
    unexpected,
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


def default_workers() -> int:
    """One more process than cores: while one waits for its fsyncs, the cores stay busy."""
    return max(2, min((os.cpu_count() or 1) + 1, 5))


def _context() -> multiprocessing.context.BaseContext:
    # forkserver/spawn: never fork a process that may hold Qt or sqlite threads.
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["photoarchive.metadata.workers"])  # workers start already loaded
    return ctx


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


def _archive_rel(settings: Settings, path: Path) -> str | None:
    try:
        rel = path.resolve().relative_to(settings.archive.resolve())
    except (ValueError, OSError):
        return None
    return rel.as_posix() if len(rel.parts) == 2 else None


T = TypeVar("T")
R = TypeVar("R")


def _run_pool(
    chunks: list[list[T]],
    fn: Callable[[list[T]], list[R]],
    on_done: Callable[[list[T], list[R]], None],
    on_crash: Callable[[T], None],
    cancel: CancelToken,
    workers: int,
    on_error: Callable[[T, str], None] | None = None,
    on_lost: Callable[[list[T]], None] | None = None,
) -> bool:
    """Run fn over chunks in worker processes; returns False when cancelled."""
    todo = list(chunks)
    retry: list[list[T]] = []
    single = False  # retry mode: one file at a time, so a crash names its file
    while todo or retry:
        if not todo:
            todo, retry, single = [[item] for chunk in retry for item in chunk], [], True
        limit = 1 if single else 2 * workers
        pool = ProcessPoolExecutor(
            max_workers=1 if single else min(workers, len(todo)),
            mp_context=_context(),
            initializer=init_worker,
        )
        broken = False
        try:
            running: dict[Future[list[R]], list[T]] = {}
            while todo or running:
                while todo and len(running) < limit and not broken:
                    if cancel.cancelled:
                        todo.clear()
                        break
                    chunk = todo.pop(0)
                    running[pool.submit(fn, chunk)] = chunk
                if not running:
                    break
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                for fut in done:
                    chunk = running.pop(fut)
                    try:
                        results = fut.result()
                    except BrokenProcessPool:
                        broken = True
                        if on_lost is not None:
                            on_lost(chunk)  # its worker may have done part of it before dying
                        if single:
                            on_crash(chunk[0])
                        else:
                            retry.append(chunk)
                        continue
                    except Exception as exc:  # the chunk raised: retry it file by file
                        log.warning("a chunk failed (%s); retrying it file by file", exc)
                        if single:
                            (on_error or (lambda item, _m: on_crash(item)))(
                                chunk[0], unexpected(exc)
                            )
                        else:
                            retry.append(chunk)
                        continue
                    on_done(chunk, results)
                if broken and not running:
                    # Unstarted chunks go back on the list for the next, fresh pool.
                    break
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        if cancel.cancelled:
            return False
    return True


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
        rel = _archive_rel(settings, path)
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
        if catalog is not None:
            journal = Path(stack.enter_context(_journal_dir(settings)))
            tasks = [
                replace(
                    t,
                    intent=str(journal / f"{i}.intent"),
                    expect_hash=_catalogued_hash(catalog, settings, t),
                )
                if t.want_hash
                else t
                for i, t in enumerate(tasks)
            ]

        def record(outcomes: list[Outcome]) -> None:
            for o in outcomes:
                path = Path(o.path)
                msg = "; ".join(o.notes) or None
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
                    _update_catalog(catalog, settings, o)

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
            """Renames a killed worker did but could not report: record them in the catalog."""
            if catalog is not None:
                for task in chunk:
                    _recover_intent(catalog, settings, task)

        _remove_stale_temps(tasks)
        report(Progress("tagging", 0, total, 0, bytes_total))
        finished = _run_pool(
            _chunks(tasks, sizes),
            run_chunk,
            on_done,
            on_crash,
            cancel,
            workers or default_workers(),
            on_crash,
            on_lost,
        )
    batch.cancelled = not finished
    return batch


def _remove_stale_temps(tasks: list[Task]) -> None:
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


def _catalogued_hash(catalog: Catalog, settings: Settings, task: Task) -> str | None:
    """The catalog's hash of the file the task rewrites (None: not catalogued)."""
    path = Path(task.path)
    target = existing_sidecar(path) if task.sidecar else path
    rel = _archive_rel(settings, target) if target is not None else None
    rec = catalog.file(rel) if rel else None
    return rec.hash if rec is not None else None


@contextmanager
def _journal_dir(settings: Settings) -> Iterator[str]:
    settings.cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="tag-journal-", dir=settings.cache_dir) as path:
        yield path


def _recover_intent(catalog: Catalog, settings: Settings, task: Task) -> None:
    intent = read_intent(Path(task.intent)) if task.intent else None
    if intent is None:
        return
    target = Path(intent.target)
    try:
        if hash_file(target) != intent.hash:
            return  # killed before the rename: the file is as catalogued
        st = os.stat(target)
    except OSError:
        return
    log.info("recording an edit whose report was lost: %s", target)
    _update_catalog(
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


def _update_catalog(catalog: Catalog, settings: Settings, o: Outcome) -> None:
    assert o.written and o.hash
    rel = _archive_rel(settings, Path(o.written))
    if rel is None:
        return
    if catalog.file(rel) is not None:
        catalog.update_content(rel, o.hash, o.size, o.mtime_ns)
    elif o.new_sidecar:
        media = catalog.file(_archive_rel(settings, Path(o.path)) or "")
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
        _run_pool(
            chunks, read_chunk, on_done, on_crash, cancel, workers or default_workers(), on_crash
        )
    return [found[n] for n in names if n in found]
