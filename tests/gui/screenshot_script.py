"""Run under Xvfb by test_screenshots.py: builds a small archive, opens the main window, the
batch geotag dialog and the import dialog, and saves a PNG of each into argv[1]. Also: the
jobs bar with several jobs, the Captions dialog on a HEIC photo, and the import plan with
photos whose date is only a guess."""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from imaging import heic_bytes, jpeg_bytes, write_file
from PySide6.QtWidgets import QApplication, QWidget

from photoarchive.config import load_settings
from photoarchive.gui.app import make_app
from photoarchive.gui.main_window import MainWindow
from photoarchive.metadata.coords import Coordinates
from photoarchive.metadata.places import Place, PlaceBook
from photoarchive.metadata.tagging import TagEdit, apply_tags
from photoarchive.pipeline import import_photos


def pump(app: QApplication, until, timeout: float = 20.0, what: str = "") -> None:
    end = time.monotonic() + timeout
    while not until() and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)
    if not until():
        raise SystemExit(f"timed out waiting for {what or 'the window'}")


def settle(app: QApplication, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def card(root: Path, count: int, start: datetime, seed: int) -> Path:
    for i in range(count):
        taken = start + timedelta(minutes=7 * i)
        write_file(
            root / "DCIM" / "100CANON" / f"IMG_{seed + i:04d}.JPG",
            jpeg_bytes(seed + i, taken, size=(480, 360)),
            taken,
        )
    return root


def heic_card(root: Path, count: int, start: datetime) -> Path:
    """A phone's folder of HEIC photos (pillow-heif), in warm colours."""
    for i in range(count):
        taken = start + timedelta(minutes=11 * i)
        colour = (200 - 12 * i, 90 + 10 * i, 40 + 15 * i)
        write_file(
            root / "DCIM" / "Camera" / f"IMG_{2000 + i:04d}.HEIC",
            heic_bytes(colour, taken, size=(480, 360)),
            taken,
        )
    return root


def run_jobs(win: MainWindow, app: QApplication) -> None:
    """Finished jobs (one with problems, one failed) and two still running."""
    import threading

    from photoarchive.jobs import Problem, Severity
    from photoarchive.metadata.tagging import BatchResult, FileResult

    def written(n: int, bad: int) -> BatchResult:
        return BatchResult(
            results=[FileResult(Path(f"IMG_{i}.JPG"), changed=i >= bad) for i in range(n)],
            problems=[Problem(f"IMG_{i}.JPG", "damaged", Severity.ERROR) for i in range(bad)],
        )

    def boom(c: object, p: object) -> None:
        raise OSError(28, "No space left on device", "/media/backup/archive")

    jobs = [
        win.runner.run("Saving captions of 14 photos", lambda c, p: written(14, 0)),
        win.runner.run("Geotagging 19 photos", lambda c, p: written(19, 2)),
        win.runner.run("Copying to the backup disk", boom),
        win.runner.run("Saving metadata of 3 photos", lambda c, p: written(3, 0)),
    ]
    pump(app, lambda: all(j.finished for j in jobs), what="finished jobs")
    release = threading.Event()
    win.stop_jobs = release  # type: ignore[attr-defined]

    def slow(c, p):  # type: ignore[no-untyped-def]
        from photoarchive.jobs import Progress

        for i in range(40):
            p(Progress("copy", i, 40, i * 4_000_000, 160_000_000, f"IMG_{i:04d}.JPG"))
            if release.wait(0.05):
                return None
        release.wait(60)
        return None

    win.runner.run("Importing photos", slow)
    win.runner.run("Syncing to gs://family-photos", slow)


def save(widget: QWidget, out: Path, name: str) -> None:
    path = out / f"{name}.png"
    if not widget.grab().save(str(path)):
        raise SystemExit(f"cannot save {path}")
    print(path)


def tile_server() -> str:
    """A stand-in tile server on 127.0.0.1 drawing a labelled grid (no network in tests)."""
    import http.server
    import io
    import threading

    from PIL import Image, ImageDraw

    class Tiles(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            img = Image.new("RGB", (256, 256), (236, 232, 222))
            draw = ImageDraw.Draw(img)
            draw.rectangle((0, 0, 255, 255), outline=(200, 196, 186))
            draw.line((0, 170, 256, 120), fill=(170, 211, 223), width=18)
            draw.text((8, 8), self.path.strip("/").removesuffix(".png"), fill=(120, 120, 120))
            buf = io.BytesIO()
            img.save(buf, "PNG")
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(buf.getvalue())

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}/{{z}}/{{x}}/{{y}}.png"


def main() -> int:
    os.environ["PHOTOARCHIVE_TILE_URL"] = tile_server()
    out, work = Path(sys.argv[1]), Path(sys.argv[2])
    out.mkdir(parents=True, exist_ok=True)
    settings = load_settings(archive=work / "archive", env={})
    start = datetime(2024, 7, 1, 9, 0)
    for week in range(4):
        src = card(work / f"card{week}", 14 + 5 * week, start + timedelta(weeks=week), 100 * week)
        import_photos(settings, [src])
    import_photos(settings, [heic_card(work / "phone", 6, datetime(2024, 6, 26, 17, 0))])
    newest = sorted((settings.archive).iterdir())[-1]
    apply_tags(
        settings,
        sorted(newest.iterdir())[:5],
        TagEdit(gps=Coordinates(47.3769, 8.5417), title="Summer in Zürich", caption="At the lake"),
    )
    PlaceBook(
        settings.places_file,
        [
            Place("Zürich, Bürkliplatz", 47.3667, 8.5410, uses=12),
            Place("Grandma's garden", 50.9413, 6.9583, uses=31),
            Place("Lake cabin", 61.0500, 10.4667, alt=640.0, uses=4),
        ],
    ).save()
    app = make_app(["screenshots"])
    win = MainWindow(settings)
    win.resize(1360, 860)
    win.show()
    pump(app, lambda: win.photo_model.rowCount() > 0)
    pump(app, lambda: win.photo_model.loaded_count() >= min(12, win.photo_model.rowCount()))
    win.grid.selectAll()
    pump(
        app,
        lambda: (
            "photos selected" in win.panel.count_label.text()
            and bool(win.panel.capture_label.text())
        ),
    )
    win.refresh_weeks(win.selected_weeks())
    settle(app, 1.5)
    save(win, out, "main_window")

    win.open_geotag()
    pump(app, lambda: getattr(win, "geotag_dialog", None) is not None)
    dlg = win.geotag_dialog
    dlg.coords_edit.setText("https://www.openstreetmap.org/#map=17/47.37690/8.54170")
    dlg.name_edit.setText("Zürich lakeside")
    settle(app, 0.3)
    save(dlg, out, "geotag_dialog")
    dlg.map_button.click()  # tiles from the local stand-in server: no network in tests
    pump(app, lambda: dlg.map is not None and len(dlg.map.tiles) >= 4, what="map tiles")
    settle(app, 0.3)
    save(dlg, out, "geotag_dialog_map")
    dlg.reject()

    win.grid.clearSelection()
    win.open_captions()
    pump(app, lambda: getattr(win, "caption_dialog", None) is not None, what="captions")
    cap = win.caption_dialog
    pump(app, lambda: cap.preview.pixmap() is not None and not cap.preview.pixmap().isNull())
    cap.caption_edit.setText("Swimming at the lake, the water was cold")
    settle(app, 0.3)
    save(cap, out, "caption_dialog")
    cap.discard_ok = True
    cap.reject()
    win.caption_dialog = None

    win.select_weeks(["2024-06-24"])  # the phone's HEIC photos
    pump(app, lambda: win.photo_model.rowCount() == 6, what="the HEIC week")
    win.grid.clearSelection()
    win.open_captions()
    pump(app, lambda: getattr(win, "caption_dialog", None) is not None, what="HEIC captions")
    cap = win.caption_dialog
    pump(app, lambda: cap.preview.pixmap() is not None and not cap.preview.pixmap().isNull())
    cap.title_edit.setText("Grandma's birthday")
    cap.caption_edit.setText("Blowing out the candles")
    settle(app, 0.3)
    save(cap, out, "caption_dialog_heic")
    cap.discard_ok = True
    cap.reject()
    settle(app, 0.5)
    save(win, out, "main_window_heic")

    win.open_places()
    settle(app, 0.3)
    save(win.places_dialog, out, "places_dialog")
    win.places_dialog.reject()

    win.open_import()
    imp = win.import_dialog
    newcard = card(work / "newcard", 9, datetime(2024, 8, 5, 10, 0), 900)
    for i, (seed, when) in enumerate(
        ((950, datetime(2024, 9, 2, 20)), (951, datetime(2024, 9, 3, 8)))
    ):
        undated = newcard / "DCIM" / "100CANON" / f"IMG_{909 + i:04d}.JPG"
        write_file(undated, jpeg_bytes(seed, None, size=(480, 360)), when)
    imp.resize(760, 900)
    imp.add_source(newcard)
    imp.make_plan()
    pump(app, lambda: imp.import_button.isEnabled())
    settle(app, 0.3)
    save(imp, out, "import_dialog")
    imp.close()

    win.vsplit.setSizes([560, 300])
    run_jobs(win, app)
    settle(app, 1.0)
    save(win, out, "jobs_bar")
    win.jobs_bar.toggle_button.click()
    settle(app, 0.3)
    save(win, out, "jobs_bar_unfolded")
    win.stop_jobs.set()  # type: ignore[attr-defined]
    settle(app, 0.5)
    win.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
