"""The PyInstaller one-folder bundle starts offscreen and imports a generated card.

Built and run by `make bundle` (which sets PHOTOARCHIVE_BUNDLE); the default suite skips it.
The bundle runs with a bare environment: no PYTHONPATH, no venv, only its own folder.
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from harness import run_window
from imaging import jpeg_bytes, write_file

BUNDLE_ENV = "PHOTOARCHIVE_BUNDLE"


@pytest.mark.slow
@pytest.mark.bundle
def test_bundle_starts_offscreen_and_imports_a_card(tmp_path: Path) -> None:
    binary = os.environ.get(BUNDLE_ENV)
    if not binary:
        pytest.skip(f"run by `make bundle` ({BUNDLE_ENV}=dist/photoarchive/photoarchive)")
    home = tmp_path / "home"
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_STATE_HOME": str(home / ".local/state"),
        "QT_QPA_PLATFORM": "offscreen",
        "LANG": "C.UTF-8",
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([binary, *args], env=env, capture_output=True, text=True,
                              timeout=300, cwd=tmp_path)  # fmt: skip

    version = run("--version")
    assert version.returncode == 0 and version.stdout.startswith("photoarchive "), version.stderr
    card = tmp_path / "card"
    start = datetime(2024, 5, 6, 9)
    for i in range(3):
        taken = start + timedelta(hours=i)
        write_file(card / "DCIM" / "100TEST" / f"IMG_{i:04d}.JPG", jpeg_bytes(i, taken), taken)
    archive = tmp_path / "archive"
    imported = run("import", str(card), "--archive", str(archive), "--json")
    assert imported.returncode == 0, imported.stderr
    assert sorted(json.loads(imported.stdout)["copied"]) == [
        f"2024-05-06/IMG_{i:04d}.JPG" for i in range(3)
    ]
    assert run("verify", "--archive", str(archive)).returncode == 0  # hashing, catalog
    shown = run("show", "--json", str(archive / "2024-05-06" / "IMG_0000.JPG"))
    assert shown.returncode == 0 and "2024" in shown.stdout, shown.stderr  # pyexiv2 inside
    desktop = run("install-desktop")
    assert desktop.returncode == 0, desktop.stderr  # the desktop files travel in the bundle
    assert (home / ".local/share/applications/io.github.photoarchive.desktop").is_file()

    run_window([binary, "gui", "--archive", str(archive)], env, tmp_path, up_for=8)
    assert (home / ".config" / "photoarchive" / "gui.ini").exists()
