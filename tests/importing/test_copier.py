"""The copier's file I/O: direct writes and read-backs, their fallbacks, and the hash check."""

from __future__ import annotations

import ctypes
import mmap
import os
import random
from pathlib import Path

import pytest

from photoarchive import fileio
from photoarchive.fileio import (
    ALIGN,
    NewFile,
    aligned_buffer,
    hash_fd,
    hash_from_disk,
    kernel_copy,
    read_direct,
)
from photoarchive.hashing import CHUNK, check_file, hash_file, new_check
from photoarchive.importing.copier import CopyRequest, VerifiedCopier, _Written

SIZES = [0, 1, ALIGN - 1, ALIGN, ALIGN + 1, CHUNK, CHUNK + 1, 2 * CHUNK + 12345]


def direct_io_works(folder: Path) -> bool:
    probe = folder / ".probe"
    fd = os.open(probe, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        return fileio._set_direct(fd, True)
    finally:
        os.close(fd)
        probe.unlink()


def page_residency(path: Path) -> list[bool]:
    """Which of the file's pages sit in the page cache (mincore on a private mapping)."""
    libc = ctypes.CDLL(None, use_errno=True)
    size = path.stat().st_size
    pages = -(-size // mmap.PAGESIZE)
    with path.open("rb") as fh, mmap.mmap(fh.fileno(), size, access=mmap.ACCESS_COPY) as mm:
        vec = (ctypes.c_ubyte * pages)()
        addr = ctypes.addressof(ctypes.c_char.from_buffer(mm))
        assert libc.mincore(ctypes.c_void_p(addr), ctypes.c_size_t(size), vec) == 0
        resident = [bool(b & 1) for b in vec]
        del addr  # the exported buffer must be gone before the map closes
    return resident


def cached_pages(path: Path) -> int:
    return sum(page_residency(path))


def write_with(path: Path, data: bytes, view: memoryview, direct: bool) -> NewFile:
    out = NewFile(path, direct)
    try:
        for start in range(0, len(data), CHUNK):
            part = data[start : start + CHUNK]
            view[: len(part)] = part
            out.write(view, len(part))
        out.finish(1_000_000_000, 1_234_567_890_123_456_789)
    finally:
        out.close()
    return out


@pytest.mark.parametrize("direct", [True, False])
def test_new_file_writes_every_size_exactly(tmp_path: Path, direct: bool) -> None:
    rnd = random.Random(7)
    view = memoryview(aligned_buffer())
    for size in SIZES:
        data = rnd.randbytes(size)
        path = tmp_path / f"f{size}.bin"
        out = write_with(path, data, view, direct)
        assert out.direct == (direct and direct_io_works(tmp_path))
        assert path.read_bytes() == data
        assert path.stat().st_mtime_ns == 1_234_567_890_123_456_789
        assert hash_from_disk(path, aligned_buffer()) == hash_file(path)


def test_read_direct_reads_whole_files_and_shows_growth(tmp_path: Path) -> None:
    rnd = random.Random(11)
    buf = aligned_buffer(3 * CHUNK)
    for size in SIZES:
        data = rnd.randbytes(size)
        path = tmp_path / f"r{size}.bin"
        path.write_bytes(data)
        assert bytes(read_direct(path, buf, size)) == data
        if size:  # the caller expected one byte less: it must see more than it expected
            assert len(read_direct(path, buf, size - 1)) > size - 1


def test_read_direct_leaves_the_page_cache_alone(tmp_path: Path) -> None:
    """Syncing a 100 GB archive must not push everything else out of memory."""
    if not direct_io_works(tmp_path):
        pytest.skip("this filesystem has no direct I/O")
    path = tmp_path / "photo.jpg"
    data = random.Random(2).randbytes(CHUNK)
    path.write_bytes(data)
    with path.open("rb") as fh:
        os.fsync(fh.fileno())
        os.posix_fadvise(fh.fileno(), 0, 0, os.POSIX_FADV_DONTNEED)
    assert bytes(read_direct(path, aligned_buffer(2 * CHUNK), len(data))) == data
    assert cached_pages(path) == 0


def test_new_file_never_replaces(tmp_path: Path) -> None:
    (tmp_path / "taken").write_bytes(b"keep me")
    with pytest.raises(FileExistsError):
        NewFile(tmp_path / "taken", direct=True)
    assert (tmp_path / "taken").read_bytes() == b"keep me"


def test_refused_direct_write_goes_on_through_the_cache(tmp_path: Path) -> None:
    """A buffer the disk cannot take directly (misaligned) makes the write fall back, not fail."""
    if not direct_io_works(tmp_path):
        pytest.skip("this filesystem has no direct I/O")
    data = random.Random(3).randbytes(3 * ALIGN)
    misaligned = memoryview(bytearray(CHUNK + 1))[1:]
    out = write_with(tmp_path / "f.bin", data, misaligned, direct=True)
    assert not out.direct
    assert (tmp_path / "f.bin").read_bytes() == data


def test_direct_copies_skip_the_page_cache(tmp_path: Path) -> None:
    """Where the kernel cannot copy, direct writes and their read-backs go past the cache: the
    check reads the disk, and memory is not filled with pages never read again."""
    if not direct_io_works(tmp_path):
        pytest.skip("this filesystem has no direct I/O")
    card, archive = tmp_path / "card", tmp_path / "archive"
    card.mkdir()
    archive.mkdir()
    data = random.Random(5).randbytes(3 * CHUNK // 2)
    (card / "a.jpg").write_bytes(data)
    st = (card / "a.jpg").stat()
    copier = VerifiedCopier(kernel_copy=False)
    req = CopyRequest(card / "a.jpg", st.st_size, st.st_mtime_ns, archive / "a.jpg")
    results = copier.copy(req) + copier.drain()
    copier.close()
    assert [r.ok for r in results] == [True]
    assert results[0].hash == hash_file(card / "a.jpg")
    assert cached_pages(archive / "a.jpg") <= 1  # the last, partly written block at most
    assert (archive / "a.jpg").read_bytes() == data


def test_kernel_copy_and_positional_hash_of_every_size(tmp_path: Path) -> None:
    rnd = random.Random(13)
    for size in [*SIZES, 70 << 20]:  # and more than one copy step
        data = rnd.randbytes(size)
        (tmp_path / "src").write_bytes(data)
        src = os.open(tmp_path / "src", os.O_RDONLY)
        dst = os.open(tmp_path / "dst", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        try:
            assert kernel_copy(src, dst, size + 100, None) == size  # stops where the file ends
            assert hash_fd(src, aligned_buffer()) == (hash_file(tmp_path / "src"), size)
        finally:
            os.close(src)
            os.close(dst)
        assert (tmp_path / "dst").read_bytes() == data


def copy_files(tmp_path: Path, sizes: list[int], **kw: bool) -> tuple[VerifiedCopier, list]:
    card, archive = tmp_path / "card", tmp_path / "archive"
    card.mkdir()
    archive.mkdir()
    rnd = random.Random(17)
    copier = VerifiedCopier(**kw)
    results = []
    for i, size in enumerate(sizes):
        (card / f"{i}.jpg").write_bytes(rnd.randbytes(size))
        st = (card / f"{i}.jpg").stat()
        req = CopyRequest(card / f"{i}.jpg", size, st.st_mtime_ns, archive / f"{i}.jpg")
        results += copier.copy(req)
    results += copier.drain()
    copier.close()
    for r in results:
        assert r.ok, r.error
        assert r.request.dest.read_bytes() == r.request.src.read_bytes()
        assert r.hash == hash_file(r.request.src)
        assert r.request.dest.stat().st_mtime_ns == r.request.mtime_ns
    assert len(results) == len(sizes) and not list(archive.glob(".*"))
    return copier, results


def test_copies_are_made_by_the_kernel(tmp_path: Path) -> None:
    copier, _ = copy_files(tmp_path, [0, 1, ALIGN + 3, CHUNK + 5, 3 * CHUNK])
    assert copier.kernel_copy  # this kernel and filesystem copy in place


def test_a_kernel_that_cannot_copy_falls_back_to_the_buffer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As on kernels without copy_file_range between these filesystems and no sendfile to a
    file (simulated: the two calls refuse as such kernels do)."""
    import errno

    def refuse(code: int):  # type: ignore[no-untyped-def]
        def call(*_args: object) -> int:
            raise OSError(code, os.strerror(code))

        return call

    monkeypatch.setattr(os, "copy_file_range", refuse(errno.EXDEV))
    monkeypatch.setattr(os, "sendfile", refuse(errno.EINVAL))
    copier, _ = copy_files(tmp_path, [ALIGN + 3, CHUNK + 5, 10])
    assert not copier.kernel_copy


@pytest.mark.parametrize("direct", [True, False])
def test_a_copy_that_reads_back_different_is_discarded(tmp_path: Path, direct: bool) -> None:
    """The read-back (from the page cache, or from the disk for direct writes) must give the
    source's copy check; then the copy is placed, else removed."""
    view = memoryview(aligned_buffer())
    results = []
    for name, tamper in (("a.jpg", True), ("b.jpg", False)):
        temp = tmp_path / f".{name}.partial"
        write_with(temp, b"what the disk holds", view, direct)
        check = check_file(temp)
        req = CopyRequest(tmp_path / "card.jpg", 19, 0, tmp_path / name)
        copier = VerifiedCopier(verify_from_disk=not direct)
        written = _Written(
            req, temp, hash_file(temp), direct, check=check[::-1] if tamper else check
        )
        try:
            results += copier._finish_batch([written])
        finally:
            copier.close()
    assert [r.error for r in results] == ["the copy does not match the card (hash mismatch)", None]
    assert not (tmp_path / ".a.jpg.partial").exists() and not (tmp_path / "a.jpg").exists()
    assert (tmp_path / "b.jpg").read_bytes() == b"what the disk holds"
    assert not (tmp_path / ".b.jpg.partial").exists()


def test_the_copy_check_is_xxh3_of_the_bytes_read(tmp_path: Path) -> None:
    """hash_from_disk(check=True), check_file and new_check agree, for every size."""
    rnd = random.Random(23)
    for size in SIZES:
        data = rnd.randbytes(size)
        (tmp_path / "f").write_bytes(data)
        want = new_check()
        want.update(data)
        assert check_file(tmp_path / "f") == want.hexdigest()
        assert hash_from_disk(tmp_path / "f", aligned_buffer(), check=True) == want.hexdigest()
        assert hash_from_disk(tmp_path / "f", aligned_buffer()) == hash_file(tmp_path / "f")
