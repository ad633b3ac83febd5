"""One photo's trip to Flickr: the fields sent, the upload that never duplicates, async tickets,
location and metadata updates, and finding our photos by their machine tag."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path

from photoarchive.catalog import Catalog, FileRecord
from photoarchive.flickr import records
from photoarchive.flickr.api import FlickrClient, FlickrProblem, content_text
from photoarchive.flickr.records import FlickrRecord
from photoarchive.jobs import CancelToken
from photoarchive.metadata.exiv2 import PhotoMetadata
from photoarchive.metadata.places import Place
from photoarchive.metadata.sidecars import VIDEO_EXTS
from photoarchive.names import is_utf8

log = logging.getLogger(__name__)

MACHINE_TAG = "photoarchive:id="
PRIVACY = {"private": (0, 0, 0), "family": (0, 0, 1), "friends": (0, 1, 0), "public": (1, 0, 0)}
TICKET_WAIT = 600.0  # seconds an async upload may stay pending before we give up this run


@dataclass(frozen=True)
class SentFields:
    title: str
    caption: str
    tags: str
    where: tuple[float, float] | None  # None: no location given (none known, or hidden)
    taken: str  # "YYYY-MM-DD HH:MM:SS" or ""
    video: bool
    hidden: bool  # taken at a private place


def _quoted(tag: str) -> str:
    tag = tag.replace('"', "")
    return f'"{tag}"' if " " in tag else tag


def fields_for(f: FileRecord, meta: PhotoMetadata, hide: bool, places: list[Place]) -> SentFields:
    """What Flickr should show, from the file's own metadata."""
    from photoarchive.flickr.privacy import DEFAULT_RADIUS_M, distance_m

    tags = [MACHINE_TAG + f.import_hash]
    where = None
    if meta.gps is not None and not hide:
        where = (round(meta.gps.lat, 6), round(meta.gps.lon, 6))
        tags += [
            _quoted(p.name) for p in places
            if distance_m(meta.gps.lat, meta.gps.lon, p.lat, p.lon)
            <= (p.radius_m or DEFAULT_RADIUS_M)
        ]  # fmt: skip
    taken = ""
    if meta.capture_time is not None:
        taken = meta.capture_time.strftime("%Y-%m-%d %H:%M:%S")
    elif f.capture_time:
        taken = f.capture_time[:19].replace("T", " ")
    video = Path(f.path).suffix.lower() in VIDEO_EXTS
    return SentFields((meta.title or "").strip(), (meta.caption or "").strip(), " ".join(tags),
                      where, taken, video, hide)  # fmt: skip


@dataclass(frozen=True)
class Found:
    photo_id: str
    title: str
    caption: str
    tags: str  # "~" + Flickr's normalised plain tags (it does not list them as sent)
    lat: float | None
    lon: float | None
    geo_hidden: bool = False  # no location shown to anyone but the owner


def normalised_tags(tags: str) -> str:
    """Plain tags as Flickr lists them (lower case, no spaces or punctuation), machine tags
    left out, prefixed "~" so a record holding them is told from one holding tags as sent."""
    plain = [a or b for a, b in re.findall(r'"([^"]*)"|(\S+)', tags)]
    words = sorted({re.sub(r"[^\w]", "", t).lower() for t in plain if not _is_machine(t)})
    return "~" + " ".join(w for w in words if w)


def _is_machine(tag: str) -> bool:
    return re.match(r"^[A-Za-z_]\w*:\w+=", tag) is not None


def find_ours(
    client: FlickrClient, cancel: CancelToken | None = None, identity: str = ""
) -> dict[str, Found]:
    """identity -> what Flickr holds, for every photo of this account carrying our machine
    tag (or only `identity`'s): a page of 500 per call."""
    out: dict[str, Found] = {}
    page, pages = 1, 1
    while page <= pages:
        rsp = client.call("flickr.photos.search", cancel, user_id="me",
                          machine_tags=MACHINE_TAG + identity, page=page, per_page=500,
                          extras="machine_tags,tags,description,geo")  # fmt: skip
        body = rsp["photos"]
        pages = int(body.get("pages", 1) or 1)
        for p in body.get("photo", []):
            lat, lon = float(p.get("latitude") or 0), float(p.get("longitude") or 0)
            where = (lat, lon) if (lat, lon) != (0.0, 0.0) else (None, None)
            for tag in str(p.get("machine_tags", "")).split():
                if tag.lower().startswith(MACHINE_TAG):
                    out.setdefault(tag[len(MACHINE_TAG) :].lower(), Found(
                        str(p["id"]), str(p.get("title", "")), content_text(p.get("description")),
                        normalised_tags(str(p.get("tags", ""))), *where,
                        where[0] is None or not _geo_visible(p)))  # fmt: skip
        page += 1
    return out


def _geo_visible(photo: dict[str, object]) -> bool:
    """Whether anyone but the owner may see the photo's location (search's geo extras)."""
    kinds = ("public", "contact", "friend", "family")
    return any(int(str(photo.get(f"geo_is_{k}", 1) or 0)) for k in kinds)


