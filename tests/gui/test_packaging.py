"""The application works installed from a wheel: forms, the .qrc and icons are inside it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from harness import run_window

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
    for name in ("photoarchive", "ui", "resources", "packaging"):
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
    # install-desktop finds the desktop file, metainfo and icons inside the installed package
    assert "photoarchive/packaging/io.github.photoarchive.desktop" in names
    assert "photoarchive/packaging/io.github.photoarchive.metainfo.xml" in names
    assert "photoarchive/packaging/icons/hicolor/48x48/apps/io.github.photoarchive.png" in names
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
    _installed_in_a_fresh_venv_starts(wheel, tmp_path)


def _installed_in_a_fresh_venv_starts(wheel: Path, tmp_path: Path) -> None:
    """pip-installs the wheel into a new venv (as pipx does) and runs its entry points.

    The dependencies come from this test venv through a path line (so PySide6 is not
    installed again); that adds the folder but runs none of its .pth hooks, so this checkout's
    editable install stays out and photoarchive can only come from the wheel."""
    import sysconfig
    import venv

    fresh = tmp_path / "fresh-venv"
    venv.EnvBuilder(with_pip=False).create(fresh)
    site = next((fresh / "lib").glob("python3*/site-packages"))
    (site / "deps-from-test-venv.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    python = fresh / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
         "--no-index", str(wheel)],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    home = tmp_path / "fresh-home"
    env = {
        "PATH": f"{fresh / 'bin'}:/usr/bin:/bin",
        "HOME": str(home),
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "XDG_STATE_HOME": str(home / ".state"),
    }
    where = subprocess.run(
        [str(python), "-c", "import photoarchive; print(photoarchive.__file__)"],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert where.stdout.startswith(str(fresh)), where.stdout + where.stderr
    version = subprocess.run([str(fresh / "bin" / "photoarchive"), "--version"], env=env,
                             cwd=tmp_path, capture_output=True, text=True, timeout=60)  # fmt: skip
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"photoarchive {__import__('photoarchive').__version__}"
    cmd = [str(fresh / "bin" / "photoarchive-gui"), "--archive", str(tmp_path / "fresh-archive")]
    run_window(cmd, env, tmp_path, up_for=4)


APP_ID = "io.github.photoarchive"
PACKAGING = ROOT / "packaging"
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def test_desktop_file_metainfo_and_icons_share_the_application_id() -> None:
    import configparser
    import tomllib
    import xml.etree.ElementTree as ET

    from PIL import Image

    desktop_file = PACKAGING / f"{APP_ID}.desktop"
    desktop = configparser.ConfigParser(interpolation=None)
    desktop.optionxform = str  # type: ignore[assignment,method-assign]
    desktop.read(desktop_file, encoding="utf-8")
    entry = desktop["Desktop Entry"]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["gui-scripts"]
    assert entry["Type"] == "Application"
    assert entry["Exec"].split()[0] in scripts
    assert entry["Icon"] == APP_ID
    assert "Photography" in entry["Categories"].split(";")
    meta = PACKAGING / f"{APP_ID}.metainfo.xml"
    root = ET.parse(meta).getroot()
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == desktop_file.name
    assert root.findtext("provides/binary") == entry["Exec"].split()[0]
    assert root.find("content_rating").get("type") == "oars-1.1"  # type: ignore[union-attr]
    assert root.find("releases/release").get("version") == __import__("photoarchive").__version__  # type: ignore[union-attr]
    # The screenshots are the ones tests/gui/test_screenshots.py makes.
    shots = [Path(e.text or "").name for e in root.findall("screenshots/screenshot/image")]
    made = (ROOT / "tests" / "gui" / "test_screenshots.py").read_text()
    assert shots and all(f'"{Path(s).stem}"' in made for s in shots), shots
    svg = PACKAGING / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg"
    assert svg.read_bytes() == (ROOT / "resources" / "icons" / "app.svg").read_bytes()
    for size in ICON_SIZES:
        png = PACKAGING / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png"
        with Image.open(png) as img:
            assert img.size == (size, size), png
            assert img.getextrema()[3][1] == 255, f"{png} is blank"  # some opaque pixels


def test_desktop_file_and_metainfo_validate() -> None:
    validators = {
        "desktop-file-validate": [str(PACKAGING / f"{APP_ID}.desktop")],
        "appstreamcli": [
            "validate",
            "--no-net",
            "--pedantic",
            str(PACKAGING / f"{APP_ID}.metainfo.xml"),
        ],
    }
    missing = [tool for tool in validators if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"{missing} not installed (Debian: desktop-file-utils appstream)")
    for tool, args in validators.items():
        out = subprocess.run([tool, *args], capture_output=True, text=True)
        assert out.returncode == 0 and "warning" not in out.stdout.lower(), out.stdout + out.stderr


def test_install_desktop_puts_files_where_the_menu_finds_them_and_remove_takes_them(
    tmp_path: Path, isolated_home: Path, cli_env: dict[str, str]
) -> None:
    import os

    data_home = isolated_home / ".local" / "share"
    env = dict(cli_env, XDG_DATA_HOME=str(data_home), QT_QPA_PLATFORM="offscreen")
    cmd = [sys.executable, "-m", "photoarchive", "install-desktop"]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    installed = data_home / "applications" / f"{APP_ID}.desktop"
    assert (data_home / "metainfo" / f"{APP_ID}.metainfo.xml").is_file()
    for size in ICON_SIZES:
        assert (data_home / f"icons/hicolor/{size}x{size}/apps/{APP_ID}.png").is_file()
    exec_line = next(ln for ln in installed.read_text().splitlines() if ln.startswith("Exec="))
    launcher = exec_line.removeprefix("Exec=").strip('"')
    assert os.path.isabs(launcher.split()[0]), exec_line  # starts without ~/.local/bin on PATH
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(["desktop-file-validate", str(installed)], capture_output=True)
        assert check.returncode == 0, check.stdout
    # Qt's XDG lookup (as a menu does): the entry among the applications, the icon in the theme.
    probe = (
        "from PySide6.QtCore import QStandardPaths as S\n"
        "from PySide6.QtGui import QIcon\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication([])\n"
        f"print(S.locate(S.StandardLocation.ApplicationsLocation, '{APP_ID}.desktop'))\n"
        # offscreen Qt has no platform theme: give it the XDG icon dirs a desktop searches
        f"QIcon.setThemeSearchPaths(['{data_home / 'icons'}', '/usr/share/icons'])\n"
        "QIcon.setThemeName('hicolor')\n"
        f"print(not QIcon.fromTheme('{APP_ID}').isNull())\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60
    )
    assert found.stdout.split() == [str(installed), "True"], found.stdout + found.stderr

    out = subprocess.run([*cmd, "--remove"], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    left = [p for p in data_home.rglob(f"{APP_ID}*")]
    assert not left, left
