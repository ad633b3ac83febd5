"""Private files: what the program keeps about a family is readable only by its user.

Settings, places (with the home coordinates of places marked private), the catalog, journals,
logs and caches name people's photos and places. They are created 0600 in folders 0700
whatever the umask (`private_dir`, `open_private`, `write_private`), and `tighten` (run by
every command at start) closes up files and folders made before this rule or by libraries
that honour only the umask (Qt's settings file, SQLite's side files). The archive itself is
not touched: its folders are the family's to share.
"""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterable
from pathlib import Path

log = logging.getLogger(__name__)

FILE_MODE = 0o600
DIR_MODE = 0o700


def private_dir(path: Path) -> Path:
    """Make the folder (and missing parents) and make sure the folder itself is 0700."""
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    if stat.S_IMODE(os.stat(path).st_mode) & 0o077:
        try:
            os.chmod(path, DIR_MODE)
        except OSError as exc:  # not ours (a shared folder): use it as it is
            log.warning("cannot make %s private: %s", path, exc)
    return path


def open_private(path: Path | str, flags: int = os.O_WRONLY | os.O_CREAT | os.O_TRUNC) -> int:
    """os.open creating the file 0600 (and tightening it when it already existed)."""
    fd = os.open(path, flags | os.O_CREAT | os.O_CLOEXEC, FILE_MODE)
    try:
        if stat.S_IMODE(os.fstat(fd).st_mode) & 0o077:
            os.fchmod(fd, FILE_MODE)
    except OSError:
        os.close(fd)
        raise
    return fd


def write_private(path: Path, data: bytes) -> None:
    """Write a small file 0600 (not atomic: for journal entries and the like)."""
    fd = open_private(path)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def tighten(roots: Iterable[Path], skip: Iterable[Path] = ()) -> int:
    """Make every file under these folders 0600 and every folder 0700 (mode bits for group
    and others removed; symlinks left alone), except under `skip` (an archive kept inside
    one of them stays shareable); returns how many were changed."""
    changed = 0
    skipped = {os.path.realpath(p) for p in skip}
    for root in roots:
        if not root.is_dir() or root.is_symlink() or os.path.realpath(root) in skipped:
            continue
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if os.path.realpath(os.path.join(folder, d)) not in skipped]
            for name in [folder, *(os.path.join(folder, f) for f in files)]:
                try:
                    st = os.lstat(name)
                except OSError:
                    continue
                if stat.S_ISLNK(st.st_mode) or not stat.S_IMODE(st.st_mode) & 0o077:
                    continue
                want = DIR_MODE if stat.S_ISDIR(st.st_mode) else FILE_MODE
                try:
                    os.chmod(name, stat.S_IMODE(st.st_mode) & want)
                    changed += 1
                except OSError as exc:
                    log.warning("cannot make %s private: %s", name, exc)
    if changed:
        log.info("made %d file(s) and folder(s) private", changed)
    return changed
