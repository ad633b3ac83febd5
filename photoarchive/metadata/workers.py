"""The part of a tagging batch that runs inside a worker process.

pyexiv2 never releases the GIL and can crash on hostile files, so edits run in separate
processes. Each chunk of files is rewritten in two passes: first every new version goes to a
temporary file in its own folder (the original is memory-mapped, exiv2 sees only its headers and
the image data is copied by the kernel), and a small thread pool makes each temporary durable
and reads it back (BLAKE3 against what was meant), overlapping the next file's work; then each
checked temporary is renamed over its original and each folder fsynced once. A kill at any
moment leaves each file old or new.
"""

from __future__ import annotations

import contextlib
import errno
import mmap
import os
import signal
import sys
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from photoarchive.archive import fsync_dir, temp_name
from photoarchive.hashing import hash_file, new_hasher
from photoarchive.journal import Intent, read_intent, write_intent
from photoarchive.metadata.exiv2 import (
    EditSpec,
    MetadataError,
    PhotoMetadata,
    Rewrite,
    describe_os_error,
    existing_sidecar,
    rewrite_bytes,
    rewrite_sidecar,
    sidecar_path,
)
from photoarchive.metadata.owner_watch import stop_if_orphaned, watch_owner, working
from photoarchive.metadata.reading import read_metadata
from photoarchive.metadata.sidecars import WRITABLE_RAW_EXTS


@dataclass(frozen=True)
class Task:
    path: str
    spec: EditSpec
    sidecar: bool  # write name.xmp instead of the file
    want_hash: bool  # the file is in the archive: report its new hash for the catalog
    # Where to note a rename before it happens, so the parent can update the catalog even when
    # this worker is killed before it could report (a sibling's crash breaks the whole pool).
    intent: str | None = None
    # The catalog's hash of the file to rewrite: a rewrite must not bury earlier damage.
    expect_hash: str | None = None


DAMAGED = "changed since it was catalogued (damaged?): check the archive against the catalog"


@dataclass
class Outcome:
    path: str
    changed: bool = False
    error: str | None = None
    notes: list[str] = field(default_factory=list)
    written: str | None = None  # the file actually rewritten (the sidecar, for sidecars)
    new_sidecar: bool = False
    hash: str | None = None
    size: int = 0
    mtime_ns: int = 0
    bytes_in: int = 0


FSYNC_THREADS = 2
_FSYNC: ThreadPoolExecutor | None = None


