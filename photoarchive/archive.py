"""Archive layout: one flat level of weekly folders, temp names, and the archive lock.

The archive must stay understandable without this program: folder names sort by time and
nothing but photos (and their side files) lives in them, apart from short-lived temp files that
carry a suffix no camera uses.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from photoarchive.private import open_private, private_dir

log = logging.getLogger(__name__)

TEMP_SUFFIX = ".photoarchive-tmp"
# Each week folder's list of its files (durability.manifest): synced with the week, never
# catalogued as a photo.
MANIFEST_NAME = "photoarchive-manifest.txt"


class ArchiveBusy(RuntimeError):
    """Another photoarchive job holds this archive."""


class BadWeekPattern(ValueError):
    """The configured week folder pattern cannot name weeks apart."""


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_folder(when: datetime | date, pattern: str) -> str:
    """Folder name of the Monday-to-Sunday week holding `when` (its wall-clock date)."""
    day = when.date() if isinstance(when, datetime) else when
    monday = monday_of(day)
    return datetime(monday.year, monday.month, monday.day).strftime(pattern)


def week_monday(week: str, pattern: str) -> date | None:
    """The Monday a week folder is named after (also for ISO names such as 2024-W23, which
    need a weekday to parse); None for a name the pattern does not give."""
    for fmt, text in ((pattern, week), (pattern + " %u", week + " 1")):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def week_span(monday: date, month: str = "%B", dash: str = "–") -> str:
    """A week's dates for people: '1–7 May 2023', '29 April – 5 May 2023'; `dash` is what
    stands between two days of one month, `month` the month's strftime code."""
    sunday = monday + timedelta(days=6)
    if monday.month == sunday.month:
        return f"{monday.day}{dash}{sunday.day} {sunday:{month} %Y}"
    if monday.year == sunday.year:
        return f"{monday.day} {monday:{month}} – {sunday.day} {sunday:{month} %Y}"
    return f"{monday.day} {monday:{month} %Y} – {sunday.day} {sunday:{month} %Y}"


def check_week_pattern(pattern: str) -> None:
    """Reject patterns that nest folders or give two weeks the same name."""
    if "/" in pattern or "\\" in pattern or not pattern.strip():
        raise BadWeekPattern(f"week folder pattern {pattern!r} must name one folder level")
    start = date(2023, 12, 18)
    names = [week_folder(start + timedelta(weeks=i), pattern) for i in range(60 * 7)]
    if len(set(names)) != len(names):
        raise BadWeekPattern(
            f"week folder pattern {pattern!r} gives different weeks the same folder name; "
            "include the Monday's date (%Y-%m-%d) or the ISO week (%G-W%V)"
        )
    if any(n.startswith(".") for n in names):
        raise BadWeekPattern(f"week folder pattern {pattern!r} gives hidden folder names")


def temp_name(final_name: str) -> str:
    import uuid  # here: uuid imports platform (~5 ms), and only writers need a temp name

    return f".{final_name}.{uuid.uuid4().hex[:8]}{TEMP_SUFFIX}"


def is_temp(name: str) -> bool:
    return name.startswith(".") and name.endswith(TEMP_SUFFIX)


@dataclass(frozen=True)
class ArchivedFile:
    week: str
    name: str
    path: Path

    @property
    def rel(self) -> str:
        return f"{self.week}/{self.name}"


def iter_weeks(root: Path) -> list[str]:
    """Week folder names, oldest first; hidden folders are not weeks."""
    try:
        entries = list(os.scandir(root))
    except FileNotFoundError:
        return []
    return sorted(e.name for e in entries if e.is_dir(follow_symlinks=False) and e.name[0] != ".")


def iter_archive_files(root: Path, manifests: bool = False) -> Iterator[ArchivedFile]:
    """Every regular file in the week folders, skipping temporaries and hidden files, and the
    week manifests unless asked for (the sync sends them with their week)."""
    for week in iter_weeks(root):
        with os.scandir(root / week) as it:
            for entry in sorted(it, key=lambda e: e.name):
                if entry.name.startswith(".") or not entry.is_file(follow_symlinks=False):
                    continue
                if entry.name == MANIFEST_NAME and not manifests:
                    continue
                yield ArchivedFile(week, entry.name, Path(entry.path))


def clean_stale_temps(root: Path) -> list[Path]:
    """Remove temporaries a killed run left; call only while holding the archive lock."""
    removed = []
    for week in iter_weeks(root):
        with os.scandir(root / week) as it:
            for entry in it:
                if is_temp(entry.name):
                    try:
                        os.unlink(entry.path)
                        removed.append(Path(entry.path))
                    except OSError as exc:
                        log.warning("cannot remove stale temporary %s: %s", entry.path, exc)
    if removed:
        log.info("removed %d stale temporary files", len(removed))
    return removed


@contextmanager
def archive_lock(lock_path: Path) -> Iterator[None]:
    """One writer per archive; the lock dies with its process, so kill -9 never wedges it."""
    private_dir(lock_path.parent)
    fd = open_private(lock_path, os.O_RDWR)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                raise ArchiveBusy(
                    "another photoarchive job is writing to this archive; try again when it ends"
                ) from exc
            raise
        yield
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
