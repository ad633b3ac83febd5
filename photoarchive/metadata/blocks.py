"""The raw EXIF, IPTC and XMP blocks of a file, found without exiv2 (for the write check).

JPEG: APP1 Exif, Photoshop APP13 (IPTC resource 0x0404), APP1 XMP and ExtendedXMP.
TIFF and TIFF-based RAW: the file is the EXIF block; IPTC and XMP are IFD0 tags.
PNG: eXIf, iTXt XML:com.adobe.xmp and the ImageMagick/exiv2 "Raw profile" text chunks.
WebP: the RIFF EXIF and XMP chunks.
"""

from __future__ import annotations

import struct
import zlib

from photoarchive.metadata.tiff_walk import TiffError, walk
from photoarchive.metadata.write_check import Blocks

XMP_SIG = b"http://ns.adobe.com/xap/1.0/\x00"
EXT_SIG = b"http://ns.adobe.com/xmp/extension/\x00"
PS_SIG = b"Photoshop 3.0\x00"


def jpeg_segments(head: bytes) -> list[tuple[int, int, int]]:
    """(marker, payload start, payload end) of each header segment before the scan."""
    out = []
    pos = 2
    while pos + 4 <= len(head) and head[pos] == 0xFF:
        marker = head[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker in (0xDA, 0xD9):
            break
        (length,) = struct.unpack_from(">H", head, pos + 2)
        if length < 2:
            break
        out.append((marker, pos + 4, min(pos + 2 + length, len(head))))
        pos += 2 + length
    return out


def photoshop_iptc(resources: bytes) -> bytes | None:
    """The IPTC resource (0x0404) inside Photoshop image resources ('8BIM' blocks)."""
    i = 0
    while i + 12 <= len(resources) and resources[i : i + 4] == b"8BIM":
        (rid,) = struct.unpack_from(">H", resources, i + 4)
        j = i + 6 + ((resources[i + 6] + 2) & ~1)
        if j + 4 > len(resources):
            break
        (size,) = struct.unpack_from(">I", resources, j)
        if rid == 0x0404:
            return resources[j + 4 : j + 4 + size]
        i = j + 4 + size + (size & 1)
    return None


def extended_xmp(parts: list[bytes]) -> bytes | None:
    """Reassemble ExtendedXMP chunks (GUID, full length, offset, data) of the first GUID."""
    if not parts:
        return None
    guid = parts[0][:32]
    chunks: dict[int, bytes] = {}
    total = 0
    for p in parts:
        if p[:32] != guid or len(p) < 40:
            continue
        total, offset = struct.unpack_from(">II", p, 32)
        chunks[offset] = p[40:]
    data = b"".join(chunks[k] for k in sorted(chunks))
    return data[:total] if total else data


def jpeg_blocks(head: bytes) -> Blocks:
    exif = iptc = xmp = None
    ext: list[bytes] = []
    for marker, start, end in jpeg_segments(head):
        seg = head[start:end]
        if marker == 0xE1 and seg.startswith(b"Exif\x00") and exif is None:
            exif = seg[6:]
        elif marker == 0xE1 and seg.startswith(XMP_SIG) and xmp is None:
            xmp = seg[len(XMP_SIG) :]
        elif marker == 0xE1 and seg.startswith(EXT_SIG):
            ext.append(seg[len(EXT_SIG) :])
        elif marker == 0xED and seg.startswith(PS_SIG) and iptc is None:
            iptc = photoshop_iptc(seg[len(PS_SIG) :])
    return Blocks(exif, iptc, xmp, extended_xmp(ext))


def _raw_profile(text: bytes) -> bytes | None:
    """ImageMagick's 'Raw profile type X' text: '\\nname\\n   length\\nhex...'."""
    try:
        _, _name, length, hexdata = text.split(b"\n", 3)
        return bytes.fromhex(hexdata.decode("ascii").replace("\n", "").strip())[: int(length)]
    except (ValueError, UnicodeDecodeError):
        return None


def png_blocks(data: bytes) -> Blocks:
    exif = iptc = xmp = None
    pos = 8
    while pos + 12 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, pos)
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"eXIf":
            exif = body
        elif kind in (b"tEXt", b"zTXt", b"iTXt"):
            key, _, rest = body.partition(b"\x00")
            text = _text_chunk(kind, rest)
            if text is None:
                continue
            if key == b"XML:com.adobe.xmp":
                xmp = text
            elif key in (b"Raw profile type exif", b"Raw profile type APP1"):
                raw = _raw_profile(text)
                if raw is not None and exif is None:
                    exif = raw[6:] if raw.startswith(b"Exif\x00") else raw
            elif key == b"Raw profile type iptc":
                raw = _raw_profile(text)
                if raw is not None:
                    iptc = photoshop_iptc(raw[len(PS_SIG) :] if raw.startswith(PS_SIG) else raw)
                    iptc = iptc if iptc is not None else raw
        elif kind == b"IEND":
            break
    return Blocks(exif, iptc, xmp)


def _text_chunk(kind: bytes, rest: bytes) -> bytes | None:
    try:
        if kind == b"tEXt":
            return rest
        if kind == b"zTXt":
            return zlib.decompress(rest[1:])
        compressed, _method = rest[0], rest[1]
        _lang, _, rest = rest[2:].partition(b"\x00")
        _tkey, _, text = rest.partition(b"\x00")
        return zlib.decompress(text) if compressed else text
    except (zlib.error, IndexError):
        return None


def webp_blocks(data: bytes) -> Blocks:
    exif = xmp = None
    pos = 12
    while pos + 8 <= len(data):
        kind, length = struct.unpack_from("<4sI", data, pos)
        body = data[pos + 8 : pos + 8 + length]
        pos += 8 + length + (length & 1)
        if kind == b"EXIF":
            exif = body[6:] if body.startswith(b"Exif\x00") else body
        elif kind == b"XMP ":
            xmp = body
    return Blocks(exif, None, xmp)


def tiff_blocks(data: bytes) -> Blocks:
    try:
        found = walk(data).embedded
    except TiffError:
        return Blocks(data)
    iptc = found.get("iptc")
    if iptc is None and "photoshop" in found:
        iptc = photoshop_iptc(found["photoshop"])
    return Blocks(data, iptc, found.get("xmp"))


def file_blocks(data: bytes) -> Blocks | None:
    """The blocks of a JPEG (headers suffice), TIFF, PNG or WebP; None for other formats."""
    if data[:2] == b"\xff\xd8":
        return jpeg_blocks(data)
    if data[:2] in (b"II", b"MM"):
        return tiff_blocks(data)
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return png_blocks(data)
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return webp_blocks(data)
    return None
