"""What the fake Flickr knows and the API methods photoarchive calls, answering as Flickr does.

Answers are built in Flickr's JSON shape (attributes as keys, text as `_content`); the XML form
(uploads always answer XML) is derived from the same dict, as Flickr derives its JSON from XML.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

FREE_ITEMS, FREE_NON_PUBLIC = 1000, 50
VIDEO_EXTS = {".mp4", ".mov", ".m4v", ".avi", ".mts", ".3gp", ".mpg", ".wmv"}
WRITE = {"setMeta", "setTags", "setDates", "setLocation", "setPerms", "removeLocation",
         "create", "addPhoto", "reorderPhotos", "delete"}  # fmt: skip


class ApiError(Exception):
    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass
class User:
    nsid: str
    username: str
    fullname: str
    ispro: bool = False


@dataclass
class Photo:
    id: str
    owner: str
    filename: str  # the multipart file name, as sent
    data: bytes
    media: str  # "photo" or "video"
    title: str
    description: str
    raw_tags: list[str]
    is_public: int
    is_friend: int
    is_family: int
    safety_level: int
    content_type: int
    hidden: int
    date_taken: str = ""
    geo: tuple[float, float, int] | None = None  # lat, lon, accuracy
    geo_perms: dict[str, int] = field(default_factory=dict)

    @property
    def privacy(self) -> int:
        """photos.search's privacy_filter value for this photo."""
        if self.is_public:
            return 1
        if self.is_friend and self.is_family:
            return 4
        return 2 if self.is_friend else 3 if self.is_family else 5


@dataclass
class Photoset:
    id: str
    owner: str
    title: str
    description: str
    photos: list[str]

    @property
    def primary(self) -> str:
        return self.photos[0] if self.photos else ""


def parse_tags(text: str) -> list[str]:
    """Flickr's tag string: space-separated, "double quotes" around tags with spaces."""
    return [a or b for a, b in re.findall(r'"([^"]*)"|(\S+)', text) if a or b]


def _norm(tag: str) -> str:
    return tag if ":" in tag and "=" in tag else re.sub(r"[^\w]", "", tag).lower()


