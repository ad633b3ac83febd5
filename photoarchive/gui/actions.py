"""What the GUI's jobs run: thin, Qt-free calls into the core, executed on worker threads.

Kept apart from the widgets so each can be read (and tested) without a window; every function
takes a cancel token and a progress callback like the core stages it calls.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from photoarchive.config import Settings
from photoarchive.gui.metacache import MetaCache, PhotoInfo, info_from_metadata
from photoarchive.gui.metadata_panel import PanelEdit
from photoarchive.gui.photo_model import Photo
from photoarchive.jobs import Cancelled, CancelToken, Progress, ProgressCallback
from photoarchive.metadata.edit import TagEdit
from photoarchive.metadata.sidecars import existing_sidecar

log = logging.getLogger(__name__)

T = TypeVar("T")
BACKGROUND_NICE = 10


def list_photos(settings: Settings, weeks: Sequence[str]) -> list[Photo]:
    """The media files of these weeks from the catalog (sidecars are not shown)."""
    from photoarchive.flickr.records import on_flickr  # light: no flickrapi
    from photoarchive.pipeline import open_catalog

    photos: list[Photo] = []
    with open_catalog(settings) as catalog:
        for week in weeks:
            shared = on_flickr(catalog, week)
            for rec in catalog.files(week):
                if rec.role == "media":
                    path = settings.archive / rec.path
                    photos.append(Photo(rec.path, path, rec.week, rec.path in shared))
    return photos


# Up to this many files are read by the GUI's running helper (gui.meta_reader); more go to
# a batch of low-priority worker processes. Either way exiv2 never runs in the GUI's process.
IN_PROCESS_MAX = 24


def metadata_stamp(path: Path) -> int:
    """The cache key of a photo's metadata: its mtime, plus its XMP sidecar's when it has one
    (a HEIC's title, caption and GPS live there; writing them does not touch the HEIC)."""
    stamp = path.stat().st_mtime_ns
    side = existing_sidecar(path)
    if side is not None:
        with contextlib.suppress(OSError):  # vanished between the two looks: read next time
            stamp += side.stat().st_mtime_ns
    return stamp


def read_infos(
    cache: MetaCache, photos: Sequence[Photo], cancel: CancelToken, progress: ProgressCallback
) -> dict[str, PhotoInfo]:
    """Cached infos, reading what is missing or changed, always outside this process."""
    out: dict[str, PhotoInfo] = {}
    missing: list[tuple[Photo, int]] = []
    for photo in photos:
        try:
            mtime_ns = metadata_stamp(photo.path)
        except OSError as exc:
            out[photo.rel] = PhotoInfo(unreadable=exc.strerror or str(exc))
            continue
        info = cache.get(photo.path, mtime_ns)
        if info is None:
            missing.append((photo, mtime_ns))
        else:
            out[photo.rel] = info
    if len(missing) > IN_PROCESS_MAX:
        out.update(_read_in_processes(cache, missing, cancel, progress))
    else:
        from photoarchive.gui.meta_reader import shared_reader

        reader = shared_reader()
        for i, (photo, mtime_ns) in enumerate(missing):
            cancel.raise_if_cancelled()
            info = reader.read_info(photo.path)
            cache.put(photo.path, photo.week, mtime_ns, info)
            out[photo.rel] = info
            progress(Progress("read", i + 1, len(missing), current=photo.rel))
    return out


def _read_in_processes(
    cache: MetaCache,
    missing: list[tuple[Photo, int]],
    cancel: CancelToken,
    progress: ProgressCallback,
) -> dict[str, PhotoInfo]:
    from photoarchive.metadata.tagging import read_all

    # One process at low CPU priority: a background read must not take the GUI's core.
    results = _at_low_priority(
        lambda: read_all([p.path for p, _ in missing], cancel, progress, workers=1)
    )
    by_path = {str(r.path): r for r in results}
    out: dict[str, PhotoInfo] = {}
    rows = []
    for photo, mtime_ns in missing:
        r = by_path.get(str(photo.path))
        if r is None:  # cancelled before this one
            continue
        if r.metadata is not None:
            info = info_from_metadata(r.metadata)
        else:
            info = PhotoInfo(unreadable=r.error or "unreadable")
        out[photo.rel] = info
        rows.append((photo.path, photo.week, mtime_ns, info))
    cache.put_many(rows)
    cancel.raise_if_cancelled()
    return out


def scan_archive(
    settings: Settings, cache: MetaCache, cancel: CancelToken, progress: ProgressCallback
) -> int:
    """Fill the metadata cache for every photo (for the week badges); returns the count."""
    photos = [
        Photo(r.path, settings.archive / r.path, r.week)
        for r in _all_files(settings)
        if r.role == "media"
    ]
    read_infos(cache, photos, cancel, progress)
    return len(photos)


def _all_files(settings: Settings) -> list[Any]:
    from photoarchive.pipeline import open_catalog

    with open_catalog(settings) as catalog:
        return catalog.files()


def _at_low_priority(fn: Callable[[], T]) -> T:
    """Run fn in a fresh thread niced to 10 (Linux nice is per thread); the worker processes
    it starts inherit that, so background reads yield the CPU to the GUI thread."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), BACKGROUND_NICE)
        except (OSError, AttributeError) as exc:
            log.debug("cannot lower the priority of a background read: %s", exc)
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the calling thread below
            box["error"] = exc

    thread = threading.Thread(target=run, name="photoarchive-background-read")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]  # type: ignore[no-any-return]


@dataclass(frozen=True)
class GeotagChoice:
    lat: float
    lon: float
    alt: float | None = None
    place: str | None = None  # a saved place's name, counted as used
    overwrite: bool = False

    @property
    def label(self) -> str:
        return self.place or f"{self.lat:.5f}, {self.lon:.5f}"


def _tagging() -> Any:
    try:
        from photoarchive.metadata import tagging
    except ImportError as exc:
        raise RuntimeError(f"writing metadata is not available in this build: {exc}") from exc
    return tagging


def panel_tag_edit(edit: PanelEdit) -> TagEdit:
    """The core's TagEdit for what the panel changed (GPS typed there replaces existing)."""
    gps = None
    if edit.coordinates:
        from photoarchive.metadata.coords import parse_coordinates

        gps = parse_coordinates(edit.coordinates)
    return TagEdit(gps=gps, overwrite_gps=gps is not None, title=edit.title, caption=edit.caption)


def caption_edit(title: str | None, caption: str | None) -> TagEdit:
    return TagEdit(title=title, caption=caption)


def apply_edits(
    settings: Settings,
    edits: Mapping[Path, Any],
    cancel: CancelToken,
    progress: ProgressCallback,
) -> Any:
    tagging = _tagging()
    return tagging.apply_tags(settings, list(edits), dict(edits), cancel, progress)


def geotag(
    settings: Settings,
    paths: Sequence[Path],
    choice: GeotagChoice,
    cancel: CancelToken,
    progress: ProgressCallback,
) -> Any:
    from photoarchive.metadata.coords import checked

    tagging = _tagging()
    coords = checked(choice.lat, choice.lon, choice.alt)
    location = None
    if choice.place:  # the place's name (city, region, country) goes into the files too
        from photoarchive.metadata.places import PlaceBook, PlaceError

        try:
            location = PlaceBook.load(settings.places_file).get(choice.place).location()
        except PlaceError as exc:
            log.warning("place %r: %s; writing its coordinates only", choice.place, exc)
    edit = TagEdit(gps=coords, overwrite_gps=choice.overwrite, location=location)
    result = tagging.apply_tags(settings, list(paths), edit, cancel, progress)
    if choice.place and not getattr(result, "cancelled", False):
        from photoarchive.metadata.places import PlaceBook, PlaceError

        try:
            book = PlaceBook.load(settings.places_file)
            book.record_use(choice.place)
            book.save()
        except (PlaceError, OSError) as exc:  # the photos are tagged; the counter is cosmetic
            log.warning("cannot count the use of place %r: %s", choice.place, exc)
    return result


def sync(settings: Settings, cancel: CancelToken, progress: ProgressCallback) -> Any:
    """Compare with the bucket, then upload what is new (the CLI's `sync`, same core)."""
    from photoarchive.cloud.client import GcsError
    from photoarchive.cloud.sync import plan_sync, run_sync
    from photoarchive.cloud.target import BadTarget
    from photoarchive.gui.cloud_words import gui_text

    try:
        plan = plan_sync(settings, None, cancel, progress)
        return run_sync(settings, plan, cancel, progress)
    except (GcsError, BadTarget) as exc:  # said the desktop's way, not the command line's
        raise RuntimeError(gui_text(exc, settings)) from exc


def check_bucket(settings: Settings, cancel: CancelToken, progress: ProgressCallback) -> Any:
    """Re-read every file and compare it with the bucket (the CLI's `verify --remote`)."""
    from photoarchive.cloud.client import GcsError
    from photoarchive.cloud.target import BadTarget
    from photoarchive.gui.cloud_words import gui_text
    from photoarchive.pipeline import verify_remote

    try:
        return verify_remote(settings, None, cancel, progress)
    except (GcsError, BadTarget) as exc:  # said the desktop's way, not the command line's
        raise RuntimeError(gui_text(exc, settings)) from exc


def load_places(settings: Settings) -> list[Any]:
    """Saved places for naming locations in the panel; an unreadable file names nothing."""
    from photoarchive.metadata.places import PlaceBook, PlaceError

    try:
        return PlaceBook.load(settings.places_file).all()
    except PlaceError as exc:
        log.warning("%s", exc)
        return []


def week_folders(settings: Settings) -> int:
    """How many week folders the archive holds (to explain an empty catalog)."""
    from photoarchive.archive import iter_weeks

    return len(iter_weeks(settings.archive))


def flickr_upload(
    settings: Settings,
    targets: Sequence[str],
    album: str | None,
    privacy: str,
    cancel: CancelToken,
    progress: ProgressCallback,
) -> Any:
    """The CLI's `flickr upload`, same core; raises with the reason when the run stopped."""
    from photoarchive.flickr.api import FlickrProblem
    from photoarchive.flickr.tokens import open_client
    from photoarchive.flickr.upload import upload

    try:
        client, _ = open_client(settings)
    except FlickrProblem as exc:  # e.g. not signed in: said the desktop's way
        raise RuntimeError(gui_words(str(exc))) from exc
    summary = upload(settings, client, targets, album, privacy, cancel, progress)
    if summary.cancelled:
        raise Cancelled()
    if summary.stopped:
        raise RuntimeError(gui_words(summary.stopped))
    return summary


def gui_words(msg: str) -> str:
    """The core's messages name CLI commands and setting keys; here, the buttons and dialogs."""
    for cli, gui in (
        ("run photoarchive flickr login", "use Sign in"),
        ("(photoarchive flickr login)", "(Sign in above)"),
        ("set FLICKR_API_KEY and FLICKR_API_SECRET, or api_key and api_secret under [flickr] "
         "in the settings", "enter the Flickr API key and secret in Settings"),
    ):  # fmt: skip
        msg = msg.replace(cli, gui)
    return msg
