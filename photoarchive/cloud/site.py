"""Publishing the family's web pages into the bucket's `_site/` folder after a sync.

Only weeks whose uploaded files changed are rebuilt: each week's fingerprint (its objects'
names, generations and sizes, and the site settings) is kept in the catalog with what the list
of weeks shows, so a no-change sync reads no photo, lists nothing and sends nothing (one
request checks the list of weeks is still there; without it every week is rebuilt). Pages and
thumbnails are small STANDARD objects (rewritten on edits; Nearline would bill 30 days each
time); an object whose bytes are already there is not sent again. Only what the site itself
wrote under `_site/` is ever deleted.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from photoarchive.cloud.site_render import (
    SITE_VERSION,
    WeekSummary,
    object_url,
    render_index,
)
from photoarchive.cloud.site_week import (
    MetaReader,
    SiteWriter,
    build_week,
    index_url,
    load_places,
    site_prefix,
)
from photoarchive.cloud.state import SyncRecord, load_records
from photoarchive.cloud.target import SITE_FOLDER, Target
from photoarchive.config import Settings
from photoarchive.jobs import Cancelled, CancelToken, Problem, Progress, ProgressCallback

if TYPE_CHECKING:
    from google.api_core.retry import Retry
    from google.cloud import storage


log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS site_weeks (
    target TEXT NOT NULL, week TEXT NOT NULL, fingerprint TEXT NOT NULL,
    summary TEXT NOT NULL,  -- JSON of the WeekSummary the list of weeks shows
    PRIMARY KEY (target, week)
);
"""


@dataclass
class SiteReport:
    weeks_rebuilt: list[str] = field(default_factory=list)
    uploaded: list[str] = field(default_factory=list)  # object names sent
    deleted: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    index_url: str = ""


def _fingerprint(settings: Settings, records: list[SyncRecord]) -> str:
    h = hashlib.sha256()
    head = (SITE_VERSION, settings.site_base_url, settings.site_zips, settings.week_pattern)
    h.update(repr(head).encode())
    for r in sorted(records, key=lambda r: r.path):
        h.update(
            f"\0{r.path}\0{r.object}\0{r.generation}\0{r.size}".encode("utf-8", "surrogateescape")
        )
    return h.hexdigest()


def publish_site(
    settings: Settings,
    target: Target,
    bucket: storage.Bucket,
    conn: sqlite3.Connection,
    retry: Retry,
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
    today: date | None = None,
    listing: dict[str, tuple[str, int]] | None = None,
) -> SiteReport:
    """Bring `_site/` in line with what the bucket holds of the archive (its sync records).

    listing: what `_site/` held at the sync's own listing (name -> md5, generation), so
    nothing is listed again; every write is conditional on the generation seen, so a page
    changed meanwhile is refused (a problem), never overwritten."""
    cancel = cancel or CancelToken()
    conn.executescript(_SCHEMA)
    report = SiteReport(index_url=index_url(settings, target))
    by_week: dict[str, list[SyncRecord]] = {}
    for rec in load_records(conn, target).values():
        by_week.setdefault(rec.path.split("/", 1)[0], []).append(rec)
    stored = {
        r[0]: (r[1], r[2])
        for r in conn.execute(
            "SELECT week, fingerprint, summary FROM site_weeks WHERE target=?", (target.url,)
        )
    }
    prefix = site_prefix(target)
    # A no-change sync lists nothing here: one request for the list of weeks, and weeks are
    # listed only when rebuilt. Without that page (deleted by hand), every week is rebuilt.
    index = f"{prefix}index.html"
    listed = listing is not None
    if listing is None:
        blob = bucket.get_blob(index, retry=retry)
        listing = {} if blob is None else {index: (blob.md5_hash or "", int(blob.generation or 0))}
    have_index = index in listing
    writer = SiteWriter(bucket, dict(listing), retry)
    read = MetaReader()
    places = load_places(settings)
    summaries: dict[str, WeekSummary] = {}
    todo = []
    for week, recs in sorted(by_week.items()):
        fp = _fingerprint(settings, recs)
        old = stored.get(week)
        if old and old[0] == fp and have_index:
            summaries[week] = WeekSummary(**_summary_args(json.loads(old[1])))
        else:
            todo.append((week, recs, fp))
    try:
        for i, (week, recs, fp) in enumerate(todo, 1):
            cancel.raise_if_cancelled()
            if progress:
                progress(Progress("site", i - 1, len(todo), current=week))
            try:
                if not listed:
                    writer.load(f"{prefix}{week}/")
                summary = build_week(settings, target, week, recs, writer, places, cancel, read)
            except Cancelled:
                raise
            except Exception as exc:
                from photoarchive.cloud.client import friendly

                problem = Problem(f"{SITE_FOLDER}/{week}", str(friendly(exc, "family pages")))
                report.problems.append(problem)
                continue
            summaries[week] = summary
            report.weeks_rebuilt.append(week)
            conn.execute(
                "INSERT OR REPLACE INTO site_weeks VALUES (?,?,?,?)",
                (target.url, week, fp, json.dumps(summary.__dict__)),
            )
    finally:
        read.close()
    gone = [w for w in stored if w not in by_week]
    for week in gone:
        if not listed:
            writer.load(f"{prefix}{week}/")
        for name in [n for n in writer.listing if n.startswith(f"{prefix}{week}/")]:
            writer.delete(name)
        conn.execute("DELETE FROM site_weeks WHERE target=? AND week=?", (target.url, week))
    if report.weeks_rebuilt or gone or not have_index:
        guide = object_url(settings.site_base_url, target.bucket, "README.html")
        page = render_index(
            list(summaries.values()), settings.sync_contact, guide, today or date.today()
        )
        writer.put(index, page.encode("utf-8"), "text/html; charset=utf-8")
    report.uploaded, report.deleted = writer.sent, writer.deleted
    return report


def _summary_args(data: dict) -> dict:  # type: ignore[type-arg]
    data["thumbs"] = tuple(data.get("thumbs") or ())
    return data
