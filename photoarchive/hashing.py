"""Content identity: BLAKE3, fast, GIL-free and cryptographic (equal hash means equal file)."""

from __future__ import annotations

import os
from pathlib import Path

import blake3

CHUNK = 8 << 20
ALGORITHM = "blake3"


ALL_CORES = blake3.blake3.AUTO


def new_hasher(max_threads: int = ALL_CORES) -> blake3.blake3:
    """max_threads=1 where several processes already share the cores (tagging workers)."""
    return blake3.blake3(max_threads=max_threads)


def hash_file(path: Path, max_threads: int = ALL_CORES) -> str:
    """Hash a whole file (memory-mapped; the GIL is released while hashing)."""
    if os.path.getsize(path) == 0:
        return blake3.blake3(b"").hexdigest()
    h = new_hasher(max_threads)
    h.update_mmap(str(path))
    return h.hexdigest()
