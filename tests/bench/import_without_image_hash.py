"""`photoarchive import` with the image-data hash switched off: bench_import.py's baseline for
what the image-data hash costs at import (issue 12's goal: under 5%). Never for real use: the
files it imports get no image-data hash.

    python tests/bench/import_without_image_hash.py import --archive DIR CARD
"""

from __future__ import annotations

import sys

from photoarchive.cli.main import main
from photoarchive.imagedata import ImageData
from photoarchive.importing import copier


class NoImageHash:
    """Takes the place of imagedata.ImageDataHasher in the copier: reads and hashes nothing."""

    def __init__(self, fd: int, size: int, name: str = "", like: str | None = None) -> None:
        pass

    def feed(self, offset: int, buf: object, n: int) -> None:
        pass

    def result(self) -> ImageData:
        return ImageData(None, "unknown", "switched off for the benchmark")


if __name__ == "__main__":
    copier.ImageDataHasher = NoImageHash  # type: ignore[assignment,misc]
    sys.exit(main(sys.argv[1:]))
