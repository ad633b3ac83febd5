"""Places manager: add, edit, rename, remove saved places; import the old shell places file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTreeWidget,
    QWidget,
)

from photoarchive.config import Settings
from photoarchive.gui.forms import child, load_form
from photoarchive.gui.place_widgets import (
    BAD_STYLE,
    OK_STYLE,
    check_coordinates,
    coords_text,
    current_name,
    fill_places,
    filter_places,
    select_place,
)
from photoarchive.metadata.places import Place, PlaceBook, PlaceError, import_shell_places


class PlacesDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("Places")
        self.resize(720, 600)
        form = load_form("places", self)
        self.search = child(form, QLineEdit, "searchEdit")
        self.tree = child(form, QTreeWidget, "placesTree")
        self.name_edit = child(form, QLineEdit, "nameEdit")
        self.coords_edit = child(form, QLineEdit, "coordsEdit")
        self.coords_status = child(form, QLabel, "coordsStatus")
        self.radius = child(form, QSpinBox, "radiusSpin")
        self.private = child(form, QCheckBox, "privateCheck")
        self.city_edit = child(form, QLineEdit, "cityEdit")
        self.region_edit = child(form, QLineEdit, "regionEdit")
        self.country_edit = child(form, QLineEdit, "countryEdit")
        self.status = child(form, QLabel, "statusLabel")
        self.update_button = child(form, QPushButton, "updateButton")
        self.rename_button = child(form, QPushButton, "renameButton")
        self.remove_button = child(form, QPushButton, "removeButton")
        child(form, QPushButton, "addButton").clicked.connect(self.add)
        self.update_button.clicked.connect(self.update_current)
        self.rename_button.clicked.connect(self._ask_rename)
        self.remove_button.clicked.connect(self.remove_current)
        child(form, QPushButton, "importButton").clicked.connect(self._ask_import)
        child(form, QDialogButtonBox, "buttons").rejected.connect(self.reject)
        self.search.textChanged.connect(lambda t: filter_places(self.tree, t))
        self.coords_edit.textChanged.connect(
            lambda: check_coordinates(self.coords_edit, self.coords_status)
        )
        self.tree.itemSelectionChanged.connect(self._selected)
        try:
            self.book = PlaceBook.load(settings.places_file)
        except PlaceError as exc:
            self.book = PlaceBook(settings.places_file)
            self.say(f"{exc}. Fix or move the file; saving now would replace it.", bad=True)
        self.reload()
        self._selected()

    def say(self, text: str, bad: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet(BAD_STYLE if bad else OK_STYLE)

    def reload(self, select: str | None = None) -> None:
        fill_places(self.tree, self.book.all(), "ncrpu")
        filter_places(self.tree, self.search.text())
        if select:
            select_place(self.tree, select)

    def _selected(self) -> None:
        name = current_name(self.tree)
        for b in (self.update_button, self.rename_button, self.remove_button):
            b.setEnabled(name is not None)
        if name is None:
            return
        place = self.book.get(name)
        self.name_edit.setText(place.name)
        self.coords_edit.setText(coords_text(place))
        self.radius.setValue(int(place.radius_m or 0))
        self.private.setChecked(place.private)
        self.city_edit.setText(place.city)
        self.region_edit.setText(place.region)
        self.country_edit.setText(place.country)

    def _form_place(self, uses: int = 0) -> Place | None:
        coords = check_coordinates(self.coords_edit, self.coords_status)
        if coords is None:
            self.say("Enter valid coordinates or a map link first.", bad=True)
            return None
        radius = float(self.radius.value()) or None
        return Place(
            self.name_edit.text().strip(),
            coords.lat,
            coords.lon,
            coords.alt,
            radius,
            self.private.isChecked(),
            uses,
            self.city_edit.text().strip(),
            self.region_edit.text().strip(),
            self.country_edit.text().strip(),
        )

    def _commit(self, change: object, message: str, select: str | None) -> bool:
        try:
            change()  # type: ignore[operator]
            self.book.save()
        except (PlaceError, OSError) as exc:
            self.say(str(exc), bad=True)
            self.book = PlaceBook.load(self.settings.places_file)  # back to what is on disk
            self.reload()
            return False
        self.reload(select)
        self.say(message)
        return True

    def add(self) -> bool:
        place = self._form_place()
        if place is None:
            return False
        return self._commit(lambda: self.book.add(place), f"Added “{place.name}”.", place.name)

    def update_current(self) -> bool:
        name = current_name(self.tree)
        if name is None:
            return False
        place = self._form_place(self.book.get(name).uses)
        if place is None:
            return False
        return self._commit(
            lambda: self.book.update(name, place), f"Saved “{place.name}”.", place.name
        )

    def rename(self, old: str, new: str) -> bool:
        return self._commit(
            lambda: self.book.rename(old, new), f"Renamed “{old}” to “{new}”.", new.strip()
        )

    def _ask_rename(self) -> None:
        name = current_name(self.tree)
        if name is None:
            return
        new, ok = QInputDialog.getText(self, "Rename place", "New name:", text=name)
        if ok and new.strip():
            self.rename(name, new)

    def remove_current(self) -> bool:
        name = current_name(self.tree)
        if name is None:
            return False
        return self._commit(lambda: self.book.remove(name), f"Removed “{name}”.", None)

    def import_file(self, path: Path) -> list[Place]:
        added: list[Place] = []

        def run() -> None:
            added.extend(import_shell_places(self.book, path))

        self._commit(run, "", None)
        if added:
            self.say(f"Imported {len(added)} place(s) from {path.name}.")
        elif not self.status.text():
            self.say(f"No new places in {path.name}.")
        return added

    def _ask_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import shell places file")
        if path:
            self.import_file(Path(path))
