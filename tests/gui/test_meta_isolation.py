"""exiv2 never runs in the GUI's process: the grid, the panel's reads and the embedded
previews go through gui.meta_reader's helper processes, which survive a helper's death.

A tripwire replaces photoarchive.metadata.exiv2's readers in this (the GUI's) process; the spawned
helpers import the real ones, so only reads done in-process trip it.
"""

from __future__ import annotations

import io
import os
import signal
from pathlib import Path

import pytest
from PIL import Image

from photoarchive.config import Settings


@pytest.fixture
def tripwire(monkeypatch) -> list[str]:
    import photoarchive.metadata.reading as md

    calls: list[str] = []

    def tripped(name: str):
        def fn(path, *args, **kwargs):
            calls.append(f"{name}({path})")
            raise AssertionError("exiv2 called in the GUI process")

        return fn

    monkeypatch.setattr(md, "read_metadata", tripped("read_metadata"))
    monkeypatch.setattr(md, "read_preview", tripped("read_preview"))
    return calls


def test_grid_and_panel_read_metadata_outside_the_gui_process(
    qtbot, archive: Settings, tripwire: list[str], tmp_path: Path
) -> None:
    from photoarchive.gui.actions import read_infos
    from photoarchive.gui.main_window import MainWindow
    from photoarchive.gui.metacache import MetaCache
    from photoarchive.jobs import CancelToken

    win = MainWindow(archive)
    qtbot.addWidget(win)
    win.show()
    model = win.photo_model
    qtbot.waitUntil(lambda: model.rowCount() == 4 and len(model.info) == 4, timeout=30000)
    infos = list(model.info.values())
    assert all(i.capture_time.startswith("2024-03-11") and not i.unreadable for i in infos)
    # The panel's small reads (<= IN_PROCESS_MAX files), on a cold cache.
    photos = list(model.photos)
    got = read_infos(MetaCache(tmp_path / "cold.sqlite"), photos, CancelToken(), lambda p: None)
    assert sorted(got) == sorted(p.rel for p in photos)
    assert all(i.capture_time.startswith("2024-03-11") for i in got.values())
    win.close()
    assert tripwire == []


def _big_with_blue_preview(path: Path) -> None:
    import pyexiv2

    from photoarchive.gui.thumbcache import PREVIEW_MIN_BYTES

    def solid(colour: tuple[int, int, int], size: tuple[int, int]) -> bytes:
        buf = io.BytesIO()
        Image.new("RGB", size, colour).save(buf, "JPEG", quality=90)
        return buf.getvalue()

    with pyexiv2.ImageData(solid((220, 20, 20), (1200, 900))) as img:
        img.modify_thumbnail(solid((20, 20, 220), (160, 120)))
        data = img.get_bytes()
    pad = b"\xff\xef" + (60002).to_bytes(2, "big") + bytes(60000)
    path.write_bytes(data[:2] + pad * (PREVIEW_MIN_BYTES // 60000 + 1) + data[2:])


def test_embedded_preview_of_a_big_photo_is_read_by_the_helper(
    tripwire: list[str], tmp_path: Path
) -> None:
    from photoarchive.gui.thumbcache import thumbnail

    big = tmp_path / "big.jpg"
    _big_with_blue_preview(big)
    img = thumbnail(big)
    assert img is not None
    centre = img.pixelColor(img.width() // 2, img.height() // 2)
    assert centre.blue() > 180 > centre.red()  # the embedded (blue) preview, not a decode
    assert tripwire == []


def test_a_dead_helper_is_replaced_and_the_read_still_answers(
    archive: Settings, tripwire: list[str]
) -> None:
    from photoarchive.gui.meta_reader import MetaReader

    photo = next(p for p in archive.archive.rglob("*.JPG"))
    reader = MetaReader(workers=1)
    try:
        assert reader.read_info(photo).capture_time.startswith("2024-03")
        for pid in reader.worker_pids():
            os.kill(pid, signal.SIGKILL)  # as exiv2 crashing on a hostile file would
        again = reader.read_info(photo)
        assert again.capture_time.startswith("2024-03") and not again.unreadable
        assert reader.restarts == 1
    finally:
        reader.close()
    assert tripwire == []
