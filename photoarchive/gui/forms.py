"""Qt Designer forms and icons, found the same way from a checkout and from an installed wheel.

The wheel ships `ui/` as `photoarchive/gui/ui` and `resources/` as `photoarchive/gui/resources`
(package-dir mapping in pyproject.toml); in a checkout they are the top-level folders. Icons
come from the compiled `.qrc` (`resources_rc`), never from hand-built file paths.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QFile, QIODevice
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtUiTools import QUiLoader
from PySide6.QtWidgets import QVBoxLayout, QWidget

from photoarchive.gui import resources_rc

T = TypeVar("T")
_CHECKOUT = Path(__file__).resolve().parents[2]
_KEEP = resources_rc  # importing registers the icons under ":/icons"


class FormError(RuntimeError):
    """A .ui form is missing or broken: the installation is incomplete."""


def _data_dir(name: str) -> Path:
    """Installed: next to this module (photoarchive/gui/<name>); checkout: top level."""
    installed = Path(__file__).resolve().parent / name
    return installed if installed.is_dir() else _CHECKOUT / name


def ui_dir() -> Path:
    return _data_dir("ui")


def resources_dir() -> Path:
    return _data_dir("resources")


def load_form(name: str, host: QWidget, margin: int = 10) -> QWidget:
    """Load `ui/<name>.ui` into `host` (which gets a layout holding the form)."""
    path = ui_dir() / f"{name}.ui"
    fh = QFile(str(path))
    if not fh.open(QIODevice.OpenModeFlag.ReadOnly):
        raise FormError(f"cannot open the form {path}: {fh.errorString()}")
    try:
        loader = QUiLoader()
        form = loader.load(fh, host)
    finally:
        fh.close()
    if form is None:
        raise FormError(f"cannot load the form {path}: {loader.errorString()}")
    layout = host.layout() or QVBoxLayout(host)
    layout.setContentsMargins(margin, margin, margin, margin)
    layout.addWidget(form)
    return form


def child(form: QWidget, kind: type[T], name: str) -> T:
    """A named widget of a form; a missing one is a packaging bug, so fail loudly."""
    found = form.findChild(kind, name)  # type: ignore[arg-type]
    if found is None:
        raise FormError(f"form {form.objectName()!r} has no {kind.__name__} named {name!r}")
    return found  # type: ignore[return-value]


def icon(name: str) -> QIcon:
    return QIcon(f":/icons/{name}.svg")


def pixmap(name: str, size: int) -> QPixmap:
    return icon(name).pixmap(size, size)
