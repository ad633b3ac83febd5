"""Copies that cannot lose data: temp name, hash while copying, fsync, read back, rename.

The calling thread reads the source once, hashing and writing as it goes; a small pool then
fsyncs, re-reads and hashes the copy, and links it into place, overlapping the next file's
copy. A final name only ever points at a complete, verified, durable file.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from photoarchive.archive import temp_name
from photoarchive.hashing import CHUNK, new_hasher
from photoarchive.jobs import Cancelled, CancelToken

log = logging.getLogger(__name__)


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


class VerifiedCopier:
    """Overlaps copying of file N+1 with fsync + verify + rename of file N."""

    def __init__(self, workers: int = 2, verify_from_disk: bool = False) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="verify")
        self._pending: list[Future[CopyResult]] = []
        self._max_pending = workers * 2
        self._cancel_done: list[CopyResult] = []
        self.verify_from_disk = verify_from_disk

    def copy(
        self, req: CopyRequest, buf: bytearray, cancel: CancelToken | None = None
    ) -> list[CopyResult]:
        """Copy one file (in this thread); returns results of earlier files that finished.

        Raises Cancelled (after removing its temp file) when cancelled mid-file.
        """
        done = self._collect(block=len(self._pending) >= self._max_pending)
        temp = req.dest.parent / temp_name(req.dest.name)
        try:
            src_fd = _open_source(req.src)
        except OSError as exc:
            return [
                *done,
                CopyResult(req, error=describe_os_error(exc, "cannot read from the card")),
            ]
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
        except (CopyError, Cancelled) as exc:
            if dst_fd >= 0:
                os.close(dst_fd)
                _unlink_quietly(temp)
            if isinstance(exc, Cancelled):
                self._cancel_done = done
                raise
            return [*done, CopyResult(req, error=str(exc))]
        finally:
            os.close(src_fd)
        fut = self._pool.submit(self._finish, req, temp, dst_fd, hasher.hexdigest())
        self._pending.append(fut)
        return done

    def _finish(self, req: CopyRequest, temp: Path, fd: int, src_hash: str) -> CopyResult:
        try:
            try:
                os.fsync(fd)
                if self.verify_from_disk:
                    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)
            check = new_hasher()
            if req.size:
                check.update_mmap(str(temp))
            if check.hexdigest() != src_hash:
                _unlink_quietly(temp)
                return CopyResult(req, error="the copy does not match the card (hash mismatch)")
            _place(temp, req.dest)
            return CopyResult(req, hash=src_hash)
        except FileExistsError:
            _unlink_quietly(temp)
            return CopyResult(req, error=f"{req.dest.name} appeared in the archive meanwhile")
        except OSError as exc:
            _unlink_quietly(temp)
            return CopyResult(req, error=describe_os_error(exc, "cannot finish the copy"))

    def _collect(self, block: bool) -> list[CopyResult]:
        if block and self._pending:
            self._pending[0].result()
        done = [f for f in self._pending if f.done()]
        self._pending = [f for f in self._pending if not f.done()]
        return [f.result() for f in done]

    def drain(self) -> list[CopyResult]:
        """Wait for every copy in flight (also on cancel: they finish or clean up)."""
        results = [*self._cancel_done, *(f.result() for f in self._pending)]
        self._pending = []
        self._cancel_done = []
        return results

    def close(self) -> None:
        self.drain()
        self._pool.shutdown(wait=True)


def new_buffer() -> bytearray:
    return bytearray(CHUNK)
