"""The application works installed from a wheel: forms, the .qrc and icons are inside it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_compiled_resources_match_the_qrc(tmp_path: Path) -> None:
    # The venv's bin is not on PATH when pytest is started by its full path (as make test does).
    rcc = shutil.which("pyside6-rcc") or shutil.which(
        "pyside6-rcc", path=str(Path(sys.executable).parent)
    )
    assert rcc is not None, "pyside6-rcc (PySide6-Essentials) is missing"
    out = tmp_path / "rc.py"
    # Format 1 stores no file times, so a fresh checkout compiles to the same bytes.
    qrc = str(ROOT / "resources" / "photoarchive.qrc")
    subprocess.run([rcc, "--format-version", "1", qrc, "-o", str(out)], check=True)
    committed = (ROOT / "photoarchive" / "gui" / "resources_rc.py").read_text()
    assert out.read_text() == committed, (
        "resources changed: run pyside6-rcc --format-version 1 resources/photoarchive.qrc "
        "-o photoarchive/gui/resources_rc.py"
    )


@pytest.mark.slow
def test_wheel_ships_forms_and_icons_and_loads_them(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, src / name)
    for name in ("photoarchive", "ui", "resources"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(dist),
            str(src),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(dist.glob("photoarchive-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    ui = {Path(p).name for p in (ROOT / "ui").glob("*.ui")}
    icons = {Path(p).name for p in (ROOT / "resources" / "icons").glob("*.svg")}
    assert {f"photoarchive/gui/ui/{n}" for n in ui} <= names
    assert {f"photoarchive/gui/resources/icons/{n}" for n in icons} <= names
    assert "photoarchive/gui/resources/photoarchive.qrc" in names
    assert "photoarchive/gui/resources_rc.py" in names
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "photoarchive").rglob("*.py")}
    missing = {m for m in modules if "__pycache__" not in m} - names
    assert not missing, f"not in the wheel (add the package to pyproject.toml): {missing}"
    assert len(ui) >= 6 and len(icons) >= 8

    # Installed elsewhere, away from the checkout, every form loads and the icons resolve.
    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(target)
    script = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication, QWidget\n"
        "app = QApplication([])\n"
        "from photoarchive.gui import forms\n"
        "assert str(forms.ui_dir()).startswith(sys.argv[1]), forms.ui_dir()\n"
        f"for name in {sorted(p.removesuffix('.ui') for p in ui)!r}:\n"
        "    forms.load_form(name, QWidget())\n"
        "assert not forms.icon('geotag').pixmap(16, 16).isNull()\n"
        "print('ok')\n"
    )
    env = {"PYTHONPATH": str(target), "QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"}
    env["HOME"] = str(tmp_path)
    out = subprocess.run(
        [sys.executable, "-c", script, str(target)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_desktop_file_and_appstream_metainfo() -> None:
    import configparser
    import tomllib
    import xml.etree.ElementTree as ET

    desktop = configparser.ConfigParser(interpolation=None)
    desktop.optionxform = str  # type: ignore[assignment,method-assign]
    desktop.read(ROOT / "packaging" / "photoarchive.desktop", encoding="utf-8")
    entry = desktop["Desktop Entry"]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["gui-scripts"]
    assert entry["Type"] == "Application"
    assert entry["Exec"].split()[0] in scripts
    assert "Photography" in entry["Categories"].split(";")
    meta = ROOT / "packaging" / "io.github.photoarchive.metainfo.xml"
    root = ET.parse(meta).getroot()
    assert root.findtext("launchable") == "photoarchive.desktop"
    assert root.findtext("provides/binary") == entry["Exec"].split()[0]
    tool = shutil.which("appstreamcli")
    if tool:
        out = subprocess.run(
            [tool, "validate", "--no-net", str(meta)], capture_output=True, text=True
        )
        assert out.returncode == 0, out.stdout + out.stderr
