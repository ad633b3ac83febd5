"""The main window's commands that change things or open dialogs: geotag, captions, places,
import, settings, sync, Flickr, catalog rebuild. A mixin of MainWindow, kept apart so each module
stays readable; every write runs as a job in the jobs bar.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt

from photoarchive.config import Settings
from photoarchive.gui import actions
from photoarchive.gui.metacache import PhotoInfo
from photoarchive.gui.metadata_panel import PanelEdit
from photoarchive.gui.photo_model import Photo
from photoarchive.gui.worker import Job

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMainWindow, QMessageBox

    from photoarchive.gui.metacache import MetaCache
    from photoarchive.gui.photo_model import PhotoModel
    from photoarchive.gui.week_model import WeekModel
    from photoarchive.gui.worker import JobRunner

    class WindowHost(QMainWindow):
        """What the commands need of the window that mixes them in (MainWindow), named here
        so this module does not import main_window (which imports it)."""

        settings: Settings
        runner: JobRunner
        metacache: MetaCache
        photo_model: PhotoModel
        week_model: WeekModel
        panel_photos: list[Photo]

        def watch(self, job: Job, what: str) -> Job: ...
        def refresh_weeks(self, select: list[str] | None = None) -> Job: ...
        def show_error(self, title: str, text: str) -> QMessageBox: ...
        def selected_weeks(self) -> list[str]: ...
        def selected_photos(self) -> list[Photo]: ...
        def ensure_info(self, photos: list[Photo]) -> Job: ...
        def _read_week_info(self, photos: list[Photo]) -> None: ...

    _Base = WindowHost
else:
    _Base = object


class WindowCommands(_Base):
    def run_tag_job(self, title: str, edits: object, photos: list[Photo]) -> Job:
        settings = self.settings
        job = self.runner.run(
            title, lambda c, p: actions.apply_edits(settings, edits, c, p), writes=True
        )
        self.watch(job, title)
        job.ended.connect(lambda: self._after_write([p.rel for p in photos]))
        return job

    def _after_write(self, keys: list[str]) -> None:
        self.photo_model.forget(keys)
        self._read_week_info(self.photo_model.photos)  # only the rewritten files are re-read
        self.refresh_weeks(self.selected_weeks())

    def save_panel(self, edit: PanelEdit, photos: list[Photo] | None = None) -> Job | None:
        photos = self.panel_photos if photos is None else photos
        if not photos:
            return None
        try:
            tag_edit = actions.panel_tag_edit(edit)
        except ValueError as exc:
            self.show_error("Not saved", str(exc))
            return None
        n = len(photos)
        return self.run_tag_job(
            f"Saving metadata of {n} photo{'s' if n != 1 else ''}",
            {p.path: tag_edit for p in photos},
            photos,
        )

    def open_geotag(self) -> None:
        photos = self.selected_photos()
        if not photos:
            self.show_error("Geotag", "Select the photos to geotag first (Ctrl+A selects all).")
            return
        job = self.ensure_info(photos)
        job.succeeded.connect(lambda infos: self._show_geotag(photos, infos))

    def _show_geotag(self, photos: list[Photo], infos: dict[str, PhotoInfo]) -> None:
        from photoarchive.gui.dialogs.geotag import GeotagDialog

        dlg = GeotagDialog(self.settings, [infos[p.rel] for p in photos], self)
        dlg.chosen.connect(lambda choice: self.geotag(photos, choice))
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.geotag_dialog = dlg
        dlg.open()

    def geotag(self, photos: list[Photo], choice: actions.GeotagChoice) -> Job:
        n = len(photos)
        settings = self.settings
        job = self.runner.run(
            f"Geotagging {n} photo{'s' if n != 1 else ''} ({choice.label})",
            lambda c, p: actions.geotag(settings, [ph.path for ph in photos], choice, c, p),
            writes=True,
        )
        self.watch(job, "Geotagging")
        job.ended.connect(lambda: self._after_write([p.rel for p in photos]))
        return job

    def open_captions(self) -> None:
        photos = list(self.photo_model.photos)
        if not photos:
            self.show_error("Captions", "Select a week with photos first.")
            return
        selected = self.selected_photos()
        start = photos.index(selected[0]) if selected else 0
        job = self.ensure_info(photos)
        job.succeeded.connect(lambda infos: self._show_captions(photos, infos, start))

    def _show_captions(self, photos: list[Photo], infos: dict[str, PhotoInfo], start: int):
        from photoarchive.gui.dialogs.captions import CaptionDialog

        old = getattr(self, "caption_dialog", None)
        if old is not None and old.isVisible():
            old.raise_()  # one captioning session at a time; its typing is not thrown away
            old.activateWindow()
            return
        if old is not None:
            old.deleteLater()  # its preview jobs report to it: delete only via the event loop
        dlg = CaptionDialog(photos, [infos[p.rel] for p in photos], self.runner, start, self)
        dlg.finished_editing.connect(lambda edits: self._captions_done(photos, edits))
        self.caption_dialog = dlg
        dlg.show()

    def _captions_done(self, photos: list[Photo], edits: dict[Path, object]) -> Job | None:
        if not edits:
            return None
        touched = [p for p in photos if p.path in edits]
        return self.run_tag_job(f"Saving captions of {len(edits)} photos", edits, touched)

    def open_places(self) -> None:
        from photoarchive.gui.dialogs.places import PlacesDialog

        dlg = PlacesDialog(self.settings, self)
        dlg.finished.connect(lambda _: self.refresh_weeks(self.selected_weeks()))
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.places_dialog = dlg
        dlg.open()

    def open_import(self) -> None:
        from photoarchive.gui.dialogs.importing import ImportDialog

        old = getattr(self, "import_dialog", None)
        if old is not None and old.isVisible():
            old.raise_()
            return
        if old is not None and not old._busy():
            old.deleteLater()
        dlg = ImportDialog(self.settings, self.runner, self)
        dlg.imported.connect(lambda weeks: self.refresh_weeks(select=weeks))
        # Not deleted on close: its import may still be running and report back to it.
        self.import_dialog = dlg
        dlg.open()

    def open_welcome(self) -> None:
        from photoarchive.gui.first_run import FirstRunWizard

        wizard = FirstRunWizard(self.settings, self)
        wizard.configured.connect(self.apply_settings)
        wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.welcome_wizard = wizard
        wizard.open()

    def show_log(self) -> None:
        from photoarchive.gui.dialogs.log_view import LogDialog

        dlg = LogDialog(self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.log_dialog = dlg
        dlg.open()

    def open_settings(self) -> None:
        from photoarchive.gui.dialogs.settings import SettingsDialog

        dlg = SettingsDialog(self.settings, self, runner=self.runner)
        dlg.saved.connect(self.apply_settings)
        dlg.welcome_requested.connect(self.open_welcome)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.settings_dialog = dlg
        dlg.open()

    def open_family(self) -> None:
        from photoarchive.gui.dialogs.family import FamilyDialog

        dlg = FamilyDialog(self.settings, self.runner, self)
        dlg.settings_changed.connect(self.apply_settings)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.family_dialog = dlg
        dlg.open()

    def open_safety(self) -> None:
        from photoarchive.gui.dialogs.safety import SafetyDialog

        dlg = SafetyDialog(self.settings, self.runner, self)
        dlg.finished.connect(lambda _r: self.refresh_weeks(self.selected_weeks()))
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.safety_dialog = dlg
        dlg.open()

    def apply_settings(self, settings: Settings) -> None:
        self.settings = settings
        self.week_model.pattern = settings.week_pattern
        self.statusBar().showMessage(f"Archive: {settings.archive}")
        self.refresh_weeks([])

    def sync_now(self) -> Job | None:
        if not self.settings.bucket:
            self.show_error("Sync", "No cloud bucket is set: add one in Settings (gs://BUCKET).")
            return None
        settings = self.settings
        job = self.runner.run(
            f"Syncing to {settings.bucket}",
            lambda c, p: actions.sync(settings, c, p),
            writes=True,
        )
        self.watch(job, "Sync")  # a missing bucket: the message points to Settings' Create
        job.ended.connect(lambda: self.refresh_weeks(self.selected_weeks()))
        return job

    def open_flickr(self) -> None:
        """The Flickr dialog for the selected photos, else the selected weeks."""
        from photoarchive.gui.dialogs.flickr import FlickrDialog

        photos, weeks = self.selected_photos(), self.selected_weeks()
        if photos:
            targets, what = [str(p.path) for p in photos], f"{len(photos)} selected photo(s)"
        elif weeks:
            targets, what = weeks, f"{len(weeks)} week(s): {', '.join(sorted(weeks))}"
        else:
            self.show_error("Flickr", "Select a week or some photos to upload first.")
            return
        dlg = FlickrDialog(self.settings, self.runner, what, self)
        dlg.upload_requested.connect(
            lambda album, privacy: self.flickr_upload(targets, album, privacy)
        )
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.flickr_dialog = dlg
        dlg.open()

    def flickr_upload(self, targets: list[str], album: str | None, privacy: str) -> Job:
        settings = self.settings
        job = self.runner.run(
            "Uploading to Flickr",
            lambda c, p: actions.flickr_upload(settings, targets, album, privacy, c, p),
        )
        self.watch(job, "Flickr upload")
        job.ended.connect(lambda: self.refresh_weeks(self.selected_weeks()))
        return job

    def check_archive(self) -> Job:
        """Tools → Check the archive: every file re-hashed against the catalog."""
        from photoarchive.pipeline import verify

        settings = self.settings
        job = self.runner.run(
            "Checking the archive",
            lambda c, p: verify(settings, rebuild=False, cancel=c, progress=p),
            writes=True,  # it takes the archive lock and writes the catalog, as a rebuild does
        )
        self.watch(job, "Checking the archive")
        return job

    def check_bucket(self) -> Job | None:
        """Tools → Check the bucket copy: every file re-read and compared with the bucket."""
        if not self.settings.bucket:
            self.show_error("Check", "No cloud bucket is set: add one in Settings (gs://BUCKET).")
            return None
        settings = self.settings
        job = self.runner.run(
            f"Checking the copy in {settings.bucket}",
            lambda c, p: actions.check_bucket(settings, c, p),
        )
        self.watch(job, "Checking the bucket copy")
        return job

    def rebuild_catalog(self) -> Job:
        from photoarchive.pipeline import verify

        settings = self.settings
        job = self.runner.run(
            "Rebuilding the catalog",
            lambda c, p: verify(settings, rebuild=True, cancel=c, progress=p),
            writes=True,
        )
        self.watch(job, "Rebuilding the catalog")
        job.ended.connect(lambda: self.refresh_weeks([]))
        return job

    def scan_metadata(self) -> Job:
        settings, cache = self.settings, self.metacache
        job = self.runner.run(
            "Reading all metadata", lambda c, p: actions.scan_archive(settings, cache, c, p)
        )
        self.watch(job, "Reading metadata")
        job.ended.connect(lambda: self.refresh_weeks(self.selected_weeks()))
        return job
