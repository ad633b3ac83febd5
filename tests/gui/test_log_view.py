"""Help -> Show log shows the rotating log file's latest lines."""

from __future__ import annotations

import logging

from photoarchive import logfile


def test_help_menu_show_log_shows_the_latest_lines(qtbot, window) -> None:
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        logfile.setup_logging()
        logging.getLogger("photoarchive.test").warning("a line the user should see")
        for h in root.handlers:
            h.flush()
        help_menu = next(a.menu() for a in window.menuBar().actions() if "Help" in a.text())
        assert window.act_show_log in help_menu.actions()
        window.act_show_log.trigger()
        dlg = window.log_dialog
        qtbot.waitUntil(dlg.isVisible)
        assert "a line the user should see" in dlg.text.toPlainText()
        dlg.close()
    finally:
        for h in list(root.handlers):
            if h not in before:
                root.removeHandler(h)
                h.close()


def test_show_log_without_a_log_says_so(qtbot, tmp_path) -> None:
    from photoarchive.gui.dialogs.log_view import LogDialog

    dlg = LogDialog(path=tmp_path / "none.log")
    qtbot.addWidget(dlg)
    assert dlg.text.toPlainText() == "Nothing has been logged yet."
