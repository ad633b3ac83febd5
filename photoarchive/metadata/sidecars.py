"""Which files take their metadata inside and which in an XMP sidecar, and where that is.

exiv2 can rewrite JPEG, PNG, TIFF, WebP and the TIFF-based RAW formats; HEIC/HEIF, newer RAW
containers and videos are read-only to it, so their titles, captions and GPS go to a sidecar
named the darktable/digiKam way (`IMG_1.CR2.xmp`), the convention most photo tools read. So do
formats it cannot write safely (PSD, JPEG 2000, JPEG XL, GIF, BMP, Canon CRW...): every photo,
RAW or video format that import knows gets a sidecar rather than a refusal, and a TIFF-based
RAW whose in-place write the write check refuses falls back to one (see `workers`).
"""

from __future__ import annotations

from pathlib import Path

from photoarchive.media import MEDIA_KINDS, kind_of

# Formats exiv2 rewrites in place; RAW ones go to a sidecar instead when settings say so.
INPLACE_EXTS = frozenset({".jpg", ".jpeg", ".jpe", ".png", ".tif", ".tiff", ".webp"})
WRITABLE_RAW_EXTS = frozenset({".dng", ".cr2", ".nef", ".pef", ".orf", ".arw", ".srw"})
# Read-only for exiv2 (or not images at all): title/caption/GPS go to an XMP sidecar.
# Wider than media.VIDEO_EXTS (what import copies): any video someone may want to caption.
VIDEO_EXTS = frozenset({".mov", ".mp4", ".m4v", ".mts", ".m2ts", ".avi", ".3gp", ".mkv"})
SIDECAR_EXTS = (
    frozenset({".heic", ".heif", ".hif", ".avif", ".cr3", ".raf", ".rw2", ".crw", ".mrw", ".x3f"})
    | frozenset({".psd", ".psb", ".jp2", ".j2k", ".jpf", ".jpx", ".jxl", ".gif", ".bmp"})
    | VIDEO_EXTS
)


def uses_sidecar(path: Path, raw_sidecar: bool = False) -> bool:
    """True when edits for this file go to `name.xmp` instead of the file itself."""
    ext = path.suffix.lower()
    if ext in SIDECAR_EXTS:
        return True
    if ext in WRITABLE_RAW_EXTS:
        return raw_sidecar
    return ext not in INPLACE_EXTS


def is_supported(path: Path) -> bool:
    ext = path.suffix.lower()
    known = ext in INPLACE_EXTS or ext in WRITABLE_RAW_EXTS or ext in SIDECAR_EXTS
    return known or kind_of(path.name) in MEDIA_KINDS


def sidecar_path(path: Path) -> Path:
    """`IMG_1.CR2.xmp` (darktable/digiKam); `IMG_1.xmp` (Lightroom) is read when it exists."""
    return path.with_name(path.name + ".xmp")


def existing_sidecar(path: Path) -> Path | None:
    """The sidecar other programs would read for this file; none for formats written in place.

    A JPEG/PNG/TIFF/WebP carries its own metadata and photoarchive writes it there, so a stray
    Lightroom `IMG_1.xmp` (perhaps the RAW sibling's) must not override what the file says.
    """
    if path.suffix.lower() in INPLACE_EXTS:
        return None
    for candidate in (sidecar_path(path), path.with_suffix(".xmp"), path.with_suffix(".XMP")):
        if candidate != path and candidate.is_file():
            return candidate
    return None
