"""The scrub loop over a plain archive (no bucket): progress for every file in order, the
budget and cancel stop it where they should, an unreadable file is a problem and a missing
one a finding while the rest go on, and no hashing thread outlives the run."""

from __future__ import annotations

import os
import threading

import blake3

from photoarchive.catalog import Catalog, FileRecord
from photoarchive.config import Settings
from photoarchive.durability.scrub import scrub
from photoarchive.jobs import CancelToken, Progress

WEEK = "2024-03-04"
SIZE = 64 << 10


def archive(settings: Settings, count: int = 8) -> list[str]:
    """`count` files in one week, catalogued with their hashes; the last has a non-UTF-8 name."""
    recs = []
    for n in range(count):
        name = os.fsdecode(b"IMG_%04d\xe9.JPG" % n) if n == count - 1 else f"IMG_{n:04d}.JPG"
        path = settings.archive / WEEK / name
        path.parent.mkdir(parents=True, exist_ok=True)
        data = os.urandom(SIZE)
        path.write_bytes(data)
        digest = blake3.blake3(data).hexdigest()
        st = path.stat()
        recs.append(FileRecord(f"{WEEK}/{name}", WEEK, digest, st.st_size, st.st_mtime_ns))
    with Catalog(settings.catalog_path) as cat:
        cat.add_files(recs)
    return sorted(r.path for r in recs)


def no_hash_threads() -> bool:
    return not [t for t in threading.enumerate() if t.name.startswith("hash")]


def test_progress_problems_and_findings(settings: Settings) -> None:
    paths = archive(settings)
    os.unlink(settings.archive / paths[1])
    os.unlink(settings.archive / paths[5])
    (settings.archive / paths[5]).mkdir()  # cannot be read: a problem, not damage
    seen: list[Progress] = []
    report = scrub(settings, progress=seen.append)
    assert [p.current for p in seen] == paths and [p.done for p in seen] == list(range(8))
    assert [p.bytes_done for p in seen] == [0, SIZE, SIZE, 2 * SIZE, 3 * SIZE, 4 * SIZE,
                                            4 * SIZE, 5 * SIZE]  # fmt: skip
    assert (report.checked, report.ok, report.bytes, report.remaining) == (7, 6, 6 * SIZE, 0)
    assert [(f.path, f.state) for f in report.findings] == [(paths[1], "missing")]
    assert [p.path for p in report.problems] == [paths[5]]
    assert "cannot read" in report.problems[0].reason
    assert no_hash_threads()
    again = scrub(settings)  # the checked ones were recorded: the unread one comes first
    assert again.checked == 7 and again.problems[0].path == paths[5]


def test_budget_and_cancel_stop_in_order(settings: Settings) -> None:
    paths = archive(settings)
    report = scrub(settings, budget_bytes=2 * SIZE)
    assert (report.checked, report.remaining) == (2, 6)
    report = scrub(settings, budget_seconds=0)  # at least one file
    assert (report.checked, report.remaining) == (1, 7)
    report = scrub(settings, budget_bytes=1)  # oldest-verified first: a file not yet re-read
    assert report.checked == 1
    cancel = CancelToken()
    seen: list[str] = []

    def cancel_at_third(p: Progress) -> None:
        seen.append(p.current)
        if len(seen) == 3:
            cancel.cancel()

    report = scrub(settings, cancel=cancel, progress=cancel_at_third)
    assert report.cancelled and (report.checked, report.remaining) == (3, 5)
    assert len(seen) == 3 and set(seen) <= set(paths)
    assert no_hash_threads()
