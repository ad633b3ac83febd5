"""What one metadata edit changes: a light record the GUI builds on its own thread.

Kept apart from tagging (which loads exiv2 and the worker pool) so that describing an edit
never pulls exiv2 into the GUI's process.
"""

from __future__ import annotations

from dataclasses import dataclass

from photoarchive.metadata.coords import Coordinates


@dataclass(frozen=True)
class Location:
    """A named place as written into files: its name (IPTC Sub-location, XMP
    Iptc4xmpCore:Location) and, where the place record has them, city, region and country."""

    name: str
    city: str = ""
    region: str = ""
    country: str = ""


@dataclass(frozen=True)
class TagEdit:
    """One edit; None leaves a field unchanged, '' clears a title or caption."""

    gps: Coordinates | None = None
    overwrite_gps: bool = False
    title: str | None = None
    caption: str | None = None
    location: Location | None = None  # written with the GPS (not where the GPS is kept)

    @property
    def empty(self) -> bool:
        return (
            self.gps is None
            and self.title is None
            and self.caption is None
            and self.location is None
        )
