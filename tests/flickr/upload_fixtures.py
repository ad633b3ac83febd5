"""A small archive week with titles, captions, places and a video, and a signed-in client."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flickr.fake_server import CONSUMER_KEY, CONSUMER_SECRET, FakeFlickr
from imaging import jpeg_bytes

from photoarchive import pipeline
from photoarchive.catalog import Catalog
from photoarchive.config import Settings
from photoarchive.flickr.api import ApiKey, FlickrClient, Throttle, Token
from photoarchive.flickr.tokens import TokenStore, open_client
from photoarchive.hashing import hash_file
from photoarchive.metadata.coords import Coordinates
from photoarchive.metadata.edit import TagEdit
from photoarchive.metadata.exiv2 import rewrite_bytes
from photoarchive.metadata.places import Place, PlaceBook

NSID = "12345678@N00"
WEEK = "2024-06-03"
HOME = Coordinates(48.137154, 11.576124)
BEACH = Coordinates(54.0924, 13.3823)
NEAR_HOME = Coordinates(48.1374, 11.5765)  # ~40 m from home: inside its 150 m radius
NEAR_HOME = Coordinates(48.1374, 11.5765)  # ~40 m from home: inside its 150 m radius


@dataclass(frozen=True)
class Shot:
    name: str
    taken: datetime
    title: str | None
    caption: str | None
    gps: Coordinates | None


SHOTS = [
    Shot("IMG_0001.JPG", datetime(2024, 6, 5, 10, 0), "Beach day", "Anna builds a castle", BEACH),
    Shot("IMG_0002.JPG", datetime(2024, 6, 4, 20, 15), "Beach day", "Sunset", None),
    Shot("IMG_0003.JPG", datetime(2024, 6, 6, 9, 30), "Beach day", "Home again", NEAR_HOME),
    Shot("IMG_0004.JPG", datetime(2024, 6, 3, 8, 0), None, None, None),
]
VIDEO = "MVI_0005.MP4"


def photo_bytes(seed: int, shot: Shot) -> bytes:
    data = jpeg_bytes(seed, shot.taken)
    edit = TagEdit(gps=shot.gps, title=shot.title, caption=shot.caption)
    if edit.empty:
        return data
    out = rewrite_bytes(data, edit).data
    assert out is not None
    return out


def make_week(settings: Settings, shots: list[Shot] = SHOTS, video: bool = True) -> list[str]:
    """Write the week folder and the places file, index the archive; returns the paths."""
    week = settings.archive / WEEK
    week.mkdir(parents=True, exist_ok=True)
    for i, shot in enumerate(shots):
        (week / shot.name).write_bytes(photo_bytes(i + 1, shot))
    if video:  # a tiny MP4 (ftyp box): Flickr tells videos by their file name's extension
        (week / VIDEO).write_bytes(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\0" * 64)
    book = PlaceBook(settings.places_file)
    book.add(Place("Home", HOME.lat, HOME.lon, radius_m=150, private=True))
    book.add(Place("Beach at Binz", BEACH.lat, BEACH.lon, radius_m=500))
    book.save()
    pipeline.verify(settings, rebuild=True)
    return [f"{WEEK}/{s.name}" for s in shots] + ([f"{WEEK}/{VIDEO}"] if video else [])


def edit_file(settings: Settings, rel: str, edit: TagEdit) -> None:
    """What a caption edit in the app does: new bytes, same import identity in the catalog."""
    path = settings.archive / rel
    out = rewrite_bytes(path.read_bytes(), edit).data
    assert out is not None
    path.write_bytes(out)
    st = path.stat()
    with Catalog(settings.catalog_path) as catalog:
        catalog.update_content(rel, hash_file(path), st.st_size, st.st_mtime_ns)


def signed_in(settings: Settings, server: FakeFlickr, nsid: str = NSID) -> FlickrClient:
    """The token saved as `flickr login` saves it, and a client with quick retries."""
    token, secret = server.grant(nsid)
    TokenStore(settings, ApiKey(CONSUMER_KEY, CONSUMER_SECRET)).save(
        Token(token, secret, "write", "grandma", "Grandma Test", nsid)
    )
    client, _ = open_client(settings, backoff=0.01, retries=3, timeout=10, throttle=Throttle())
    return client


def received(server: FakeFlickr) -> dict[str, object]:
    """title -> the Photo the server stored, for the photos uploaded so far."""
    return {p.title or p.filename: p for p in server.state.photos.values()}


def write_temp(tmp: Path, data: bytes, name: str = "received.jpg") -> Path:
    path = tmp / name
    path.write_bytes(data)
    return path
