"""Camera cards are read-only to photoarchive: tagging refuses files that live on one.

A file is on a card when its path has a `DCIM` folder in it, or when the volume it lives on
holds a `DCIM` folder at its root (a card mounted anywhere, the file copied beside DCIM).
"""

from __future__ import annotations

import os
from pathlib import Path

ON_CARD = "is on a camera card; import it first (photoarchive never changes a card)"


def on_camera_card(path: Path, seen: dict[Path, bool] | None = None) -> bool:
    """seen: answers per mount point, shared across one batch (mounts change between)."""
    try:
        resolved = Path(path).resolve()
    except OSError:
        resolved = Path(os.path.abspath(path))
    if any(part.lower() == "dcim" for part in (*Path(path).parts, *resolved.parts)):
        return True
    return _has_dcim(_mount_point(resolved.parent), seen)


def _mount_point(path: Path) -> Path:
    while not os.path.ismount(path) and path.parent != path:
        path = path.parent
    return path


def _has_dcim(mount: Path, seen: dict[Path, bool] | None) -> bool:
    if seen is not None and mount in seen:
        return seen[mount]
    try:
        found = any(e.is_dir() and e.name.lower() == "dcim" for e in os.scandir(mount))
    except OSError:
        found = False
    if seen is not None:
        seen[mount] = found
    return found
