"""metadata.py stays the one door to pyexiv2, and small enough to read."""

from __future__ import annotations

import re
from pathlib import Path

import photoarchive

PACKAGE = Path(photoarchive.__file__).parent


# This area's modules (others' modules are theirs to keep to the rule).
AREA = (
    "metadata.py",
    "metadata_read.py",
    "tag_values.py",
    "jpeg_segments.py",
    "sidecars.py",
    "tagging.py",
    "tag_worker.py",
    "places.py",
    "coords.py",
    "gpx.py",
    "cli_metadata.py",
    "card_guard.py",
)


def test_only_metadata_py_imports_pyexiv2_and_it_stays_small() -> None:
    importers = sorted(
        name
        for name in AREA
        if (p := PACKAGE / name)
        and re.search(r"^\s*(import pyexiv2|from pyexiv2\b)", p.read_text("utf-8"), re.M)
    )
    assert importers == ["metadata.py"]
    assert len((PACKAGE / "metadata.py").read_text("utf-8").splitlines()) <= 400


def test_readers_are_reached_through_metadata() -> None:
    from photoarchive import metadata, metadata_read

    assert metadata.read_metadata is metadata_read.read_metadata
    assert metadata.read_preview is metadata_read.read_preview
