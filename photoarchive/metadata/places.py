"""Named places in a human-editable TOML file, and migration from the old shell places file.

The file is the user's: they may edit it in any text editor, so it is read leniently (a bad
entry is reported, not fatal for the rest) and written atomically in a stable, readable layout.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
import tempfile
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

from photoarchive.metadata.coords import CoordinateError, checked
from photoarchive.metadata.edit import Location
from photoarchive.private import open_private, private_dir

try:
    import fcntl
except ImportError:  # Windows: no advisory locks, saves are still atomic
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

HEADER = """\
# photoarchive places: one [[place]] table per named place.
# lat/lon in decimal degrees (WGS-84, south and west negative), alt in metres above sea level,
# radius_m how far around the point counts as this place, private = true keeps the place
# out of anything shared online. `uses` counts how often the place was applied.
# city, region and country (optional) are written into the photos with the place's name.
"""


@dataclass(frozen=True)
class Place:
    name: str
    lat: float
    lon: float
    alt: float | None = None
    radius_m: float | None = None
    private: bool = False
    uses: int = 0
    city: str = ""
    region: str = ""  # state, province, county
    country: str = ""

    def location(self) -> Location:
        """What geotagging with this place writes into the files besides its coordinates."""
        return Location(self.name, self.city, self.region, self.country)


class PlaceError(ValueError):
    """An unknown, duplicate or invalid place; the message is for the user."""


def _key(name: str) -> str:
    return name.strip().casefold()


def validate(place: Place) -> Place:
    """The place with a trimmed name, or PlaceError saying what is wrong."""
    name = place.name.strip()
    if not name:
        raise PlaceError("a place needs a name")
    if any(ch in name for ch in "\n\r\t"):
        raise PlaceError(f"place name {name!r} must be on one line")
    for label in ("city", "region", "country"):
        if any(ch in getattr(place, label) for ch in "\n\r\t"):
            raise PlaceError(f"place {name!r}: the {label} must be on one line")
    place = replace(
        place, city=place.city.strip(), region=place.region.strip(), country=place.country.strip()
    )
    try:
        checked(place.lat, place.lon, place.alt)
    except CoordinateError as exc:
        raise PlaceError(f"place {name!r}: {exc}") from None
    if place.radius_m is not None and not (math.isfinite(place.radius_m) and place.radius_m > 0):
        raise PlaceError(f"place {name!r}: radius must be a positive number of metres")
    return replace(place, name=name)


class PlaceBook:
    """The places file in memory; names are unique ignoring case, original spelling kept.

    Several windows and processes may edit the file at once (the CLI remembers which place was
    used, the GUI edits places). So the book remembers its edits, and `save` replays them on the
    file as it is now, under a lock: two concurrent edits both survive.
    """

    def __init__(self, path: Path, places: list[Place] | None = None) -> None:
        self.path = path
        self._places: dict[str, Place] = {}
        self._edits: list[tuple[str, tuple[object, ...]]] = []
        for place in places or []:
            self.add(place)

    @classmethod
    def load(cls, path: Path) -> PlaceBook:
        """Read the file (a missing file is an empty book); raises PlaceError if unreadable."""
        book = cls(path)
        try:
            with path.open("rb") as fh:
                doc = tomllib.load(fh)
        except FileNotFoundError:
            return book
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise PlaceError(f"cannot read the places file {path}: {exc}") from None
        entries = doc.get("place", [])
        if not isinstance(entries, list):
            raise PlaceError(f"{path}: 'place' must be a list of [[place]] tables")
        for i, entry in enumerate(entries, 1):
            try:
                book._add(_from_toml(entry))
            except (PlaceError, TypeError, ValueError) as exc:
                raise PlaceError(f"{path}: place #{i}: {exc}") from None
        return book

    def save(self) -> None:
        """Replay this book's edits on the current file under a lock; write it atomically."""
        private_dir(self.path.parent)
        with _locked(self.path.with_name(f".{self.path.name}.lock")):
            fresh = PlaceBook.load(self.path)
            for name, args in self._edits:
                try:
                    getattr(fresh, f"_replay_{name}")(*args)
                except PlaceError as exc:
                    log.warning("places: edit %s%r no longer applies: %s", name, args, exc)
            text = HEADER + "".join("\n" + _to_toml(p) for p in fresh.all())
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
            try:
                with open(fd, "w", encoding="utf-8") as fh:
                    fh.write(text)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.chmod(tmp, 0o600)  # private places hold home coordinates
                os.replace(tmp, self.path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        self._places, self._edits = fresh._places, []

    def all(self) -> list[Place]:
        return sorted(self._places.values(), key=lambda p: (p.name.casefold(), p.name))

    def __len__(self) -> int:
        return len(self._places)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and _key(name) in self._places

    def get(self, name: str) -> Place:
        try:
            return self._places[_key(name)]
        except KeyError:
            known = ", ".join(p.name for p in self.all()) or "none yet"
            raise PlaceError(f"no place named {name!r} (known places: {known})") from None

    def add(self, place: Place) -> None:
        self._add(place)
        self._edits.append(("add", (place,)))

    def remove(self, name: str) -> None:
        self._remove(name)
        self._edits.append(("remove", (name,)))

    def rename(self, old: str, new: str) -> None:
        self._rename(old, new)
        self._edits.append(("rename", (old, new)))

    def update(self, name: str, place: Place) -> None:
        """Replace a place's details (and name, if `place.name` differs)."""
        self._update(name, place)
        self._edits.append(("update", (name, place)))

    def record_use(self, name: str) -> None:
        self._record_use(name)
        self._edits.append(("record_use", (name,)))

    def _add(self, place: Place) -> None:
        place = validate(place)
        if _key(place.name) in self._places:
            raise PlaceError(f"a place named {self._places[_key(place.name)].name!r} exists")
        self._places[_key(place.name)] = place

    def _remove(self, name: str) -> None:
        self.get(name)
        del self._places[_key(name)]

    def _rename(self, old: str, new: str) -> None:
        place = self.get(old)
        renamed = validate(replace(place, name=new))
        if _key(new) in self._places and _key(new) != _key(old):
            raise PlaceError(f"a place named {self._places[_key(new)].name!r} exists")
        del self._places[_key(old)]
        self._places[_key(renamed.name)] = renamed

    def _update(self, name: str, place: Place) -> None:
        self.get(name)
        place = validate(place)
        if _key(place.name) != _key(name) and _key(place.name) in self._places:
            raise PlaceError(f"a place named {place.name!r} exists")
        del self._places[_key(name)]
        self._places[_key(place.name)] = place

    def _record_use(self, name: str) -> None:
        place = self.get(name)
        self._places[_key(name)] = replace(place, uses=place.uses + 1)

    # Replaying on the file as it is now: the user's latest word wins over a concurrent one.
    def _replay_add(self, place: Place) -> None:
        self._places.pop(_key(place.name), None)
        self._add(place)

    def _replay_remove(self, name: str) -> None:
        self._places.pop(_key(name), None)

    _replay_rename = _rename
    _replay_update = _update
    _replay_record_use = _record_use


@contextlib.contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    """An exclusive advisory lock held across reload-modify-save (no-op without fcntl)."""
    fd = open_private(lock_path, os.O_RDWR)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _from_toml(entry: object) -> Place:
    if not isinstance(entry, dict):
        raise PlaceError("each place must be a table")
    texts = ("city", "region", "country")
    unknown = set(entry) - {"name", "lat", "lon", "alt", "radius_m", "private", "uses", *texts}
    if unknown:
        log.warning("ignoring unknown place keys %s", ", ".join(sorted(unknown)))
    missing = [k for k in ("name", "lat", "lon") if k not in entry]
    if missing:
        raise PlaceError(f"missing {', '.join(missing)}")

    def num(key: str) -> float | None:
        value = entry.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise PlaceError(f"{key} must be a number, not {value!r}")
        return float(value)

    lat, lon = num("lat"), num("lon")
    assert lat is not None and lon is not None
    private = entry.get("private", False)
    if not isinstance(private, bool):
        raise PlaceError("private must be true or false")
    uses = entry.get("uses", 0)
    if not isinstance(uses, int) or isinstance(uses, bool) or uses < 0:
        raise PlaceError("uses must be a whole number")
    for key in texts:
        if not isinstance(entry.get(key, ""), str):
            raise PlaceError(f"{key} must be text")
    return Place(
        str(entry["name"]),
        lat,
        lon,
        num("alt"),
        num("radius_m"),
        private,
        uses,
        *(str(entry.get(key, "")) for key in texts),
    )


def _toml_str(text: str) -> str:
    out = text.replace("\\", "\\\\").replace('"', '\\"')
    out = "".join(ch if ch >= " " and ch != "\x7f" else f"\\u{ord(ch):04x}" for ch in out)
    return f'"{out}"'


def _to_toml(p: Place) -> str:
    lines = ["[[place]]", f"name = {_toml_str(p.name)}", f"lat = {p.lat!r}", f"lon = {p.lon!r}"]
    if p.alt is not None:
        lines.append(f"alt = {p.alt!r}")
    if p.radius_m is not None:
        lines.append(f"radius_m = {p.radius_m!r}")
    if p.private:
        lines.append("private = true")
    if p.uses:
        lines.append(f"uses = {p.uses}")
    lines += [
        f"{key} = {_toml_str(getattr(p, key))}"
        for key in ("city", "region", "country")
        if getattr(p, key)
    ]
    return "\n".join(lines) + "\n"


# --- migration from the shell places file ----------------------------------------------------

_ARRAY = re.compile(r"(?:declare\s+-a\s+)?([A-Za-z_][A-Za-z0-9_]*)=\((.*?)\)", re.DOTALL)
_SET = re.compile(r"set\s+Exif\.GPSInfo\.(GPS\w+)\s+(?:\w+\s+)?([^\"'\n]*)")
_ASSIGN = re.compile(
    r"""LOCATION\[\s*(?:'([^']*)'|"([^"]*)"|([^\]\s]+))\s*\]\s*=\s*(?:"\$?([^"]*)"|'\$?([^']*)'|\$?(\S+))"""
)


def _rational_value(text: str) -> float:
    """'37/1 46/1 30/1' (degrees minutes seconds) or '125/10' as a float."""
    parts = [Fraction(p) for p in text.split()]
    if not parts:
        raise ValueError("empty value")
    value = Fraction(0)
    for i, part in enumerate(parts[:3]):
        value += part / (60**i)
    return float(value)


def _shell_place(name: str, tags: dict[str, str]) -> Place:
    try:
        lat = _rational_value(tags["GPSLatitude"])
        lon = _rational_value(tags["GPSLongitude"])
    except KeyError as exc:
        raise PlaceError(f"{name!r} has no {exc.args[0]}") from None
    except (ValueError, ArithmeticError) as exc:  # 1e400 overflows a float
        raise PlaceError(f"{name!r}: unreadable GPS value ({exc})") from None
    if tags.get("GPSLatitudeRef", "N").strip().upper().startswith("S"):
        lat = -lat
    if tags.get("GPSLongitudeRef", "E").strip().upper().startswith("W"):
        lon = -lon
    alt = None
    if "GPSAltitude" in tags:
        try:
            alt = float(Fraction(tags["GPSAltitude"].split()[0]))
        except (ValueError, ArithmeticError, IndexError):
            raise PlaceError(f"{name!r}: unreadable altitude {tags['GPSAltitude']!r}") from None
        if tags.get("GPSAltitudeRef", "0").strip() == "1":
            alt = -alt
    return validate(Place(name, lat, lon, alt))


def parse_shell_places(text: str) -> tuple[list[Place], list[str]]:
    """Places named in a `declare -A LOCATION` shell file, and messages about skipped ones."""
    arrays: dict[str, dict[str, str]] = {}
    for m in _ARRAY.finditer(text):
        tags = {t.group(1): t.group(2).strip() for t in _SET.finditer(m.group(2))}
        if tags:
            arrays[m.group(1)] = tags
    places: list[Place] = []
    messages: list[str] = []
    for m in _ASSIGN.finditer(text):
        name = next(g for g in m.groups()[:3] if g is not None)
        raw_target = next(g for g in m.groups()[3:] if g is not None)
        ident = re.search(r"[A-Za-z_][A-Za-z0-9_]*", raw_target)
        target = ident.group(0) if ident else raw_target
        if target not in arrays:
            messages.append(f"{name!r}: no GPS array named {target} in the file")
            continue
        try:
            places.append(_shell_place(name, arrays[target]))
        except PlaceError as exc:
            messages.append(str(exc))
    return places, messages


def import_shell_places(book: PlaceBook, shell_file: Path) -> list[Place]:
    """Add the shell file's places not already in the book (by name); returns those added."""
    try:
        text = shell_file.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise PlaceError(f"cannot read {shell_file}: {exc.strerror or exc}") from None
    found, messages = parse_shell_places(text)
    for msg in messages:
        log.warning("%s: %s", shell_file, msg)
    if not found and messages:
        raise PlaceError(f"no usable places in {shell_file}: " + "; ".join(messages))
    if not found:
        raise PlaceError(
            f"no places found in {shell_file}: expected LOCATION['name']=\"_VAR\" lines and "
            '_VAR=(-M "set Exif.GPSInfo.GPSLatitude 37/1 46/1 30/1" ...) arrays'
        )
    added = []
    for place in found:
        if place.name in book:
            log.info("place %r already exists; kept the existing one", place.name)
            continue
        book.add(place)
        added.append(book.get(place.name))
    return added
