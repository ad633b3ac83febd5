"""Issue 10: the desktop application's own files (window state, metadata cache) are private."""

from __future__ import annotations

import os
import stat


def test_window_state_and_metadata_cache_are_private(qtbot, archive) -> None:  # type: ignore[no-untyped-def]
    from photoarchive.gui.main_window import MainWindow

    old = os.umask(0o022)
    try:
        win = MainWindow(archive)
        qtbot.addWidget(win)
        win.show()
        qtbot.waitUntil(lambda: win.photo_model.rowCount() > 0, timeout=10000)
        win.close()
    finally:
        os.umask(old)
    gui_ini = archive.config_dir / "gui.ini"
    cache = archive.cache_dir / "gui-metadata.sqlite"
    assert gui_ini.exists() and cache.exists()
    for path in (gui_ini, cache, archive.cache_dir):
        assert not stat.S_IMODE(os.stat(path).st_mode) & 0o077, path
