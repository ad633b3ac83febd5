"""Copies that cannot lose data: temp name, hash, flush, read back, rename.

Two workers each take a file: the kernel copies it (copy_file_range, as `cp` does), then the
worker hashes the source from the page cache the copy just filled (BLAKE3 for the catalog, the
image-data hash and the xxh3 copy check from the same reads: the card is read once). With two
workers, one file is being copied while the other is hashed. Where the kernel cannot copy, the
worker reads into a buffer, hashes it and writes it (direct I/O where the filesystem allows).
A finisher thread then makes a batch of copies durable, reads each back and checks it, and
links it into place while the next batch is being copied. A final name only ever points at a
complete, verified, durable file.
"""

from __future__ import annotations

import logging
import mmap
import os
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from photoarchive.archive import fsync_dir, temp_name
from photoarchive.fileio import (
    NewFile,
    NoKernelCopy,
    aligned_buffer,
    describe_os_error,
    fill,
    fsync_path,
    hash_fd,
    hash_from_disk,
    kernel_copy,
    open_source,
    place,
    syncfs,
    unlink_quietly,
)
from photoarchive.hashing import check_file, new_check, new_hasher
from photoarchive.imagedata import ImageDataHasher
from photoarchive.jobs import Cancelled, CancelToken

log = logging.getLogger(__name__)

__all__ = ["CopyError", "CopyRequest", "CopyResult", "VerifiedCopier", "describe_os_error"]


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
    image_hash: str | None = None  # of the image data alone (imagedata.py)

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class _Written:
    req: CopyRequest
    temp: Path
    hash: str
    direct: bool  # written past the page cache: the read-back must bypass it too
    image_hash: str | None = None
    check: str = ""  # the source's copy check (hashing.new_check): the read-back must match


