"""Which files on a card are photos, RAWs, videos or side files, by extension.

Extensions are what cameras and every file manager go by; content sniffing would make a
corrupt JPEG invisible instead of reported.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import PurePath


class Kind(StrEnum):
    PHOTO = "photo"
    RAW = "raw"
    VIDEO = "video"
    SIDECAR = "sidecar"
    OTHER = "other"


PHOTO_EXTS = frozenset({".jpg", ".jpeg", ".heic", ".heif", ".hif"})
RAW_EXTS = frozenset({".cr2", ".cr3", ".nef", ".arw", ".raf", ".orf", ".rw2", ".pef", ".dng"})
VIDEO_EXTS = frozenset({".mov", ".mp4", ".mts", ".m2ts", ".avi"})
SIDECAR_EXTS = frozenset({".thm", ".xmp"})
MEDIA_KINDS = frozenset({Kind.PHOTO, Kind.RAW, Kind.VIDEO})

# Card folders that never hold photos; listed as skipped without walking into them.
SYSTEM_DIRS = frozenset(
    {".trashes", ".spotlight-v100", ".fseventsd", "system volume information", "$recycle.bin"}
)


def kind_of(name: str) -> Kind:
    ext = PurePath(name).suffix.lower()
    if ext in PHOTO_EXTS:
        return Kind.PHOTO
    if ext in RAW_EXTS:
        return Kind.RAW
    if ext in VIDEO_EXTS:
        return Kind.VIDEO
    if ext in SIDECAR_EXTS:
        return Kind.SIDECAR
    return Kind.OTHER


def catalog_role(kind: Kind) -> str:
    """Side files are catalogued as travelling with a photo; everything else is media."""
    return "sidecar" if kind is Kind.SIDECAR else "media"


def split_name(name: str) -> tuple[str, str]:
    """('IMG_1', '.CR2.xmp'): the stem and the chain of known media/side-file suffixes."""
    stem = name
    while True:
        p = PurePath(stem)
        if p.suffix and p.stem and kind_of(p.name) is not Kind.OTHER:
            stem = p.stem
            continue
        return stem, name[len(stem) :]


def group_key(name: str) -> str:
    """Files sharing this key in one folder travel together: IMG_1.CR2, IMG_1.JPG, IMG_1.CR2.xmp."""
    return split_name(name)[0].casefold()
