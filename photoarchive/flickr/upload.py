"""Uploading into albums, never twice.

Each upload carries the machine tag `photoarchive:id=<import identity>` and is recorded in the
catalog as soon as Flickr answers, before the next file starts. A photo is known when the
catalog has it, else when Flickr's search finds its machine tag (the catalog may have been
lost, or a run killed between Flickr storing a photo and us hearing back). A known photo is never
sent again: changed title, caption, tags or place are sent as metadata updates, and a missing
album membership is added.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from photoarchive.catalog import Catalog, FileRecord
from photoarchive.config import Settings
from photoarchive.flickr import records
from photoarchive.flickr.account import Account, account_status, check_room
from photoarchive.flickr.albums import Album, default_album, list_albums
from photoarchive.flickr.api import FlickrClient, FlickrProblem
from photoarchive.flickr.privacy import PrivatePlaces, stripped_copy
from photoarchive.flickr.records import FlickrRecord
from photoarchive.flickr.sending import Sender, SentFields, fields_for, find_ours
from photoarchive.flickr.targets import resolve_targets
from photoarchive.jobs import (
    Cancelled,
    CancelToken,
    Problem,
    Progress,
    ProgressCallback,
    no_progress,
)
from photoarchive.metadata.exiv2 import MetadataError, PhotoMetadata
from photoarchive.metadata.reading import read_metadata

log = logging.getLogger(__name__)

STOPPING = ("auth", "full", "config")  # problems that end the whole run


@dataclass
class UploadSummary:
    account: str = ""
    uploaded: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    recovered: list[str] = field(default_factory=list)  # found on Flickr by machine tag
    updated: list[str] = field(default_factory=list)
    location_hidden: list[str] = field(default_factory=list)
    albums: dict[str, int] = field(default_factory=dict)  # album -> photos added
    problems: list[Problem] = field(default_factory=list)
    stopped: str = ""  # why the run ended early (sign-in, account full), for the user
    cancelled: bool = False
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not (self.problems or self.stopped or self.cancelled)

    def as_dict(self) -> dict[str, object]:
        return {
            "account": self.account, "uploaded": self.uploaded, "already": self.already,
            "recovered": self.recovered, "updated": self.updated,
            "location_hidden": self.location_hidden, "albums": self.albums,
            "problems": [p.as_dict() for p in self.problems], "stopped": self.stopped,
            "cancelled": self.cancelled, "dry_run": self.dry_run,
        }  # fmt: skip


def upload(
    settings: Settings,
    client: FlickrClient,
    targets: Sequence[str],
    album: str | None = None,
    privacy: str = "family",
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
    *,
    dry_run: bool = False,
    ticket_poll: float = 2.0,
) -> UploadSummary:
    """Upload the targets' photos (files, week folders, FIRST..LAST) into albums."""
    cancel = cancel or CancelToken()
    progress = progress or no_progress
    summary = UploadSummary(dry_run=dry_run)
    with Catalog(settings.catalog_path) as catalog:
        files, summary.problems = resolve_targets(settings, catalog, targets)
        if not files:
            return summary
        try:
            account = account_status(client, cancel)
            summary.account = account.username
            run = _Run(settings, client, catalog, account, privacy, cancel, summary, ticket_poll)
            run.go(files, album, progress)
        except FlickrProblem as exc:
            summary.stopped = str(exc)
        except Cancelled:
            summary.cancelled = True
    return summary


