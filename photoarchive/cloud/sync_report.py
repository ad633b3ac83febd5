"""What a sync did, in words (the GUI's job line, the CLI), and why each week is not synced.

The per-week reasons are kept in the catalog (`sync_week_notes`, created by cloud.status) so
the week list's badge can say "synced 28/29 (1 held back)" without loading the Google libraries.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import dataclass, field

from photoarchive.cloud.plan import SyncPlan
from photoarchive.cloud.site import SiteReport
from photoarchive.cloud.status import ensure_schema
from photoarchive.config import Settings
from photoarchive.jobs import Problem


@dataclass
class SyncSummary:
    plan: SyncPlan
    uploaded: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    already_there: list[str] = field(default_factory=list)  # arrived in an earlier attempt
    skipped_changed: list[str] = field(default_factory=list)
    skipped_damaged: list[str] = field(default_factory=list)  # image data changed: see scrub
    deleted: list[str] = field(default_factory=list)
    bytes_sent: int = 0
    problems: list[Problem] = field(default_factory=list)
    guide_written: bool = False
    site: SiteReport | None = None  # the family's pages, when the site is on
    dry_run: bool = False
    cancelled: bool = False
    seconds: float = 0.0
    settings: Settings | None = None  # for the prices in in_words()

    @property
    def ok(self) -> bool:
        return not self.problems and not self.cancelled

    def in_words(self, settings: Settings | None = None) -> str:
        return summary_words(self, settings or self.settings)


def summary_words(s: SyncSummary, settings: Settings | None = None) -> str:
    """One sentence a person can read: sent, replaced, held back, skipped and why."""
    plan = s.plan
    if s.dry_run:
        return "dry run: nothing was sent"
    parts = [f"sent {len(s.uploaded)} new"]
    if s.replaced or plan.edited:
        text = f"replaced {len(s.replaced)} edited"
        if settings is not None and s.replaced:
            text += f" ({plan.early_charge(settings.price_storage_gb_month).words()})"
        parts.append(text)
    found = len(s.already_there) + len(plan.adopt)
    if found:
        parts.append(f"{found} found already there")
    if plan.held_back:
        parts.append(
            f"held back {len(plan.held_back)} (weeks edited in the last "
            f"{plan.hold_back_days} days: {', '.join(plan.held_weeks)})"
        )
    if s.skipped_damaged:
        parts.append(
            f"skipped {len(s.skipped_damaged)} possibly damaged (image data changed; "
            "check with scrub: Tools → Safety)"
        )
    if s.skipped_changed:
        parts.append(
            f"skipped {len(s.skipped_changed)} changed in the bucket or not told apart from damage"
        )
    failed = len(s.problems) - len(s.skipped_damaged)
    if failed > 0:
        parts.append(f"{failed} problem(s), listed under Problems")
    if s.site is not None and s.site.weeks_rebuilt:
        parts.append(f"family pages updated for {len(s.site.weeks_rebuilt)} week(s)")
    if s.cancelled:
        parts.append("cancelled")
    return "; ".join(parts)


def week_notes(plan: SyncPlan, s: SyncSummary) -> dict[str, str]:
    """week -> why some of its files are not in the bucket as they are now."""
    counts: dict[str, Counter[str]] = {}

    def add(rel: str, why: str) -> None:
        counts.setdefault(rel.split("/", 1)[0], Counter())[why] += 1

    for item in plan.held_back:
        add(item.rel, f"held back: edited in the last {plan.hold_back_days} days")
    for rel in s.skipped_damaged:
        add(rel, "possibly damaged: check with scrub (Tools → Safety)")
    for rel in s.skipped_changed:
        add(rel, "changed, not replaced")
    skipped = set(s.skipped_damaged)
    for p in list(plan.problems) + list(s.problems):
        if "/" in p.path and p.path not in skipped and not p.path.startswith(("_site", "gs:")):
            add(p.path, "not sent: see the sync's problems")
    return {
        week: "; ".join(f"{n} {why}" for why, n in c.most_common()) for week, c in counts.items()
    }


def save_week_notes(conn: sqlite3.Connection, target: str, notes: dict[str, str]) -> None:
    ensure_schema(conn)
    with conn:
        conn.execute("DELETE FROM sync_week_notes WHERE target=?", (target,))
        conn.executemany(
            "INSERT INTO sync_week_notes VALUES (?,?,?)",
            [(target, week, note) for week, note in notes.items()],
        )
