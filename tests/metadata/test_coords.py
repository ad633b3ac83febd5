"""Every coordinate form people paste, and the messages for what cannot be read."""

from __future__ import annotations

import pytest

from photoarchive.metadata.coords import CoordinateError, parse_coordinates

OPERA = (-33.8568, 151.2153)
# 33°51'24.4"S 151°12'55.1"E as decimal degrees
OPERA_DMS = (-(33 + 51 / 60 + 24.4 / 3600), 151 + 12 / 60 + 55.1 / 3600)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-33.8568, 151.2153", OPERA),
        ("-33.8568,151.2153", OPERA),
        ("  -33.8568 151.2153  ", OPERA),
        ("-33.8568; 151.2153", OPERA),
        ("+40.7, -74.0", (40.7, -74.0)),
        ("33°51'24.4\"S 151°12'55.1\"E", OPERA_DMS),
        ("33°51′24.4″S, 151°12′55.1″E", OPERA_DMS),
        ("S 33° 51' 24.4\" E 151° 12' 55.1\"", OPERA_DMS),
        ("33 51 24.4 S 151 12 55.1 E", OPERA_DMS),
        ("151°12'55.1\"E 33°51'24.4\"S", OPERA_DMS),  # longitude first, hemispheres say so
        ("40°26'46\"N 79°58'56\"W", (40 + 26 / 60 + 46 / 3600, -(79 + 58 / 60 + 56 / 3600))),
        ("33°51.4067'S 151°12.9183'E", (-(33 + 51.4067 / 60), 151 + 12.9183 / 60)),
        ("33.8568°S 151.2153°E", OPERA),
        ("geo:-33.8568,151.2153", OPERA),
        ("geo:-33.8568,151.2153;u=35", OPERA),
        ("GEO:-33.8568,151.2153;crs=wgs84;u=10", OPERA),
        ("https://www.google.com/maps/@-33.8568,151.2153,17z", OPERA),
        ("https://www.google.com/maps/@-33.8568,151.2153,17z?entry=ttu", OPERA),
        ("https://maps.google.com/?q=-33.8568,151.2153", OPERA),
        ("https://www.google.com/maps?q=-33.8568,151.2153&z=15", OPERA),
        ("https://www.google.com/maps/search/?api=1&query=-33.8568%2C151.2153", OPERA),
        (
            # a /place/ link: the pin (!3d/!4d) wins over the view centre (@)
            "https://www.google.com/maps/place/Sydney+Opera+House/@-33.85,151.20,15z/"
            "data=!3m1!4b1!4m6!3m5!1s0x6b12ae665e892fdd:0x3133f8d75a1ac251!8m2"
            "!3d-33.8568!4d151.2153!16zL20vMDZfbm0",
            OPERA,
        ),
        ("https://www.google.com/maps/place/-33.8568,151.2153", OPERA),
        ("https://www.google.com/maps/place/Somewhere/@-33.8568,151.2153,17z", OPERA),
        ("https://www.openstreetmap.org/#map=17/-33.8568/151.2153", OPERA),
        ("https://www.openstreetmap.org/?mlat=-33.8568&mlon=151.2153#map=17/-33.85/151.21", OPERA),
        ("https://www.openstreetmap.org/?mlat=-33.8568&mlon=151.2153", OPERA),
        ("https://osm.org/#map=12/-33.8568/151.2153", OPERA),
    ],
)
def test_accepted_forms(text: str, expected: tuple[float, float]) -> None:
    c = parse_coordinates(text)
    assert c.lat == pytest.approx(expected[0], abs=1e-9)
    assert c.lon == pytest.approx(expected[1], abs=1e-9)


def test_altitude_from_geo_uri_and_decimal_triple() -> None:
    assert parse_coordinates("geo:48.1,11.5,520").alt == 520
    assert parse_coordinates("geo:31.5,35.4,-430.5").alt == -430.5
    assert parse_coordinates("-33.8568, 151.2153, -12.5").alt == -12.5
    assert parse_coordinates("-33.8568, 151.2153").alt is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("91, 0", "latitude 91 is out of range: expected -90 to 90"),
        ("-90.5, 0", "latitude -90.5 is out of range"),
        ("0, 180.01", "longitude 180.01 is out of range: expected -180 to 180"),
        ("geo:10,200", "longitude 200 is out of range"),
        ("https://www.openstreetmap.org/#map=17/95/10", "latitude 95 is out of range"),
        ("", "no coordinates given"),
        ("home", "expected coordinates such as"),
        ("12.5", "expected coordinates such as"),
        ("1, 2, 3, 4", "expected coordinates such as"),
        ("33°S 151°S", "one latitude (N/S) and one longitude (E/W)"),
        ("33°71'S 151°E", "minutes and seconds must be below 60"),
        ("geo:1,2,3,4", "geo:LAT,LON"),
        ("geo:1,2;crs=epsg:4326", "only wgs84"),
        ("https://example.com/map", "no coordinates found in the link"),
        ("https://maps.app.goo.gl/abc123", "short Google Maps links"),
        ("https://www.google.com/maps/place/Sydney+Opera+House", "no coordinates found"),
    ],
)
def test_rejected_with_a_message_saying_what_was_expected(text: str, message: str) -> None:
    with pytest.raises(CoordinateError, match=None) as info:
        parse_coordinates(text)
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)
