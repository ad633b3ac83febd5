"""Batch geotag: pick a saved place (or add one from pasted coordinates / a map link), decide
what happens to photos that already have a location, Apply. The write itself is a job."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QTreeWidget,
    QWidget,
)

from photoarchive.config import Settings
from photoarchive.gui.actions import GeotagChoice
from photoarchive.gui.forms import child, load_form
from photoarchive.gui.metacache import PhotoInfo
from photoarchive.gui.place_widgets import (
    BAD_STYLE,
    check_coordinates,
    current_name,
    fill_places,
    filter_places,
    select_place,
)
from photoarchive.metadata.places import Place, PlaceBook, PlaceError

if TYPE_CHECKING:
    from photoarchive.gui.map_view import TileMap

TILE = 256


class GeotagDialog(QDialog):
    chosen = Signal(object)  # GeotagChoice

    def __init__(
        self, settings: Settings, infos: list[PhotoInfo], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("Geotag photos")
        self.resize(640, 680)
        form = load_form("geotag", self)
        self.selection_label = child(form, QLabel, "selectionLabel")
        self.search = child(form, QLineEdit, "searchEdit")
        self.tree = child(form, QTreeWidget, "placesTree")
        self.name_edit = child(form, QLineEdit, "nameEdit")
        self.coords_edit = child(form, QLineEdit, "coordsEdit")
        self.coords_status = child(form, QLabel, "coordsStatus")
        self.add_button = child(form, QPushButton, "addPlaceButton")
        self.gps_summary = child(form, QLabel, "gpsSummary")
        self.gps_group = child(form, QGroupBox, "gpsGroup")
        self.keep_radio = child(form, QRadioButton, "keepRadio")
        self.overwrite_radio = child(form, QRadioButton, "overwriteRadio")
        self.chosen_label = child(form, QLabel, "chosenLabel")
        self.buttons = child(form, QDialogButtonBox, "buttons")
        self.apply_button = self.buttons.button(QDialogButtonBox.StandardButton.Apply)
        self.apply_button.setText("Apply")
        self.apply_button.setDefault(True)
        n = len(infos)
        self.with_gps = sum(i.has_gps for i in infos)
        self.selection_label.setText(f"<b>{n} photo{'s' if n != 1 else ''} selected.</b>")
        if self.with_gps:
            self.gps_summary.setText(f"{self.with_gps} of {n} selected photos already have one.")
        else:
            self.gps_summary.setText("None of the selected photos has a location yet.")
            self.gps_group.setEnabled(False)
        self.book: PlaceBook | None = None
        try:
            self.book = PlaceBook.load(settings.places_file)
        except PlaceError as exc:
            self.chosen_label.setText(f"Saved places unavailable: {exc}")
            self.chosen_label.setStyleSheet(BAD_STYLE)
        self.reload()
        self.search.textChanged.connect(lambda t: filter_places(self.tree, t))
        self.coords_edit.textChanged.connect(self._coords_changed)
        self.name_edit.textChanged.connect(self._coords_changed)
        self.add_button.clicked.connect(self.add_place)
        self.tree.itemSelectionChanged.connect(self._update)
        self.tree.itemDoubleClicked.connect(lambda *_: self.apply())
        self.buttons.clicked.connect(self._clicked)
        self.map_host = child(form, QWidget, "mapHost")
        self.map_button = child(form, QPushButton, "mapButton")
        self.map_button.toggled.connect(self.show_map)
        self.map: TileMap | None = None  # created on demand: no network unless asked
        self._update()

    def show_map(self, visible: bool = True) -> None:
        if visible and self.map is None:
            from photoarchive.gui.map_view import TileMap

            self.map = TileMap(self.settings.cache_dir / "tiles", self.map_host)
            self.map.setMinimumHeight(280)
            self.map.picked.connect(self._map_picked)
            self.map_host.layout().addWidget(self.map)
            choice = self.choice()
            if choice is not None:
                self.map.set_point(choice.lat, choice.lon, 15)
            else:
                self.map.zoom = 2
                self.map.center = (TILE * 2, TILE * 2)
            self.resize(self.width(), self.height() + 300)
        if self.map is not None:
            self.map.setVisible(visible)
        self.map_button.setText("Hide map" if visible else "Show map")

    def _map_picked(self, lat: float, lon: float) -> None:
        self.tree.clearSelection()
        self.coords_edit.setText(f"{lat:.6f}, {lon:.6f}")

    def reload(self) -> None:
        fill_places(self.tree, self.book.all() if self.book else [], "ncu")

    def _coords_changed(self) -> None:
        coords = check_coordinates(self.coords_edit, self.coords_status)
        self.add_button.setEnabled(coords is not None and bool(self.name_edit.text().strip()))
        self._update()

    def add_place(self) -> Place | None:
        coords = check_coordinates(self.coords_edit, self.coords_status)
        if coords is None or self.book is None:
            return None
        place = Place(self.name_edit.text().strip(), coords.lat, coords.lon, coords.alt)
        try:
            self.book.add(place)
            self.book.save()
        except (PlaceError, OSError) as exc:
            self.coords_status.setText(str(exc))
            self.coords_status.setStyleSheet(BAD_STYLE)
            return None
        self.reload()
        self.search.clear()
        select_place(self.tree, place.name)
        self.name_edit.clear()
        self.coords_edit.clear()
        return place

    def choice(self) -> GeotagChoice | None:
        """The selected saved place, else valid coordinates typed in the add box."""
        overwrite = self.overwrite_radio.isChecked()
        name = current_name(self.tree)
        if name and self.book is not None:
            place = self.book.get(name)
            return GeotagChoice(place.lat, place.lon, place.alt, place.name, overwrite)
        coords = check_coordinates(self.coords_edit, self.coords_status)
        if coords is not None:
            return GeotagChoice(coords.lat, coords.lon, coords.alt, None, overwrite)
        return None

    def _update(self) -> None:
        choice = self.choice()
        self.apply_button.setEnabled(choice is not None)
        if choice is None:
            self.chosen_label.setText("Choose a saved place, or paste coordinates above.")
        else:
            where = f"“{choice.place}”" if choice.place else f"{choice.lat:.6f}, {choice.lon:.6f}"
            self.chosen_label.setText(f"Apply will write {where} into the photos.")
            if self.map is not None and self.map.point != (choice.lat, choice.lon):
                self.map.set_point(choice.lat, choice.lon)
        self.chosen_label.setStyleSheet("")

    def _clicked(self, button: QAbstractButton) -> None:
        role = self.buttons.buttonRole(button)
        if role == QDialogButtonBox.ButtonRole.ApplyRole:
            self.apply()
        else:
            self.reject()

    def apply(self) -> None:
        choice = self.choice()
        if choice is None:
            return
        self.chosen.emit(choice)
        self.accept()