class Sender:
    def __init__(
        self, client: FlickrClient, account: str, cancel: CancelToken, ticket_poll: float
    ) -> None:
        self.client, self.account, self.cancel = client, account, cancel
        self.ticket_poll = ticket_poll

    def send(
        self, f: FileRecord, path: Path, fields: SentFields, privacy: str, catalog: Catalog
    ) -> FlickrRecord:
        """Upload once and record the answer at once. After a failure that may have reached
        Flickr (a lost answer), look for the machine tag before sending again."""
        public, friend, family = PRIVACY[privacy]
        params = {"title": fields.title, "description": fields.caption, "tags": fields.tags,
                  "is_public": str(public), "is_friend": str(friend), "is_family": str(family),
                  "safety_level": "1", "content_type": "1",
                  "hidden": "1" if public else "2"}  # fmt: skip
        if fields.video:
            params["async"] = "1"  # videos take Flickr a while: poll the ticket
        name = Path(f.path).name
        filename = name if is_utf8(name) and "\n" not in name else "photo" + Path(name).suffix
        delay = self.client.backoff
        for attempt in range(self.client.retries + 1):
            try:
                kind, value = self.client.upload(path, filename, params, cancel=self.cancel)
                break
            except FlickrProblem as exc:
                if exc.kind != "transient" or attempt == self.client.retries:
                    raise
                log.info("upload of %s: %s; checking whether Flickr has it", f.path, exc)
                time.sleep(delay)
                delay *= 2
                hit = find_ours(self.client, self.cancel, f.import_hash).get(f.import_hash)
                if hit is not None:
                    kind, value = "photoid", hit.photo_id
                    break
        rec = FlickrRecord(self.account, f.import_hash, f.path, None, None, f.hash,
                           fields.title, fields.caption, fields.tags)  # fmt: skip
        if kind == "ticketid":
            rec = FlickrRecord(**{**rec.__dict__, "ticket_id": value})
            records.save(catalog, [rec])  # a kill now leaves the ticket to settle next run
            photo_id = self.wait_ticket(value)
            if photo_id is None:
                records.forget(catalog, self.account, f.import_hash)
                raise FlickrProblem("other", "Flickr could not process this upload")
            value = photo_id
        rec = FlickrRecord(**{**rec.__dict__, "photo_id": value})
        records.save(catalog, [rec])
        return rec

    def wait_ticket(self, ticket: str) -> str | None:
        """The photo id of a finished async upload, None if Flickr failed it."""
        deadline = time.monotonic() + TICKET_WAIT
        while True:
            rsp = self.client.call("flickr.photos.upload.checkTickets", self.cancel,
                                   tickets=ticket)  # fmt: skip
            (t,) = [t for t in rsp["uploader"]["ticket"] if str(t["id"]) == ticket] or [{}]
            if t.get("invalid") or int(t.get("complete", 2)) == 2:
                return None
            if int(t.get("complete", 0)) == 1:
                return str(t["photoid"])
            if time.monotonic() > deadline:
                raise FlickrProblem("transient", "Flickr is still processing the upload")
            self.cancel.raise_if_cancelled()
            time.sleep(self.ticket_poll)

    def set_location(self, photo_id: str, where: tuple[float, float] | None) -> None:
        if where is None:
            self.client.call("flickr.photos.geo.removeLocation", self.cancel, photo_id=photo_id)
            return
        try:
            self.client.call("flickr.photos.geo.setLocation", self.cancel, photo_id=photo_id,
                             lat=f"{where[0]:.6f}", lon=f"{where[1]:.6f}", accuracy=16)  # fmt: skip
        except FlickrProblem as exc:
            if exc.kind != "other":
                raise
            raise FlickrProblem("other", f"location not set ({exc}); Flickr needs a default "
                                "location privacy in the account's settings") from None  # fmt: skip

    def restrict_geo(self, photo_id: str) -> None:
        """Only the owner may see where the photo was taken."""
        self.client.call("flickr.photos.geo.setPerms", self.cancel, photo_id=photo_id,
                         is_public=0, is_contact=0, is_friend=0, is_family=0)  # fmt: skip

    def update(self, rec: FlickrRecord, fields: SentFields, restrict: bool = False) -> bool:
        """Send what changed since the record; True if anything was sent."""
        assert rec.photo_id is not None
        changed = False
        if (rec.title, rec.caption) != (fields.title, fields.caption):
            self.client.call("flickr.photos.setMeta", self.cancel, photo_id=rec.photo_id,
                             title=fields.title, description=fields.caption)  # fmt: skip
            changed = True
        sent = normalised_tags(fields.tags) if rec.tags.startswith("~") else fields.tags
        if rec.tags != sent:
            self.client.call("flickr.photos.setTags", self.cancel, photo_id=rec.photo_id,
                             tags=fields.tags)  # fmt: skip
            changed = True
        old = None if rec.lat is None or rec.lon is None else (rec.lat, rec.lon)
        new = fields.where
        same = old == new or (
            old is not None
            and new is not None
            and abs(old[0] - new[0]) + abs(old[1] - new[1]) < 1e-6
        )
        if not same:
            self.set_location(rec.photo_id, fields.where)
            changed = True
        if restrict and not rec.geo_hidden:
            self.restrict_geo(rec.photo_id)
            changed = True
        return changed