class State:
    """Users, photos, albums and upload tickets, shared by every request."""

    def __init__(self) -> None:
        self.users = {"12345678@N00": User("12345678@N00", "grandma", "Grandma Test")}
        self.default_user = "12345678@N00"
        self.photos: dict[str, Photo] = {}
        self.sets: dict[str, Photoset] = {}
        self.tickets: dict[str, tuple[int, str]] = {}  # id -> (complete, photo id)
        self.pending_checks = 0  # checkTickets answers "pending" this many times first
        self._ids = itertools.count(52000000001)

    def next_id(self) -> str:
        return str(next(self._ids))

    def fill(self, nsid: str, count: int, public: bool) -> None:
        """Items already on the account (for the free-account limits)."""
        for _ in range(count):
            pid = self.next_id()
            self.photos[pid] = Photo(pid, nsid, "old.jpg", b"", "photo", "old", "", [],
                                     int(public), 0, int(not public), 1, 1, 0)  # fmt: skip

    def owned(self, nsid: str, photo_id: str) -> Photo:
        photo = self.photos.get(photo_id)
        if photo is None or photo.owner != nsid:
            raise ApiError(1, "Photo not found")
        return photo

    # --- upload ---------------------------------------------------------------------------------
    def upload(
        self, nsid: str, args: dict[str, str], files: dict[str, tuple[str, bytes]], path: str
    ) -> dict[str, object]:
        if "photo" not in files:
            raise ApiError(2, "No photo specified")
        filename, data = files["photo"]
        if not data:
            raise ApiError(4, "Filesize was zero")
        media = _media_type(filename, data)
        user = self.users[nsid]
        public = args.get("is_public", "0") == "1"
        if not user.ispro and path.endswith("/upload/"):
            mine = [p for p in self.photos.values() if p.owner == nsid]
            non_public = sum(1 for p in mine if not p.is_public)
            if len(mine) >= FREE_ITEMS or (not public and non_public >= FREE_NON_PUBLIC):
                raise ApiError(6, "User exceeded upload limit")
        if path.endswith("/replace/"):
            photo = self.owned(nsid, args.get("photo_id", ""))
            photo.data, photo.filename = data, filename
            return {"photoid": {"_content": photo.id}}
        pid = self.next_id()
        self.photos[pid] = Photo(
            pid, nsid, filename, data, media, args.get("title", ""),
            args.get("description", ""), parse_tags(args.get("tags", "")), int(public),
            int(args.get("is_friend", "0")), int(args.get("is_family", "0")),
            int(args.get("safety_level", "1")), int(args.get("content_type", "1")),
            int(args.get("hidden", "1")),
        )  # fmt: skip
        if args.get("async") == "1":
            ticket = self.next_id()
            self.tickets[ticket] = (1, pid)
            return {"ticketid": {"_content": ticket}}
        return {"photoid": {"_content": pid}}

    # --- REST -----------------------------------------------------------------------------------
    def call(self, nsid: str, perms: str, args: dict[str, str]) -> dict[str, object]:
        method = args.get("method", "")
        handler: Callable[[str, dict[str, str]], dict[str, object]] | None = getattr(
            self, "m_" + method.removeprefix("flickr.").replace(".", "_"), None
        )
        if handler is None:
            raise ApiError(112, f'Method "{method}" not found')
        if method.rsplit(".", 1)[-1] in WRITE and perms not in ("write", "delete"):
            raise ApiError(99, "Insufficient permissions. Method requires write privileges")
        return handler(nsid, args)

    def m_test_login(self, nsid: str, args: dict[str, str]) -> dict[str, object]:
        return {"user": {"id": nsid, "username": {"_content": self.users[nsid].username}}}

    def m_people_getUploadStatus(self, nsid: str, args: dict[str, str]) -> dict[str, object]:
        user = self.users[nsid]
        return {"user": {"id": nsid, "ispro": int(user.ispro),
                         "username": {"_content": user.username},
                         "filesize": {"maxbytes": "209715200", "maxkb": "204800"},
                         "sets": {"created": sum(s.owner == nsid for s in self.sets.values()),
                                  "remaining": "lots"},
                         "videos": {"uploaded": sum(p.owner == nsid and p.media == "video"
                                                    for p in self.photos.values()),
                                    "remaining": "lots"}}}  # fmt: skip

    def m_people_getLimits(self, nsid: str, args: dict[str, str]) -> dict[str, object]:
        photos = {"maxdisplaypx": "0", "maxupload": "209715200"}
        videos = {"maxduration": "180", "maxupload": "1073741824"}
        return {"person": {"nsid": nsid, "photos": photos, "videos": videos}}

    def m_people_getInfo(self, nsid: str, args: dict[str, str]) -> dict[str, object]:
        who = args.get("user_id", nsid)
        user = self.users.get(who)
        if user is None:
            raise ApiError(1, "User not found")
        count = sum(p.owner == who for p in self.photos.values())
        return {"person": {"id": who, "nsid": who, "ispro": int(user.ispro),
                           "username": {"_content": user.username},
                           "realname": {"_content": user.fullname},
                           "photos": {"count": {"_content": count}}}}  # fmt: skip

    def m_photos_search(self, nsid: str, args: dict[str, str]) -> dict[str, object]:
        who = nsid if args.get("user_id", "me") == "me" else args["user_id"]
        found = [p for p in self.photos.values() if p.owner == who]
        if args.get("machine_tags"):  # "ns:pred=value", or "ns:pred=" for any value
            wanted = [t.lower() for t in args["machine_tags"].split(",")]
            found = [p for p in found if any(_machine_match(w, t) for w in wanted
                                             for t in p.raw_tags)]  # fmt: skip
        if args.get("privacy_filter"):
            found = [p for p in found if p.privacy == int(args["privacy_filter"])]
        return {"photos": _page(args, found, _brief)}

    def m_photos_getInfo(self, nsid: str, args: dict[str, str]) -> dict[str, object]:
        p = self.owned(nsid, args.get("photo_id", ""))
        tags = [{"raw": t, "_content": _norm(t), "machine_tag": int(":" in t and "=" in t)}
                for t in p.raw_tags]  # fmt: skip
        info: dict[str, object] = {
            "id": p.id, "media": p.media, "safety_level": p.safety_level,
            "title": {"_content": p.title}, "description": {"_content": p.description},
            "visibility": {"ispublic": p.is_public, "isfriend": p.is_friend,
                           "isfamily": p.is_family},
            "dates": {"taken": p.date_taken}, "tags": {"tag": tags},
        }  # fmt: skip
        if p.geo:
            info["location"] = {"latitude": p.geo[0], "longitude": p.geo[1], "accuracy": p.geo[2]}
        return {"photo": info}

    def m_photos_setMeta(self, nsid: str, args: dict[str, str]) -> dict[str, object]:
        p = self.owned(nsid, args.get("photo_id", ""))
        p.title, p.description = args.get("title", p.title), args.get("description", "")
        return {}

    def m_photos_setTags(self, nsid: str, args: dict[str, str]) -> dict[str, object]:
        self.owned(nsid, args.get("photo_id", "")).raw_tags = parse_tags(args.get("tags", ""))
        return {}

    def m_photos_setDates(self, nsid: str, args: dict[str, str]) -> dict[str, object]:
        self.owned(nsid, args.get("photo_id", "")).date_taken = args.get("date_taken", "")
        return {}

    def m_photos_geo_setLocation(self, nsid: str, args: dict[str, str]) -> dict[str, object]:
        p = self.owned(nsid, args.get("photo_id", ""))
        try:
            lat, lon = float(args["lat"]), float(args["lon"])
        except (KeyError, ValueError):
            raise ApiError(2, "Required arguments missing") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise (
                ApiError(3, "Not a valid latitude")
                if abs(lat) > 90
                else ApiError(4, "Not a valid longitude")
            )
        p.geo = (lat, lon, int(args.get("accuracy", "16")))
        return {}

    def m_photos_geo_removeLocation(self, nsid: str, args: dict[str, str]) -> dict[str, object]:
        self.owned(nsid, args.get("photo_id", "")).geo = None
        return {}

    def m_photos_geo_setPerms(self, nsid: str, args: dict[str, str]) -> dict[str, object]:
        p = self.owned(nsid, args.get("photo_id", ""))
        p.geo_perms = {k: int(args.get(k, "0")) for k in
                       ("is_public", "is_contact", "is_friend", "is_family")}  # fmt: skip
        return {"photoid": {"_content": p.id}}

    def m_photos_upload_checkTickets(self, nsid: str, args: dict[str, str]) -> dict[str, object]:
        out = []
        for tid in filter(None, args.get("tickets", "").split(",")):
            if tid not in self.tickets:
                out.append({"id": tid, "invalid": 1})
            elif self.pending_checks > 0:
                self.pending_checks -= 1
                out.append({"id": tid, "complete": 0})
            else:
                complete, pid = self.tickets[tid]
                out.append({"id": tid, "complete": complete, "photoid": pid})
        return {"uploader": {"ticket": out}}

    def m_photosets_create(self, nsid: str, args: dict[str, str]) -> dict[str, object]:
        if not args.get("title"):
            raise ApiError(2, "No title specified")
        primary = self.owned(nsid, args.get("primary_photo_id", "")).id
        sid = self.next_id()
        self.sets[sid] = Photoset(sid, nsid, args["title"], args.get("description", ""),
                                  [primary])  # fmt: skip
        return {"photoset": {"id": sid, "url": f"https://www.flickr.com/photos/x/sets/{sid}/"}}

    def _set(self, nsid: str, args: dict[str, str]) -> Photoset:
        s = self.sets.get(args.get("photoset_id", ""))
        if s is None or s.owner != nsid:
            raise ApiError(1, "Photoset not found")
        return s

    def m_photosets_addPhoto(self, nsid: str, args: dict[str, str]) -> dict[str, object]:
        s = self._set(nsid, args)
        pid = self.owned(nsid, args.get("photo_id", "")).id
        if pid in s.photos:
            raise ApiError(3, "Photo already in set")
        s.photos.append(pid)
        return {}

    def m_photosets_getList(self, nsid: str, args: dict[str, str]) -> dict[str, object]:
        mine = [s for s in self.sets.values() if s.owner == nsid]

        def row(s: Photoset) -> dict[str, object]:
            return {"id": s.id, "primary": s.primary, "photos": len(s.photos), "videos": 0,
                    "title": {"_content": s.title},
                    "description": {"_content": s.description}}  # fmt: skip

        out = _page(args, mine, row)
        out["photoset"] = out.pop("photo")
        return {"photosets": out}

    def m_photosets_getPhotos(self, nsid: str, args: dict[str, str]) -> dict[str, object]:
        s = self._set(nsid, args)
        out = _page(args, [self.photos[p] for p in s.photos], _brief)
        out.update(id=s.id, primary=s.primary, owner=s.owner, title=s.title)
        return {"photoset": out}

    def m_photosets_reorderPhotos(self, nsid: str, args: dict[str, str]) -> dict[str, object]:
        s = self._set(nsid, args)
        order = [p for p in args.get("photo_ids", "").split(",") if p in s.photos]
        s.photos = order + [p for p in s.photos if p not in order]
        return {}