class VerifiedCopier:
    """Copies files to temp names on two workers, then makes each batch durable in one flush.

    Each worker copies a file in the kernel, then hashes the source from the page cache the
    copy filled (the card is read once); with two workers one file is being copied while the
    other is hashed, so the copy, which is all `cp` does, is never kept waiting on a hash.
    A flush per file stalls the writes behind it (the journal and writeback throttle them); one
    flush per batch, run by a finisher thread while the next batch is being copied, keeps the
    disk streaming while every file still gets flushed before its rename.
    verify_from_disk: read each copy back from the disk, not from the page cache (a second
    pass over the disk: slower, stricter). Direct writes are always read back from the disk.
    """

    def __init__(
        self,
        verify_from_disk: bool = False,
        batch_bytes: int = 256 << 20,
        batch_files: int = 32,
        direct: bool = True,
        kernel_copy: bool = True,
        workers: int = 2,
    ) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="finish")
        self._workers = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="copy")
        self._depth = workers  # files handed to the workers and not yet collected
        self._pending: deque[tuple[CopyRequest, Future[_Written]]] = deque()
        self._in_flight: list[Future[list[CopyResult]]] = []
        self._batch: list[_Written] = []
        self._batch_size = 0
        self._batch_bytes = batch_bytes
        self._batch_files = batch_files
        self._local = threading.local()  # one buffer per worker
        self._check_buf = aligned_buffer()  # read-back, in the finisher thread
        self.direct = direct
        self.kernel_copy = kernel_copy
        self.verify_from_disk = verify_from_disk
        # Files the workers are done with (written to a temp name, or failed): for progress.
        self.taken_files = 0
        self.taken_bytes = 0

    def copy(self, req: CopyRequest, cancel: CancelToken | None = None) -> list[CopyResult]:
        """Hand one file to a worker; returns the results that became final meanwhile.

        Raises Cancelled when cancelled mid-file (the worker removed its temp file); drain()
        then finishes the files written completely.
        """
        self._pending.append((req, self._workers.submit(self._write_temp, req, cancel)))
        done: list[CopyResult] = []
        while len(self._pending) > self._depth:
            done += self._take_oldest()
        return done + self._collect()

    def _take_oldest(self) -> list[CopyResult]:
        req, fut = self._pending.popleft()
        try:
            written = fut.result()
        except CopyError as exc:
            self._taken(req)
            return [CopyResult(req, error=str(exc))]
        self._taken(req)
        self._batch.append(written)
        self._batch_size += req.size
        done: list[CopyResult] = []
        if self._batch_size >= self._batch_bytes or len(self._batch) >= self._batch_files:
            if self._in_flight:  # at most one batch flushing while the next fills
                done += self._in_flight.pop(0).result()
            self._submit()
        return done

    def _taken(self, req: CopyRequest) -> None:
        self.taken_files += 1
        self.taken_bytes += req.size

    def _buffer(self) -> mmap.mmap:
        buf = getattr(self._local, "buf", None)
        if buf is None:
            buf = self._local.buf = aligned_buffer()
        return buf

    def _write_temp(self, req: CopyRequest, cancel: CancelToken | None) -> _Written:
        """On a worker: copy to a temp name and hash the source; raises CopyError or Cancelled
        with nothing left behind."""
        temp = req.dest.parent / temp_name(req.dest.name)
        try:
            src_fd = open_source(req.src)
        except OSError as exc:
            raise CopyError(describe_os_error(exc, "cannot read from the card")) from exc
        out: NewFile | None = None
        try:
            st = os.fstat(src_fd)
            if st.st_size != req.size or st.st_mtime_ns != req.mtime_ns:
                raise CopyError("the file changed on the card since it was scanned")
            out = self._create(temp, direct=self.direct and not self.kernel_copy)
            image = ImageDataHasher(src_fd, req.size, req.src.name)
            sums: tuple[str, str] | None = None
            if self.kernel_copy:
                sums = self._copy_in_kernel(src_fd, out, req, cancel, image)
            if sums is None:
                if self.kernel_copy:  # refused before a byte was copied: copy by hand
                    self.kernel_copy = False
                    out.set_direct(self.direct)
                image = ImageDataHasher(src_fd, req.size, req.src.name)
                sums = self._copy_through_buffer(src_fd, out, cancel, image)
                self.direct = out.direct  # a filesystem that refused once will refuse again
            if out.size != req.size:
                raise CopyError(
                    f"the card gave {out.size} of {req.size} bytes (card removed or file damaged?)"
                )
            try:
                out.finish(st.st_atime_ns, st.st_mtime_ns)
            except OSError as exc:
                raise CopyError(describe_os_error(exc, "cannot write to the archive")) from exc
            out.close()
        except BaseException:
            if out is not None:
                out.close()
                unlink_quietly(temp)
            raise
        finally:
            os.close(src_fd)
        return _Written(req, temp, sums[0], out.direct, image.result().hash, sums[1])

    @staticmethod
    def _create(temp: Path, direct: bool) -> NewFile:
        try:
            return NewFile(temp, direct)
        except OSError as exc:
            raise CopyError(describe_os_error(exc, "cannot write to the archive")) from exc

    def _copy_in_kernel(
        self,
        src_fd: int,
        out: NewFile,
        req: CopyRequest,
        cancel: CancelToken | None,
        image: ImageDataHasher,
    ) -> tuple[str, str] | None:
        """Copy in the kernel, then hash the source from the page cache the copy filled (the
        image data from the same reads); None if the kernel cannot copy these files."""
        try:
            copied = kernel_copy(src_fd, out.fd, req.size, cancel)
        except NoKernelCopy:
            return None
        except OSError as exc:
            raise CopyError(describe_os_error(exc, "cannot copy to the archive")) from exc
        check = new_check()

        def feed(offset: int, buf: mmap.mmap, n: int) -> None:
            check.update(memoryview(buf)[:n])
            image.feed(offset, buf, n)

        try:
            # One core each: the other worker is copying on the other core.
            digest, read = hash_fd(src_fd, self._buffer(), feed, max_threads=1)
        except OSError as exc:
            raise CopyError(describe_os_error(exc, "cannot read from the card")) from exc
        if copied != read:
            raise CopyError("the file changed on the card while it was copied")
        out.size = copied
        return digest, str(check.hexdigest())

    def _copy_through_buffer(
        self, src_fd: int, out: NewFile, cancel: CancelToken | None, image: ImageDataHasher
    ) -> tuple[str, str]:
        """Read into this worker's buffer, hash it, write it (direct I/O where allowed)."""
        hasher, check = new_hasher(1), new_check()
        buf = self._buffer()
        view = memoryview(buf)
        offset = 0
        while True:
            try:
                n = fill(src_fd, view)
            except OSError as exc:
                raise CopyError(describe_os_error(exc, "cannot read from the card")) from exc
            if n == 0:
                break
            if cancel is not None and cancel.cancelled:
                raise Cancelled()
            hasher.update(view[:n])
            check.update(view[:n])
            image.feed(offset, buf, n)
            try:
                out.write(view, n)
            except OSError as exc:
                raise CopyError(describe_os_error(exc, "cannot write to the archive")) from exc
            offset += n
        return str(hasher.hexdigest()), str(check.hexdigest())

    def _submit(self) -> None:
        if self._batch:
            self._in_flight.append(self._pool.submit(self._finish_batch, self._batch))
        self._batch, self._batch_size = [], 0

    def _finish_batch(self, batch: list[_Written]) -> list[CopyResult]:
        """Flush, read back, verify and link every file of a batch; then fsync the folders."""
        direct = all(w.direct for w in batch)
        flushed = (direct or not self.verify_from_disk) and syncfs(batch[0].temp.parent)
        results: list[CopyResult] = []
        folders: set[Path] = set()
        for w in batch:
            try:
                if not flushed:
                    fsync_path(w.temp, self.verify_from_disk)
                if self._read_back(w) != w.check:
                    unlink_quietly(w.temp)
                    results.append(
                        CopyResult(w.req, error="the copy does not match the card (hash mismatch)")
                    )
                    continue
                place(w.temp, w.req.dest)
                folders.add(w.req.dest.parent)
                results.append(CopyResult(w.req, hash=w.hash, image_hash=w.image_hash))
            except FileExistsError:
                unlink_quietly(w.temp)
                msg = f"{w.req.dest.name} appeared in the archive meanwhile"
                results.append(CopyResult(w.req, error=msg))
            except OSError as exc:
                unlink_quietly(w.temp)
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

    def _read_back(self, w: _Written) -> str:
        if w.direct or self.verify_from_disk:
            return hash_from_disk(w.temp, self._check_buf, check=True)
        return check_file(w.temp)  # flushed; the page cache is as good as the disk here

    def _collect(self) -> list[CopyResult]:
        done: list[CopyResult] = []
        while self._in_flight and self._in_flight[0].done():
            done += self._in_flight.pop(0).result()
        return done

    def drain(self) -> list[CopyResult]:
        """Finish everything written so far (also on cancel: those files are complete)."""
        results: list[CopyResult] = []
        while self._pending:
            try:
                results += self._take_oldest()
            except Cancelled:
                continue  # its worker removed its temp file
        self._submit()
        for fut in self._in_flight:
            results += fut.result()
        self._in_flight = []
        return results

    def close(self) -> None:
        self.drain()
        self._pool.shutdown(wait=True)
        self._workers.shutdown(wait=True)
