"""The batch runner: per-path edits, progress, cancel, crash containment, catalog, full disk."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from harness import tmpfs
from metadata.mdtools import camera_card, camera_jpeg

from photoarchive import pipeline
from photoarchive.catalog import Catalog
from photoarchive.config import Settings
from photoarchive.jobs import CancelToken, Progress
from photoarchive.metadata.coords import Coordinates
from photoarchive.metadata.pool import run_pool as _run_pool
from photoarchive.metadata.reading import read_metadata
from photoarchive.metadata.tagging import TagEdit, apply_tags, expand_paths


def test_per_path_edits_in_one_batch_with_progress(
    settings: Settings, make_jpeg: Callable[..., Path]
) -> None:
    paths = [make_jpeg(f"p{i:02d}.jpg", seed=i) for i in range(20)]
    sizes = sum(p.stat().st_size for p in paths)
    edits = {p: TagEdit(caption=f"photo number {i} · ελληνικά") for i, p in enumerate(paths)}
    events: list[Progress] = []
    result = apply_tags(settings, paths, edits, progress=events.append, workers=2)
    assert result.ok and result.changed == 20 and not result.cancelled
    for i, p in enumerate(paths):
        assert read_metadata(p).caption == f"photo number {i} · ελληνικά"
    assert [e.done for e in events] == sorted(e.done for e in events)
    assert events[-1].done == events[-1].total == 20
    assert events[-1].bytes_done == events[-1].bytes_total == sizes


def test_cancel_stops_between_chunks_and_leaves_the_rest_alone(
    settings: Settings, make_jpeg: Callable[..., Path]
) -> None:
    paths = [make_jpeg(f"c{i:02d}.jpg", seed=i) for i in range(48)]
    before = {p: p.read_bytes() for p in paths}
    cancel = CancelToken()

    def progress(p: Progress) -> None:
        if p.done >= 8:
            cancel.cancel()

    result = apply_tags(settings, paths, TagEdit(title="t"), cancel, progress, workers=1)
    assert result.cancelled and not result.ok
    done = {r.path for r in result.results}
    assert 8 <= len(done) < len(paths)
    for p in paths:
        if p in done:
            assert read_metadata(p).title == "t"
        else:
            assert p.read_bytes() == before[p]


CRASHY = """
import os

def work(chunk):
    if "boom" in chunk:
        os.abort()  # what a segfault inside exiv2 looks like from outside
    return [item.upper() for item in chunk]
"""


def test_a_worker_crash_costs_only_the_file_that_caused_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "crashy_worker.py").write_text(CRASHY, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    import crashy_worker

    items = [f"f{i}" for i in range(10)]
    items.insert(4, "boom")
    chunks = [items[i : i + 3] for i in range(0, len(items), 3)]
    done: dict[str, str] = {}
    crashed: list[str] = []

    def on_done(chunk: list[str], out: list[str]) -> None:
        done.update(zip(chunk, out, strict=True))

    finished = _run_pool(chunks, crashy_worker.work, on_done, crashed.append, CancelToken(), 2)
    assert finished
    assert crashed == ["boom"]
    assert done == {i: i.upper() for i in items if i != "boom"}
    sys.modules.pop("crashy_worker", None)


def test_archive_edits_update_the_catalog_so_verify_stays_clean(
    settings: Settings, tmp_path: Path
) -> None:
    card = camera_card(tmp_path / "card")
    video = card / "MVI_9.MP4"
    video.write_bytes(b"\x00\x00\x00\x18ftypisom" + bytes(40))
    stamp = datetime(2024, 3, 5, 12, 0).timestamp()
    os.utime(video, (stamp, stamp))  # no date inside: the import goes by the file time
    pipeline.import_photos(settings, [tmp_path / "card"])
    assert pipeline.verify(settings).clean
    week = settings.archive / "2024-03-04"
    files, problems = expand_paths([week])
    assert len(files) == 4 and problems == []
    with Catalog(settings.catalog_path) as cat:
        identity = {r.path: r.import_hash for r in cat.files()}
    result = apply_tags(settings, files, TagEdit(gps=Coordinates(1.0, 2.0), title="Week"))
    assert result.ok and result.changed == 4
    assert (week / "MVI_9.MP4.xmp").exists()
    report = pipeline.verify(settings)
    assert report.clean, (report.changed, report.unknown)
    with Catalog(settings.catalog_path) as cat:
        for rec in cat.files():
            if rec.path.endswith(".JPG"):
                assert rec.import_hash == identity[rec.path]  # identity survives the edit
                assert rec.hash != rec.import_hash  # and the new content is recorded
            elif rec.path.endswith(".MP4"):
                assert rec.hash == rec.import_hash  # the video itself was not touched
            else:
                assert (rec.path, rec.role) == ("2024-03-04/MVI_9.MP4.xmp", "sidecar")


def test_a_full_disk_leaves_the_original_intact(settings: Settings, tmp_path: Path) -> None:
    with tmpfs(tmp_path / "small", size="600k") as disk:
        path = disk / "big.jpg"
        path.write_bytes(camera_jpeg(7, size=(900, 500)))
        before = path.read_bytes()
        filler = disk / "filler"
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
        try:
            while True:  # fill what is left
                os.write(fd, b"\0" * 4096)
        except OSError:
            pass
        finally:
            os.close(fd)
        result = apply_tags(settings, [path], TagEdit(title="x" * 50))
        assert [p.reason for p in result.problems] == ["the disk is full"]
        assert path.read_bytes() == before
        assert sorted(p.name for p in disk.iterdir()) == ["big.jpg", "filler"]  # no temp left


def test_copy_range_falls_back_where_the_kernel_cannot_copy(tmp_path: Path) -> None:
    from photoarchive.metadata.workers import _copy_range

    src = tmp_path / "src"
    src.write_bytes(bytes(range(256)) * 64)
    dst = tmp_path / "dst"
    with open(src, "rb") as s, open(dst, "wb") as d:
        assert _copy_range(s.fileno(), d.fileno(), 100, 1000) == 1000
    assert dst.read_bytes() == src.read_bytes()[100:1100]
    r, w = os.pipe()  # not a regular file: copy_file_range refuses, the caller writes instead
    try:
        with open(src, "rb") as s:
            assert _copy_range(s.fileno(), w, 0, 10) == 0
    finally:
        os.close(r)
        os.close(w)
