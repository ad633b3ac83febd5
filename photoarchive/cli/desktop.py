"""`photoarchive install-desktop [--remove]`: put the app in the desktop's menu for this user.

After a pip or pipx install the desktop knows nothing of the app; like Photini's post-install
step this copies the desktop file, the AppStream metainfo and the hicolor icons under the XDG
data dir (~/.local/share), with Exec pointing at the installed launcher so it starts even when
~/.local/bin is not on the session's PATH. `--remove` takes exactly those files away.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

from photoarchive.config import Settings
from photoarchive.jobs import CancelToken

log = logging.getLogger(__name__)

APP_ID = "io.github.photoarchive"
_CHECKOUT = Path(__file__).resolve().parents[2]


def packaging_dir() -> Path:
    """Installed: photoarchive/packaging (package-dir mapping in pyproject.toml); checkout:
    the top-level packaging/ folder."""
    installed = Path(__file__).resolve().parents[1] / "packaging"
    return installed if (installed / f"{APP_ID}.desktop").is_file() else _CHECKOUT / "packaging"


def xdg_data_home() -> Path:
    value = os.environ.get("XDG_DATA_HOME", "").strip()
    return Path(value) if os.path.isabs(value) else Path.home() / ".local" / "share"


def launcher() -> list[str]:
    """The command the menu entry runs: the installed GUI script, else this Python."""
    beside = Path(sys.executable).parent / "photoarchive-gui"
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    found = shutil.which("photoarchive-gui")
    if found:
        return [found]
    return [sys.executable, "-m", "photoarchive", "gui"]


def exec_line(argv: list[str]) -> str:
    """Quote arguments as the Desktop Entry spec asks (reserved characters in double quotes)."""
    out = []
    for arg in argv:
        if any(c in arg for c in " \t\n\"'\\><~|&;$*?#()`%"):
            escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg)
            arg = f'"{escaped}"'.replace("%", "%%")
        out.append(arg)
    return " ".join(out)


def planned_files(data_home: Path | None = None) -> dict[Path, Path]:
    """Installed path -> packaged source, for every file install-desktop writes."""
    src = packaging_dir()
    dest = data_home or xdg_data_home()
    files = {
        dest / "applications" / f"{APP_ID}.desktop": src / f"{APP_ID}.desktop",
        dest / "metainfo" / f"{APP_ID}.metainfo.xml": src / f"{APP_ID}.metainfo.xml",
    }
    for icon in sorted((src / "icons" / "hicolor").glob(f"*/apps/{APP_ID}.*")):
        files[dest / "icons" / icon.relative_to(src / "icons")] = icon
    return files


def _desktop_text(source: Path, argv: list[str]) -> str:
    lines = []
    for line in source.read_text(encoding="utf-8").splitlines():
        if line.startswith("Exec="):
            # The file's value is a string: a backslash there is escaped once more.
            line = "Exec=" + exec_line(argv).replace("\\", "\\\\")
        lines.append(line)
    return "\n".join(lines) + "\n"


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def _refresh_caches(data_home: Path) -> None:
    """Let menus notice now; missing tools are fine (desktops rescan on their own)."""
    for cmd in (
        ["update-desktop-database", "-q", str(data_home / "applications")],
        ["gtk-update-icon-cache", "-q", "-t", "-f", str(data_home / "icons" / "hicolor")],
    ):
        if shutil.which(cmd[0]):
            try:
                subprocess.run(cmd, capture_output=True, timeout=60, check=False)
            except (OSError, subprocess.TimeoutExpired) as exc:
                log.info("%s: %s", cmd[0], exc)


def install(data_home: Path | None = None, argv: list[str] | None = None) -> list[Path]:
    data_home = data_home or xdg_data_home()
    written = []
    for dest, src in planned_files(data_home).items():
        if dest.suffix == ".desktop":
            data = _desktop_text(src, argv or launcher()).encode()
        else:
            data = src.read_bytes()
        _write(dest, data)
        written.append(dest)
    _refresh_caches(data_home)
    log.info("installed %d desktop files under %s", len(written), data_home)
    return written


def remove(data_home: Path | None = None) -> list[Path]:
    data_home = data_home or xdg_data_home()
    removed = []
    for dest in planned_files(data_home):
        try:
            dest.unlink()
            removed.append(dest)
        except FileNotFoundError:
            continue
    _refresh_caches(data_home)
    return removed


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "install-desktop",
        parents=[common],
        help="add the application to this user's desktop menu (--remove takes it away)",
    )
    p.add_argument("--remove", action="store_true", help="remove the menu entry and icons")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings, cancel: CancelToken) -> int:
    if args.remove:
        removed = remove()
        print(f"Removed {len(removed)} files from {xdg_data_home()}.")
        return 0
    if not (packaging_dir() / f"{APP_ID}.desktop").is_file():
        print(
            "photoarchive install-desktop: the desktop files are missing from this installation",
            file=sys.stderr,
        )
        return 1
    written = install()
    print(f"Installed {len(written)} files under {xdg_data_home()}:")
    for path in written:
        if path.suffix in (".desktop", ".xml"):
            print(f"  {path}")
    print("Photo Archive is now in the desktop's application menu (Graphics / Photography).")
    return 0
