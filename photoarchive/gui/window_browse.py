"""The main window's browsing: the list of weeks, the photos of the chosen weeks in the grid,
and the metadata panel following the selection. A mixin of MainWindow, kept apart so each module
stays readable; catalog reads and metadata run as jobs, never on the GUI thread.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, Qt, QTimer

from photoarchive.gui import actions
from photoarchive.gui.metacache import PhotoInfo
from photoarchive.gui.photo_model import Photo
from photoarchive.gui.week_model import WeekRole, WeekRow, load_weeks
from photoarchive.gui.worker import Job
from photoarchive.metadata.places import Place

if TYPE_CHECKING:
    from PySide6.QtWidgets import QLabel, QListView, QMainWindow, QWidget

    from photoarchive.config import Settings
    from photoarchive.gui.metacache import MetaCache
    from photoarchive.gui.metadata_panel import MetadataPanel, PanelEdit
    from photoarchive.gui.photo_model import PhotoModel
    from photoarchive.gui.week_model import WeekFilter, WeekModel
    from photoarchive.gui.worker import JobRunner

    class BrowseHost(QMainWindow):
        """What browsing needs of the window that mixes it in (MainWindow), named here so this
        module does not import main_window (which imports it)."""

        settings: Settings
        runner: JobRunner
        metacache: MetaCache
        week_model: WeekModel
        week_filter: WeekFilter
        week_view: QListView
        photo_model: PhotoModel
        grid: QListView
        panel: MetadataPanel
        empty_label: QLabel
        dialogs: list[QWidget]
        panel_photos: list[Photo]
        _photo_load: Job | None
        _selection_gen: int
        _week_info: Job | None
        _badge_timer: QTimer

        def watch(self, job: Job, what: str) -> Job: ...
        def save_panel(self, edit: PanelEdit, photos: list[Photo] | None = None) -> Job | None: ...

    _Base = BrowseHost
else:
    _Base = object


class WindowBrowse(_Base):
    # --- weeks -----------------------------------------------------------------------------
    def refresh_weeks(self, select: list[str] | None = None) -> Job:
        keep = select if select is not None else self.selected_weeks()
        settings, cache = self.settings, self.metacache
        job = self.runner.run(
            "Loading weeks",
            lambda c, p: (
                load_weeks(settings, cache),
                actions.load_places(settings),
                actions.week_folders(settings),
            ),
            visible=False,
        )
        self.watch(job, "Reading the catalog")
        job.succeeded.connect(
            lambda result: self._weeks_loaded(result[0], keep, result[1], result[2])
        )
        return job

    def _weeks_loaded(
        self, rows: list[WeekRow], keep: list[str], places: list[Place], folders: int = 0
    ) -> None:
        if places != self.panel.places:
            self.panel.places = places
            QTimer.singleShot(0, self._refresh_panel)
        self.week_model.set_weeks(rows)
        if not rows and folders:
            self.photo_model.set_photos([])
            self._show_empty(
                f"The archive folder holds {folders} week folder(s) the catalog does not know "
                "yet.\nUse Tools → Rebuild catalog to index them (the photos are not changed)."
                f"\n\nArchive folder: {self.settings.archive}"
            )
            return
        if not rows:
            self.photo_model.set_photos([])
            self._show_empty(
                "The archive is empty.\nImport photos from a camera card with File → Import "
                f"(Ctrl+I).\n\nArchive folder: {self.settings.archive}"
            )
            return
        wanted = [w for w in keep if self.week_model.row_of(w) >= 0] or [rows[0].week]
        if sorted(wanted, reverse=True) != self.selected_weeks():
            self.select_weeks(wanted)

    def _show_empty(self, text: str) -> None:
        self.empty_label.setText(text)
        self.empty_label.resize(self.grid.viewport().size())
        self.empty_label.setVisible(bool(text))

    def select_weeks(self, weeks: list[str]) -> None:
        sel = self.week_view.selectionModel()
        chosen = QItemSelection()
        first: QModelIndex | None = None
        for week in weeks:
            row = self.week_model.row_of(week)
            idx = self.week_filter.mapFromSource(self.week_model.index(row, 0))
            if idx.isValid():
                chosen.select(idx, idx)
                first = first if first is not None else idx
        sel.select(chosen, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        if first is not None:
            sel.setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.week_view.scrollTo(first)

    def selected_weeks(self) -> list[str]:
        rows = self.week_view.selectionModel().selectedIndexes()
        return sorted((str(i.data(WeekRole)) for i in rows), reverse=True)

    def _weeks_selected(self) -> None:
        weeks = self.selected_weeks()
        self._show_empty("")
        if not weeks:
            self.photo_model.set_photos([])
            return
        settings = self.settings
        job = self.runner.run(
            "Listing photos", lambda c, p: actions.list_photos(settings, weeks), visible=False
        )
        self.watch(job, "Reading the catalog")
        job.succeeded.connect(lambda photos, j=job: self._photos_loaded(j, photos))
        self._photo_load = job

    def _photos_loaded(self, job: Job, photos: list[Photo]) -> None:
        if job is not self._photo_load:
            return  # the user has moved on to another week
        self.photo_model.set_photos(photos)
        self.grid.scrollToTop()
        if not photos:
            self._show_empty("No photos in this week.")
        self._photos_selected()
        self._read_week_info(photos)

    def _read_week_info(self, photos: list[Photo]) -> None:
        """Metadata for the grid's marks and the badges: exiv2 holds the GIL, so many files
        are read in worker processes (actions.read_infos), never in threads beside the GUI."""
        if self._week_info is not None:
            self._week_info.cancel()  # the user moved on; stop between chunks
        if not photos:
            return
        job = self.ensure_info(photos)
        job.succeeded.connect(lambda _infos: self.photo_model.refresh_all())
        self._week_info = job

    # --- photos and the panel -------------------------------------------------------------
    def selected_photos(self) -> list[Photo]:
        rows = sorted(i.row() for i in self.grid.selectionModel().selectedIndexes())
        return [self.photo_model.photo(r) for r in rows]

    def _photos_selected(self) -> None:
        photos = self.selected_photos()
        edit = self.panel.pending()
        if not edit.empty and self.panel_photos and photos != self.panel_photos:
            # Typed into the panel, then clicked elsewhere: keep the typing (as a job).
            self.save_panel(edit, self.panel_photos)
        self.panel_photos = photos
        self._selection_gen += 1
        infos = [self.photo_model.info.get(p.rel) for p in photos]
        if all(i is not None for i in infos):
            self.panel.show_photos([p.name for p in photos], infos)  # type: ignore[arg-type]
            return
        self.panel.show_photos([p.name for p in photos], [], status="reading metadata…")
        gen = self._selection_gen
        job = self.ensure_info(photos)
        job.succeeded.connect(lambda infos: self._selection_info(gen, photos, infos))

    def ensure_info(self, photos: list[Photo]) -> Job:
        cache = self.metacache
        model = self.photo_model
        started = {p.rel: model.forgotten.get(p.rel, 0) for p in photos}
        job = self.runner.run(
            "Reading metadata", lambda c, p: actions.read_infos(cache, photos, c, p), visible=False
        )
        self.watch(job, "Reading metadata")

        def remember(infos: dict[str, PhotoInfo]) -> None:
            for key, info in infos.items():
                if model.forgotten.get(key, 0) == started.get(key, 0):  # else read too early
                    model.info[key] = info
            if infos:
                self._badge_timer.start()  # newly read metadata changes the week's badges

        job.succeeded.connect(remember)
        return job

    def _selection_info(self, gen: int, photos: list[Photo], infos: dict[str, PhotoInfo]) -> None:
        if gen == self._selection_gen:
            self.panel.show_photos([p.name for p in photos], [infos[p.rel] for p in photos])

    def _info_arrived(self, top: QModelIndex, bottom: QModelIndex) -> None:
        sel = self.grid.selectionModel()
        if sel.isSelected(top) and self.panel.pending().empty:
            QTimer.singleShot(0, self._refresh_panel)

    def _refresh_panel(self) -> None:
        photos = self.selected_photos()
        infos = [self.photo_model.info.get(p.rel) for p in photos]
        if photos and all(i is not None for i in infos) and self.panel.pending().empty:
            self.panel.show_photos([p.name for p in photos], infos)  # type: ignore[arg-type]

    def preview(self, index: QModelIndex | None = None) -> None:
        from photoarchive.gui.dialogs.preview import PreviewDialog

        idx = index if isinstance(index, QModelIndex) else self.grid.currentIndex()
        if not idx.isValid():
            return
        dlg = PreviewDialog(self.photo_model.photo(idx.row()).path, self.runner, self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.show()
        self.dialogs.append(dlg)
