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


# What cameras, phones and scanners write (stills, RAW, video); anything else under DCIM/ is
# still copied, as an "other" file (see `other_reason`).
PHOTO_EXTS = frozenset(
    {".jpg", ".jpeg", ".jpe", ".heic", ".heif", ".hif", ".avif", ".jxl", ".webp", ".png"}
    | {".tif", ".tiff", ".gif", ".bmp", ".jp2", ".j2k", ".jpx", ".psd"}
)
RAW_EXTS = frozenset(
    {".cr2", ".cr3", ".crw", ".nef", ".nrw", ".arw", ".srf", ".sr2", ".raf", ".orf", ".rw2"}
    | {".rwl", ".raw", ".pef", ".dng", ".mrw", ".x3f", ".iiq", ".srw", ".3fr", ".fff", ".erf"}
    | {".kdc", ".dcr", ".dcs", ".k25", ".mos", ".mef", ".mdc", ".cap", ".gpr", ".ari", ".bay"}
)
VIDEO_EXTS = frozenset(
    {".mov", ".mp4", ".m4v", ".3gp", ".3g2", ".mts", ".m2ts", ".m2t", ".mod", ".tod", ".avi"}
    | {".mkv", ".webm", ".mpg", ".mpeg", ".mpe", ".vob", ".wmv", ".asf", ".dv", ".insv", ".mxf"}
)
SIDECAR_EXTS = frozenset({".thm", ".xmp"})
MEDIA_KINDS = frozenset({Kind.PHOTO, Kind.RAW, Kind.VIDEO})

# Camera housekeeping: catalogues, indexes and thumbnail caches that only make sense on the
# card itself (Canon .CTG, AVCHD .BDM/.CPI/.MPL, Sony AVF_INFO .BNP/.INP/.INT, Nikon NC_FLLST).
HOUSEKEEPING_EXTS = frozenset(
    {".ctg", ".bdm", ".cpi", ".mpl", ".bnp", ".inp", ".int", ".tid", ".tdt", ".ses"}
)
HOUSEKEEPING_NAMES = frozenset(
    {".ds_store", "thumbs.db", "ehthumbs.db", "desktop.ini", "nc_fllst.dat", "index.dat"}
)
CAMERA_FOLDER = "dcim"

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


def is_housekeeping(name: str) -> bool:
    """A camera's own index or thumbnail cache: skipped by name, never worth archiving."""
    folded = name.casefold()
    return folded in HOUSEKEEPING_NAMES or PurePath(folded).suffix in HOUSEKEEPING_EXTS


def catalog_role(kind: Kind) -> str:
    """Side files travel with a photo; unknown files from a camera folder are 'other'."""
    if kind is Kind.SIDECAR:
        return "sidecar"
    return "other" if kind is Kind.OTHER else "media"


def split_name(name: str) -> tuple[str, str]:
    """('IMG_1', '.CR2.xmp'): the stem and the chain of known media/side-file suffixes.

    The last suffix always goes, so a camera's voice memo IMG_1.WAV travels with IMG_1.JPG.
    """
    p = PurePath(name)
    stem = p.stem if p.suffix and p.stem else name
    while True:
        p = PurePath(stem)
        if p.suffix and p.stem and kind_of(p.name) is not Kind.OTHER:
            stem = p.stem
            continue
        return stem, name[len(stem) :]


def group_key(name: str) -> str:
    """Files sharing this key in one folder travel together: IMG_1.CR2, IMG_1.JPG, IMG_1.CR2.xmp."""
    return split_name(name)[0].casefold()
