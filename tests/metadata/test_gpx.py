"""GPX geotagging: interpolation, gaps, camera clock offset and time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from metadata.mdtools import camera_jpeg

from photoarchive.metadata.gpx import (
    GpxError,
    Track,
    TrackPoint,
    load_gpx,
    match_photos,
    parse_offset,
    parse_zone,
    photo_utc,
)

GPX = """<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="test" xmlns="http://www.topografix.com/GPX/1/1">
 <trk><name>walk</name><trkseg>
  <trkpt lat="48.0000000" lon="11.0000000"><ele>500</ele><time>2024-06-01T08:00:00Z</time></trkpt>
  <trkpt lat="48.0010000" lon="11.0020000"><ele>510</ele><time>2024-06-01T08:01:00Z</time></trkpt>
  <trkpt lat="48.0020000" lon="11.0040000"><ele>520</ele><time>2024-06-01T08:02:00Z</time></trkpt>
  <trkpt lat="48.5000000" lon="11.5000000"><time>2024-06-01T09:30:00Z</time></trkpt>
  <trkpt lat="48.5010000" lon="11.5010000"><time>2024-06-01T09:31:00.500Z</time></trkpt>
  <trkpt lat="91" lon="11"><time>2024-06-01T09:32:00Z</time></trkpt>
  <trkpt lat="48.6" lon="11.6"></trkpt>
 </trkseg></trk>
</gpx>
"""


def _utc(h: int, m: int, s: float = 0) -> datetime:
    return datetime(2024, 6, 1, h, m, tzinfo=UTC) + timedelta(seconds=s)


@pytest.fixture
def track(tmp_path: Path) -> Track:
    path = tmp_path / "walk.gpx"
    path.write_text(GPX, encoding="utf-8")
    points = load_gpx(path)
    assert len(points) == 5  # the out-of-range and the timeless points are skipped
    return Track(points, max_gap=timedelta(minutes=5))


def test_exact_interpolated_gap_and_edges(track: Track) -> None:
    exact = track.locate(_utc(8, 1)).coords
    assert exact is not None and (exact.lat, exact.lon, exact.alt) == (48.001, 11.002, 510)
    mid = track.locate(_utc(8, 0, 15)).coords  # a quarter of the way to the next point
    assert mid is not None
    assert mid.lat == pytest.approx(48.00025, abs=1e-9)
    assert mid.lon == pytest.approx(11.0005, abs=1e-9)
    assert mid.alt == pytest.approx(502.5)
    gap = track.locate(_utc(9, 0))
    assert gap.coords is None and gap.reason == "in a 88 min gap of the track"
    before = track.locate(_utc(7, 50))
    assert before.coords is None and before.reason == "taken 10 min before the track starts"
    near_start = track.locate(_utc(7, 57)).coords  # within max gap of the first point
    assert near_start is not None and near_start.lat == 48.0
    after = track.locate(_utc(12, 0))
    assert after.coords is None and "after the track ends" in (after.reason or "")
    no_ele = track.locate(_utc(9, 30, 30)).coords
    assert no_ele is not None and no_ele.alt is None


def test_antimeridian_interpolation() -> None:
    t = Track(
        [
            TrackPoint(_utc(0, 0), -17.0, 179.9),
            TrackPoint(_utc(0, 1), -17.0, -179.9),
        ]
    )
    c = t.locate(_utc(0, 0, 45)).coords
    assert c is not None and c.lon == pytest.approx(-179.95, abs=1e-9)


def test_camera_clock_offset_and_zone() -> None:
    taken = datetime(2024, 6, 1, 10, 5, 0)  # camera wall clock, 5 minutes fast, in Berlin
    assert photo_utc(taken, parse_offset("+00:05"), parse_zone("Europe/Berlin")) == _utc(8, 0)
    assert photo_utc(taken, parse_offset("-0:01:30"), parse_zone("+02:00")) == _utc(8, 6, 30)
    aware = datetime(2024, 6, 1, 10, 0, tzinfo=timezone(timedelta(hours=2)))
    assert photo_utc(aware) == _utc(8, 0)  # the offset recorded in the file
    assert photo_utc(aware, zone=parse_zone("UTC")) == _utc(10, 0)  # --tz wins
    with pytest.raises(GpxError, match="expected ±HH:MM"):
        parse_offset("5 minutes")
    with pytest.raises(GpxError, match="unknown time zone 'Mars/Olympus'"):
        parse_zone("Mars/Olympus")


def test_match_photos_by_capture_time(tmp_path: Path, track: Track) -> None:
    def photo(name: str, taken: datetime | None, offset: str | None = None) -> Path:
        exif = {"Exif.Photo.OffsetTimeOriginal": offset} if offset else None
        path = tmp_path / name
        path.write_bytes(camera_jpeg(1, taken=taken, exif=exif))
        return path

    on_track = photo("a.jpg", datetime(2024, 6, 1, 10, 1, 30), "+02:00")
    in_gap = photo("b.jpg", datetime(2024, 6, 1, 11, 0, 0), "+02:00")
    no_date = photo("c.jpg", None)
    found, missed = match_photos([on_track, in_gap, no_date], track)
    assert found[on_track].lat == pytest.approx(48.0015, abs=1e-9)
    assert "gap of the track" in missed[in_gap]
    assert "no capture time inside the file" in missed[no_date]
    # Read as +02:00 with a camera running 30 s fast: 10:01:30 - 0:30 = 08:01:00 UTC
    found, _ = match_photos([on_track], track, parse_offset("+00:00:30"), parse_zone("+02:00"))
    assert found[on_track].lat == pytest.approx(48.001, abs=1e-9)


def test_unreadable_gpx(tmp_path: Path) -> None:
    bad = tmp_path / "bad.gpx"
    bad.write_text("<gpx><trk>", encoding="utf-8")
    with pytest.raises(GpxError, match="cannot read GPX file"):
        load_gpx(bad)
    empty = tmp_path / "empty.gpx"
    empty.write_text("<gpx></gpx>", encoding="utf-8")
    with pytest.raises(GpxError, match="no track points with times"):
        load_gpx(empty)


def test_out_of_range_track_times_are_skipped_not_raised(tmp_path: Path) -> None:
    gpx = tmp_path / "odd.gpx"
    gpx.write_text(
        '<gpx><trk><trkseg><trkpt lat="1" lon="2"><time>0001-01-01T00:00:00+05:00</time>'
        '</trkpt><trkpt lat="1" lon="2"><time>2024-01-01T00:00:00Z</time></trkpt>'
        "</trkseg></trk></gpx>",
        encoding="utf-8",
    )
    points = load_gpx(gpx)
    assert [p.time for p in points] == [datetime(2024, 1, 1, tzinfo=UTC)]
    only_bad = tmp_path / "only_bad.gpx"
    only_bad.write_text(gpx.read_text().replace("2024-01-01T00:00:00Z", "0001-01-01T01:00+02:00"))
    with pytest.raises(GpxError, match="no track points with times"):
        load_gpx(only_bad)
