"""Albums (photosets): the default name of a week's album, finding or creating an album,
adding only the missing photos and ordering it by date taken."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable

from photoarchive.archive import week_monday, week_span
from photoarchive.flickr.api import FlickrClient, FlickrProblem, content_text
from photoarchive.jobs import CancelToken

log = logging.getLogger(__name__)

PAGE = 500


def default_album(week: str, pattern: str, titles: Iterable[str | None]) -> str:
    """The week's title (the most common photo title), else its dates, else the folder name."""
    counts = Counter(t.strip() for t in titles if t and t.strip())
    if counts:
        return counts.most_common(1)[0][0]
    start = week_monday(week, pattern)
    return week if start is None else week_span(start)


def list_albums(client: FlickrClient, cancel: CancelToken | None = None) -> dict[str, str]:
    """title -> photoset id of the account's albums (the first of equal titles)."""
    out: dict[str, str] = {}
    page, pages = 1, 1
    while page <= pages:
        rsp = client.call("flickr.photosets.getList", cancel, page=page, per_page=PAGE)
        sets = rsp["photosets"]
        pages = int(sets.get("pages", 1) or 1)
        for s in sets.get("photoset", []):
            out.setdefault(content_text(s.get("title")), str(s["id"]))
        page += 1
    return out


def album_photos(
    client: FlickrClient, photoset_id: str, cancel: CancelToken | None = None
) -> list[tuple[str, str]]:
    """(photo id, date taken) in the album's order."""
    out: list[tuple[str, str]] = []
    page, pages = 1, 1
    while page <= pages:
        rsp = client.call("flickr.photosets.getPhotos", cancel, photoset_id=photoset_id,
                          extras="date_taken", page=page, per_page=PAGE)  # fmt: skip
        body = rsp["photoset"]
        pages = int(body.get("pages", 1) or 1)
        out += [(str(p["id"]), str(p.get("datetaken", ""))) for p in body.get("photo", [])]
        page += 1
    return out


class Album:
    """One album being filled: created on its first photo, members added once, then ordered."""

    def __init__(self, client: FlickrClient, title: str, photoset_id: str | None) -> None:
        self.client, self.title, self.id = client, title, photoset_id
        self.members: list[tuple[str, str]] | None = None
        self.added = 0

    def add(self, photo_id: str, description: str = "", cancel: CancelToken | None = None) -> bool:
        """Put the photo in the album unless it is there; True if it was added."""
        if self.id is None:
            rsp = self.client.call("flickr.photosets.create", cancel, title=self.title,
                                   description=description, primary_photo_id=photo_id)  # fmt: skip
            self.id = str(rsp["photoset"]["id"])
            self.members = [(photo_id, "")]
            self.added += 1
            log.info("created album %r", self.title)
            return True
        if self.members is None:
            self.members = album_photos(self.client, self.id, cancel)
        if any(pid == photo_id for pid, _ in self.members):
            return False
        try:
            self.client.call("flickr.photosets.addPhoto", cancel, photoset_id=self.id,
                             photo_id=photo_id)  # fmt: skip
        except FlickrProblem as exc:
            if exc.code != 3:  # 3: already in the album (added by an earlier, cut-short run)
                raise
        self.members.append((photo_id, ""))
        self.added += 1
        return True

    def order(self, taken: dict[str, str], cancel: CancelToken | None = None) -> bool:
        """Order by date taken (ours where known, Flickr's otherwise); True if reordered."""
        if self.id is None:
            return False
        current = album_photos(self.client, self.id, cancel)
        ids = [pid for pid, _ in current]
        when = {pid: taken.get(pid) or flickr_date for pid, flickr_date in current}
        wanted = sorted(ids, key=lambda pid: (when[pid] or "9999", ids.index(pid)))
        if wanted == ids:
            return False
        self.client.call("flickr.photosets.reorderPhotos", cancel, photoset_id=self.id,
                         photo_ids=",".join(wanted))  # fmt: skip
        return True
