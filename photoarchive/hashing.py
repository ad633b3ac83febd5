"""Content identity: BLAKE3, fast, GIL-free and cryptographic (equal hash means equal file).

Beside it, a copy check: xxh3-128 compares a fresh copy with the source it was read from a
moment before. 128 bits catch any accidental difference, and it costs a tenth of BLAKE3, so
the read-back of every copy stays cheap. It is never stored: identity is always BLAKE3.
"""

from __future__ import annotations

import errno
import mmap
import os
import stat
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import TypeVar

import blake3
import xxhash

CHUNK = 8 << 20
ALGORITHM = "blake3"


ALL_CORES = blake3.blake3.AUTO
# Below this a file is hashed on one thread: re-reading many files, one file per core costs
# less CPU than splitting each file across the cores (rayon's hand-offs), and keeps every core
# busy; a bigger file (a video) is split across the cores as well.
ONE_THREAD_BELOW = 64 << 20

T = TypeVar("T")


def new_hasher(max_threads: int = ALL_CORES) -> blake3.blake3:
    """max_threads=1 where several processes already share the cores (tagging workers)."""
    return blake3.blake3(max_threads=max_threads)


def hash_file(path: Path, max_threads: int = ALL_CORES) -> str:
    """Hash a whole file (memory-mapped; the GIL is released while hashing)."""
    if os.path.getsize(path) == 0:
        return blake3.blake3(b"").hexdigest()
    h = new_hasher(max_threads)
    h.update_mmap(str(path))
    return h.hexdigest()


@dataclass(frozen=True)
class FileDigest:
    """A file's whole-content BLAKE3 with the size and mtime it had when it was read."""

    hash: str
    size: int
    mtime_ns: int


def digest_file(path: Path) -> FileDigest:
    """Stat and hash one file. Raises OSError (a directory, a device or a pipe included).

    Memory-mapped (b3sum does the same): in a fresh process, as a scrub is, hashing the map
    cost less CPU than reading the file into a buffer (the copy out of the page cache cost
    more than the page faults here). One thread below ONE_THREAD_BELOW, all cores above.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)  # a FIFO would block
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        h = new_hasher(1 if st.st_size < ONE_THREAD_BELOW else ALL_CORES)
        if st.st_size == 0:
            return FileDigest(h.hexdigest(), 0, st.st_mtime_ns)
        try:
            mapped = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)
        except ValueError:  # emptied since the fstat
            raise OSError(errno.EIO, "the file changed while it was read", str(path)) from None
        with mapped:
            h.update(mapped)
            return FileDigest(h.hexdigest(), len(mapped), st.st_mtime_ns)
    finally:
        os.close(fd)


def _digest_or_error(path: Path) -> FileDigest | OSError:
    try:
        return digest_file(path)
    except OSError as exc:
        return exc


def default_workers() -> int:
    """One hashing thread per core (at most 8: beyond that the disk, not the CPU, limits)."""
    return max(1, min(8, os.cpu_count() or 1))


def digest_files(
    items: Iterable[T], path_of: Callable[[T], Path], workers: int | None = None
) -> Iterator[tuple[T, FileDigest | OSError]]:
    """(item, digest or the OSError that stopped reading it) for each item, in order, hashed
    `workers` files at a time on threads (the GIL is released while hashing).

    `items` is pulled lazily, at most workers + 1 ahead of what the caller has received, so a
    generator can stop feeding it (a budget, a cancel); closing the iterator early waits only
    for the files being read at that moment."""
    workers = workers or default_workers()
    source = iter(items)
    pending: deque[tuple[T, Future[FileDigest | OSError]]] = deque()
    with ThreadPoolExecutor(workers, thread_name_prefix="hash") as pool:
        try:
            while True:
                for item in islice(source, workers + 1 - len(pending)):
                    pending.append((item, pool.submit(_digest_or_error, path_of(item))))
                if not pending:
                    return
                item, future = pending.popleft()
                yield item, future.result()
        finally:
            for _, future in pending:
                future.cancel()


def new_check() -> xxhash.xxh3_128:
    return xxhash.xxh3_128()


def check_file(path: Path) -> str:
    """The copy check of a whole file (memory-mapped: no copy into user space)."""
    check = new_check()
    with open(path, "rb") as fh:
        if os.fstat(fh.fileno()).st_size:
            with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mm:
                check.update(mm)
    return str(check.hexdigest())
