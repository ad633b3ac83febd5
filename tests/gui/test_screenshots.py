"""A real X server (Xvfb): PNGs of the main window and two dialogs, for a person to look at."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.xvfb
def test_screenshots_under_xvfb(tmp_path: Path) -> None:
    if shutil.which("xvfb-run") is None:
        pytest.skip("xvfb-run is missing (Debian: xvfb xauth)")
    out = Path(os.environ.get("PHOTOARCHIVE_SCREENSHOTS", ROOT / "screenshots"))
    env = dict(os.environ)
    env.update(QT_QPA_PLATFORM="xcb", PYTHONPATH=f"{ROOT}{os.pathsep}{ROOT / 'tests'}")
    proc = subprocess.run(
        [
            "xvfb-run",
            "-a",
            "-s",
            "-screen 0 1400x900x24",
            sys.executable,
            str(Path(__file__).with_name("screenshot_script.py")),
            str(out),
            str(tmp_path),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    print(f"\nscreenshots saved in {out}")
    for name in (
        "main_window",
        "geotag_dialog",
        "import_dialog",
        "caption_dialog_heic",
        "jobs_bar",
    ):
        png = out / f"{name}.png"
        assert png.exists(), proc.stdout
        with Image.open(png) as img:
            assert img.width >= 500 and img.height >= 400
            colours = img.convert("RGB").getcolors(maxcolors=1_000_000)
            assert colours is not None and len(colours) > 50, f"{name} looks blank"
