"""Tag values between pyexiv2's text form and Python values: GPS, times, text, cameras.

Pure functions (no pyexiv2 here), so they are cheap to test and to reuse on values read by
`jpeg_segments.quick_exif`.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from fractions import Fraction

from photoarchive.metadata.coords import CoordinateError, Coordinates, checked
from photoarchive.metadata.edit import Location

X_DEFAULT = 'lang="x-default"'


def text_value(value: object) -> str | None:
    if isinstance(value, dict):
        value = value.get(X_DEFAULT) or next(iter(value.values()), None)
    if isinstance(value, list):
        value = value[0] if value else None
    if value is None:
        return None
    text = str(value).replace("\x00", "").strip()
    return text or None


def rational_value(text: str) -> float:
    parts = [Fraction(p) for p in str(text).split()]
    return float(sum(p / 60**i for i, p in enumerate(parts[:3])))


def exif_gps(exif: dict[str, object]) -> Coordinates | None:
    lat_s, lon_s = exif.get("Exif.GPSInfo.GPSLatitude"), exif.get("Exif.GPSInfo.GPSLongitude")
    if not lat_s or not lon_s:
        return None
    try:
        lat, lon = rational_value(str(lat_s)), rational_value(str(lon_s))
        if str(exif.get("Exif.GPSInfo.GPSLatitudeRef", "N")).upper().startswith("S"):
            lat = -lat
        if str(exif.get("Exif.GPSInfo.GPSLongitudeRef", "E")).upper().startswith("W"):
            lon = -lon
        alt = None
        if exif.get("Exif.GPSInfo.GPSAltitude"):
            alt = rational_value(str(exif["Exif.GPSInfo.GPSAltitude"]))
            if str(exif.get("Exif.GPSInfo.GPSAltitudeRef", "0")).strip() == "1":
                alt = -alt
        return checked(lat, lon, alt)
    except (ValueError, ArithmeticError, CoordinateError):
        return None  # ArithmeticError: hostile values such as 1e400 overflow a float


def xmp_coord(text: str) -> float:
    """XMP GPSCoordinate: 'DDD,MM,SSk' or 'DDD,MM.mmk'."""
    text = text.strip()
    hemi = text[-1].upper()
    parts = [float(p) for p in text[:-1].split(",")]
    value = sum(p / 60**i for i, p in enumerate(parts[:3]))
    return -value if hemi in "SW" else value


def xmp_gps(xmp: dict[str, object]) -> Coordinates | None:
    lat_s, lon_s = xmp.get("Xmp.exif.GPSLatitude"), xmp.get("Xmp.exif.GPSLongitude")
    if not lat_s or not lon_s:
        return None
    try:
        alt = None
        if xmp.get("Xmp.exif.GPSAltitude"):
            alt = float(Fraction(str(xmp["Xmp.exif.GPSAltitude"])))
            if str(xmp.get("Xmp.exif.GPSAltitudeRef", "0")).strip() == "1":
                alt = -alt
        return checked(xmp_coord(str(lat_s)), xmp_coord(str(lon_s)), alt)
    except (ValueError, ArithmeticError, IndexError, CoordinateError):
        return None


def exif_time(exif: dict[str, object]) -> datetime | None:
    for key, off_key in (
        ("Exif.Photo.DateTimeOriginal", "Exif.Photo.OffsetTimeOriginal"),
        ("Exif.Photo.DateTimeDigitized", "Exif.Photo.OffsetTimeDigitized"),
        ("Exif.Image.DateTime", "Exif.Photo.OffsetTime"),
    ):
        raw = str(exif.get(key) or "").strip()
        try:
            value = datetime.strptime(raw[:19], "%Y:%m:%d %H:%M:%S")
        except ValueError:
            continue
        offset = str(exif.get(off_key) or "").strip()
        if len(offset) == 6 and offset[0] in "+-":
            try:
                delta = timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6]))
                value = value.replace(tzinfo=timezone(-delta if offset[0] == "-" else delta))
            except ValueError:
                pass
        return value
    return None


def xmp_time(xmp: dict[str, object]) -> datetime | None:
    for key in ("Xmp.exif.DateTimeOriginal", "Xmp.photoshop.DateCreated", "Xmp.xmp.CreateDate"):
        raw = text_value(xmp.get(key))
        if raw:
            try:
                return datetime.fromisoformat(raw.replace("Z", "+00:00"))
            except ValueError:
                continue
    return None


def camera_name(exif: dict[str, object]) -> str | None:
    make = text_value(exif.get("Exif.Image.Make")) or ""
    model = text_value(exif.get("Exif.Image.Model")) or ""
    if model.lower().startswith(make.lower()):
        make = ""
    return " ".join(p for p in (make, model) if p) or None


def cut_utf8(text: str, limit: int) -> str:
    """The longest prefix of text whose UTF-8 encoding fits in limit bytes."""
    raw = text.encode("utf-8")
    if len(raw) <= limit:
        return text
    return raw[:limit].decode("utf-8", errors="ignore")


def dms_rational(value: float) -> str:
    """Degrees, minutes, seconds with a 1e-6 second denominator (about 0.03 mm)."""
    micro = round(abs(value) * 3600 * 1_000_000)
    deg, rest = divmod(micro, 3600 * 1_000_000)
    minutes, micro_sec = divmod(rest, 60 * 1_000_000)
    return f"{deg}/1 {minutes}/1 {micro_sec}/1000000"


def xmp_coord_text(value: float, pos: str, neg: str) -> str:
    deg = int(abs(value))
    minutes = (abs(value) - deg) * 60
    return f"{deg},{minutes:.8f}{neg if value < 0 else pos}"


def gps_exif(c: Coordinates) -> dict[str, str | None]:
    tags: dict[str, str | None] = {
        "Exif.GPSInfo.GPSVersionID": "2 3 0 0",
        "Exif.GPSInfo.GPSLatitudeRef": "S" if c.lat < 0 else "N",
        "Exif.GPSInfo.GPSLatitude": dms_rational(c.lat),
        "Exif.GPSInfo.GPSLongitudeRef": "W" if c.lon < 0 else "E",
        "Exif.GPSInfo.GPSLongitude": dms_rational(c.lon),
        "Exif.GPSInfo.GPSMapDatum": "WGS-84",
    }
    return tags | _altitude("Exif.GPSInfo.", c)


def gps_xmp(c: Coordinates) -> dict[str, str | None]:
    tags: dict[str, str | None] = {
        "Xmp.exif.GPSVersionID": "2.3.0.0",
        "Xmp.exif.GPSLatitude": xmp_coord_text(c.lat, "N", "S"),
        "Xmp.exif.GPSLongitude": xmp_coord_text(c.lon, "E", "W"),
        "Xmp.exif.GPSMapDatum": "WGS-84",
    }
    return tags | _altitude("Xmp.exif.", c)


def _altitude(prefix: str, c: Coordinates) -> dict[str, str | None]:
    """The same rational and reference in EXIF and XMP; None removes a stale altitude."""
    if c.alt is None:
        return {f"{prefix}GPSAltitudeRef": None, f"{prefix}GPSAltitude": None}
    return {
        f"{prefix}GPSAltitudeRef": "1" if c.alt < 0 else "0",
        f"{prefix}GPSAltitude": f"{round(abs(c.alt) * 1000)}/1000",
    }


def same_gps(a: Coordinates | None, b: Coordinates) -> bool:
    if a is None:
        return False
    close = abs(a.lat - b.lat) < 1e-9 and abs(a.lon - b.lon) < 1e-9
    if b.alt is None or a.alt is None:
        return close and a.alt == b.alt
    return close and abs(a.alt - b.alt) < 1e-3


def gps_decision(
    current: Coordinates | None, new: Coordinates | None, overwrite: bool, where: str
) -> tuple[bool, str | None]:
    """(write the new position?, note for the user) for an edit that carries GPS."""
    if new is None:
        return False, None
    if current is not None and not overwrite:
        if same_gps(current, new):
            return False, None
        return False, f"kept the GPS position already in the {where} (use overwrite)"
    return not same_gps(current, new), None


# Place names: IPTC IIM datasets (with their length limits in bytes) and their XMP twins.
LOCATION_KEYS = (  # (Location field, IPTC key, IPTC limit, XMP key)
    ("name", "Iptc.Application2.SubLocation", 32, "Xmp.iptc.Location"),
    ("city", "Iptc.Application2.City", 32, "Xmp.photoshop.City"),
    ("region", "Iptc.Application2.ProvinceState", 32, "Xmp.photoshop.State"),
    ("country", "Iptc.Application2.CountryName", 64, "Xmp.photoshop.Country"),
)
LOCATION_DATASETS = {  # IPTC IIM record:dataset of each key (the byte-level JPEG writer)
    "Iptc.Application2.SubLocation": (2, 92),
    "Iptc.Application2.City": (2, 90),
    "Iptc.Application2.ProvinceState": (2, 95),
    "Iptc.Application2.CountryName": (2, 101),
}
IPTC_CORE_NS = "http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/"
PHOTOSHOP_NS = "http://ns.adobe.com/photoshop/1.0/"
LOCATION_XMP_NAMES = (  # the same XMP properties as "{namespace}name" (the write check)
    f"{{{IPTC_CORE_NS}}}Location",
    f"{{{PHOTOSHOP_NS}}}City",
    f"{{{PHOTOSHOP_NS}}}State",
    f"{{{PHOTOSHOP_NS}}}Country",
)


def location_tags(loc: Location) -> tuple[dict[str, str | None], dict[str, str | None]]:
    """(IPTC, XMP) values for a place; an empty field removes a stale value (None)."""
    iptc: dict[str, str | None] = {}
    xmp: dict[str, str | None] = {}
    for attr, iptc_key, limit, xmp_key in LOCATION_KEYS:
        value = str(getattr(loc, attr) or "").strip()
        iptc[iptc_key] = cut_utf8(value, limit) or None
        xmp[xmp_key] = value or None
    return iptc, xmp


def location_changes(
    loc: Location | None,
    notes: list[str],
    iptc_now: dict[str, object],
    xmp_now: dict[str, object],
    iptc: dict[str, object],
    xmp: dict[str, object],
) -> None:
    """Add to `iptc`/`xmp` the place tags that differ from what the file holds (None: none).
    The place goes with its position: where the file's own GPS was kept, so is its place."""
    if loc is None or any(n.startswith("kept the GPS") for n in notes):
        return
    loc_iptc, loc_xmp = location_tags(loc)
    iptc.update({k: v for k, v in loc_iptc.items() if text_value(iptc_now.get(k)) != v})
    xmp.update({k: v for k, v in loc_xmp.items() if text_value(xmp_now.get(k)) != v})


def location_mismatch(loc: Location | None, xmp: dict[str, object]) -> str | None:
    """The first XMP place tag that does not read back as written (None: all do)."""
    if loc is None:
        return None
    return next((k for k, v in location_tags(loc)[1].items() if text_value(xmp.get(k)) != v), None)


def location_text(*sources: dict[str, object]) -> str | None:
    """'Tour Eiffel, Paris, Île-de-France, France' from the first source holding a place name
    (XMP before IPTC, as for titles)."""
    for tags in sources:
        parts = []
        for _attr, iptc_key, _limit, xmp_key in LOCATION_KEYS:
            value = text_value(tags.get(xmp_key)) or text_value(tags.get(iptc_key))
            if value and value not in parts:
                parts.append(value)
        if parts:
            return ", ".join(parts)
    return None
