"""The plan reads every new file's two ends several at a time, before it looks at them one by
one: the pages it needs are then in the page cache, and the rest of the file is not read."""

from __future__ import annotations

import mmap
import os
import random
from pathlib import Path

import pytest
from importing.test_copier import cached_pages, page_residency

from photoarchive.importing.cards import SourceFile
from photoarchive.importing.plan import HEAD, TAIL, prefetch_ends
from photoarchive.jobs import CancelToken
from photoarchive.media import Kind


def evict(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def test_heads_and_tails_are_read_and_nothing_between(tmp_path: Path) -> None:
    rnd = random.Random(3)
    size = 4 << 20
    paths = []
    for i in range(6):
        path = tmp_path / f"IMG_{i}.JPG"
        path.write_bytes(rnd.randbytes(size))
        evict(path)
        paths.append(path)
    if cached_pages(paths[0]) > 0:
        pytest.skip("this filesystem keeps file pages in memory (tmpfs)")
    files = [SourceFile(p, p.name, size, p.stat().st_mtime_ns, Kind.PHOTO) for p in paths]
    prefetch_ends(files, CancelToken())
    page = mmap.PAGESIZE
    for path in paths:
        # Only the pages asked for (and the kernel's readahead around them), not the file.
        assert cached_pages(path) < (size // page) // 2
        assert resident(path, 0, HEAD) and resident(path, size - TAIL, TAIL)


def resident(path: Path, offset: int, length: int) -> bool:
    """Are all pages of [offset, offset+length) in the page cache?"""
    pages = page_residency(path)
    return all(pages[offset // mmap.PAGESIZE : (offset + length - 1) // mmap.PAGESIZE + 1])


def test_a_cancelled_plan_reads_nothing_more(tmp_path: Path) -> None:
    path = tmp_path / "a.jpg"
    path.write_bytes(bytes(1 << 20))
    evict(path)
    if cached_pages(path) > 0:
        pytest.skip("this filesystem keeps file pages in memory (tmpfs)")
    cancel = CancelToken()
    cancel.cancel()
    f = SourceFile(path, path.name, 1 << 20, path.stat().st_mtime_ns, Kind.PHOTO)
    prefetch_ends([f, f], cancel)
    assert cached_pages(path) == 0
