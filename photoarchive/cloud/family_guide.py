"""README.html and README.txt at the bucket root: how the family finds and downloads the photos.

Written for someone who has never heard of this program. Both files are small and rewritten
when their content changes, so they are stored as STANDARD (no Nearline 30-day minimum).
"""

from __future__ import annotations

import html
import logging
import re
import sqlite3
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from photoarchive.archive import iter_archive_files
from photoarchive.catalog import Catalog
from photoarchive.cloud.guide_text import CONSOLE, Block, guide_blocks
from photoarchive.cloud.state import b64
from photoarchive.cloud.target import Target
from photoarchive.config import Settings
from photoarchive.media import MEDIA_KINDS, Kind, kind_of

if TYPE_CHECKING:
    from google.api_core.retry import Retry
    from google.cloud import storage

    from photoarchive.cloud.plan import SyncPlan

log = logging.getLogger(__name__)


_TITLES = """
CREATE TABLE IF NOT EXISTS sync_week_titles (
    week TEXT PRIMARY KEY, probe TEXT NOT NULL, probe_mtime_ns INTEGER NOT NULL, title TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class WeekEntry:
    week: str
    title: str
    photos: int  # photos, RAWs and videos; side files are not counted


def console_link(target: Target, folder: str = "") -> str:
    path = "/".join(p for p in (target.bucket, target.prefix, folder) if p)
    return f"{CONSOLE}/{quote(path)}"


def _read_title(path: Path) -> str:
    """The photo's title as the metadata module reads it; a damaged file gives no title."""
    from photoarchive.metadata.reading import read_metadata  # loaded only when a guide is written

    try:
        return (read_metadata(path).title or "").strip()
    except Exception as exc:  # a damaged file must not stop the guide
        log.info("no title from %s: %s", path, exc)
        return ""


def week_index(
    root: Path,
    conn: sqlite3.Connection,
    read_title: Callable[[Path], str] = _read_title,
    files: Iterable[tuple[str, Path]] | None = None,
) -> list[WeekEntry]:
    """Weeks oldest first, titled from their first photo; titles are cached by that photo's
    mtime so a no-change sync reads no file. `files`: (week, path) pairs already scanned."""
    conn.executescript(_TITLES)
    cached = {r[0]: (r[1], r[2], r[3]) for r in conn.execute("SELECT * FROM sync_week_titles")}
    counts: dict[str, int] = {}
    probes: dict[str, Path] = {}
    if files is None:
        files = ((f.week, f.path) for f in iter_archive_files(root))
    for week, path in files:
        kind = kind_of(path.name)
        if kind in MEDIA_KINDS:
            counts[week] = counts.get(week, 0) + 1
            if kind is Kind.PHOTO and (week not in probes or path.name < probes[week].name):
                probes[week] = path
    entries, fresh = [], []
    for week in sorted(counts):
        title = ""
        probe = probes.get(week)
        if probe is not None:
            try:
                mtime = probe.stat().st_mtime_ns
            except OSError:
                mtime = -1
            old = cached.get(week)
            if old and old[0] == probe.name and old[1] == mtime:
                title = old[2]
            else:
                title = read_title(probe)
                fresh.append((week, probe.name, mtime, title))
        entries.append(WeekEntry(week, title, counts[week]))
    if fresh:
        conn.executemany("INSERT OR REPLACE INTO sync_week_titles VALUES (?,?,?,?)", fresh)
    return entries


def render_text(
    target: Target,
    weeks: list[WeekEntry],
    contact: str,
    today: date,
    settings: Settings | None = None,
    total_bytes: int = 0,
) -> str:
    blocks = _blocks(target, weeks, contact, settings, total_bytes)
    total = sum(w.photos for w in weeks)
    lines = ["FAMILY PHOTO ARCHIVE", "===================="]
    for b in blocks:
        if b.kind == "h":
            lines += ["", b.text, "-" * len(b.text)]
        elif b.kind == "pre":
            lines += ["", *("  " + line for line in b.text.splitlines())]
        else:
            lines += ["", *textwrap.wrap(b.text, 90, break_on_hyphens=False)]
    head = f"Weeks ({len(weeks)} weeks, {total} photos and videos; updated {today.isoformat()})"
    lines += ["", head, "-----"]
    for w in reversed(weeks):
        title = f"  {w.title}" if w.title else ""
        lines.append(f"{w.week}/  {w.photos:5d} photos{title}")
    return "\n".join(lines) + "\n"


