"""Damage made on purpose, for scrub and repair tests."""

from __future__ import annotations

import os
from pathlib import Path

from photoarchive.imagedata import jpeg_scan_start


def flip_image_byte(path: Path) -> bytes:
    """Damage the picture (same size): one byte in the middle of the JPEG scan data."""
    data = bytearray(path.read_bytes())
    fd = os.open(path, os.O_RDONLY)
    try:
        start = jpeg_scan_start(fd, len(data))
    finally:
        os.close(fd)
    data[(start + len(data)) // 2] ^= 0x41
    path.write_bytes(bytes(data))
    return bytes(data)
