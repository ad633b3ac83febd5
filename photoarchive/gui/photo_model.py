"""The thumbnail grid's model and delegate: one row per photo, no widget per photo.

Pixmaps are made on demand (data() asks the loader for rows being painted) and kept in a
bounded LRU, so a 25,000-photo archive costs memory only for what was recently on screen.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from photoarchive.gui.forms import pixmap
from photoarchive.gui.metacache import PhotoInfo
from photoarchive.gui.plain import tip
from photoarchive.gui.thumbloader import ThumbLoader

PIXMAP_CACHE = 1500
CELL = QSize(148, 132)
PathRole = Qt.ItemDataRole.UserRole + 1
InfoRole = Qt.ItemDataRole.UserRole + 2
FailedRole = Qt.ItemDataRole.UserRole + 3
OnFlickrRole = Qt.ItemDataRole.UserRole + 4

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Photo:
    rel: str  # WEEK/NAME, the catalog key
    path: Path
    week: str
    on_flickr: bool = False

    @property
    def name(self) -> str:
        return self.path.name


class PhotoModel(QAbstractListModel):
    def __init__(self, loader: ThumbLoader, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.loader = loader
        self.photos: list[Photo] = []
        self.rows: dict[str, int] = {}
        self.info: dict[str, PhotoInfo] = {}
        self.forgotten: dict[str, int] = {}  # times each file was rewritten while shown
        self.failed: set[str] = set()
        self.pixmaps: OrderedDict[str, QPixmap] = OrderedDict()
        self.placeholder = pixmap("placeholder", 96)
        loader.loaded.connect(self._on_loaded)

    def set_photos(self, photos: list[Photo]) -> None:
        self.beginResetModel()
        self.loader.reset()
        self.photos = photos
        self.rows = {p.rel: i for i, p in enumerate(photos)}
        self.failed.clear()
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.photos)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.photos):
            return None
        photo = self.photos[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return photo.name
        if role == Qt.ItemDataRole.DecorationRole:
            pm = self.pixmaps.get(photo.rel)
            if pm is not None:
                self.pixmaps.move_to_end(photo.rel)
                return pm
            if photo.rel not in self.failed:
                self.loader.request(photo.rel, photo.path, self.forgotten.get(photo.rel, 0))
            return self.placeholder
        if role == Qt.ItemDataRole.ToolTipRole:
            info = self.info.get(photo.rel)
            lines = [photo.name]
            if info:
                lines += [x for x in (info.title, info.caption, info.coordinates) if x]
                if info.unreadable:
                    lines.append(f"metadata unreadable: {info.unreadable}")
            if photo.rel in self.failed:
                lines.append("cannot show this image")
            if photo.on_flickr:
                lines.append("on Flickr")
            return tip("\n".join(lines))  # names and captions shown as they are
        if role == PathRole:
            return photo.path
        if role == InfoRole:
            return self.info.get(photo.rel)
        if role == FailedRole:
            return photo.rel in self.failed
        if role == OnFlickrRole:
            return photo.on_flickr
        return None

    def _on_loaded(self, key: str, img: QImage | None, generation: int = 0) -> None:
        row = self.rows.get(key)
        if row is None:
            return
        if generation != self.forgotten.get(key, 0):
            pass  # read before the file was rewritten: repainting the row asks again
        elif img is None or img.isNull():
            self.failed.add(key)
        else:
            self.pixmaps[key] = QPixmap.fromImage(img)
            while len(self.pixmaps) > PIXMAP_CACHE:
                self.pixmaps.popitem(last=False)
        idx = self.index(row)
        self.dataChanged.emit(idx, idx)

    def forget(self, keys: list[str]) -> None:
        """Drop what we know about rewritten files so they are read again."""
        for key in keys:
            self.info.pop(key, None)
            self.forgotten[key] = self.forgotten.get(key, 0) + 1
            self.pixmaps.pop(key, None)
            self.failed.discard(key)  # a rewritten file may be readable now
            row = self.rows.get(key)
            if row is not None:
                idx = self.index(row)
                self.dataChanged.emit(idx, idx)

    def refresh_all(self) -> None:
        if self.photos:
            self.dataChanged.emit(self.index(0), self.index(len(self.photos) - 1))

    def photo(self, row: int) -> Photo:
        return self.photos[row]

    def loaded_count(self) -> int:
        return sum(1 for p in self.photos if p.rel in self.pixmaps or p.rel in self.failed)


FLICKR_BLUE, FLICKR_PINK = QColor(0, 99, 220), QColor(255, 0, 132)


class PhotoDelegate(QStyledItemDelegate):
    """Thumbnail, name, and small marks for geotagged, captioned and on-Flickr photos."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.gps_mark = pixmap("geotag", 18)
        self.caption_mark = pixmap("caption", 18)

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        return CELL

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        rect: QRect = option.rect  # type: ignore[attr-defined]
        state = option.state  # type: ignore[attr-defined]
        painter.save()
        if state & QStyle.StateFlag.State_Selected:
            painter.fillRect(rect, option.palette.highlight())  # type: ignore[attr-defined]
        pm = index.data(Qt.ItemDataRole.DecorationRole)
        if isinstance(pm, QPixmap) and not pm.isNull():
            box = QRect(rect.x() + 10, rect.y() + 4, rect.width() - 20, rect.height() - 26)
            size = pm.size().scaled(box.size(), Qt.AspectRatioMode.KeepAspectRatio)
            if pm.width() <= box.width() and pm.height() <= box.height():
                size = pm.size()
            x = box.x() + (box.width() - size.width()) // 2
            y = box.y() + (box.height() - size.height()) // 2
            painter.drawPixmap(QRect(x, y, size.width(), size.height()), pm)
        text_rect = QRect(rect.x() + 2, rect.bottom() - 20, rect.width() - 4, 18)
        name = option.fontMetrics.elidedText(  # type: ignore[attr-defined]
            str(index.data(Qt.ItemDataRole.DisplayRole) or ""),
            Qt.TextElideMode.ElideMiddle,
            text_rect.width(),
        )
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignCenter, name)
        info = index.data(InfoRole)
        if isinstance(info, PhotoInfo):
            x = rect.right() - 22
            if info.has_gps:
                painter.drawPixmap(x, rect.y() + 4, self.gps_mark)
                x -= 20
            if info.has_caption:
                painter.drawPixmap(x, rect.y() + 4, self.caption_mark)
        if index.data(OnFlickrRole) is True:  # Flickr's two dots, top left: "on Flickr"
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(Qt.PenStyle.NoPen)
            for dx, colour in ((0, FLICKR_BLUE), (9, FLICKR_PINK)):
                painter.setBrush(colour)
                painter.drawEllipse(rect.x() + 6 + dx, rect.y() + 6, 8, 8)
        painter.restore()
