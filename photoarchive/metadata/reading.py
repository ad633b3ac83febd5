"""Reading title, caption, GPS, time and previews the way other programs show them.

Callers import `read_metadata` and `read_preview` from here; pyexiv2 itself is reached only
through `photoarchive.metadata.exiv2` (the one module that imports it).
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from struct import error as struct_error

from photoarchive.importing.capture_time import best_stamp, embedded_stamps
from photoarchive.importing.dates_base import MODIFIED
from photoarchive.media import VIDEO_EXTS as MEDIA_VIDEO_EXTS
from photoarchive.metadata.block_reader import file_tags
from photoarchive.metadata.dates import capture_from_tags
from photoarchive.metadata.exiv2 import (
    IPTC_LIMITS,
    MetadataError,
    PhotoMetadata,
    _open,
    _Tags,
    describe_os_error,
)
from photoarchive.metadata.jpeg_segments import jpeg_width, tiff_jpegs
from photoarchive.metadata.jpeg_segments import scan_offset as jpeg_scan_offset
from photoarchive.metadata.sidecars import VIDEO_EXTS, existing_sidecar, uses_sidecar
from photoarchive.metadata.tag_values import (
    camera_name,
    exif_gps,
    location_text,
    text_value,
    xmp_gps,
)


def _pick(tags: _Tags, exif_key: str | None, iptc_key: str, xmp_key: str) -> str | None:
    if exif_key:
        value = text_value(tags.exif.get(exif_key))
        if value:
            return value
    iptc = text_value(tags.iptc.get(iptc_key))
    xmp = text_value(tags.xmp.get(xmp_key))
    stored, current = tags.stored_digest, tags.iptc_digest
    if not iptc or (xmp and (stored is None or current is None or stored == current)):
        return xmp or iptc
    # The IPTC changed after the last MWG-aware write: it wins, unless it is the XMP cut short.
    if xmp and xmp.startswith(iptc) and len(iptc.encode()) >= IPTC_LIMITS[iptc_key] - 3:
        return xmp
    return iptc


def _sidecar_tags(sidecar: Path) -> dict[str, object]:
    try:
        data = sidecar.read_bytes()
    except OSError as exc:
        raise MetadataError(f"sidecar {sidecar.name}: {describe_os_error(exc)}") from None
    with _open(data) as img:
        try:
            return img.read_xmp()
        except RuntimeError as exc:
            raise MetadataError(f"sidecar {sidecar.name} is not valid XMP ({exc})") from None


def read_metadata(path: Path) -> PhotoMetadata:
    """What other programs will show: MWG precedence, a sidecar's XMP overriding the file's.

    Each block (EXIF, IPTC, XMP) is read on its own: one that cannot be read is named in the
    warnings and the others still count. Last resorts, marked in the warnings: Windows
    XPTitle/XPComment and EXIF UserComment for the title and caption.
    """
    path = Path(path)
    warnings: list[str] = []
    video = path.suffix.lower() in VIDEO_EXTS or path.suffix.lower() in MEDIA_VIDEO_EXTS
    if video and not path.exists():
        raise MetadataError("the file vanished")
    try:
        tags, notes = file_tags(path, media_only=video)
        warnings += notes
    except MetadataError as exc:
        if not uses_sidecar(path):
            raise
        tags = _Tags({}, {}, {})
        warnings.append(f"embedded metadata not read: {exc}")
    side = existing_sidecar(path)
    sx: dict[str, object] = {}
    if side is not None:
        sx = _sidecar_tags(side)
        title = text_value(sx.get("Xmp.dc.title")) or _pick(tags, None, *_TITLE)
        caption = text_value(sx.get("Xmp.dc.description")) or _pick(tags, *_CAPTION)
        gps = xmp_gps(sx) or exif_gps(tags.exif) or xmp_gps(tags.xmp)
    else:
        title = _pick(tags, None, *_TITLE)
        caption = _pick(tags, *_CAPTION)
        gps = exif_gps(tags.exif) or xmp_gps(tags.xmp)
    for value, keys, label in (
        (title, ("Exif.Image.XPTitle",), "title"),
        (caption, ("Exif.Image.XPComment", "Exif.Photo.UserComment"), "caption"),
    ):
        if value:
            continue
        for key in keys:
            found = text_value(tags.exif.get(key))
            if found and found.startswith("charset="):  # exiv2's UserComment: 'charset=Ascii x'
                found = found.partition(" ")[2].strip() or None
            if found and not found.startswith("binary comment"):
                warnings.append(f"{label} taken from {key.rsplit('.', 1)[1]} (last resort)")
                title, caption = (found, caption) if label == "title" else (title, found)
                break
    when = _capture_time(path, tags, sx)
    where = location_text(sx, tags.xmp, tags.iptc)  # the place's name, city, region, country
    camera = camera_name(tags.exif)
    return PhotoMetadata(title, caption, gps, when, camera, side, tuple(warnings), where)


def _capture_time(path: Path, tags: _Tags, sidecar: dict[str, object]) -> datetime | None:
    """The import's order: the file's own dates, then the sidecar's, then container dates
    (video), an editor's ModifyDate only when nothing else is there."""
    found = capture_from_tags(tags.exif, tags.iptc, tags.xmp)
    if found is None or found[1] == "modified":
        side = capture_from_tags({}, {}, sidecar)
        found = side if side is not None else found
    if found is not None and found[1] != "modified":
        return found[0]
    try:
        best = best_stamp(embedded_stamps(path))
    except OSError:
        best = None
    if best is not None and (found is None or best.rank < MODIFIED):
        offset = best.offset
        return best.local if offset is None else best.local.replace(tzinfo=timezone(offset))
    return found[0] if found else None


_TITLE = ("Iptc.Application2.ObjectName", "Xmp.dc.title")
_CAPTION = ("Exif.Image.ImageDescription", "Iptc.Application2.Caption", "Xmp.dc.description")


def read_preview(path: Path, min_width: int = 256) -> bytes | None:
    """The smallest embedded JPEG preview at least min_width wide (EXIF thumbnail, or a RAW's
    preview images), or None: the caller then decodes the image itself."""
    candidates: list[bytes] = []
    try:
        with open(path, "rb") as fh:
            head = fh.read(1 << 20)
            scan = jpeg_scan_offset(head) if head[:2] == b"\xff\xd8" else None
            if head[:2] in (b"II", b"MM"):

                def read(offset: int, length: int) -> bytes:
                    fh.seek(offset)
                    return fh.read(length)

                for offset, length in tiff_jpegs(read):
                    if length <= 64 << 20:
                        candidates.append(read(offset, length))
    except (OSError, struct_error, ValueError):
        return None
    if scan is not None:
        try:
            with _open(head[:scan] + b"\xff\xd9") as img:
                candidates.append(img.read_thumbnail() or b"")
        except (MetadataError, RuntimeError, ValueError):
            pass
    best: tuple[int, bytes] | None = None
    for data in candidates:
        width = jpeg_width(data) if data[:2] == b"\xff\xd8" else None
        if width is not None and width >= min_width and (best is None or width < best[0]):
            best = (width, data)
    return best[1] if best else None
