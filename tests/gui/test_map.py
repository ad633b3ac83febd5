"""The optional map in the geotag dialog: tiles fetched only when shown, a click picks the
point, and no network simply means no tiles."""

from __future__ import annotations

import http.server
import io
import socket
import threading
from collections.abc import Iterator

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, Qt

from photoarchive.gui.map_view import from_world, to_world


@pytest.fixture
def tile_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    buf = io.BytesIO()
    Image.new("RGB", (256, 256), (170, 211, 223)).save(buf, "PNG")
    png = buf.getvalue()
    seen: list[str] = []

    class Tiles(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(f"{self.path} {self.headers.get('User-Agent')}")
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(png)))
            self.end_headers()
            self.wfile.write(png)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Tiles)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    monkeypatch.setenv("PHOTOARCHIVE_TILE_URL", f"http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png")
    yield seen
    server.shutdown()


def _dialog(qtbot, window):
    window.grid.selectAll()
    window.open_geotag()
    qtbot.waitUntil(lambda: getattr(window, "geotag_dialog", None) is not None, timeout=10000)
    return window.geotag_dialog


def test_projection_round_trip() -> None:
    for lat, lon in ((48.85826, 2.2945), (-33.8568, 151.2153), (0.0, 0.0)):
        back = from_world(*to_world(lat, lon, 15), 15)
        assert back == pytest.approx((lat, lon), abs=1e-9)


def test_map_loads_lazily_and_a_click_picks_coordinates(qtbot, window, tile_server) -> None:
    dlg = _dialog(qtbot, window)
    qtbot.wait(100)
    assert dlg.map is None and tile_server == []  # nothing fetched until asked
    dlg.coords_edit.setText("48.85826, 2.2945")
    dlg.map_button.click()
    assert dlg.map is not None and dlg.map.point == pytest.approx((48.85826, 2.2945))
    dlg.map.resize(400, 300)
    qtbot.waitUntil(lambda: len(dlg.map.tiles) >= 4, timeout=10000)
    assert all("photoarchive/" in s and s.startswith("/15/") for s in tile_server)
    centre = QPoint(dlg.map.width() // 2, dlg.map.height() // 2)
    expected = dlg.map.lat_lon_at(centre + QPoint(50, -30))
    qtbot.mouseClick(dlg.map, Qt.MouseButton.LeftButton, pos=centre + QPoint(50, -30))
    lat, lon = (float(v) for v in dlg.coords_edit.text().split(","))
    assert (lat, lon) == pytest.approx(expected, abs=1e-6)
    assert lat > 48.85826 and lon > 2.2945  # up and to the right of the old point
    assert dlg.choice() is not None and dlg.choice().place is None


def test_no_network_means_no_tiles_but_geotagging_works(qtbot, window, monkeypatch) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens here
    monkeypatch.setenv("PHOTOARCHIVE_TILE_URL", f"http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png")
    dlg = _dialog(qtbot, window)
    dlg.map_button.click()
    dlg.map.resize(300, 200)
    dlg.map.repaint()
    qtbot.waitUntil(lambda: bool(dlg.map.error), timeout=10000)
    assert "refused" in dlg.map.error.lower()
    dlg.coords_edit.setText("45.0, 7.0")
    assert dlg.apply_button.isEnabled()