def _machine_match(wanted: str, tag: str) -> bool:
    tag = tag.lower()
    return tag.startswith(wanted) if wanted.endswith("=") else tag == wanted


def _brief(p: Photo) -> dict[str, object]:
    geo = {f"geo_{k}": p.geo_perms.get(k, 1) for k in
           ("is_public", "is_contact", "is_friend", "is_family")} if p.geo else {}  # fmt: skip
    return {**geo, "id": p.id, "owner": p.owner, "title": p.title, "ispublic": p.is_public,
            "isfriend": p.is_friend, "isfamily": p.is_family, "datetaken": p.date_taken,
            "machine_tags": " ".join(t for t in p.raw_tags if ":" in t and "=" in t),
            "tags": " ".join(_norm(t) for t in p.raw_tags),
            "media": p.media, "description": {"_content": p.description},
            "latitude": p.geo[0] if p.geo else 0,
            "longitude": p.geo[1] if p.geo else 0}  # fmt: skip


def _page(args: dict[str, str], items: list, row: Callable) -> dict[str, object]:  # type: ignore[type-arg]
    per_page = max(1, min(500, int(args.get("per_page", "100"))))
    page = max(1, int(args.get("page", "1")))
    chunk = items[(page - 1) * per_page : page * per_page]
    pages = max(1, -(-len(items) // per_page))
    return {"page": page, "pages": pages, "perpage": per_page, "total": len(items),
            "photo": [row(i) for i in chunk]}  # fmt: skip


def _media_type(filename: str, data: bytes) -> str:
    """Flickr sniffs photos; videos are accepted only with a video extension in the name."""
    ext = ("." + filename.rsplit(".", 1)[-1].lower()) if "." in filename else ""
    if (
        data[:3] == b"\xff\xd8\xff"
        or data[:8] == b"\x89PNG\r\n\x1a\n"
        or data[:4]
        in (
            b"II*\x00",
            b"MM\x00*",
        )
    ):
        return "photo"
    if data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1"):
        return "photo"
    if (data[4:8] == b"ftyp" or data[:4] == b"RIFF") and ext in VIDEO_EXTS:
        return "video"
    raise ApiError(5, "Filetype was not recognised")


def render_json(result: object) -> bytes:
    if isinstance(result, ApiError):
        return json.dumps({"stat": "fail", "code": result.code, "message": result.message}).encode()
    return json.dumps({**result, "stat": "ok"}).encode()  # type: ignore[dict-item]


def render_xml(result: object) -> bytes:
    if isinstance(result, ApiError):
        inner = f"<err code={quoteattr(str(result.code))} msg={quoteattr(result.message)} />"
        return f'<?xml version="1.0" encoding="utf-8" ?>\n<rsp stat="fail">{inner}</rsp>'.encode()
    body = "".join(_xml(k, v) for k, v in result.items())  # type: ignore[attr-defined]
    return f'<?xml version="1.0" encoding="utf-8" ?>\n<rsp stat="ok">{body}</rsp>'.encode()


def _xml(name: str, value: object) -> str:
    if isinstance(value, list):
        return "".join(_xml(name, v) for v in value)
    if not isinstance(value, dict):
        return f"<{name}>{escape(str(value))}</{name}>"
    attrs = "".join(
        f" {k}={quoteattr(str(v))}" for k, v in value.items() if not isinstance(v, dict | list)
        and k != "_content"
    )  # fmt: skip
    kids = "".join(_xml(k, v) for k, v in value.items() if isinstance(v, dict | list))
    text = escape(str(value.get("_content", "")))
    return f"<{name}{attrs}>{text}{kids}</{name}>"
