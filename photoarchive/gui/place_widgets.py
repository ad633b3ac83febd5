"""Pieces the geotag dialog and the places manager share: the place list and the live
coordinates check ("validated as you type")."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QTreeWidget, QTreeWidgetItem

from photoarchive.gui.plain import tip
from photoarchive.metadata.coords import CoordinateError, Coordinates, parse_coordinates
from photoarchive.metadata.places import Place

OK_STYLE = "color: #1e7b34"
BAD_STYLE = "color: #b3261e"


def check_coordinates(edit: QLineEdit, status: QLabel) -> Coordinates | None:
    """Parse what was typed or pasted, and say right away what is wrong with it."""
    text = edit.text().strip()
    if not text:
        status.setText("")
        return None
    try:
        coords = parse_coordinates(text)
    except CoordinateError as exc:
        status.setText(str(exc))
        status.setStyleSheet(BAD_STYLE)
        return None
    status.setText(f"✓ {coords}")
    status.setStyleSheet(OK_STYLE)
    return coords


def coords_text(place: Place) -> str:
    return str(Coordinates(place.lat, place.lon, place.alt))


def fill_places(tree: QTreeWidget, places: list[Place], columns: str = "ncu") -> None:
    """n = name, c = coordinates, r = radius, p = private, u = uses; most used first."""
    tree.clear()
    for place in sorted(places, key=lambda p: (-p.uses, p.name.casefold())):
        values = {
            "n": place.name,
            "c": coords_text(place),
            "r": f"{place.radius_m:g} m" if place.radius_m else "",
            "p": "private" if place.private else "",
            "u": str(place.uses),
        }
        item = QTreeWidgetItem([values[c] for c in columns])
        item.setData(0, Qt.ItemDataRole.UserRole, place.name)
        where = ", ".join(x for x in (place.city, place.region, place.country) if x)
        if where:
            item.setToolTip(0, tip(f"{place.name} ({where})"))
        tree.addTopLevelItem(item)
    for col in range(tree.columnCount()):
        tree.resizeColumnToContents(col)


def filter_places(tree: QTreeWidget, text: str) -> None:
    needle = text.strip().casefold()
    for i in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(i)
        item.setHidden(bool(needle) and needle not in item.text(0).casefold())


def select_place(tree: QTreeWidget, name: str) -> None:
    for i in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(i)
        if item.data(0, Qt.ItemDataRole.UserRole) == name:
            tree.setCurrentItem(item)
            return


def current_name(tree: QTreeWidget) -> str | None:
    item = tree.currentItem()
    if item is None or item.isHidden() or not item.isSelected():
        return None
    return str(item.data(0, Qt.ItemDataRole.UserRole))
