"""Copies that cannot lose data: temp name, hash while copying, flush, read back, rename.

The calling thread has the kernel copy the source (copy_file_range, as `cp` does) while a
helper thread hashes the source as read; where the kernel cannot copy, it reads into a buffer
and writes that (direct I/O where the filesystem allows) while the helper hashes the buffer. A
finisher thread then makes a batch of copies durable, reads each back and hashes it, and links
it into place while the next batch is being copied. A final name only ever points at a
complete, verified, durable file.
"""

from __future__ import annotations

import logging
import mmap
import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import blake3

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
from photoarchive.hashing import hash_file, new_hasher
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


class VerifiedCopier:
    """Copies a batch of files to temp names, then makes the batch durable in one flush.

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
    ) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="finish")
        self._hashing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hash")
        self._in_flight: list[Future[list[CopyResult]]] = []
        self._batch: list[_Written] = []
        self._batch_size = 0
        self._batch_bytes = batch_bytes
        self._batch_files = batch_files
        self._buf = aligned_buffer()  # copying by hand, in the calling thread
        self._src_buf = aligned_buffer()  # hashing the source, in the helper thread
        self._check_buf = aligned_buffer()  # read-back, in the finisher thread
        self.direct = direct
        self.kernel_copy = kernel_copy
        self.verify_from_disk = verify_from_disk

    def copy(self, req: CopyRequest, cancel: CancelToken | None = None) -> list[CopyResult]:
        """Copy one file to a temp name (in this thread); returns results that are final.

        Raises Cancelled (after removing its temp file) when cancelled mid-file.
        """
        try:
            written = self._write_temp(req, cancel)
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

    def _write_temp(self, req: CopyRequest, cancel: CancelToken | None) -> _Written:
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
            digest = None
            if self.kernel_copy:
                digest = self._copy_in_kernel(src_fd, out, req, cancel, image)
            if digest is None:
                if self.kernel_copy:  # refused before a byte was copied: copy by hand
                    self.kernel_copy = False
                    out.set_direct(self.direct)
                image = ImageDataHasher(src_fd, req.size, req.src.name)
                digest = self._copy_through_buffer(src_fd, out, cancel, image)
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
        return _Written(req, temp, digest, out.direct, image.result().hash)

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
    ) -> str | None:
        """Copy in the kernel while the helper thread hashes the source as read (from the
        page cache the copy fills), the image data from the same reads; None if the kernel
        cannot copy these files."""
        hashed = self._hashing.submit(hash_fd, src_fd, self._src_buf, image.feed)
        try:
            copied = kernel_copy(src_fd, out.fd, req.size, cancel)
        except NoKernelCopy:
            copied = None
        except BaseException as exc:
            hashed.exception()  # the helper reads src_fd: let it finish before it is closed
            if isinstance(exc, OSError):
                raise CopyError(describe_os_error(exc, "cannot copy to the archive")) from exc
            raise
        try:
            digest, read = hashed.result()
        except OSError as exc:
            raise CopyError(describe_os_error(exc, "cannot read from the card")) from exc
        if copied is None:
            return None
        if copied != read:
            raise CopyError("the file changed on the card while it was copied")
        out.size = copied
        return digest

    def _copy_through_buffer(
        self, src_fd: int, out: NewFile, cancel: CancelToken | None, image: ImageDataHasher
    ) -> str:
        """Read into our buffer, hash it on the helper thread while it is written."""
        hasher = new_hasher()
        view = memoryview(self._buf)
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
            # Hash on the other core while this one writes; both release the GIL.
            hashed = self._hashing.submit(_hash_chunk, hasher, image, offset, self._buf, n)
            try:
                out.write(view, n)
            except OSError as exc:
                raise CopyError(describe_os_error(exc, "cannot write to the archive")) from exc
            finally:
                hashed.result()
            offset += n
        return str(hasher.hexdigest())

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
                if self._read_back(w) != w.hash:
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
            return hash_from_disk(w.temp, self._check_buf)
        return hash_file(w.temp)  # flushed; the page cache is as good as the disk here

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
        self._hashing.shutdown(wait=True)


def _hash_chunk(
    hasher: blake3.blake3, image: ImageDataHasher, offset: int, buf: mmap.mmap, n: int
) -> None:
    hasher.update(memoryview(buf)[:n])
    image.feed(offset, buf, n)
