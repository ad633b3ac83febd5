"""Starting the application: one QApplication, the main window, readable errors."""

from __future__ import annotations

import logging
import signal
import sys
import traceback
from types import TracebackType

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from photoarchive import __version__
from photoarchive.config import Settings, save_settings
from photoarchive.gui.forms import icon
from photoarchive.gui.main_window import MainWindow

log = logging.getLogger(__name__)


def install_excepthook(app: QApplication) -> None:
    """An unexpected error in a slot becomes a message box, not only a terminal traceback."""

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.error("unexpected error", exc_info=(kind, exc, tb))
        text = "".join(traceback.format_exception_only(kind, exc)).strip()
        window = app.activeWindow()
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            "Unexpected error",
            f"Something went wrong; your photos are untouched.\n\n{text}",
            QMessageBox.StandardButton.Ok,
            window,
        )
        box.setDetailedText("".join(traceback.format_exception(kind, exc, tb)))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    sys.excepthook = hook


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("photoarchive")
    app.setApplicationDisplayName("Photo Archive")
    app.setApplicationVersion(__version__)
    app.setDesktopFileName("io.github.photoarchive")  # the application id (packaging/)
    app.setWindowIcon(icon("app"))
    # Worker threads that hold the GIL hand it back within 2 ms instead of 5: smoother paints.
    sys.setswitchinterval(0.002)
    return app


def _welcome(settings: Settings) -> Settings:
    from photoarchive.gui.first_run import FirstRunWizard, needs_welcome

    if not needs_welcome(settings):
        return settings
    wizard = FirstRunWizard(settings)
    if wizard.exec() == FirstRunWizard.DialogCode.Accepted:
        return wizard.settings
    try:  # skipped: the defaults are the settings now; Settings opens the assistant again
        save_settings(settings)
    except OSError as exc:
        log.warning("cannot save the settings: %s", exc)
    return settings


def run_app(settings: Settings, welcome: bool = True) -> int:
    """welcome: offer the first-run assistant when no settings exist (not when the archive
    was given on the command line)."""
    app = make_app()
    install_excepthook(app)
    settings = _welcome(settings) if welcome else settings
    window = MainWindow(settings)
    window.show()
    # Ctrl-C in the terminal closes the window the normal way (jobs cancelled, state saved);
    # the timer lets Python run its signal handler while Qt's event loop waits.
    signal.signal(signal.SIGINT, lambda *_: window.close())
    ticker = QTimer()
    ticker.start(250)
    ticker.timeout.connect(lambda: None)
    return int(app.exec())
