"""Location privacy: photos taken within the radius of a private place (home) never show where.

Two ways, by setting (`[flickr] private_places`): "strip" (the default) sends a temporary copy
with the location removed, so Flickr never receives it; "restrict" sends the file as it is and
limits who may see its location to the owner (`photos.geo.setPerms`). The archive file is never
changed. A place counts as private when marked so, or when it is named "Home".
"""

from __future__ import annotations

import logging
import math
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from photoarchive.config import Settings
from photoarchive.metadata.coords import Coordinates
from photoarchive.metadata.places import Place, PlaceBook, PlaceError

log = logging.getLogger(__name__)

DEFAULT_RADIUS_M = 100.0  # as the GUI's place matching
MODES = ("strip", "restrict")


@dataclass(frozen=True)
class PrivatePlaces:
    places: tuple[Place, ...]
    mode: str = "strip"

    @classmethod
    def load(cls, settings: Settings) -> PrivatePlaces:
        mode = settings.flickr_private_places if settings.flickr_private_places in MODES else ""
        if not mode:
            log.warning("unknown [flickr] private_places %r: using 'strip'",
                        settings.flickr_private_places)  # fmt: skip
            mode = "strip"
        try:
            book = PlaceBook.load(settings.places_file)
        except PlaceError as exc:
            # Without the places we cannot tell home from elsewhere: hide every location.
            log.warning("%s; no location will be shared on Flickr", exc)
            return cls((Place("(unreadable places file)", 0.0, 0.0, radius_m=math.inf),), mode)
        private = tuple(p for p in book.all() if p.private or p.name.casefold() == "home")
        return cls(private, mode)

    def hiding(self, gps: Coordinates | None) -> Place | None:
        """The private place this position is in, if any."""
        if gps is None:
            return None
        for place in self.places:
            radius = place.radius_m or DEFAULT_RADIUS_M
            if distance_m(gps.lat, gps.lon, place.lat, place.lon) <= radius:
                return place
        return None

    def public_places(self, settings: Settings) -> list[Place]:
        """Places that may be named in tags (never a private one)."""
        try:
            book = PlaceBook.load(settings.places_file)
        except PlaceError:
            return []
        names = {p.name for p in self.places}
        return [p for p in book.all() if p.name not in names]


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine, mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371008.8 * math.asin(min(1.0, math.sqrt(a)))


@contextmanager
def stripped_copy(path: Path, workdir: Path) -> Iterator[Path]:
    """A temporary copy of the file without its location, same name (Flickr reads the
    extension); removed afterwards. Raises MetadataError if the location cannot be removed."""
    from photoarchive.metadata.location_strip import without_gps  # loads pyexiv2 on use

    workdir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="flickr-", dir=workdir))
    try:
        out = tmp / path.name
        out.write_bytes(without_gps(path.read_bytes()))
        yield out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
