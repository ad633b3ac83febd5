"""A job's problems, one row per file with its reason, so nothing goes unexplained."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from photoarchive.gui.plain import tip
from photoarchive.jobs import Problem


class ProblemsDialog(QDialog):
    def __init__(self, title: str, problems: list[Problem], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Problems: {title}")
        self.resize(760, 360)
        layout = QVBoxLayout(self)
        n = len(problems)
        layout.addWidget(
            QLabel(
                f"{n} file{'s' if n != 1 else ''} need{'s' if n == 1 else ''} "
                "a look. Files not listed here were processed normally."
            )
        )
        self.table = QTableWidget(n, 3, self)
        self.table.setHorizontalHeaderLabels(["File", "Reason", "Severity"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for row, p in enumerate(problems):
            for col, text in enumerate((p.path, p.reason, str(p.severity))):
                item = QTableWidgetItem(text)
                item.setToolTip(tip(text))  # a name may look like HTML
                self.table.setItem(row, col, item)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(0, 300)
        layout.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
