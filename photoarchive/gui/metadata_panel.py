"""The right-hand panel: what the selected photos say about themselves, editable together.

With several photos selected, a field whose values differ shows "(mixed)" and stays untouched
unless the user types into it: Save writes only the fields that were changed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QLineEdit, QPlainTextEdit, QPushButton, QWidget

from photoarchive.gui.forms import child, load_form
from photoarchive.gui.metacache import PhotoInfo
from photoarchive.gui.place_widgets import BAD_STYLE, check_coordinates
from photoarchive.gui.plain import plain_labels
from photoarchive.metadata.places import Place

MIXED = "(mixed)"
DEFAULT_RADIUS_M = 100.0


@dataclass(frozen=True)
class PanelEdit:
    """Only the fields the user changed; None means leave as it is."""

    title: str | None = None
    caption: str | None = None
    coordinates: str | None = None  # text to parse; "" removes nothing (GPS is never cleared)

    @property
    def empty(self) -> bool:
        return self.title is None and self.caption is None and self.coordinates is None


def common(values: list[str]) -> str | None:
    """The one value all photos share, or None when they differ."""
    first = values[0] if values else ""
    return first if all(v == first for v in values) else None


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), good to a few metres at these scales."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(min(1.0, a)))


def place_of(infos: list[PhotoInfo], places: list[Place]) -> str:
    """The saved place every photo is at (within its radius, default 100 m), if one is."""
    if not infos or not places or not all(i.has_gps for i in infos):
        return ""
    best = ""
    best_d = math.inf
    for place in places:
        radius = place.radius_m or DEFAULT_RADIUS_M
        far = max(distance_m(i.lat, i.lon, place.lat, place.lon) for i in infos)  # type: ignore[arg-type]
        if far <= radius and far < best_d:
            best, best_d = place.name, far
    return best


class MetadataPanel(QWidget):
    save_requested = Signal(object)  # PanelEdit
    geotag_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = load_form("metadata_panel", self, margin=4)
        self.count_label = child(self.form, QLabel, "countLabel")
        self.title_edit = child(self.form, QLineEdit, "titleEdit")
        self.caption_edit = child(self.form, QPlainTextEdit, "captionEdit")
        self.place_edit = child(self.form, QLineEdit, "placeEdit")
        self.place_status = child(self.form, QLabel, "placeStatus")
        self.capture_label = child(self.form, QLabel, "captureLabel")
        self.camera_label = child(self.form, QLabel, "cameraLabel")
        self.file_label = child(self.form, QLabel, "fileLabel")
        plain_labels(self.file_label)
        self.apply_button = child(self.form, QPushButton, "applyButton")
        self.revert_button = child(self.form, QPushButton, "revertButton")
        self.geotag_button = child(self.form, QPushButton, "geotagButton")
        self.status = child(self.form, QLabel, "panelStatus")
        self._infos: list[PhotoInfo] = []
        self.places: list[Place] = []  # saved places, to name a location
        self._place_name = ""
        self._names: list[str] = []
        self._loading = False
        self._caption_changed = False
        self.title_edit.textEdited.connect(self._changed)
        self.place_edit.textEdited.connect(self._place_changed)
        self.caption_edit.textChanged.connect(self._caption_edited)
        self.apply_button.clicked.connect(self._save)
        self.revert_button.clicked.connect(lambda: self.show_photos(self._names, self._infos))
        self.geotag_button.clicked.connect(self.geotag_requested)
        self.show_photos([], [])

    def show_photos(self, names: list[str], infos: list[PhotoInfo], status: str = "") -> None:
        self._loading = True
        self._place_name = place_of(infos, self.places)
        self._names, self._infos = list(names), list(infos)
        n = len(names)
        self.count_label.setText(
            "No photo selected" if n == 0 else names[0] if n == 1 else f"{n} photos selected"
        )
        for w in (self.title_edit, self.caption_edit, self.place_edit, self.geotag_button):
            w.setEnabled(n > 0 and len(infos) == n)
        self._fill(self.title_edit, [i.title for i in infos])
        captions = [i.caption for i in infos]
        shared = common(captions)
        self.caption_edit.setPlainText(shared or "")
        self.caption_edit.setPlaceholderText(MIXED if shared is None and n > 1 else "")
        self._fill(self.place_edit, [i.coordinates for i in infos])
        written = common([i.location for i in infos]) if infos else None
        if written:  # the place named in the files themselves
            notes = [f"“{written}” (in the file{'s' if n > 1 else ''})"]
        else:  # else the saved place these coordinates fall in
            notes = [f"“{self._place_name}”"] if self._place_name else []
        if infos and n > 1:
            notes.append(f"{sum(i.has_gps for i in infos)} of {n} have a location")
        self.place_status.setText(" · ".join(notes))
        self.place_status.setStyleSheet("")
        self.capture_label.setText(self._summary([i.capture_time for i in infos]))
        self.camera_label.setText(self._summary([i.camera for i in infos]))
        self.file_label.setText(names[0] if n == 1 else "")
        broken = [i.unreadable for i in infos if i.unreadable]
        self.status.setText(status or (f"metadata unreadable: {broken[0]}" if broken else ""))
        self.status.setStyleSheet(BAD_STYLE if broken and not status else "")
        self._caption_changed = False
        self._loading = False
        self._changed()

    @staticmethod
    def _summary(values: list[str]) -> str:
        if not values:
            return ""
        shared = common(values)
        if shared is not None:
            return shared
        nonempty = sorted(v for v in values if v)
        return f"{nonempty[0]} … {nonempty[-1]}" if nonempty else MIXED

    @staticmethod
    def _fill(edit: QLineEdit, values: list[str]) -> None:
        shared = common(values)
        edit.setText(shared or "")
        edit.setPlaceholderText(MIXED if shared is None and len(values) > 1 else "")
        edit.setModified(False)

    def _caption_edited(self) -> None:
        if not self._loading:
            self._caption_changed = True
            self._changed()

    def _place_changed(self) -> None:
        check_coordinates(self.place_edit, self.place_status)
        self._changed()

    def pending(self) -> PanelEdit:
        place = self.place_edit.text().strip() if self.place_edit.isModified() else None
        return PanelEdit(
            title=self.title_edit.text().strip() if self.title_edit.isModified() else None,
            caption=self.caption_edit.toPlainText().strip() if self._caption_changed else None,
            coordinates=place or None,
        )

    def _changed(self) -> None:
        dirty = not self.pending().empty
        self.apply_button.setEnabled(dirty)
        self.revert_button.setEnabled(dirty)

    def _save(self) -> None:
        edit = self.pending()
        if edit.coordinates:
            from photoarchive.metadata.coords import CoordinateError, parse_coordinates

            try:
                parse_coordinates(edit.coordinates)
            except CoordinateError as exc:
                self.status.setText(f"Not saved: {exc}")
                self.status.setStyleSheet(BAD_STYLE)
                return
        if not edit.empty:
            self.save_requested.emit(edit)
            self.mark_saved()

    def mark_saved(self) -> None:
        """The edit is on its way to the files: nothing is pending any more."""
        self.title_edit.setModified(False)
        self.place_edit.setModified(False)
        self._caption_changed = False
        self.status.setText("saving…")
        self.status.setStyleSheet("")
        self._changed()
