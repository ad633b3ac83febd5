"""The week list: every week folder, newest first, with its dates, title, count and badges.

The rows come from one catalog query plus the metadata cache (and sync status when that
module exists), gathered on a worker by `load_weeks`; the model itself only formats.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from PySide6.QtCore import QObject, QSortFilterProxyModel, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel

from photoarchive.archive import week_monday, week_span
from photoarchive.config import Settings
from photoarchive.gui.metacache import MetaCache, WeekBadges
from photoarchive.gui.plain import tip

log = logging.getLogger(__name__)

WeekRole = Qt.ItemDataRole.UserRole + 10


@dataclass(frozen=True)
class WeekRow:
    week: str
    count: int
    badges: WeekBadges | None = None
    synced: tuple[int, int] | None = None  # (synced, total) when sync is configured
    sync_note: str = ""  # why the last sync left files of this week out
    on_flickr: tuple[int, int] | None = None  # (on Flickr, total) when any is
    safety: tuple[bool, int] | None = None  # (meets the policy, verified copies): ledger

    def date_range(self, pattern: str) -> str:
        start = week_monday(self.week, pattern)
        return "" if start is None else week_span(start, month="%b")

    def badge_text(self) -> str:
        parts = [f"{self.count} photo" + ("" if self.count == 1 else "s")]
        b = self.badges
        if b is not None and b.known >= self.count > 0:
            parts.append(f"geotagged {b.geotagged}/{self.count}")
            parts.append(f"captioned {b.captioned}/{self.count}")
        elif b is not None and b.known:
            parts.append(f"geotagged {b.geotagged}/{b.known} read")
        if self.synced is not None:
            done, total = self.synced
            if total and done >= total:
                parts.append("synced")
            else:
                note = f" ({self.sync_note})" if self.sync_note else ""
                parts.append(f"synced {done}/{total}{note}")
        if self.on_flickr is not None and self.on_flickr[0]:
            done, total = self.on_flickr
            parts.append("on Flickr" if done >= total else f"on Flickr {done}/{total}")
        if self.safety is not None:
            ok, copies = self.safety
            word = f"{copies} cop" + ("y" if copies == 1 else "ies")
            parts.append(word if ok else f"{word}: needs attention (Safety)")
        return " · ".join(parts)


def _sync_status(settings: Settings) -> tuple[dict[str, tuple[int, int]], dict[str, str]] | None:
    from photoarchive.cloud.status import sync_notes, sync_status  # light: no Google libraries

    try:
        return sync_status(settings), sync_notes(settings)
    except Exception as exc:  # the badge is optional; say why in the log only
        log.info("no sync status: %s", exc)
        return None


def _safety(settings: Settings) -> dict[str, tuple[bool, int]]:
    from photoarchive.durability.ledger import build_ledger  # one SQL pass over the catalog

    try:
        return {w.week: (w.ok, w.copies) for w in build_ledger(settings).weeks}
    except Exception as exc:  # the badge is optional; say why in the log only
        log.info("no safety status: %s", exc)
        return {}


def load_weeks(settings: Settings, cache: MetaCache | None) -> list[WeekRow]:
    """Runs on a worker thread: one catalog connection per call."""
    from photoarchive.pipeline import open_catalog

    with open_catalog(settings) as catalog:
        weeks = catalog.weeks()
    badges = cache.badges() if cache is not None else {}
    status = _sync_status(settings) if settings.bucket else None
    synced, notes = status if status is not None else (None, {})
    flickr = _flickr_status(settings)
    safety = _safety(settings)
    return [
        WeekRow(
            w,
            n,
            badges.get(w),
            synced.get(w, (0, n)) if synced is not None else None,
            notes.get(w, ""),
            flickr.get(w),
            safety.get(w),
        )
        for w, n in weeks
    ]


def _flickr_status(settings: Settings) -> dict[str, tuple[int, int]]:
    from photoarchive.flickr.records import flickr_status  # light: no flickrapi

    try:
        return flickr_status(settings)
    except Exception as exc:  # the badge is optional; say why in the log only
        log.info("no Flickr status: %s", exc)
        return {}


class WeekModel(QStandardItemModel):
    """A C++ item model filled from WeekRows: painting and filtering 350 weeks never call back
    into Python (cheaper, and clear of PySide's None-refcount bug in Python data())."""

    def __init__(self, pattern: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pattern = pattern
        self.weeks: list[WeekRow] = []

    def _texts(self, row: WeekRow) -> tuple[str, str]:
        head = row.week
        dates = row.date_range(self.pattern)
        if dates and dates != row.week:
            head += f"   {dates}"
        title = row.badges.title if row.badges else ""
        lines = [head, *([title] if title else []), row.badge_text()]
        return "\n".join(lines), row.badge_text()

    def _item(self, row: WeekRow) -> QStandardItem:
        item = QStandardItem()
        item.setEditable(False)
        item.setData(row.week, WeekRole)
        self._fill(item, row)
        return item

    def _fill(self, item: QStandardItem, row: WeekRow) -> None:
        text, hint = self._texts(row)
        if item.text() != text:
            item.setText(text)
            item.setToolTip(tip(hint))

    def set_weeks(self, weeks: list[WeekRow]) -> None:
        """Same weeks as shown: update changed rows in place (selection survives)."""
        if weeks and [w.week for w in weeks] == [w.week for w in self.weeks]:
            for i, row in enumerate(weeks):
                if row != self.weeks[i]:
                    self._fill(self.item(i), row)
            self.weeks = weeks
            return
        self.weeks = weeks
        self.clear()
        for row in weeks:
            self.appendRow(self._item(row))

    def row_of(self, week: str) -> int:
        for i, row in enumerate(self.weeks):
            if row.week == week:
                return i
        return -1


class WeekFilter(QSortFilterProxyModel):
    """Filter box: matches the folder name, dates, title or badge text, case-insensitively."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterRole(Qt.ItemDataRole.DisplayRole)
