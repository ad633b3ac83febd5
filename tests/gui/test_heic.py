"""Phone photos (HEIC): real thumbnails and previews, and the title, caption and GPS written
to their XMP sidecar shown and counted like any file's own (panel, grid, week badges)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from gui.conftest import make_card
from imaging import heic_bytes, write_file

from photoarchive.config import Settings

TAKEN = datetime(2024, 3, 4, 12, 0)


@pytest.fixture
def heic_window(qtbot, settings: Settings, tmp_path: Path):
    from photoarchive.gui.main_window import MainWindow
    from photoarchive.pipeline import import_photos

    card = make_card(tmp_path / "card", 2, TAKEN, size=(320, 240))
    write_file(card / "DCIM" / "100TEST" / "IMG_0100.HEIC", heic_bytes((210, 30, 30), TAKEN), TAKEN)
    summary = import_photos(settings, [card])
    assert len(summary.copied) == 3 and not summary.plan.guessed, summary.all_problems
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.photo_model.rowCount() == 3, timeout=10000)
    yield win
    win.close()


def _centre(qimage) -> tuple[int, int, int]:
    c = qimage.pixelColor(qimage.width() // 2, qimage.height() // 2)
    return c.red(), c.green(), c.blue()


def test_heic_thumbnail_is_the_picture_not_the_placeholder(qtbot, heic_window) -> None:
    from PySide6.QtCore import Qt

    from photoarchive.gui.dialogs.preview import decode_for_screen
    from photoarchive.gui.thumbcache import thumb_path, thumbnail

    win = heic_window
    model = win.photo_model
    row = next(i for i, p in enumerate(model.photos) if p.name == "IMG_0100.HEIC")
    heic = model.photos[row]
    model.data(model.index(row), Qt.ItemDataRole.DecorationRole)  # asks the loader
    qtbot.waitUntil(lambda: heic.rel in model.pixmaps or heic.rel in model.failed, timeout=10000)
    assert heic.rel not in model.failed
    shown = model.data(model.index(row), Qt.ItemDataRole.DecorationRole)
    assert shown.cacheKey() != model.placeholder.cacheKey()
    img = shown.toImage()
    assert (img.width(), img.height()) == (128, 96)
    red, green, blue = _centre(img)
    assert red > 170 and green < 80 and blue < 80  # the photo's own red
    assert thumb_path(heic.path).is_file()  # cached the freedesktop way
    assert thumbnail(heic.path) is not None
    big = decode_for_screen(heic.path, 900)  # what the preview and Captions dialogs show
    assert (big.width(), big.height()) == (320, 240) and _centre(big)[0] > 170


def test_sidecar_metadata_is_shown_and_counted(qtbot, heic_window, wait_job) -> None:
    from photoarchive.gui.actions import GeotagChoice

    win = heic_window
    model = win.photo_model
    heic = next(p for p in model.photos if p.name == "IMG_0100.HEIC")
    job = win.geotag([heic], GeotagChoice(48.8583, 2.2945, None, None, overwrite=False))
    wait_job(job)
    assert job.state == "done", job.error
    sidecar = heic.path.with_name(heic.name + ".xmp")
    assert sidecar.is_file()
    qtbot.waitUntil(lambda: "geotagged 1/3" in win.week_model.item(0).text(), timeout=10000)
    qtbot.waitUntil(lambda: model.info.get(heic.rel) is not None, timeout=10000)
    assert model.info[heic.rel].has_gps  # the grid's mark
    row = model.photos.index(heic)
    win.grid.setCurrentIndex(model.index(row))
    qtbot.waitUntil(lambda: win.panel.place_edit.text().startswith("48.85830"), timeout=10000)


def test_avif_and_heif_files_decode_too(tmp_path: Path) -> None:
    from PIL import Image, features

    from photoarchive.gui.thumbcache import make_thumbnail

    heif = tmp_path / "IMG_1.HEIF"
    heif.write_bytes(heic_bytes((30, 160, 40), TAKEN))
    im = make_thumbnail(heif, 128, heif.stat().st_size)
    assert im is not None and im.size == (128, 96) and im.getpixel((64, 48))[1] > 120
    if not features.check("avif"):
        pytest.skip("this Pillow has no AVIF support")
    avif = tmp_path / "IMG_2.avif"
    Image.new("RGB", (320, 240), (30, 40, 200)).save(avif, "AVIF", quality=70)
    im = make_thumbnail(avif, 128, avif.stat().st_size)
    assert im is not None and im.size == (128, 96) and im.getpixel((64, 48))[2] > 150
