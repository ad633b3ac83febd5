"""Coordinates from whatever people paste: decimal pairs, DMS, geo: URIs, map links.

A place is usually copied from a map in a browser, so every common shape is accepted and a
mistake gets a message naming the shapes that would have worked.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote, urlsplit

EXPECTED = (
    "expected coordinates such as '-33.8568, 151.2153', '33°51'24.4\"S 151°12'55.1\"E', "
    "'geo:-33.8568,151.2153', or a Google Maps / OpenStreetMap link"
)


@dataclass(frozen=True)
class Coordinates:
    """WGS-84 degrees (north and east positive); altitude in metres above sea level."""

    lat: float
    lon: float
    alt: float | None = None

    def __str__(self) -> str:
        text = f"{self.lat:.7f}, {self.lon:.7f}"
        return text if self.alt is None else f"{text}, {self.alt:g} m"


class CoordinateError(ValueError):
    """Unparsable or out-of-range coordinates; the message says what was expected."""


def checked(lat: float, lon: float, alt: float | None = None) -> Coordinates:
    """Coordinates after range checks, with a message a user can act on."""
    for value, what in ((lat, "latitude"), (lon, "longitude"), (alt, "altitude")):
        if value is not None and not math.isfinite(value):
            raise CoordinateError(f"{what} {value} is not a number")
    if not -90.0 <= lat <= 90.0:
        raise CoordinateError(f"latitude {lat:g} is out of range: expected -90 to 90 degrees")
    if not -180.0 <= lon <= 180.0:
        raise CoordinateError(f"longitude {lon:g} is out of range: expected -180 to 180 degrees")
    if alt is not None and not -12_000.0 <= alt <= 100_000.0:
        raise CoordinateError(f"altitude {alt:g} m is out of range: expected -12000 to 100000 m")
    return Coordinates(lat, lon, alt)


_NUM = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)"
_DECIMAL = re.compile(rf"^\s*({_NUM})\s*(?:[,;]\s*|\s+)({_NUM})(?:\s*(?:[,;]\s*|\s+)({_NUM}))?\s*$")
_PAIR = re.compile(rf"({_NUM})\s*,\s*({_NUM})")
# One DMS component: degrees, optional minutes and seconds, a hemisphere before or after.
_DMS_BODY = rf"""
    (?P<deg>{_NUM})\s*(?:°|º|˚|deg)?\s*
    (?:(?P<min>{_NUM})\s*(?:'|′|’)?\s*)?
    (?:(?P<sec>{_NUM})\s*(?:"|″|”|''|′′)?\s*)?
"""
_DMS_PRE = re.compile(rf"(?P<pre>[NSEW])\s*{_DMS_BODY}(?P<post>)", re.VERBOSE | re.IGNORECASE)
_DMS_POST = re.compile(rf"(?P<pre>){_DMS_BODY}(?P<post>[NSEW])?", re.VERBOSE | re.IGNORECASE)


def parse_coordinates(text: str) -> Coordinates:
    """Parse one pasted coordinate; raises CoordinateError naming the expected forms."""
    raw = text.strip()
    if not raw:
        raise CoordinateError(f"no coordinates given: {EXPECTED}")
    lowered = raw.lower()
    if lowered.startswith("geo:"):
        return _geo_uri(raw)
    if lowered.startswith(("http://", "https://", "www.", "maps.", "openstreetmap.", "osm.org")):
        return _map_link(raw)
    m = _DECIMAL.match(raw)
    if m:
        alt = float(m.group(3)) if m.group(3) is not None else None
        return checked(float(m.group(1)), float(m.group(2)), alt)
    return _dms(raw)


def _geo_uri(raw: str) -> Coordinates:
    """RFC 5870: geo:lat,lon[,alt][;crs=wgs84][;u=uncertainty]."""
    body = unquote(raw[4:]).split("?", 1)[0]
    parts = body.split(";")
    params = {p.split("=", 1)[0].lower(): p.partition("=")[2] for p in parts[1:]}
    crs = params.get("crs", "wgs84").lower()
    if crs != "wgs84":
        raise CoordinateError(f"geo: URI uses crs={crs}; only wgs84 is supported")
    nums = parts[0].split(",")
    try:
        values = [float(n) for n in nums]
    except ValueError:
        raise CoordinateError(f"cannot read geo: URI {raw!r}: {EXPECTED}") from None
    if len(values) not in (2, 3):
        raise CoordinateError(f"geo: URI needs 'geo:LAT,LON' or 'geo:LAT,LON,ALT', got {raw!r}")
    return checked(values[0], values[1], values[2] if len(values) == 3 else None)


def _map_link(raw: str) -> Coordinates:
    url = raw if "://" in raw else "https://" + raw
    parts = urlsplit(url)
    host = parts.netloc.lower()
    path = unquote(parts.path)
    query = parse_qs(parts.query)
    fragment = unquote(parts.fragment)
    if "openstreetmap" in host or host.endswith("osm.org"):
        if "mlat" in query and "mlon" in query:
            return _pair_of(query["mlat"][0], query["mlon"][0], raw)
        m = re.search(rf"map=\d+(?:\.\d+)?/({_NUM})/({_NUM})", fragment + "&" + parts.query)
        if m:
            return _pair_of(m.group(1), m.group(2), raw)
    if "google" in host or host.startswith(("maps.app", "goo.gl")):
        # A /place/ link's pin (!3d lat !4d lon) is the place itself; '@' is the view centre.
        m = re.search(rf"!3d({_NUM})!4d({_NUM})", path + parts.query)
        if m:
            return _pair_of(m.group(1), m.group(2), raw)
        for key in ("q", "query", "ll", "destination", "center"):
            if key in query:
                found = _PAIR.search(query[key][0])
                if found:
                    return _pair_of(found.group(1), found.group(2), raw)
        m = re.search(rf"@({_NUM}),({_NUM})", path)
        if m:
            return _pair_of(m.group(1), m.group(2), raw)
        m = re.search(rf"/place/({_NUM}),\s*({_NUM})", path)
        if m:
            return _pair_of(m.group(1), m.group(2), raw)
        if host.startswith(("maps.app", "goo.gl")):
            raise CoordinateError(
                "short Google Maps links hide the coordinates: open the link and copy the "
                "full address from the browser"
            )
    raise CoordinateError(f"no coordinates found in the link {raw!r}: {EXPECTED}")


def _pair_of(lat: str, lon: str, raw: str) -> Coordinates:
    try:
        return checked(float(lat), float(lon))
    except ValueError as exc:
        if isinstance(exc, CoordinateError):
            raise
        raise CoordinateError(f"cannot read {raw!r}: {EXPECTED}") from None


def _dms(raw: str) -> Coordinates:
    """Degrees[-minutes[-seconds]] with hemisphere letters, e.g. 33°51'24.4"S 151°12'55.1"E."""
    text = raw.replace(",", " ").strip()
    if not re.search(r"[°º˚'′’\"″”NSEWnsew]", text):
        # Bare numbers beyond a decimal pair are ambiguous: demand symbols or hemispheres.
        raise CoordinateError(f"cannot read {raw!r}: {EXPECTED}")
    comps = []
    pos = 0
    pattern = _DMS_PRE if text[:1].upper() in "NSEW" else _DMS_POST
    while pos < len(text) and len(comps) < 3:
        while pos < len(text) and text[pos] in " \t;":
            pos += 1
        if pos >= len(text):
            break
        m = pattern.match(text, pos)
        if not m or m.end() == pos or m.group("deg") is None:
            raise CoordinateError(f"cannot read {raw!r}: {EXPECTED}")
        comps.append(m)
        pos = m.end()
    if pos < len(text.rstrip()) or len(comps) != 2:
        raise CoordinateError(f"cannot read {raw!r}: {EXPECTED}")
    values: list[tuple[float, str | None]] = []
    for m in comps:
        if m.group("pre") and m.group("post"):
            raise CoordinateError(f"two hemisphere letters in one coordinate of {raw!r}")
        hemi = (m.group("pre") or m.group("post") or "").upper() or None
        deg = float(m.group("deg"))
        minutes = float(m.group("min") or 0)
        seconds = float(m.group("sec") or 0)
        if minutes >= 60 or seconds >= 60 or minutes < 0 or seconds < 0:
            raise CoordinateError(f"minutes and seconds must be below 60 in {raw!r}")
        sign = -1.0 if deg < 0 or m.group("deg").startswith("-") else 1.0
        value = sign * (abs(deg) + minutes / 60 + seconds / 3600)
        if hemi in ("S", "W"):
            if sign < 0:
                raise CoordinateError(f"both a minus sign and {hemi} in {raw!r}")
            value = -value
        values.append((value, hemi))
    (a, ha), (b, hb) = values
    if ha in ("E", "W") and hb in ("N", "S", None):
        a, b, ha, hb = b, a, hb, ha
    if ha in ("E", "W") or hb in ("N", "S"):
        raise CoordinateError(f"expected one latitude (N/S) and one longitude (E/W) in {raw!r}")
    return checked(a, b)
