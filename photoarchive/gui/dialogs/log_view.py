"""Help -> Show log: the end of the rotating log file, read-only, with a way to its folder.

When something went wrong overnight, this is where a parent (or whoever helps them) looks,
without a terminal.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QFont, QTextCursor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from photoarchive.logfile import log_path

TAIL_BYTES = 256 << 10


def read_tail(path: Path, limit: int = TAIL_BYTES) -> str:
    """The last `limit` bytes of the log, from a line start; a sentence when there is none."""
    try:
        with path.open("rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - limit))
            data = fh.read()
    except FileNotFoundError:
        return "Nothing has been logged yet."
    except OSError as exc:
        return f"The log cannot be read: {exc.strerror}"
    if size > limit and b"\n" in data:
        data = data.split(b"\n", 1)[1]
    return data.decode("utf-8", "replace")


class LogDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, path: Path | None = None) -> None:
        super().__init__(parent)
        self.path = path or log_path()
        self.setWindowTitle("Log")
        self.resize(820, 480)
        layout = QVBoxLayout(self)
        where = QLabel(f"Log file: {self.path}")
        where.setWordWrap(True)
        layout.addWidget(where)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text.setFont(QFont("monospace"))
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.reload_button = QPushButton("Reload")
        self.folder_button = QPushButton("Open folder")
        buttons.addButton(self.reload_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.folder_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.reload_button.clicked.connect(self.reload)
        self.folder_button.clicked.connect(self.open_folder)
        layout.addWidget(buttons)
        self.reload()

    def reload(self) -> None:
        self.text.setPlainText(read_tail(self.path))
        self.text.moveCursor(QTextCursor.MoveOperation.End)

    def open_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.path.parent)))
