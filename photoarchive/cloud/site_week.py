"""One week of the family's pages: thumbnails, place names, captions read in a worker process,
the week's zip and its page, sent by a writer that skips bytes the bucket already holds.

Pages and thumbnails are small STANDARD objects (rewritten on edits; Nearline would bill 30 days
each time); only what the site itself wrote under `_site/` is ever deleted.
"""

from __future__ import annotations

import hashlib
import io
import logging
import math
import multiprocessing
import os
import tempfile
import zipfile
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from photoarchive import names
from photoarchive.cloud.site_render import (
    INDEX_THUMBS,
    SitePhoto,
    WeekSummary,
    object_url,
    render_week,
    week_dates,
)
from photoarchive.cloud.state import SyncRecord, b64
from photoarchive.cloud.target import SITE_FOLDER, Target, site_index_object
from photoarchive.config import Settings
from photoarchive.jobs import CancelToken
from photoarchive.media import MEDIA_KINDS, Kind, kind_of
from photoarchive.private import private_dir

if TYPE_CHECKING:
    from google.api_core.retry import Retry
    from google.cloud import storage

    from photoarchive.metadata.places import Place

log = logging.getLogger(__name__)

THUMB_PX = 320
DEFAULT_RADIUS_M = 150.0


def site_prefix(target: Target) -> str:
    return target.object_name(SITE_FOLDER) + "/"


def index_url(settings: Settings, target: Target) -> str:
    return object_url(settings.site_base_url, target.bucket, site_index_object(target))


def make_thumbnail(path: Path, kind: Kind) -> bytes | None:
    """A JPEG at most THUMB_PX on its long side, upright; None when it cannot be decoded."""
    from PIL import Image, ImageOps

    try:
        if kind is Kind.RAW:
            from photoarchive.metadata.reading import read_preview

            data = read_preview(path, THUMB_PX)
            if data is None:
                return None
            img = Image.open(io.BytesIO(data))
        else:
            img = Image.open(path)
        with img:
            img.draft("RGB", (THUMB_PX, THUMB_PX))  # JPEG: decode at a fraction of the size
            small = ImageOps.exif_transpose(img) or img
            small = small.convert("RGB")
            small.thumbnail((THUMB_PX, THUMB_PX))
            buf = io.BytesIO()
            small.save(buf, "JPEG", quality=80, optimize=True)
            return buf.getvalue()
    except Exception as exc:  # a damaged or unsupported file gets a tile with its name
        log.info("no thumbnail for %s: %s", path, exc)
        return None


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(min(1.0, a)))


def place_name(lat: float, lon: float, places: list[Place]) -> str:
    """The nearest saved place around the point; private places (home) are never named, and
    a point near one shows nothing; elsewhere the coordinates."""
    best: tuple[float, Place] | None = None
    for p in places:
        d = _distance_m(lat, lon, p.lat, p.lon)
        if d <= (p.radius_m or DEFAULT_RADIUS_M) and (best is None or d < best[0]):
            best = (d, p)
    if best is not None:
        return "" if best[1].private else best[1].name
    ns, ew = ("N" if lat >= 0 else "S"), ("E" if lon >= 0 else "W")
    return f"{abs(lat):.4f}° {ns}, {abs(lon):.4f}° {ew}"


def load_places(settings: Settings) -> list[Place]:
    from photoarchive.metadata.places import PlaceBook, PlaceError

    try:
        return PlaceBook.load(settings.places_file).all()
    except (PlaceError, OSError) as exc:
        log.warning("places not used on the site: %s", exc)
        return []


class SiteWriter:
    """Uploads an object unless the bucket already holds those bytes; remembers what it saw."""

    def __init__(self, bucket: storage.Bucket, listing: dict[str, tuple[str, int]], retry: Retry):
        self.bucket, self.listing, self.retry = bucket, listing, retry
        self.sent: list[str] = []
        self.deleted: list[str] = []

    def put(self, name: str, data: bytes, ctype: str, cache: str = "no-cache") -> None:
        md5 = b64(hashlib.md5(data).digest())
        old = self.listing.get(name)
        if old is not None and old[0] == md5:
            return
        blob = self.bucket.blob(name)
        blob.storage_class = "STANDARD"
        blob.cache_control = cache
        blob.upload_from_string(
            data, ctype, if_generation_match=old[1] if old else 0, retry=self.retry
        )
        self.listing[name] = (md5, int(blob.generation or 0))
        self.sent.append(name)

    def put_file(self, name: str, path: Path, ctype: str, md5: str) -> None:
        old = self.listing.get(name)
        if old is not None and old[0] == md5:
            return
        blob = self.bucket.blob(name, chunk_size=16 << 20)
        blob.storage_class = "NEARLINE"  # a week's originals again: priced like them
        blob.upload_from_filename(
            str(path), ctype, if_generation_match=old[1] if old else 0, retry=self.retry
        )
        self.listing[name] = (md5, int(blob.generation or 0))
        self.sent.append(name)

    def load(self, prefix: str) -> None:
        """What the bucket holds under one week's folder (listed only when it is rebuilt)."""
        self.listing.update(_list_site(self.bucket, prefix, self.retry))

    def delete(self, name: str) -> None:
        old = self.listing.pop(name, None)
        if old is not None:
            self.bucket.blob(name).delete(if_generation_match=old[1], retry=self.retry)
            self.deleted.append(name)


def _list_site(bucket: storage.Bucket, prefix: str, retry: Retry) -> dict[str, tuple[str, int]]:
    return {
        b.name: (b.md5_hash or "", int(b.generation or 0))
        for b in bucket.client.list_blobs(bucket.name, prefix=prefix, retry=retry)
    }


