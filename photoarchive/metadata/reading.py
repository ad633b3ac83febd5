"""Reading title, caption, GPS, time and previews the way other programs show them.

Callers import `read_metadata` and `read_preview` from here; pyexiv2 itself is reached only
through `photoarchive.metadata.exiv2` (the one module that imports it).
"""

from __future__ import annotations

from pathlib import Path
from struct import error as struct_error

from photoarchive.metadata.exiv2 import (
    HEAD_READ,
    IPTC_LIMITS,
    MetadataError,
    PhotoMetadata,
    _open,
    _read_tags,
    _Tags,
    describe_os_error,
)
from photoarchive.metadata.jpeg_segments import iptc_digests, jpeg_width, tiff_jpegs
from photoarchive.metadata.jpeg_segments import scan_offset as jpeg_scan_offset
from photoarchive.metadata.sidecars import VIDEO_EXTS, existing_sidecar, uses_sidecar
from photoarchive.metadata.tag_values import (
    camera_name,
    exif_gps,
    exif_time,
    text_value,
    xmp_gps,
    xmp_time,
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


def _file_tags(path: Path) -> _Tags:
    """Tags embedded in the file; for JPEG only the headers are read and handed to exiv2."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(HEAD_READ)
            scan = jpeg_scan_offset(data)
            if scan is None:  # not a JPEG, or headers longer than HEAD_READ
                data += fh.read()
                scan = jpeg_scan_offset(data)
    except OSError as exc:
        raise MetadataError(describe_os_error(exc)) from None
    if not data:
        raise MetadataError("empty file (0 bytes)")
    head = data[:scan] + b"\xff\xd9" if scan else data
    with _open(head) as img:
        tags = _read_tags(img)
    if scan:
        tags.iptc_digest, tags.stored_digest = iptc_digests(head)
    return tags


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
    """What other programs will show: MWG precedence, a sidecar's XMP overriding the file's."""
    path = Path(path)
    warnings: list[str] = []
    if path.suffix.lower() in VIDEO_EXTS:
        if not path.exists():
            raise MetadataError("the file vanished")
        tags = _Tags({}, {}, {})
    else:
        try:
            tags = _file_tags(path)
        except MetadataError as exc:
            if not uses_sidecar(path):
                raise
            tags = _Tags({}, {}, {})
            warnings.append(f"embedded metadata not read: {exc}")
    side = existing_sidecar(path)
    if side is not None:
        sx = _sidecar_tags(side)
        title = text_value(sx.get("Xmp.dc.title")) or _pick(tags, None, *_TITLE)
        caption = text_value(sx.get("Xmp.dc.description")) or _pick(tags, *_CAPTION)
        gps = xmp_gps(sx) or exif_gps(tags.exif) or xmp_gps(tags.xmp)
        when = exif_time(tags.exif) or xmp_time(sx) or xmp_time(tags.xmp)
    else:
        title = _pick(tags, None, *_TITLE)
        caption = _pick(tags, *_CAPTION)
        gps = exif_gps(tags.exif) or xmp_gps(tags.xmp)
        when = exif_time(tags.exif) or xmp_time(tags.xmp)
    return PhotoMetadata(title, caption, gps, when, camera_name(tags.exif), side, tuple(warnings))


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
