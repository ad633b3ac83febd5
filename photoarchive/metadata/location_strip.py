"""A shareable copy's bytes without the location: for photos taken at a private place.

Works on bytes through the exiv2 wrapper (as `reading` does); the caller's file is not touched.
"""

from __future__ import annotations

from photoarchive.metadata.exiv2 import MetadataError, _open, _read_tags, jpeg_scan_offset
from photoarchive.metadata.tag_values import exif_gps, xmp_gps


def without_gps(data: bytes) -> bytes:
    """The same image with every location tag removed (EXIF GPS IFD, XMP exif:GPS*): the bytes
    to share when a photo was taken at a private place. The caller's file is not touched."""
    scan = jpeg_scan_offset(data)
    work = data[:scan] + b"\xff\xd9" if scan else bytes(data)
    with _open(work) as img:
        tags = _read_tags(img)
        exif = {k: None for k in tags.exif if k.startswith("Exif.GPSInfo.")}
        xmp = {k: None for k in tags.xmp if k.startswith("Xmp.exif.GPS")}
        if not (exif or xmp):
            return bytes(data)
        try:
            if exif:
                img.modify_exif(exif)
            if xmp:
                img.modify_xmp(xmp)
        except RuntimeError as exc:
            raise MetadataError(f"exiv2 could not remove the location ({exc})") from None
        out = img.get_bytes()
    with _open(out) as check:
        left = _read_tags(check)
    if exif_gps(left.exif) or xmp_gps(left.xmp):
        raise MetadataError("the location could not be removed from a copy of this file")
    return out[:-2] + bytes(data[scan:]) if scan else out