def init_worker(owner: int = 0) -> None:
    """Keep stdout clean (exiv2 prints there), leave Ctrl-C to the parent's cancel, and stop
    when the owner (the process running the batch) is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError):
        os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    _fsync_pool()
    if owner:
        watch_owner(owner)


def _fsync_pool() -> ThreadPoolExecutor:
    global _FSYNC
    if _FSYNC is None:
        _FSYNC = ThreadPoolExecutor(max_workers=FSYNC_THREADS, thread_name_prefix="fsync")
    return _FSYNC


@dataclass
class _Pending:
    task: Task
    outcome: Outcome
    target: Path  # the file to replace (the original or its sidecar)
    tmp: Path
    stat: os.stat_result | None  # the target as read, to detect changes under our feet
    settled: Future[str]  # fsync + read-back, in a thread: the verified BLAKE3 digest


def _write_temp(target: Path, result: Rewrite, mode: int, source_fd: int | None = None) -> Path:
    """The new content in a temporary file next to target (not yet durable)."""
    tmp = target.with_name(temp_name(target.name))
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), mode)
    parts = result.parts or ()
    try:
        for i, part in enumerate(parts):
            view = memoryview(part)
            if i == len(parts) - 1 and source_fd is not None and result.tail_from is not None:
                # The untouched image data: copied inside the kernel when the filesystem can.
                view = view[_copy_range(source_fd, fd, result.tail_from, len(view)) :]
            while view:
                view = view[os.write(fd, view) :]
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    os.close(fd)
    return tmp


def _copy_range(src: int, dst: int, offset: int, count: int) -> int:
    """Bytes copied with copy_file_range (0 where unsupported: the caller writes the rest)."""
    done = 0
    copy = getattr(os, "copy_file_range", None)
    while copy is not None and done < count:
        try:
            n = copy(src, dst, count - done, offset + done)
        except OSError as exc:
            if exc.errno in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
                return done
            raise
        if n == 0:
            raise MetadataError("the file changed while it was being read")
        done += n
    return done


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _writable(path: Path, st: os.stat_result) -> bool:
    """Honour a read-only mode even for root, who could otherwise replace the file."""
    return bool(st.st_mode & 0o222) and os.access(path, os.W_OK)


def _map(fh: BinaryIO, size: int) -> mmap.mmap | bytes:
    if size == 0:
        return b""
    return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)


def _prepare(task: Task) -> _Pending | Outcome:
    """Pass one: new bytes to a temporary file; an Outcome when there is nothing to rename."""
    out = Outcome(task.path)
    path = Path(task.path)
    try:
        st = os.stat(path)
        out.bytes_in = st.st_size
        if not os.access(path, os.R_OK):
            raise MetadataError("permission denied: cannot read the file")
        if task.sidecar:
            existing = existing_sidecar(path)
            target = existing or sidecar_path(path)
            old = target.read_bytes() if existing else None
            tstat = os.stat(target) if existing else None
            if existing is not None:
                _check_catalogued(task, existing)
            result = rewrite_sidecar(old, task.spec)
            out.new_sidecar = existing is None
            mode = (tstat.st_mode & 0o7777) if tstat else 0o644
        else:
            if not _writable(path, st):
                raise MetadataError("the file is read-only; left unchanged")
            target, tstat = path, st
            _check_catalogued(task, path)
            with open(path, "rb") as fh:
                # Mapped, not read: exiv2 gets the headers, the image data is never copied
                # through Python (and stays mapped until its digest is checked).
                source = _map(fh, st.st_size)
                try:
                    result = rewrite_bytes(source, task.spec)
                except MetadataError as exc:
                    if path.suffix.lower() not in WRITABLE_RAW_EXTS:
                        raise
                    return _to_sidecar(task, str(exc))
                out.notes.extend(result.notes)
                if result.parts is None:
                    return out
                tmp = _write_temp(target, result, st.st_mode & 0o7777, fh.fileno())
            settled = _fsync_pool().submit(_settle, tmp, result.parts)
            return _Pending(task, out, target, tmp, tstat, settled)
        out.notes.extend(result.notes)
        if result.parts is None:
            return out
        if tstat is not None and not _writable(target, tstat):
            raise MetadataError(f"{target.name} is read-only; left unchanged")
        tmp = _write_temp(target, result, mode)
    except MetadataError as exc:
        out.error = str(exc)
        return out
    except OSError as exc:
        out.error = describe_os_error(exc)
        return out
    except Exception as exc:  # a hostile file must cost only itself, never the chunk
        out.error = unexpected(exc)
        return out
    settled = _fsync_pool().submit(_settle, tmp, result.parts)
    return _Pending(task, out, target, tmp, tstat, settled)


def _to_sidecar(task: Task, why: str) -> _Pending | Outcome:
    """A RAW that cannot be written safely in place gets the edit in its XMP sidecar."""
    done = _prepare(replace(task, sidecar=True, expect_hash=None))
    outcome = done.outcome if isinstance(done, _Pending) else done
    if not outcome.error:
        name = (existing_sidecar(Path(task.path)) or sidecar_path(Path(task.path))).name
        outcome.notes.insert(0, f"written to the sidecar {name} instead ({why})")
    return done


def _check_catalogued(task: Task, target: Path) -> None:
    """Refuse to rewrite a file whose content is not what the catalog holds (bit rot...)."""
    if task.expect_hash is None:
        return
    current = hash_file(target, max_threads=1)
    if current == task.expect_hash:
        return
    earlier = read_intent(Path(task.intent)) if task.intent else None
    if earlier is not None and earlier.hash == current:
        return  # this batch's own edit, made by a worker that was killed before reporting it
    raise MetadataError(DAMAGED)


def _digest(parts: tuple[bytes | memoryview, ...]) -> str:
    hasher = new_hasher(max_threads=1)
    for part in parts:
        hasher.update(part)
    return str(hasher.hexdigest())


def _settle(tmp: Path, parts: tuple[bytes | memoryview, ...]) -> str:
    """Make the temporary durable, then check it reads back as what we meant to write.

    Runs in a thread (fsync and BLAKE3 release the GIL), overlapping the next file's work.
    """
    _fsync_path(tmp)
    expected = _digest(parts)
    if hash_file(tmp, max_threads=1) != expected:
        raise MetadataError("read-back check failed: the temporary copy differs")
    return expected


def _commit(p: _Pending) -> None:
    """Pass two: durable, read back equal, original unchanged since read, then rename."""
    out = p.outcome
    try:
        expected = p.settled.result()
        if p.stat is not None:
            now = os.stat(p.target)
            if (now.st_size, now.st_mtime_ns) != (p.stat.st_size, p.stat.st_mtime_ns):
                raise MetadataError("the file changed while it was being edited; left as is")
        elif p.target.exists():
            raise MetadataError(f"{p.target.name} appeared while it was being written")
        if p.task.intent:
            intent = Intent(expected, p.stat is None, str(p.target), p.task.path)
            write_intent(Path(p.task.intent), intent)
        os.replace(p.tmp, p.target)
    except MetadataError as exc:
        out.error = str(exc)
    except OSError as exc:
        out.error = describe_os_error(exc)
    except Exception as exc:
        out.error = unexpected(exc)
    if out.error:
        with contextlib.suppress(OSError):
            os.unlink(p.tmp)
        return
    out.changed = True
    out.written = str(p.target)
    if p.task.want_hash:
        st = os.stat(p.target)
        out.hash = expected
        out.size, out.mtime_ns = st.st_size, st.st_mtime_ns


def _discard(items: list[_Pending | Outcome]) -> None:
    """Remove the temporaries of files not renamed (an aborted or abandoned chunk)."""
    for item in items:
        if isinstance(item, _Pending):
            with contextlib.suppress(Exception):
                item.settled.result()
            with contextlib.suppress(OSError):
                os.unlink(item.tmp)


def _fsync_dirs(folders: set[Path]) -> None:
    for folder in folders:
        with contextlib.suppress(OSError):
            fsync_dir(folder)


def run_chunk(tasks: list[Task]) -> list[Outcome]:
    """Edit a chunk of files; every file gets an Outcome, errors never escape. When the owner
    is gone the worker stops at the next file boundary, leaving no temporary behind."""
    with working():
        return _run_chunk(tasks)


def _run_chunk(tasks: list[Task]) -> list[Outcome]:
    prepared: list[_Pending | Outcome] = []
    try:
        for t in tasks:
            stop_if_orphaned(lambda: _discard(prepared))
            prepared.append(_prepare(t))
    except BaseException:
        _discard(prepared)  # no temporary outlives an aborted chunk
        raise
    folders: set[Path] = set()
    outcomes: list[Outcome] = []
    for i, item in enumerate(prepared):
        if isinstance(item, Outcome):
            outcomes.append(item)
            continue
        stop_if_orphaned(lambda i=i: (_discard(prepared[i:]), _fsync_dirs(folders)))
        _commit(item)
        if item.outcome.changed:
            folders.add(item.target.parent)
        outcomes.append(item.outcome)
    _fsync_dirs(folders)
    return outcomes


@dataclass
class ReadOutcome:
    path: str
    metadata: PhotoMetadata | None = None
    error: str | None = None


def read_chunk(paths: list[str]) -> list[ReadOutcome]:
    with working():
        return _read_chunk(paths)


def _read_chunk(paths: list[str]) -> list[ReadOutcome]:
    out = []
    for path in paths:
        stop_if_orphaned()
        try:
            out.append(ReadOutcome(path, read_metadata(Path(path))))
        except MetadataError as exc:
            out.append(ReadOutcome(path, error=str(exc)))
        except OSError as exc:
            out.append(ReadOutcome(path, error=describe_os_error(exc)))
        except Exception as exc:
            out.append(ReadOutcome(path, error=unexpected(exc)))
    return out


def unexpected(exc: BaseException) -> str:
    """A clear per-file message for an error no check anticipated (hostile values...)."""
    return f"cannot process this file (damaged or unusual metadata?): {type(exc).__name__}: {exc}"
