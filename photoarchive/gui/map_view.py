"""A small OpenStreetMap tile view to see and pick a point, created only when asked for.

Tiles come over the network asynchronously (QNetworkAccessManager on the GUI thread's event
loop: nothing blocks) and are kept in a disk cache; without network the view says so and
everything else keeps working. The tile server follows the OSM tile usage policy: a real
User-Agent, cached tiles, and the attribution drawn on the map.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, QUrl, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen, QPixmap, QWheelEvent
from PySide6.QtNetwork import (
    QNetworkAccessManager,
    QNetworkDiskCache,
    QNetworkReply,
    QNetworkRequest,
)
from PySide6.QtWidgets import QWidget

from photoarchive import __version__

TILE = 256
TILE_URL_ENV = "PHOTOARCHIVE_TILE_URL"
DEFAULT_TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
USER_AGENT = f"photoarchive/{__version__} (family photo archive; geotag dialog)"
MAX_LAT = 85.05112878


def to_world(lat: float, lon: float, zoom: int) -> tuple[float, float]:
    """Web-Mercator pixel coordinates of a point at a zoom level."""
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    n = TILE * (1 << zoom)
    x = (lon + 180.0) / 360.0 * n
    y = (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n
    return x, y


def from_world(x: float, y: float, zoom: int) -> tuple[float, float]:
    n = TILE * (1 << zoom)
    lon = x / n * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1.0 - 2.0 * y / n))))
    return lat, lon


class TileMap(QWidget):
    picked = Signal(float, float)  # lat, lon clicked by the user

    def __init__(self, cache_dir: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(320, 240)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.url = os.environ.get(TILE_URL_ENV, DEFAULT_TILE_URL)
        self.zoom = 15
        self.center = to_world(0.0, 0.0, self.zoom)
        self.point: tuple[float, float] | None = None
        self.tiles: dict[tuple[int, int, int], QPixmap] = {}
        self.pending: set[tuple[int, int, int]] = set()
        self.error = ""
        self.net = QNetworkAccessManager(self)
        cache = QNetworkDiskCache(self)
        cache.setCacheDirectory(str(cache_dir))
        self.net.setCache(cache)
        self.net.finished.connect(self._arrived)
        self._press: QPoint | None = None
        self._press_center = self.center

    # --- position ------------------------------------------------------------------------
    def set_point(self, lat: float, lon: float, zoom: int | None = None) -> None:
        """Show (and centre on) a point."""
        if zoom is not None:
            self.zoom = max(1, min(19, zoom))
        self.point = (lat, lon)
        self.center = to_world(lat, lon, self.zoom)
        self.update()

    def lat_lon_at(self, pos: QPointF) -> tuple[float, float]:
        x = self.center[0] + pos.x() - self.width() / 2
        y = self.center[1] + pos.y() - self.height() / 2
        return from_world(x, y, self.zoom)

    # --- tiles ---------------------------------------------------------------------------
    def _request(self, key: tuple[int, int, int]) -> None:
        z, x, y = key
        req = QNetworkRequest(QUrl(self.url.format(z=z, x=x, y=y)))
        req.setHeader(QNetworkRequest.KnownHeaders.UserAgentHeader, USER_AGENT)
        req.setAttribute(
            QNetworkRequest.Attribute.CacheLoadControlAttribute,
            QNetworkRequest.CacheLoadControl.PreferCache,
        )
        req.setAttribute(QNetworkRequest.Attribute.User, key)
        self.pending.add(key)
        self.net.get(req)

    def _arrived(self, reply: QNetworkReply) -> None:
        key = reply.request().attribute(QNetworkRequest.Attribute.User)
        self.pending.discard(key)
        if reply.error() != QNetworkReply.NetworkError.NoError:
            self.error = reply.errorString()
        else:
            pm = QPixmap()
            if pm.loadFromData(reply.readAll().data()):
                self.tiles[key] = pm
                self.error = ""
        reply.deleteLater()
        self.update()

    # --- painting and input ----------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#dde3ea"))
        left = self.center[0] - self.width() / 2
        top = self.center[1] - self.height() / 2
        n = 1 << self.zoom
        for ty in range(int(top // TILE), int((top + self.height()) // TILE) + 1):
            if not 0 <= ty < n:
                continue
            for tx in range(int(left // TILE), int((left + self.width()) // TILE) + 1):
                key = (self.zoom, tx % n, ty)
                pm = self.tiles.get(key)
                target = QRectF(tx * TILE - left, ty * TILE - top, TILE, TILE)
                if pm is not None:
                    p.drawPixmap(target.toRect(), pm)
                elif key not in self.pending:
                    self._request(key)
        if self.point is not None:
            x, y = to_world(*self.point, self.zoom)
            pos = QPointF(x - left, y - top)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setPen(QPen(QColor("white"), 2))
            p.setBrush(QColor("#d9453b"))
            p.drawEllipse(pos, 7, 7)
        p.setPen(QColor("#333333"))
        credit = "© OpenStreetMap contributors"
        p.drawText(
            self.rect().adjusted(4, 4, -6, -4),
            Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignRight,
            credit,
        )
        if self.error and not self.tiles:
            p.drawText(
                self.rect(),
                Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                f"Map tiles unavailable ({self.error}).\nGeotagging works without them.",
            )
        p.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press = event.position().toPoint()
        self._press_center = self.center

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._press is None:
            return
        d = event.position().toPoint() - self._press
        self.center = (self._press_center[0] - d.x(), self._press_center[1] - d.y())
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        start, self._press = self._press, None
        if start is not None and (event.position().toPoint() - start).manhattanLength() < 4:
            lat, lon = self.lat_lon_at(event.position())
            self.point = (lat, lon)
            self.update()
            self.picked.emit(lat, lon)

    def wheelEvent(self, event: QWheelEvent) -> None:
        lat, lon = from_world(*self.center, self.zoom)
        step = 1 if event.angleDelta().y() > 0 else -1
        self.zoom = max(1, min(19, self.zoom + step))
        self.center = to_world(lat, lon, self.zoom)
        self.update()
