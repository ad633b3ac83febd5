"""Geotagging from a GPX track: each photo's capture time placed on the track.

Cameras keep local wall-clock time, often a little wrong; GPS loggers keep UTC. The user gives
the camera's time zone and how far its clock was off; positions between two track points are
interpolated, but never across a gap longer than `max_gap` (the logger was off, or indoors).
"""

from __future__ import annotations

import bisect
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from photoarchive.importing.capture_time import read_capture_time
from photoarchive.metadata.coords import CoordinateError, Coordinates, checked

DEFAULT_MAX_GAP = timedelta(minutes=5)


class GpxError(ValueError):
    """An unreadable GPX file or bad matching option; the message is for the user."""


@dataclass(frozen=True)
class TrackPoint:
    time: datetime  # aware, UTC
    lat: float
    lon: float
    ele: float | None = None


@dataclass(frozen=True)
class Match:
    """Where a photo was, or why it could not be placed."""

    coords: Coordinates | None
    reason: str | None = None


def _parse_time(text: str) -> datetime:
    text = text.strip().replace("Z", "+00:00")
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)  # GPX 1.1: times are UTC
    return value.astimezone(UTC)


def load_gpx(path: Path) -> list[TrackPoint]:
    """Track, route and way points that carry a time, sorted by time."""
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as exc:
        raise GpxError(f"cannot read GPX file {path}: {exc}") from None
    points: list[TrackPoint] = []
    for el in root.iter():
        if el.tag.rsplit("}", 1)[-1] not in ("trkpt", "rtept", "wpt"):
            continue
        time_el = ele_el = None
        for child in el:
            local = child.tag.rsplit("}", 1)[-1]
            if local == "time":
                time_el = child
            elif local == "ele":
                ele_el = child
        if time_el is None or not (time_el.text or "").strip():
            continue
        try:
            when = _parse_time(time_el.text or "")
            lat, lon = float(el.attrib["lat"]), float(el.attrib["lon"])
            ele = float(ele_el.text) if ele_el is not None and ele_el.text else None
            checked(lat, lon)
        except (KeyError, ValueError, OverflowError, CoordinateError):
            continue  # OverflowError: a time like 0001-01-01T00:00+05:00 has no UTC datetime
        points.append(TrackPoint(when, lat, lon, ele))
    if not points:
        raise GpxError(f"{path} has no track points with times")
    points.sort(key=lambda p: p.time)
    return points


_OFFSET = re.compile(r"^([+-])?(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def parse_offset(text: str) -> timedelta:
    """'+01:30', '-00:05', '0:00:30' as a timedelta."""
    m = _OFFSET.match(text.strip())
    if not m:
        raise GpxError(f"clock offset {text!r}: expected ±HH:MM or ±HH:MM:SS, e.g. +00:05")
    delta = timedelta(hours=int(m.group(2)), minutes=int(m.group(3)), seconds=int(m.group(4) or 0))
    return -delta if m.group(1) == "-" else delta


def parse_zone(text: str) -> tzinfo:
    """An IANA zone ('Europe/Paris'), 'UTC', or a fixed offset ('+02:00')."""
    if _OFFSET.match(text.strip()):
        return timezone(parse_offset(text))
    try:
        return ZoneInfo(text.strip())
    except (ZoneInfoNotFoundError, ValueError):
        msg = f"unknown time zone {text!r}: expected e.g. Europe/Paris or +02:00"
        raise GpxError(msg) from None


def photo_utc(
    camera_time: datetime, clock_offset: timedelta = timedelta(0), zone: tzinfo | None = None
) -> datetime:
    """True UTC time of a photo; clock_offset is camera clock minus true clock (fast = +).

    An explicit zone wins over an offset recorded in the file; with neither, the
    computer's local zone is assumed.
    """
    local = camera_time
    if zone is not None:
        local = local.replace(tzinfo=None).replace(tzinfo=zone)
    elif local.tzinfo is None:
        local = local.astimezone()  # naive: the system's zone
    return (local - clock_offset).astimezone(UTC)


class Track:
    """Time-sorted points with interpolation."""

    def __init__(self, points: list[TrackPoint], max_gap: timedelta = DEFAULT_MAX_GAP) -> None:
        if not points:
            raise GpxError("empty track")
        self.points = sorted(points, key=lambda p: p.time)
        self.times = [p.time for p in self.points]
        self.max_gap = max_gap

    def locate(self, when: datetime) -> Match:
        when = when.astimezone(UTC)
        i = bisect.bisect_left(self.times, when)
        if i < len(self.times) and self.times[i] == when:
            return Match(self._coords(self.points[i], self.points[i], 0.0))
        if i == 0 or i == len(self.times):
            edge = self.points[0] if i == 0 else self.points[-1]
            distance = abs(when - edge.time)
            if distance <= self.max_gap:
                return Match(self._coords(edge, edge, 0.0))
            side = "before the track starts" if i == 0 else "after the track ends"
            return Match(None, f"taken {_human(distance)} {side}")
        a, b = self.points[i - 1], self.points[i]
        if b.time - a.time > self.max_gap:
            return Match(None, f"in a {_human(b.time - a.time)} gap of the track")
        frac = (when - a.time) / (b.time - a.time)
        return Match(self._coords(a, b, frac))

    @staticmethod
    def _coords(a: TrackPoint, b: TrackPoint, f: float) -> Coordinates:
        lon_delta = b.lon - a.lon
        if lon_delta > 180:  # crossing the antimeridian
            lon_delta -= 360
        elif lon_delta < -180:
            lon_delta += 360
        lon = a.lon + f * lon_delta
        lon = (lon + 180) % 360 - 180 if not -180 <= lon <= 180 else lon
        ele = None
        if a.ele is not None and b.ele is not None:
            ele = a.ele + f * (b.ele - a.ele)
        return Coordinates(a.lat + f * (b.lat - a.lat), lon, ele)


def _human(delta: timedelta) -> str:
    secs = int(delta.total_seconds())
    if secs < 120:
        return f"{secs} s"
    if secs < 7200:
        return f"{secs // 60} min"
    if secs < 172800:
        return f"{secs / 3600:.1f} h"
    return f"{secs / 86400:.1f} days"


def match_photos(
    paths: list[Path],
    track: Track,
    clock_offset: timedelta = timedelta(0),
    zone: tzinfo | None = None,
) -> tuple[dict[Path, Coordinates], dict[Path, str]]:
    """Position of each photo on the track, and the reason for each one left unplaced."""
    found: dict[Path, Coordinates] = {}
    missed: dict[Path, str] = {}
    for path in paths:
        try:
            taken = read_capture_time(path)
        except OSError as exc:
            missed[path] = f"cannot read the capture time: {exc.strerror or exc}"
            continue
        if taken.guess:
            missed[path] = "no capture time inside the file; not geotagged from the track"
            continue
        when = taken.local
        if taken.offset is not None:
            when = when.replace(tzinfo=timezone(taken.offset))
        try:
            match = track.locate(photo_utc(when, clock_offset, zone))
        except OverflowError:
            missed[path] = f"capture time {taken.local:%Y-%m-%d %H:%M} is out of range"
            continue
        if match.coords is None:
            missed[path] = f"no track position: {match.reason}"
        else:
            found[path] = match.coords
    return found, missed
