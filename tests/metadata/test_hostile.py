"""Hostile metadata values cost only their own file: no abort, no temporaries left."""

from __future__ import annotations

import sys
from pathlib import Path

import pyexiv2
import pytest
from metadata.mdtools import camera_jpeg

from photoarchive.archive import is_temp
from photoarchive.config import Settings
from photoarchive.jobs import CancelToken
from photoarchive.metadata.coords import Coordinates
from photoarchive.metadata.pool import run_pool as _run_pool
from photoarchive.metadata.reading import read_metadata
from photoarchive.metadata.tagging import TagEdit, apply_tags, read_all


def _hostile_jpeg(path: Path) -> Path:
    with pyexiv2.ImageData(camera_jpeg(7)) as img:
        img.modify_xmp(
            {
                "Xmp.exif.GPSLatitude": "10,0N",
                "Xmp.exif.GPSLongitude": "10,0E",
                "Xmp.exif.GPSAltitude": "1e400",  # overflows a float
            }
        )
        path.write_bytes(img.get_bytes())
    return path


def test_overflowing_xmp_gps_neither_aborts_the_batch_nor_leaves_temporaries(
    settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "photos"
    folder.mkdir()
    good = [folder / f"good{i}.jpg" for i in range(3)]
    for i, p in enumerate(good):
        p.write_bytes(camera_jpeg(i))
    bad = _hostile_jpeg(folder / "bad.jpg")
    paths = [good[0], bad, *good[1:]]

    reads = read_all(paths, workers=1)
    assert [r.path for r in reads] == paths
    assert all(r.error is None and r.metadata is not None for r in reads)
    assert reads[1].metadata is not None and reads[1].metadata.gps is None

    result = apply_tags(settings, paths, TagEdit(gps=Coordinates(1.5, 2.5)), workers=1)
    assert len(result.results) == 4 and not result.cancelled
    for p in good:
        gps = read_metadata(p).gps
        assert gps is not None and abs(gps.lat - 1.5) < 1e-9
    assert not [n for n in (x.name for x in folder.iterdir()) if is_temp(n)]


RAISY = """
def work(chunk):
    if "bad" in chunk:
        raise OverflowError("integer division result too large for a float")
    return [item.upper() for item in chunk]
"""


def test_a_chunk_that_raises_is_retried_file_by_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "raisy_worker.py").write_text(RAISY, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    import raisy_worker

    items = ["a", "b", "bad", "c", "d"]
    done: dict[str, str] = {}
    errors: dict[str, str] = {}

    def on_done(chunk: list[str], out: list[str]) -> None:
        done.update(zip(chunk, out, strict=True))

    finished = _run_pool(
        [items[:3], items[3:]],
        raisy_worker.work,
        on_done,
        lambda item: errors.setdefault(item, "crashed"),
        CancelToken(),
        2,
        errors.__setitem__,
    )
    assert finished
    assert done == {i: i.upper() for i in items if i != "bad"}
    assert list(errors) == ["bad"] and "OverflowError" in errors["bad"]
    sys.modules.pop("raisy_worker", None)
