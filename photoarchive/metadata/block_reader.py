"""Read EXIF, IPTC and XMP each on its own, so one bad block never hides the others.

exiv2 refuses a whole file for one bad part (a maker-note directory it considers invalid, an
XMP packet with a duplicated property); exiftool then still shows the rest. Here exiv2 reads
each block separately, and where it cannot, a small pure-Python reader (`py_blocks`) takes
the few tags photoarchive shows (title, caption, dates, GPS, camera). Every block that could
not be read is named in `unread`, in words for the user.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from photoarchive.metadata.exiv2 import (
    HEAD_READ,
    MetadataError,
    _open,
    _Tags,
    describe_os_error,
)
from photoarchive.metadata.jpeg_segments import iptc_digests
from photoarchive.metadata.jpeg_segments import scan_offset as jpeg_scan_offset
from photoarchive.metadata.py_blocks import py_blocks

log = logging.getLogger(__name__)

BLOCKS = ("EXIF", "IPTC", "XMP")


@dataclass
class BlockTags:
    exif: dict[str, object] = field(default_factory=dict)
    iptc: dict[str, object] = field(default_factory=dict)
    xmp: dict[str, object] = field(default_factory=dict)
    unread: list[str] = field(default_factory=list)  # "XMP not read by exiv2 (...)"
    opened: bool = False  # exiv2 recognised the file at all

    @property
    def empty(self) -> bool:
        return not (self.exif or self.iptc or self.xmp)


def _read_block(reader: Callable[..., dict[str, object]]) -> dict[str, object]:
    try:
        return reader()
    except UnicodeDecodeError:
        return reader(encoding="latin-1")


def exiv2_blocks(data: bytes) -> BlockTags:
    """exiv2's reading of each block; a failing block is left empty and named in `unread`."""
    out = BlockTags()
    try:
        img = _open(data)
    except MetadataError as exc:
        out.unread.append(f"exiv2 could not read the file: {exc}")
        return out
    out.opened = True
    with img:
        for name, reader in zip(BLOCKS, (img.read_exif, img.read_iptc, img.read_xmp), strict=True):
            try:
                tags = _read_block(reader)
            except (RuntimeError, UnicodeDecodeError, ValueError) as exc:
                out.unread.append(f"{name} not read by exiv2 ({str(exc).strip() or 'error'})")
                continue
            setattr(out, name.lower(), tags)
    return out


def _fill_from_python(tags: BlockTags, data: bytes) -> list[str]:
    """Blocks exiv2 left empty, from the pure-Python reader; notes for those exiv2 refused."""
    py = py_blocks(data)
    notes = []
    for name, found in zip(BLOCKS, py, strict=True):
        attr = name.lower()
        if getattr(tags, attr) or not found:
            continue
        setattr(tags, attr, found)
        refused = not tags.opened or any(u.startswith(f"{name} ") for u in tags.unread)
        if refused:
            notes.append(f"{name} read by photoarchive's own reader (title, caption, dates, GPS)")
    return notes


def file_tags(path: Path, media_only: bool = False) -> tuple[_Tags, list[str]]:
    """Tags embedded in the file, each block on its own, and what could not be read.

    For JPEG only the headers go to exiv2. `media_only` (videos): no exiv2, only the
    pure-Python reader over the file's head. Raises MetadataError only when nothing at all
    could be read from a file that is not a video.
    """
    try:
        with open(path, "rb") as fh:
            data = fh.read(HEAD_READ)
            scan = jpeg_scan_offset(data)
            if scan is None and not media_only:  # not a JPEG, or headers beyond HEAD_READ
                data += fh.read()
                scan = jpeg_scan_offset(data)
            elif scan is not None:
                fh.seek(-12, os.SEEK_END)
                if fh.read(3) == b"AXS":  # an AFCP trailer: IPTC at the end of the file
                    fh.seek(0)
                    data = fh.read()
    except OSError as exc:
        raise MetadataError(describe_os_error(exc)) from None
    if not data:
        raise MetadataError("empty file (0 bytes)")
    head = data[:scan] + b"\xff\xd9" if scan else data
    tags = BlockTags(opened=media_only) if media_only else exiv2_blocks(head)
    notes = [] if media_only else [*tags.unread]
    notes += _fill_from_python(tags, data)
    if not tags.opened and tags.empty:
        raise MetadataError(
            str(tags.unread[0]).split(": ", 1)[-1] if tags.unread else "no metadata"
        )
    out = _Tags(tags.exif, tags.iptc, tags.xmp)
    if scan:
        out.iptc_digest, out.stored_digest = iptc_digests(head)
    return out, notes
