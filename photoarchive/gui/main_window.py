"""The main window: weeks on the left, the thumbnail grid in the centre, metadata on the right,
jobs at the bottom. It wires panels to jobs; the work itself lives in the core and `actions`
(browsing in `window_browse`, the commands in `window_commands`).
"""

from __future__ import annotations

import contextlib
import logging
import os

from PySide6.QtCore import (
    QByteArray,
    QCoreApplication,
    QSettings,
    Qt,
    QTimer,
)
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from photoarchive import __version__
from photoarchive.config import Settings
from photoarchive.gui.forms import icon
from photoarchive.gui.jobs_bar import JobsBar
from photoarchive.gui.metacache import MetaCache
from photoarchive.gui.metadata_panel import MetadataPanel
from photoarchive.gui.photo_model import CELL, Photo, PhotoDelegate, PhotoModel
from photoarchive.gui.thumbloader import ThumbLoader
from photoarchive.gui.week_model import WeekFilter, WeekModel
from photoarchive.gui.window_browse import WindowBrowse
from photoarchive.gui.window_commands import WindowCommands
from photoarchive.gui.worker import Job, JobRunner

log = logging.getLogger(__name__)


class MainWindow(WindowBrowse, WindowCommands, QMainWindow):
    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings
        self.setWindowTitle("Photo Archive")
        self.setWindowIcon(icon("app"))
        self.runner = JobRunner(self)
        self.metacache = MetaCache(settings.cache_dir / "gui-metadata.sqlite")
        self.loader = ThumbLoader(threads=2, parent=self)  # metadata: see _read_week_info
        self.last_error = ""
        self.dialogs: list[QWidget] = []  # keep modeless dialogs alive
        self._photo_load: Job | None = None
        self._selection_gen = 0
        self._week_info: Job | None = None
        self.panel_photos: list[Photo] = []  # the photos the panel is showing
        self._badge_timer = QTimer(self)
        self._badge_timer.setSingleShot(True)
        self._badge_timer.setInterval(1500)
        self._badge_timer.timeout.connect(lambda: self.refresh_weeks(self.selected_weeks()))
        self._build()
        self._build_actions()
        self._restore_state()
        self.statusBar().showMessage(f"Archive: {settings.archive}")
        QTimer.singleShot(0, self.refresh_weeks)

    # --- layout --------------------------------------------------------------------------
    def _build(self) -> None:
        self.week_model = WeekModel(self.settings.week_pattern, self)
        self.week_filter = WeekFilter(self)
        self.week_filter.setSourceModel(self.week_model)
        left = QWidget(self)
        lay = QVBoxLayout(left)
        lay.setContentsMargins(4, 4, 0, 4)
        self.filter_edit = QLineEdit(left)
        self.filter_edit.setPlaceholderText("Filter weeks (date, title…)")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self.week_filter.setFilterFixedString)
        self.week_view = QListView(left)
        self.week_view.setModel(self.week_filter)
        self.week_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.week_view.setAlternatingRowColors(True)
        self.week_view.setUniformItemSizes(False)
        self.week_view.setSpacing(1)
        self.week_view.setWordWrap(True)
        self.week_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        lay.addWidget(self.filter_edit)
        lay.addWidget(self.week_view)
        self.week_view.selectionModel().selectionChanged.connect(self._weeks_selected)

        self.photo_model = PhotoModel(self.loader, self)
        self.grid = QListView(self)
        self.grid.setViewMode(QListView.ViewMode.IconMode)
        self.grid.setResizeMode(QListView.ResizeMode.Adjust)
        self.grid.setMovement(QListView.Movement.Static)
        self.grid.setUniformItemSizes(True)
        self.grid.setGridSize(CELL)
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.grid.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.grid.verticalScrollBar().setSingleStep(24)
        self.grid.setItemDelegate(PhotoDelegate(self.grid))
        self.grid.setModel(self.photo_model)
        self.grid.doubleClicked.connect(lambda idx: self.preview(idx))
        self.grid.selectionModel().selectionChanged.connect(self._photos_selected)
        self.photo_model.dataChanged.connect(self._info_arrived)

        self.panel = MetadataPanel(self)
        self.panel.save_requested.connect(self.save_panel)
        self.panel.geotag_requested.connect(self.open_geotag)
        self.panel.setMinimumWidth(260)

        self.hsplit = QSplitter(Qt.Orientation.Horizontal, self)
        self.hsplit.addWidget(left)
        self.hsplit.addWidget(self.grid)
        self.hsplit.addWidget(self.panel)
        self.hsplit.setStretchFactor(1, 1)
        self.hsplit.setSizes([270, 800, 300])

        self.jobs_bar = JobsBar(self.runner, self)
        jobs_scroll = QScrollArea(self)
        jobs_scroll.setWidgetResizable(True)
        jobs_scroll.setWidget(self.jobs_bar)
        jobs_scroll.setMinimumHeight(28)
        self.vsplit = QSplitter(Qt.Orientation.Vertical, self)
        self.vsplit.addWidget(self.hsplit)
        self.vsplit.addWidget(jobs_scroll)
        self.vsplit.setStretchFactor(0, 1)
        self.vsplit.setCollapsible(1, False)  # the jobs bar can shrink, never vanish
        self.vsplit.setSizes([720, 120])  # resizable; the size is remembered (save_state)
        self.setCentralWidget(self.vsplit)
        self.empty_label = QLabel(self.grid)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.hide()

    def _action(self, text: str, slot: object, keys: object = None, icon_name: str = "") -> QAction:
        act = QAction(icon(icon_name), text, self) if icon_name else QAction(text, self)
        if isinstance(keys, QKeySequence.StandardKey):
            act.setShortcuts(keys)
        elif keys:
            act.setShortcut(QKeySequence(str(keys)))
        act.triggered.connect(slot)  # type: ignore[arg-type]
        self.addAction(act)
        return act

    def _build_actions(self) -> None:
        sk = QKeySequence.StandardKey
        self.act_import = self._action("&Import photos…", self.open_import, "Ctrl+I", "import")
        self.act_settings = self._action("&Settings…", self.open_settings, sk.Preferences)
        self.act_settings.setIcon(icon("settings"))
        self.act_quit = self._action("&Quit", self.close, sk.Quit)
        self.act_select_all = self._action("Select &all", self.grid.selectAll, sk.SelectAll)
        self.act_geotag = self._action("&Geotag…", self.open_geotag, "Ctrl+G", "geotag")
        self.act_caption = self._action("&Captions…", self.open_captions, "Ctrl+T", "caption")
        self.act_places = self._action("&Places…", self.open_places, "Ctrl+L", "places")
        self.act_refresh = self._action("&Refresh", self.refresh_weeks, sk.Refresh, "refresh")
        self.act_preview = self._action("&Preview", self.preview, "Space", "preview")
        self.act_preview.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.grid.addAction(self.act_preview)
        self.act_sync = self._action("S&ync to the cloud", self.sync_now, "Ctrl+Shift+S", "synced")
        self.act_flickr = self._action("Upload to &Flickr…", self.open_flickr, "Ctrl+Shift+F")
        self.act_family = self._action("&Family (who can see the photos)…", self.open_family)
        self.act_safety = self._action("Sa&fety (copies of every week)…", self.open_safety)
        self.act_scan = self._action("Read &all metadata (week badges)", self.scan_metadata)
        self.act_check_bucket = self._action("&Check the bucket copy", self.check_bucket)
        self.act_check_archive = self._action("Check the &archive", self.check_archive)
        self.act_rebuild = self._action("Re&build catalog from the folders", self.rebuild_catalog)
        self.act_about = self._action("&About Photo Archive", self.about, sk.HelpContents)
        self.act_show_log = self._action("Show &log", self.show_log)
        bar = self.menuBar()
        m = bar.addMenu("&File")
        m.addActions([self.act_import, self.act_settings])
        m.addSeparator()
        m.addAction(self.act_quit)
        m = bar.addMenu("&Edit")
        m.addActions([self.act_select_all, self.act_geotag, self.act_caption, self.act_places])
        m = bar.addMenu("&View")
        m.addActions([self.act_refresh, self.act_preview])
        m = bar.addMenu("&Tools")
        m.addActions([self.act_sync, self.act_family, self.act_flickr, self.act_safety])
        m.addActions(
            [self.act_check_bucket, self.act_check_archive, self.act_scan, self.act_rebuild]
        )
        m = bar.addMenu("&Help")
        m.addActions([self.act_show_log, self.act_about])
        tb = self.addToolBar("Main")
        tb.setObjectName("mainToolBar")
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        tb.addActions([self.act_import, self.act_geotag, self.act_caption, self.act_places])
        tb.addSeparator()
        tb.addActions([self.act_sync, self.act_refresh, self.act_settings])

    # --- remembered geometry -------------------------------------------------------------
    def qsettings(self) -> QSettings:
        path = self.settings.config_dir / "gui.ini"
        return QSettings(str(path), QSettings.Format.IniFormat)

    def _restore_state(self) -> None:
        qs = self.qsettings()
        for key, restore in (
            ("geometry", self.restoreGeometry),
            ("state", self.restoreState),
            ("hsplit", self.hsplit.restoreState),
            ("vsplit", self.vsplit.restoreState),
        ):
            value = qs.value(key)
            if isinstance(value, QByteArray):
                restore(value)
        if not isinstance(qs.value("geometry"), QByteArray):
            self.resize(1360, 860)

    def save_state(self) -> None:
        qs = self.qsettings()
        qs.setValue("geometry", self.saveGeometry())
        qs.setValue("state", self.saveState())
        qs.setValue("hsplit", self.hsplit.saveState())
        qs.setValue("vsplit", self.vsplit.saveState())
        qs.sync()
        with contextlib.suppress(OSError):  # private.py: Qt creates it by the umask alone
            os.chmod(qs.fileName(), 0o600)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        self.loader.wait(5000)
        edit = self.panel.pending()
        last = self.save_panel(edit) if not edit.empty else None  # typed but not saved
        # Other jobs stop between files (nothing is left half-written); the last edit finishes.
        self.runner.shutdown(keep=(last,) if last is not None else ())
        QCoreApplication.processEvents()  # deliver the last results while the panels exist
        self.metacache.close()
        super().closeEvent(event)

    # --- messages ------------------------------------------------------------------------
    def show_error(self, title: str, text: str) -> QMessageBox:
        """Non-blocking message box; the text is also kept for tests and the status bar."""
        self.last_error = f"{title}: {text}"
        self.statusBar().showMessage(self.last_error, 15000)
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok)
        box.setParent(self, box.windowFlags())
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box

    def about(self) -> None:
        box = QMessageBox(self)
        box.setWindowTitle("About Photo Archive")
        box.setIconPixmap(icon("app").pixmap(64, 64))
        box.setText(
            f"<b>Photo Archive {__version__}</b><p>Keeps a family's photos safe for decades: "
            "verified imports into weekly folders, places and captions written into the files, "
            "an off-site copy in the cloud.</p><p>Free software, GPL-3.0-or-later.</p>"
            f"<p>Archive: {self.settings.archive}</p>"
        )
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.dialogs.append(box)

    def watch(self, job: Job, what: str) -> Job:
        """Failures of a job reach the user as a message box."""
        job.failed.connect(lambda msg: self.show_error(f"{what} failed", msg))
        return job