def _week_zip(settings: Settings, week: str, records: list[SyncRecord]) -> tuple[Path, str]:
    """The week's files, stored uncompressed (photos do not shrink), dated like the files so
    the same week gives the same bytes; a temp file and its MD5."""
    private_dir(settings.cache_dir)
    fd, tmp = tempfile.mkstemp(prefix="week-", suffix=".zip", dir=settings.cache_dir)
    os.close(fd)
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        for r in sorted(records, key=lambda r: r.path):
            path = settings.archive / r.path
            stamp = datetime.fromtimestamp(max(path.stat().st_mtime, 315532800))
            inner = f"{week}/{r.object.rsplit('/', 1)[-1]}"  # the bucket's (UTF-8) name
            info = zipfile.ZipInfo(inner, stamp.timetuple()[:6])
            with path.open("rb") as src, zf.open(info, "w", force_zip64=True) as dst:
                while chunk := src.read(4 << 20):
                    dst.write(chunk)
    md5 = hashlib.md5()
    with open(tmp, "rb") as fh:
        while chunk := fh.read(4 << 20):
            md5.update(chunk)
    return Path(tmp), b64(md5.digest())


def build_week(
    settings: Settings,
    target: Target,
    week: str,
    records: list[SyncRecord],
    writer: SiteWriter,
    places: list[Place],
    cancel: CancelToken,
    read: MetaReader,
) -> WeekSummary:
    base, bucket = settings.site_base_url, target.bucket
    folder = f"{site_prefix(target)}{week}/"
    media = sorted((r for r in records if kind_of(r.path) in MEDIA_KINDS), key=lambda r: r.path)
    paths = [settings.archive / r.path for r in media]
    stills = [p for p, r in zip(paths, media, strict=True) if kind_of(r.path) != Kind.VIDEO]
    with ThreadPoolExecutor(max_workers=1) as reader:  # the worker process reads meanwhile
        meta_f = reader.submit(read, stills)
        with ThreadPoolExecutor(max_workers=2) as pool:  # Pillow decodes without the GIL
            thumbs = list(
                pool.map(
                    lambda pr: make_thumbnail(pr[0], kind_of(pr[1].path)),
                    zip(paths, media, strict=True),
                )
            )
        keep: set[str] = set()
        thumb_urls: list[str | None] = []
        with ThreadPoolExecutor(max_workers=8) as senders:  # small objects: latency-bound
            sent = []
            for rec, thumb in zip(media, thumbs, strict=True):
                if thumb is None:
                    thumb_urls.append(None)
                    continue
                tname = f"{folder}t/{rec.object.rsplit('/', 1)[-1]}.jpg"  # valid UTF-8
                sent.append(
                    senders.submit(writer.put, tname, thumb, "image/jpeg", "public, max-age=3600")
                )
                keep.add(tname)
                thumb_urls.append(object_url(base, bucket, tname))
            for fut in sent:
                cancel.raise_if_cancelled()
                fut.result()  # an upload error fails the week (reported, retried next sync)
        meta = meta_f.result()
    photos: list[SitePhoto] = []
    for path, rec, thumb_url in zip(paths, media, thumb_urls, strict=True):
        name = names.show(rec.path.rsplit("/", 1)[-1])  # the page is UTF-8: names are bytes
        title, caption, gps = meta.get(str(path), ("", "", None))
        place = place_name(gps[0], gps[1], places) if gps else ""
        photos.append(
            SitePhoto(
                name,
                object_url(base, bucket, rec.object),
                thumb_url,
                title,
                caption,
                place,
                rec.size,
            )
        )
    titles = [p.title for p in photos if p.title]
    title = max(set(titles), key=lambda t: (titles.count(t), t)) if titles else ""
    page = f"{folder}index.html"
    summary = WeekSummary(
        week,
        week_dates(week, settings.week_pattern),
        title,
        len(photos),
        object_url(base, bucket, page),
        tuple(p.thumb_url for p in photos if p.thumb_url)[:INDEX_THUMBS],  # type: ignore[misc]
    )
    zip_url, zip_size = None, 0
    if settings.site_zips and records:
        zname = f"{folder}{week}.zip"
        tmp, md5 = _week_zip(settings, week, records)
        try:
            zip_size = tmp.stat().st_size
            writer.put_file(zname, tmp, "application/zip", md5)
        finally:
            tmp.unlink(missing_ok=True)
        keep.add(zname)
        zip_url = object_url(base, bucket, zname)
    html = render_week(summary, photos, index_url(settings, target), zip_url, zip_size)
    writer.put(page, html.encode("utf-8"), "text/html; charset=utf-8")
    keep.add(page)
    for name in [n for n in writer.listing if n.startswith(folder) and n not in keep]:
        writer.delete(name)
    return summary


class MetaReader:
    """Titles, captions and GPS read in one worker process (exiv2 holds the GIL, which would
    stall the GUI; a hostile file crashes the worker, not the sync)."""

    def __init__(self) -> None:
        self.pool: ProcessPoolExecutor | None = None

    def __call__(self, paths: list[Path]) -> dict[str, tuple[str, str, tuple[float, float] | None]]:
        from photoarchive.metadata.workers import read_chunk

        if not paths:
            return {}
        if self.pool is None:
            methods = multiprocessing.get_all_start_methods()
            ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
            self.pool = ProcessPoolExecutor(max_workers=1, mp_context=ctx)
        try:
            outcomes = self.pool.submit(read_chunk, [str(p) for p in paths]).result()
        except BrokenProcessPool:
            self.pool = None
            log.warning("reading metadata for the site crashed; the week shows no captions")
            return {}
        out = {}
        for o in outcomes:
            m = o.metadata
            if m is not None:
                gps = (m.gps.lat, m.gps.lon) if m.gps else None
                out[o.path] = ((m.title or "").strip(), (m.caption or "").strip(), gps)
        return out

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
