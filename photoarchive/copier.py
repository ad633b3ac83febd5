"""Copies that cannot lose data: temp name, hash while copying, fsync, read back, rename.

The calling thread reads the source once, hashing and writing as it goes; a finisher thread
then makes a batch of copies durable, re-reads and hashes each, and links it into place while
the next batch is being copied. A final name only ever points at a complete, verified, durable
file.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import logging
import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from photoarchive.archive import fsync_dir, temp_name
from photoarchive.hashing import CHUNK, hash_file, new_hasher
from photoarchive.jobs import Cancelled, CancelToken

log = logging.getLogger(__name__)

try:
    _LIBC: ctypes.CDLL | None = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
except OSError:
    _LIBC = None
_SFR_WRITE = 2  # SYNC_FILE_RANGE_WRITE: start writeback, do not wait


class CopyError(Exception):
    """A file could not be copied; the message is for the user and nothing was left behind."""


@dataclass(frozen=True)
class CopyRequest:
    src: Path
    size: int
    mtime_ns: int
    dest: Path  # final path; must not exist (the caller reserves names)
    tag: object = None  # caller's bookkeeping, returned untouched


@dataclass(frozen=True)
class CopyResult:
    request: CopyRequest
    hash: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _open_source(path: Path) -> int:
    flags = os.O_RDONLY | getattr(os, "O_NOATIME", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        return os.open(path, flags)
    except PermissionError:
        # O_NOATIME is refused for files we do not own; plain read-only still never writes.
        return os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))


def describe_os_error(exc: OSError, where: str) -> str:
    if exc.errno == errno.ENOSPC:
        return f"{where}: the archive disk is full"
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return f"{where}: the archive folder is read-only or not writable"
    if exc.errno == errno.ENOENT:
        return f"{where}: the file vanished (card removed?)"
    if exc.errno == errno.EIO:
        return f"{where}: input/output error (card removed or damaged?)"
    return f"{where}: {exc.strerror or exc}"


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _write_all(fd: int, view: memoryview) -> None:
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _place(temp: Path, dest: Path) -> None:
    """Rename without ever replacing: link() fails if the name exists."""
    try:
        os.link(temp, dest)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        # Filesystems without hard links (exFAT, FAT): check, then rename.
        if os.path.lexists(dest):
            raise FileExistsError(errno.EEXIST, "exists", str(dest)) from exc
        os.rename(temp, dest)
        return
    os.unlink(temp)


def _start_writeback(fd: int) -> None:
    """Start writing this file to disk now (asynchronously), so the batch flush finds it done.

    Without this the whole batch is written back inside the flush, whose journal commit then
    holds up the next batch's writes.
    """
    if _LIBC is not None and hasattr(_LIBC, "sync_file_range"):
        _LIBC.sync_file_range(fd, ctypes.c_longlong(0), ctypes.c_longlong(0), _SFR_WRITE)


def _syncfs(path: Path) -> bool:
    """Flush the whole filesystem holding path in one call (Linux); False if unavailable."""
    if _LIBC is None or not hasattr(_LIBC, "syncfs"):
        return False
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        return _LIBC.syncfs(fd) == 0
    finally:
        os.close(fd)


def _fsync_path(path: Path, drop_cache: bool) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        if drop_cache:
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


@dataclass
class _Written:
    req: CopyRequest
    temp: Path
    hash: str


class VerifiedCopier:
    """Copies a batch of files to temp names, then makes the batch durable in one flush.

    A flush per file stalls the writes behind it (the journal and writeback throttle them); one
    flush per batch, run by a finisher thread while the next batch is being copied, keeps the
    disk streaming like `cp -r` + `sync` while every file still gets fsync-before-rename.
    """

    def __init__(
        self,
        verify_from_disk: bool = False,
        batch_bytes: int = 256 << 20,
        batch_files: int = 32,
    ) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="finish")
        self._in_flight: list[Future[list[CopyResult]]] = []
        self._batch: list[_Written] = []
        self._batch_size = 0
        self._batch_bytes = batch_bytes
        self._batch_files = batch_files
        self.verify_from_disk = verify_from_disk

    def copy(
        self, req: CopyRequest, buf: bytearray, cancel: CancelToken | None = None
    ) -> list[CopyResult]:
        """Copy one file to a temp name (in this thread); returns results that are final.

        Raises Cancelled (after removing its temp file) when cancelled mid-file.
        """
        try:
            written = self._write_temp(req, buf, cancel)
        except CopyError as exc:
            return [*self._collect(), CopyResult(req, error=str(exc))]
        done = self._collect()  # after the write: on Cancelled, drain() still has them
        self._batch.append(written)
        self._batch_size += req.size
        if self._batch_size >= self._batch_bytes or len(self._batch) >= self._batch_files:
            if self._in_flight:  # at most one batch flushing while the next fills
                done += self._in_flight.pop(0).result()
            self._submit()
        return done

    def _write_temp(self, req: CopyRequest, buf: bytearray, cancel: CancelToken | None) -> _Written:
        temp = req.dest.parent / temp_name(req.dest.name)
        try:
            src_fd = _open_source(req.src)
        except OSError as exc:
            raise CopyError(describe_os_error(exc, "cannot read from the card")) from exc
        dst_fd = -1
        try:
            st = os.fstat(src_fd)
            if st.st_size != req.size or st.st_mtime_ns != req.mtime_ns:
                raise CopyError("the file changed on the card since it was scanned")
            try:
                dst_fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o644)
            except OSError as exc:
                raise CopyError(describe_os_error(exc, "cannot write to the archive")) from exc
            hasher = new_hasher()
            view = memoryview(buf)
            total = 0
            while True:
                try:
                    n = os.readv(src_fd, [buf])
                except OSError as exc:
                    raise CopyError(describe_os_error(exc, "cannot read from the card")) from exc
                if n == 0:
                    break
                if cancel is not None and cancel.cancelled:
                    raise Cancelled()
                hasher.update(view[:n])
                try:
                    _write_all(dst_fd, view[:n])
                except OSError as exc:
                    raise CopyError(describe_os_error(exc, "cannot write to the archive")) from exc
                total += n
            if total != req.size:
                raise CopyError(
                    f"the card gave {total} of {req.size} bytes (card removed or file damaged?)"
                )
            os.utime(dst_fd, ns=(st.st_atime_ns, st.st_mtime_ns))
            _start_writeback(dst_fd)
            fd, dst_fd = dst_fd, -1
            os.close(fd)
        except BaseException:
            if dst_fd >= 0:
                os.close(dst_fd)
            _unlink_quietly(temp)
            raise
        finally:
            os.close(src_fd)
        return _Written(req, temp, hasher.hexdigest())

    def _submit(self) -> None:
        if self._batch:
            self._in_flight.append(self._pool.submit(self._finish_batch, self._batch))
        self._batch, self._batch_size = [], 0

    def _finish_batch(self, batch: list[_Written]) -> list[CopyResult]:
        """Flush, read back, verify and link every file of a batch; then fsync the folders."""
        flushed = not self.verify_from_disk and _syncfs(batch[0].temp.parent)
        results: list[CopyResult] = []
        folders: set[Path] = set()
        for w in batch:
            try:
                if not flushed:
                    _fsync_path(w.temp, self.verify_from_disk)
                if hash_file(w.temp) != w.hash:
                    _unlink_quietly(w.temp)
                    results.append(
                        CopyResult(w.req, error="the copy does not match the card (hash mismatch)")
                    )
                    continue
                _place(w.temp, w.req.dest)
                folders.add(w.req.dest.parent)
                results.append(CopyResult(w.req, hash=w.hash))
            except FileExistsError:
                _unlink_quietly(w.temp)
                msg = f"{w.req.dest.name} appeared in the archive meanwhile"
                results.append(CopyResult(w.req, error=msg))
            except OSError as exc:
                _unlink_quietly(w.temp)
                msg = describe_os_error(exc, "cannot finish the copy")
                results.append(CopyResult(w.req, error=msg))
        failed: dict[Path, str] = {}
        for folder in folders:
            try:
                fsync_dir(folder)
            except OSError as exc:
                failed[folder] = describe_os_error(exc, "cannot make the folder durable")
        if failed:
            # Complete files, but their names may not survive a power cut: not reported as done
            # (so not catalogued); the next import finds them and adopts them.
            results = [
                CopyResult(
                    r.request, error=f"{failed[r.request.dest.parent]}; re-checked next time"
                )
                if r.ok and r.request.dest.parent in failed
                else r
                for r in results
            ]
        return results

    def _collect(self) -> list[CopyResult]:
        done: list[CopyResult] = []
        while self._in_flight and self._in_flight[0].done():
            done += self._in_flight.pop(0).result()
        return done

    def drain(self) -> list[CopyResult]:
        """Finish everything written so far (also on cancel: those files are complete)."""
        self._submit()
        results: list[CopyResult] = []
        for fut in self._in_flight:
            results += fut.result()
        self._in_flight = []
        return results

    def close(self) -> None:
        self.drain()
        self._pool.shutdown(wait=True)


def new_buffer() -> bytearray:
    return bytearray(CHUNK)
