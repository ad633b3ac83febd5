"""Whole-file BLAKE3 of many files on threads: the same hashes as one at a time, in order,
errors as values, and the input pulled only a few files ahead (a scrub's budget holds)."""

from __future__ import annotations

import os
from pathlib import Path

import blake3
import pytest

from photoarchive import hashing
from photoarchive.hashing import FileDigest, digest_file, digest_files, hash_file


def test_digest_files_matches_hash_file_in_order(tmp_path: Path) -> None:
    sizes = [0, 1, 1024, 3 << 20, 5, 2 << 20]
    paths = []
    for n, size in enumerate(sizes):
        path = tmp_path / f"f{n}.bin"
        path.write_bytes(os.urandom(size))
        paths.append(path)
    odd = tmp_path / os.fsdecode(b"caf\xe9.bin")  # not UTF-8: names are bytes
    odd.write_bytes(b"odd")
    paths.append(odd)
    got = list(digest_files(paths, lambda p: p, workers=3))
    assert [item for item, _ in got] == paths
    for path, digest in got:
        assert isinstance(digest, FileDigest)
        assert digest.hash == hash_file(path) == blake3.blake3(path.read_bytes()).hexdigest()
        assert (digest.size, digest.mtime_ns) == (path.stat().st_size, path.stat().st_mtime_ns)
    assert digest_file(paths[3]) == got[3][1]


def test_a_big_file_is_split_across_the_cores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(hashing, "ONE_THREAD_BELOW", 1 << 20)
    path = tmp_path / "video.mov"
    path.write_bytes(os.urandom(3 << 20))
    assert digest_file(path) == FileDigest(hash_file(path), 3 << 20, path.stat().st_mtime_ns)


def test_unreadable_files_are_results_not_raised(tmp_path: Path) -> None:
    (tmp_path / "dir.bin").mkdir()
    (tmp_path / "ok.bin").write_bytes(b"x")
    os.mkfifo(tmp_path / "pipe.bin")  # no writer: reading it must not hang
    names = ["gone.bin", "dir.bin", "ok.bin", "pipe.bin"]
    got = dict(digest_files(names, lambda n: tmp_path / n, workers=2))
    assert isinstance(got["gone.bin"], FileNotFoundError)
    assert isinstance(got["dir.bin"], IsADirectoryError)
    assert isinstance(got["ok.bin"], FileDigest)
    assert isinstance(got["pipe.bin"], OSError) and "not a regular file" in str(got["pipe.bin"])


@pytest.mark.parametrize("workers", [1, 2, 4])
def test_input_is_pulled_only_a_few_files_ahead(tmp_path: Path, workers: int) -> None:
    (tmp_path / "f").write_bytes(b"data")
    pulled: list[int] = []

    def feed() -> object:
        for n in range(50):
            pulled.append(n)
            yield n

    reads = digest_files(feed(), lambda n: tmp_path / "f", workers=workers)
    first = next(reads)
    assert first[0] == 0 and len(pulled) == workers + 1
    reads.close()  # waits for the files being read; the rest are never started
    assert len(pulled) == workers + 1
