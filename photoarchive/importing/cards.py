"""Finding camera cards and listing what is on them, without ever writing to them."""

from __future__ import annotations

import getpass
import logging
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from photoarchive.jobs import CancelToken, Problem
from photoarchive.media import (
    CAMERA_FOLDER,
    MEDIA_KINDS,
    SYSTEM_DIRS,
    Kind,
    group_key,
    is_housekeeping,
    kind_of,
)

log = logging.getLogger(__name__)


def mount_roots(user: str | None = None) -> list[Path]:
    user = user or getpass.getuser()
    return [Path("/media") / user, Path("/run/media") / user, Path("/mnt"), Path("/Volumes")]


def detect_cards(roots: Iterable[Path] | None = None) -> list[Path]:
    """Mounted volumes (or a root itself) holding a DCIM folder."""
    found: list[Path] = []
    for root in mount_roots() if roots is None else roots:
        candidates = [root]
        try:
            candidates += sorted(p for p in root.iterdir() if p.is_dir())
        except OSError:
            continue
        for cand in candidates:
            try:
                if (cand / "DCIM").is_dir() and cand not in found:
                    found.append(cand)
            except OSError:
                continue
    return found


def _mount_point(path: Path) -> Path:
    path = path.resolve()
    while not os.path.ismount(path) and path.parent != path:
        path = path.parent
    return path


def _device_uuids() -> dict[int, str]:
    by_uuid = Path("/dev/disk/by-uuid")
    out: dict[int, str] = {}
    try:
        for link in by_uuid.iterdir():
            try:
                out[os.stat(link).st_rdev] = link.name
            except OSError:
                continue
    except OSError:
        pass
    return out


def volume_of(path: Path) -> tuple[str, Path]:
    """(stable volume id, mount point): the filesystem UUID when the system knows it."""
    mount = _mount_point(path)
    dev = os.stat(mount).st_dev
    uuid = _device_uuids().get(dev)
    return (f"uuid:{uuid}" if uuid else f"mount:{mount}"), mount


@dataclass(frozen=True)
class SourceFile:
    path: Path
    rel: str  # path inside its volume, '/'-separated: the key for "seen before"
    size: int
    mtime_ns: int
    kind: Kind


@dataclass
class ShotGroup:
    """Files of one shot (RAW + JPEG + side files) that must land side by side."""

    folder: Path
    key: str
    files: list[SourceFile] = field(default_factory=list)

    @property
    def media(self) -> list[SourceFile]:
        return [f for f in self.files if f.kind in MEDIA_KINDS]

    @property
    def sidecars(self) -> list[SourceFile]:
        return [f for f in self.files if f.kind is Kind.SIDECAR]

    @property
    def others(self) -> list[SourceFile]:
        """Files of unknown kind from a camera folder: copied too, never left on the card."""
        return [f for f in self.files if f.kind is Kind.OTHER]

    @property
    def dated(self) -> list[SourceFile]:
        """The files whose dates place the shot: its media, else its other files."""
        return self.media or self.others


@dataclass
class SourceScan:
    root: Path
    volume: str
    groups: list[ShotGroup] = field(default_factory=list)
    skipped: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def scan_source(root: Path, cancel: CancelToken | None = None) -> SourceScan:
    """Walk a card or folder; media grouped by shot, with any unknown file from a DCIM folder
    ("other": a camera's voice memo, GPS log, or a format not known yet); the rest listed as
    skipped with the reason."""
    root = Path(root)
    volume, mount = volume_of(root)
    scan = SourceScan(root=root, volume=volume)

    def on_error(exc: OSError) -> None:
        scan.problems.append(Problem(str(exc.filename or root), f"cannot read folder: {exc}"))

    for dirpath, dirnames, filenames in os.walk(root, onerror=on_error):
        if cancel is not None:
            cancel.raise_if_cancelled()
        for d in list(dirnames):
            if d.startswith(".") or d.casefold() in SYSTEM_DIRS:
                dirnames.remove(d)
                scan.skipped.append(Problem(os.path.join(dirpath, d), "system folder"))
        dirnames.sort()
        groups: dict[str, ShotGroup] = {}
        in_camera_folder = any(p.casefold() == CAMERA_FOLDER for p in Path(dirpath).parts)
        for name in sorted(filenames):
            path = Path(dirpath) / name
            kind = kind_of(name)
            if is_housekeeping(name):
                scan.skipped.append(Problem(str(path), "camera housekeeping file"))
                continue
            if name.startswith("."):
                scan.skipped.append(Problem(str(path), "hidden file"))
                continue
            if kind is Kind.OTHER and not in_camera_folder:
                scan.skipped.append(Problem(str(path), "not a photo or video"))
                continue
            try:
                st = os.stat(path, follow_symlinks=False)
            except OSError as exc:
                scan.problems.append(Problem(str(path), f"cannot read file: {exc.strerror}"))
                continue
            if not stat.S_ISREG(st.st_mode):
                scan.skipped.append(Problem(str(path), "not a regular file"))
                continue
            rel = os.path.relpath(path, mount).replace(os.sep, "/")
            key = group_key(name)
            group = groups.setdefault(key, ShotGroup(folder=Path(dirpath), key=key))
            group.files.append(SourceFile(path, rel, st.st_size, st.st_mtime_ns, kind))
        for group in groups.values():
            if group.dated:
                scan.groups.append(group)
            else:
                for f in group.files:
                    scan.skipped.append(Problem(str(f.path), "side file with no photo beside it"))
    return scan
