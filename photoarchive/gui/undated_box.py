"""The import plan's photos without a date inside, and the user's choice of their week.

Shown in the import dialog before anything is copied: the files grouped by the week their
file time suggests, each with the week of its neighbours on the card, and one choice for all
of them (neighbours' week, a week the user picks, the file-time week, or not now). The column
"goes to" always says where each file will land, so nothing lands in a week unseen.
"""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDateEdit,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from photoarchive.gui.plain import tip
from photoarchive.importing.undated import Placement, Undated, by_week, target_week, week_of
from photoarchive.jobs import plural


class UndatedBox(QGroupBox):
    def __init__(self, week_pattern: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.week_pattern = week_pattern
        self.items: list[Undated] = []
        layout = QVBoxLayout(self)
        self.explain = QLabel(self)
        self.explain.setWordWrap(True)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels(["File", "Neighbours' week", "Goes to"])
        self.tree.setRootIsDecorated(True)
        self.tree.setMinimumHeight(110)
        self.group = QButtonGroup(self)
        self.neighbours = QRadioButton("The week of their neighbours on the card", self)
        self.neighbours.setToolTip(
            "The nearest file number in the same folder that has a real date "
            "(the nearer time decides between equals)"
        )
        self.picked = QRadioButton("This week:", self)
        self.day = QDateEdit(self)
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.file_time = QRadioButton("The week of the file time", self)
        self.hold = QRadioButton("Do not import them now", self)
        for i, button in enumerate((self.neighbours, self.picked, self.file_time, self.hold)):
            self.group.addButton(button, i)
        self.neighbours.setChecked(True)
        pick_row = QHBoxLayout()
        pick_row.addWidget(self.picked)
        pick_row.addWidget(self.day)
        pick_row.addStretch(1)
        layout.addWidget(self.explain)
        layout.addWidget(self.tree)
        layout.addWidget(QLabel("Put them in:", self))
        layout.addWidget(self.neighbours)
        layout.addLayout(pick_row)
        layout.addWidget(self.file_time)
        layout.addWidget(self.hold)
        self.group.idToggled.connect(lambda _id, on: on and self._update())
        self.day.dateChanged.connect(lambda _d: self.picked.isChecked() and self._update())
        self.hide()

    def show_items(self, items: list[Undated]) -> None:
        self.items = items
        self.setVisible(bool(items))
        if not items:
            return
        self.setTitle(f"No date inside: {plural(len(items), 'file')}")
        self.explain.setText(
            "These files carry no date of their own; the time of the file (a copy, a camera "
            "reset) is only a guess. Choose the week they go to before importing."
        )
        first = items[0].group.capture.local.date()
        self.day.setDate(QDate(first.year, first.month, first.day))
        self._update()

    def choice(self) -> tuple[Placement, str | None]:
        if self.picked.isChecked():
            d = self.day.date()
            return Placement.WEEK, week_of(date(d.year(), d.month(), d.day()), self.week_pattern)
        if self.file_time.isChecked():
            return Placement.FILE_TIME, None
        if self.hold.isChecked():
            return Placement.HOLD, None
        return Placement.NEIGHBOURS, None

    def target(self, item: Undated) -> str:
        how, week = self.choice()
        return target_week(item, how, week) or "not imported"

    def _update(self) -> None:
        self.tree.clear()
        for file_week, group in by_week(self.items).items():
            top = QTreeWidgetItem([f"File time in week {file_week} ({len(group)})", "", ""])
            self.tree.addTopLevelItem(top)
            for u in group:
                near = f"{u.neighbour_week} (next to {u.neighbour})" if u.neighbour_week else "–"
                child = QTreeWidgetItem([u.name, near, self.target(u)])
                child.setToolTip(0, tip(str(u.group.group.dated[0].path)))
                top.addChild(child)
            top.setExpanded(True)
        for col in range(3):
            self.tree.resizeColumnToContents(col)
        self.tree.setColumnWidth(0, max(self.tree.columnWidth(0), 200))
        self.tree.sortItems(0, Qt.SortOrder.AscendingOrder)
