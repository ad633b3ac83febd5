"""The ledger: per week, how many verified copies of its photos exist and where.

A week's copies: the **archive** (every photo present and re-read within the policy's days,
none damaged; an import's read-back counts as a re-read), the **bucket** (every photo's
current content uploaded with a matching checksum and not found changed or missing since),
and the **card** it came from once the user has labelled it (cards in the safe). Flickr is
shown beside them (how many photos are there) but never counts: it is a cache. One SQL pass
over the catalog: 25,000 photos in well under a second.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field

from photoarchive.catalog import Catalog
from photoarchive.cloud.status import ensure_schema as ensure_sync_schema
from photoarchive.cloud.target import target_url
from photoarchive.config import Settings
from photoarchive.durability.cards import volume_names
from photoarchive.durability.checks import ensure_schema
from photoarchive.names import from_db

DAY = 86400.0


@dataclass
class WeekLedger:
    week: str
    photos: int
    verified: int  # archive copies re-read (or imported) within the policy's days, intact
    damaged: int  # archive copies found damaged or missing by the last scrub
    edited: int  # changed by another program (metadata only); not yet accepted
    in_bucket: int  # current content in the bucket, checksum-verified
    bucket_bad: int  # bucket objects found changed or missing by the last remote scrub
    last_verified: float | None  # the oldest re-read among its photos (None: never)
    cards: list[str] = field(default_factory=list)  # labels, or ids of unlabelled cards
    labelled_cards: bool = False  # every photo came from a labelled card
    on_flickr: int = 0  # photos on Flickr: shown, never counted as a copy (a cache that may vanish)
    copies: int = 0
    problems: list[str] = field(default_factory=list)
    ok: bool = True

    @property
    def only_local(self) -> bool:
        return self.in_bucket < self.photos and not self.labelled_cards


@dataclass
class Ledger:
    weeks: list[WeekLedger]
    policy_copies: int
    policy_days: int
    bucket: str

    @property
    def short(self) -> list[WeekLedger]:
        return [w for w in self.weeks if not w.ok]

    def summary(self) -> str:
        photos = sum(w.photos for w in self.weeks)
        enough = sum(w.copies >= self.policy_copies for w in self.weeks)
        local = sum(w.only_local for w in self.weeks)
        damaged = sum(bool(w.damaged or w.bucket_bad) for w in self.weeks)
        return (
            f"{len(self.weeks):,} weeks, {photos:,} photos: {enough:,} weeks with "
            f"{self.policy_copies} verified copies, {local:,} only local, {damaged:,} damaged"
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "summary": self.summary(),
                "policy": {"copies": self.policy_copies, "verified_within_days": self.policy_days},
                "bucket": self.bucket,
                "short": [w.week for w in self.short],
                "weeks": [asdict(w) for w in self.weeks],
            }
        )


_QUERY = """
SELECT f.week,
       COUNT(*),
       SUM(COALESCE(c.local_state IN ('ok') AND c.local_at >= :since,
                    c.local_state IS NULL AND i.finished_at >= :since, 0)),
       SUM(COALESCE(c.local_state IN ('damaged', 'missing'), 0)),
       SUM(COALESCE(c.local_state = 'edited', 0)),
       SUM(s.hash IS NOT NULL AND s.hash = f.hash),
       SUM(COALESCE(c.remote_state IN ('changed', 'missing'), 0)),
       MIN(COALESCE(c.local_at, i.finished_at, 0)),
       GROUP_CONCAT(DISTINCT f.source_volume),
       SUM(k.label IS NOT NULL),
       SUM(EXISTS(SELECT 1 FROM flickr_photos p
                  WHERE p.identity = f.import_hash AND p.photo_id IS NOT NULL))
FROM files f
LEFT JOIN durability_checks c ON c.path = f.path
LEFT JOIN imports i ON i.id = f.import_id
LEFT JOIN sync_objects s ON s.target = :target AND s.path = f.path
LEFT JOIN cards k ON k.volume = f.source_volume AND k.label != ''
WHERE f.role != 'sidecar' {where}
GROUP BY f.week
ORDER BY f.week
"""


def build_ledger(settings: Settings, week: str | None = None, now: float | None = None) -> Ledger:
    now = time.time() if now is None else now
    target = target_url(settings.bucket)
    since = now - settings.policy_verify_days * DAY
    weeks: list[WeekLedger] = []
    with Catalog(settings.catalog_path) as catalog:
        ensure_schema(catalog.conn)
        ensure_sync_schema(catalog.conn)
        labels = volume_names(catalog)  # the user's label, else 'EOS_DIGITAL 32 GB'
        sql = _QUERY.format(where="AND f.week = :week" if week else "")
        params = {"since": since, "target": target, "week": week}
        for row in catalog.conn.execute(sql, params):
            name = from_db(row[0]) or ""
            volumes = [v for v in (row[8] or "").split(",") if v]
            w = WeekLedger(
                week=name,
                photos=int(row[1]),
                verified=int(row[2] or 0),
                damaged=int(row[3] or 0),
                edited=int(row[4] or 0),
                in_bucket=int(row[5] or 0),
                bucket_bad=int(row[6] or 0),
                last_verified=float(row[7]) if row[7] else None,
                cards=sorted(labels.get(v) or v for v in volumes),
                labelled_cards=int(row[9] or 0) == int(row[1]),
                on_flickr=int(row[10] or 0),
            )
            _judge(w, settings, bool(target))
            weeks.append(w)
    return Ledger(weeks, settings.policy_copies, settings.policy_verify_days, target)


def _judge(w: WeekLedger, settings: Settings, has_bucket: bool) -> None:
    archive_ok = w.verified == w.photos and not w.damaged
    bucket_ok = has_bucket and w.in_bucket == w.photos and not w.bucket_bad
    w.copies = int(archive_ok) + int(bucket_ok) + int(w.labelled_cards)
    if w.damaged:
        w.problems.append(f"{w.damaged} damaged or missing in the archive (scrub --repair)")
    if w.edited:
        w.problems.append(f"{w.edited} changed by another program (metadata only)")
    if w.bucket_bad:
        w.problems.append(f"{w.bucket_bad} bucket object(s) changed or missing (scrub --remote)")
    if not archive_ok and not w.damaged:
        days = settings.policy_verify_days
        w.problems.append(f"{w.photos - w.verified} not re-read within {days} days (scrub)")
    if has_bucket and w.in_bucket < w.photos:
        w.problems.append(f"{w.photos - w.in_bucket} not in the bucket (sync)")
    w.ok = w.copies >= settings.policy_copies and not (w.damaged or w.bucket_bad)
