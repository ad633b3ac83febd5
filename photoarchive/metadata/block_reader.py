"""Read EXIF, IPTC and XMP each on its own, so one bad block never hides the others.

exiv2 refuses a whole file for one bad part (a maker-note directory it considers invalid, an
XMP packet with a duplicated property); exiftool then still shows the rest. Here exiv2 reads
each block separately, and where it cannot, a small pure-Python reader (`py_blocks`) takes
the few tags photoarchive shows (title, caption, dates, GPS, camera). Every block that could
not be read is named in `unread`, in words for the user.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from photoarchive.metadata.exiv2 import MetadataError, _open

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
        out.unread.append(str(exc))
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
