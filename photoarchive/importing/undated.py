"""Photos whose date is only a guess (no date inside, the file time used): where they go.

The plan places such a shot by its file time, which after a copy or a camera reset is often
the wrong week. Before anything is copied the user sees these shots, grouped by the week they
would land in, and chooses for all of them: the week of their neighbours on the card (the
nearest file number in the same folder with a real date, nearer in time breaking ties), a
week they pick, or the file-time week. Until a choice is applied they are held back: nothing
lands in a week the user has not seen.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from photoarchive.archive import week_folder
from photoarchive.importing.plan import ImportPlan, PlannedGroup

_NUMBER = re.compile(r"(\d+)(?!.*\d)")  # the last run of digits in a name: IMG_0123 -> 123


class Placement(StrEnum):
    NEIGHBOURS = "neighbours"  # the week of the nearest dated file on the card
    FILE_TIME = "file-time"  # the week of the file's modification time (the plan's guess)
    WEEK = "week"  # one week the user picks
    HOLD = "hold"  # not imported this time


@dataclass(frozen=True)
class Undated:
    """One shot without a date inside, and the weeks it could go to."""

    group: PlannedGroup
    file_week: str  # from the file time
    neighbour_week: str | None  # None: no dated neighbour on the card
    neighbour: str  # the neighbour's name, to show why

    @property
    def name(self) -> str:
        return self.group.group.dated[0].path.name


def _number(name: str) -> int | None:
    m = _NUMBER.search(name.rsplit(".", 1)[0])
    return int(m.group(1)) if m else None


def undated(plan: ImportPlan) -> list[Undated]:
    """The plan's shots whose date is a guess, with their neighbours' week (card order)."""
    dated: dict[str, list[tuple[int | None, int, str, str]]] = defaultdict(list)
    for g in plan.new + plan.duplicates:
        if not g.capture.guess:
            for f in g.group.dated:
                dated[str(g.group.folder)].append(
                    (_number(f.path.name), f.mtime_ns, g.week, f.path.name)
                )
    for pf in plan.already:
        if pf.content and pf.archived_as and "/" in pf.archived_as:
            src = pf.source
            week = pf.archived_as.split("/", 1)[0]
            dated[str(src.path.parent)].append(
                (_number(src.path.name), src.mtime_ns, week, src.path.name)
            )
    out = []
    for g in plan.new:
        if not g.capture.guess:
            continue
        first = g.group.dated[0]
        number, mtime = _number(first.path.name), first.mtime_ns
        best: tuple[tuple[float, float], str, str] | None = None
        for n, t, week, name in dated.get(str(g.group.folder), []):
            gap = abs(n - number) if n is not None and number is not None else float("inf")
            key = (gap, abs(t - mtime))
            if best is None or key < best[0]:
                best = (key, week, name)
        out.append(Undated(g, g.week, best[1] if best else None, best[2] if best else ""))
    return out


def by_week(items: list[Undated]) -> dict[str, list[Undated]]:
    """Grouped by the week the file time would put them in (how they are shown)."""
    groups: dict[str, list[Undated]] = defaultdict(list)
    for u in sorted(items, key=lambda u: (u.file_week, u.name)):
        groups[u.file_week].append(u)
    return dict(groups)


def target_week(item: Undated, how: Placement, week: str | None) -> str | None:
    """The week this shot goes to under a choice; None = held back."""
    if how is Placement.NEIGHBOURS:
        return item.neighbour_week or item.file_week
    if how is Placement.FILE_TIME:
        return item.file_week
    if how is Placement.WEEK:
        return week
    return None


def week_of(day: date, pattern: str) -> str:
    """The week folder a picked day belongs to."""
    return week_folder(day, pattern)


def place_undated(plan: ImportPlan, how: Placement, week: str | None = None) -> list[Undated]:
    """Apply the user's choice to the plan (in place); returns the shots held back."""
    if how is Placement.WEEK and not week:
        raise ValueError("choose the week for the photos without a date")
    held: list[Undated] = []
    for item in undated(plan):
        target = target_week(item, how, week)
        if target is None:
            held.append(item)
            plan.new.remove(item.group)
        else:
            item.group.week = target
    for dup in list(plan.duplicates):  # fallback copies of undated shots follow the choice
        if dup.capture.guess:
            if how is Placement.HOLD:
                plan.duplicates.remove(dup)
            elif how is Placement.WEEK and week:
                dup.week = week
    return held