class _Run:
    def __init__(
        self,
        settings: Settings,
        client: FlickrClient,
        catalog: Catalog,
        account: Account,
        privacy: str,
        cancel: CancelToken,
        summary: UploadSummary,
        ticket_poll: float,
    ) -> None:
        self.settings, self.client, self.catalog, self.account = settings, client, catalog, account
        self.privacy, self.cancel, self.summary = privacy, cancel, summary
        self.private = PrivatePlaces.load(settings)
        self.public_places = self.private.public_places(settings)
        self.sender = Sender(client, account.nsid, cancel, ticket_poll)
        self.known = records.load(catalog, account.nsid)

    def go(self, files: list[FileRecord], album: str | None, progress: ProgressCallback) -> None:
        self._settle_tickets()
        if any(f.import_hash not in self.known for f in files):
            self._recover(files)
        metas = self._read(files)
        new = [f for f in files if f.import_hash not in self.known]
        check_room(self.account, len(new), len(new) if self.privacy != "public" else 0)
        if self.summary.dry_run:
            self.summary.uploaded = [f.path for f in new]
            self.summary.already = [f.path for f in files if f.import_hash in self.known]
            return
        existing = list_albums(self.client, self.cancel)
        albums: dict[str, Album] = {}
        taken: dict[str, str] = {}
        total_bytes = sum(f.size for f in new)
        new_paths = {f.path for f in new}
        week_albums: dict[str, str] = {}  # each week's album name, worked out once
        sent_bytes = 0
        for i, f in enumerate(files):
            self.cancel.raise_if_cancelled()
            progress(Progress("flickr", i, len(files), sent_bytes, total_bytes, f.path))
            if not album and f.week not in week_albums:
                week_albums[f.week] = self._week_album(f.week, files, metas)
            name = album or week_albums[f.week]
            target = albums.setdefault(name, Album(self.client, name, existing.get(name)))
            try:
                rec = self._one(f, metas.get(f.path))
                if rec is None or rec.photo_id is None:
                    continue
                if target.add(rec.photo_id, cancel=self.cancel):
                    self.summary.albums[name] = self.summary.albums.get(name, 0) + 1
                taken[rec.photo_id] = _taken(f, metas.get(f.path))
            except FlickrProblem as exc:
                if exc.kind in STOPPING:
                    self.summary.stopped = str(exc)
                    break
                self.summary.problems.append(Problem(f.path, str(exc)))
            except (MetadataError, OSError) as exc:
                self.summary.problems.append(Problem(f.path, str(exc)))
            if f.path in new_paths:
                sent_bytes += f.size
        else:
            progress(Progress("flickr", len(files), len(files), sent_bytes, total_bytes))
        for a in albums.values():
            if a.added and not self.summary.stopped:
                a.order(taken, self.cancel)

    def _week_album(
        self, week: str, files: list[FileRecord], metas: dict[str, PhotoMetadata]
    ) -> str:
        titles = []
        for f in files:
            if f.week == week:
                meta, rec = metas.get(f.path), self.known.get(f.import_hash)
                titles.append(meta.title if meta else rec.title if rec else None)
        return default_album(week, self.settings.week_pattern, titles)

    def _settle_tickets(self) -> None:
        """Async uploads a previous run left pending: adopt their photo ids or forget them."""
        pending = [r for r in self.known.values() if r.photo_id is None and r.ticket_id]
        for rec in pending:
            photo_id = self.sender.wait_ticket(rec.ticket_id or "")
            if photo_id is None:
                records.forget(self.catalog, rec.account, rec.identity)
                del self.known[rec.identity]
            else:
                self.known[rec.identity] = FlickrRecord(**{**rec.__dict__, "photo_id": photo_id})
                records.save(self.catalog, [self.known[rec.identity]])

    def _recover(self, files: list[FileRecord]) -> None:
        found = find_ours(self.client, self.cancel)
        adopted = []
        for f in files:
            hit = found.get(f.import_hash)
            if hit is not None and f.import_hash not in self.known:
                rec = FlickrRecord(self.account.nsid, f.import_hash, f.path, hit.photo_id,
                                   None, "", hit.title, hit.caption, hit.tags, hit.lat,
                                   hit.lon, hit.geo_hidden)  # fmt: skip
                self.known[f.import_hash] = rec
                adopted.append(rec)
                self.summary.recovered.append(f.path)
        records.save(self.catalog, adopted)

    def _read(self, files: list[FileRecord]) -> dict[str, PhotoMetadata]:
        """Metadata of files new to Flickr or changed since sent (content hash differs)."""
        out = {}
        for f in files:
            rec = self.known.get(f.import_hash)
            if rec is not None and rec.hash == f.hash and rec.path == f.path:
                continue
            self.cancel.raise_if_cancelled()
            try:
                out[f.path] = read_metadata(self.settings.archive / f.path)
            except MetadataError as exc:
                self.summary.problems.append(Problem(f.path, f"metadata not read: {exc}"))
        return out

    def _one(self, f: FileRecord, meta: PhotoMetadata | None) -> FlickrRecord | None:
        rec = self.known.get(f.import_hash)
        if rec is not None and (meta is None or rec.photo_id is None):
            self.summary.already.append(f.path)
            return rec
        if meta is None:
            return None  # unreadable and not on Flickr: reported by _read
        hide = self.private.hiding(meta.gps)
        fields = fields_for(f, meta, hide is not None, self.public_places)
        strip = hide is not None and self.private.mode == "strip" and not fields.video
        # Videos cannot be stripped, and their own location is not read here: where private
        # places exist, only the owner may see where a video was taken.
        unknown = fields.video and meta.gps is None and bool(self.private.places)
        restrict = (hide is not None and not strip) or unknown
        if hide is not None or unknown:
            self.summary.location_hidden.append(f.path)
        if rec is not None:
            return self._update(f, rec, fields, restrict)
        path = self.settings.archive / f.path
        workdir = self.settings.cache_dir / "flickr-upload"
        with stripped_copy(path, workdir) if strip else nullcontext(path) as send:
            rec = self.sender.send(f, Path(send), fields, self.privacy, self.catalog)
        self.known[f.import_hash] = rec
        self.summary.uploaded.append(f.path)
        return self._after_upload(f, rec, fields, restrict)

    def _after_upload(
        self, f: FileRecord, rec: FlickrRecord, fields: SentFields, restrict: bool
    ) -> FlickrRecord:
        if rec.photo_id is None:
            return rec
        if fields.taken:
            self.client.call("flickr.photos.setDates", self.cancel, photo_id=rec.photo_id,
                             date_taken=fields.taken, date_taken_granularity=0)  # fmt: skip
        if restrict:
            self.sender.restrict_geo(rec.photo_id)
        if fields.where is not None:
            self.sender.set_location(rec.photo_id, fields.where)
        rec = rec.with_sent(fields.title, fields.caption, fields.tags, fields.where, restrict)
        records.save(self.catalog, [rec])
        self.known[f.import_hash] = rec
        return rec

    def _update(
        self, f: FileRecord, rec: FlickrRecord, fields: SentFields, restrict: bool
    ) -> FlickrRecord:
        assert rec.photo_id is not None
        changed = self.sender.update(rec, fields, restrict)
        new = rec.with_sent(fields.title, fields.caption, fields.tags, fields.where,
                            rec.geo_hidden or restrict)  # fmt: skip
        new = FlickrRecord(**{**new.__dict__, "hash": f.hash, "path": f.path})
        records.save(self.catalog, [new])
        self.known[f.import_hash] = new
        (self.summary.updated if changed else self.summary.already).append(f.path)
        return new


def _taken(f: FileRecord, meta: PhotoMetadata | None) -> str:
    if meta is not None and meta.capture_time is not None:
        return meta.capture_time.strftime("%Y-%m-%d %H:%M:%S")
    return (f.capture_time or "")[:19].replace("T", " ")