_URL = re.compile(r"(https?://[^\s<>\"']+[^\s<>\"'.,:;)])")


def _inline(text: str) -> str:
    """Escaped text with its addresses as links and `commands` as code."""
    out = _URL.sub(lambda m: f'<a href="{m.group(1)}">{m.group(1)}</a>', html.escape(text))
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", out)


def render_html(
    target: Target,
    weeks: list[WeekEntry],
    contact: str,
    today: date,
    settings: Settings | None = None,
    total_bytes: int = 0,
) -> str:
    e = html.escape
    total = sum(w.photos for w in weeks)
    body = []
    for b in _blocks(target, weeks, contact, settings, total_bytes):
        if b.kind == "h":
            body.append(f"<h2>{e(b.text)}</h2>")
        elif b.kind == "pre":
            body.append(f"<pre>{e(b.text)}</pre>")
        else:
            body.append(f"<p>{_inline(b.text)}</p>")
    rows = "\n".join(
        f'<tr><td><a href="{e(console_link(target, w.week))}">{e(w.week)}</a></td>'
        f"<td>{e(w.title)}</td><td class=n>{w.photos}</td></tr>"
        for w in reversed(weeks)
    )
    nl = "\n"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Family photo archive</title>
<style>body{{font-family:sans-serif;max-width:50em;margin:2em auto;padding:0 1em;line-height:1.5}}
code,pre{{background:#f3f3f3;padding:.2em .4em}} pre{{overflow-x:auto}} td{{padding:.2em .8em}}
.n{{text-align:right}} a{{overflow-wrap:anywhere}}
</style></head><body>
<h1>Family photo archive</h1>
{nl.join(body)}
<h2>Weeks</h2>
<p>{len(weeks)} weeks, {total} photos and videos. Updated {today.isoformat()}.</p>
<table><tr><th>Week</th><th>Title</th><th>Photos</th></tr>
{rows}
</table></body></html>
"""


def _blocks(
    target: Target,
    weeks: list[WeekEntry],
    contact: str,
    settings: Settings | None,
    total_bytes: int,
) -> list[Block]:
    example = weeks[-1].week if weeks else ""
    return guide_blocks(settings or Settings(), target, total_bytes, len(weeks), example, contact)


def publish_guide(
    settings: Settings,
    plan: SyncPlan,
    bucket: storage.Bucket,
    catalog: Catalog,
    retry: Retry,
    today: date | None = None,
) -> bool:
    """Upload both files when their content differs from the bucket's; True if written."""
    import hashlib

    target = plan.target
    scanned = [(f.week, f.path) for f in plan.local]
    weeks = week_index(settings.archive, catalog.conn, files=scanned)
    day = today or date.today()
    size = sum(f.size for f in plan.local)
    args = (target, weeks, settings.sync_contact, day, settings, size)
    texts = {
        "README.html": (render_html(*args), "text/html"),
        "README.txt": (render_text(*args), "text/plain"),
    }
    written = False
    for name, (text, ctype) in texts.items():
        data = text.encode("utf-8")
        old = bucket.get_blob(name, retry=retry)  # at the bucket root, whatever the prefix
        if old is not None and old.md5_hash == b64(hashlib.md5(data).digest()):
            continue
        blob = bucket.blob(name)
        blob.storage_class = "STANDARD"
        blob.upload_from_string(
            data,
            f"{ctype}; charset=utf-8",
            if_generation_match=int(old.generation or 0) if old else 0,
            retry=retry,
        )
        written = True
    return written
