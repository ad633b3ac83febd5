"""Content identity: BLAKE3, fast, GIL-free and cryptographic (equal hash means equal file)."""

from __future__ import annotations

import os
from pathlib import Path

import blake3

CHUNK = 8 << 20
ALGORITHM = "blake3"


def new_hasher() -> blake3.blake3:
    return blake3.blake3(max_threads=blake3.blake3.AUTO)


def hash_file(path: Path) -> str:
    """Hash a whole file (memory-mapped; the GIL is released while hashing)."""
    if os.path.getsize(path) == 0:
        return blake3.blake3(b"").hexdigest()
    h = new_hasher()
    h.update_mmap(str(path))
    return h.hexdigest()
