"""README.html and README.txt at the bucket root: how the family finds and downloads the photos.

Written for someone who has never heard of this program. Both files are small and rewritten
when their content changes, so they are stored as STANDARD (no Nearline 30-day minimum).
"""

from __future__ import annotations

import html
import logging
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from photoarchive.archive import MANIFEST_NAME, iter_archive_files
from photoarchive.catalog import Catalog
from photoarchive.cloud.state import b64
from photoarchive.cloud.target import Target
from photoarchive.config import Settings
from photoarchive.manifest import CHECK_COMMAND
from photoarchive.media import MEDIA_KINDS, Kind, kind_of

if TYPE_CHECKING:
    from google.api_core.retry import Retry
    from google.cloud import storage

    from photoarchive.cloud.plan import SyncPlan

log = logging.getLogger(__name__)

CONSOLE = "https://console.cloud.google.com/storage/browser"

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


def _commands(target: Target) -> tuple[str, str]:
    gcloud = f"gcloud storage cp -r {target.url} ."
    path = f"{target.bucket}/{target.prefix}" if target.prefix else target.bucket
    rclone = f'rclone copy "REMOTE:{path}" "./family-photos" --progress'
    return gcloud, rclone


def render_text(target: Target, weeks: list[WeekEntry], contact: str, today: date) -> str:
    gcloud, rclone = _commands(target)
    total = sum(w.photos for w in weeks)
    who = contact or "the person who set this up"
    lines = [
        "FAMILY PHOTO ARCHIVE",
        "====================",
        "",
        "What this is",
        "------------",
        "The family's photos and videos: the original files, exactly as they came from the",
        "cameras, with dates, places and captions stored inside each file. There is one folder",
        "per week, named after the Monday of that week. Any photo program can open the files.",
        "",
        f"Who to ask: {who}",
        "",
        "How to look at the photos in a web browser",
        "------------------------------------------",
        "Open this address and sign in with the Google account you were given access with:",
        f"  {console_link(target)}",
        "Click a week folder, then a photo, then 'Download'.",
        "",
        "How to download everything",
        "--------------------------",
        "With the Google Cloud command-line tools (https://cloud.google.com/sdk):",
        "  gcloud auth login",
        f"  {gcloud}",
        "Or with rclone (https://rclone.org): run `rclone config`, add a remote of type",
        "'Google Cloud Storage' (call it REMOTE) and sign in, then:",
        f"  {rclone}",
        "Downloading from this 'Nearline' storage costs about one cent per gigabyte.",
        "",
        "How to check that downloaded photos are intact",
        "----------------------------------------------",
        f"Each week folder holds {MANIFEST_NAME}, a list of its files with their BLAKE3",
        "checksums. With b3sum (https://github.com/BLAKE3-team/BLAKE3), inside a week folder:",
        f"  {CHECK_COMMAND}",
        "Every line should end in OK.",
        "",
        f"Weeks ({len(weeks)} weeks, {total} photos and videos; updated {today.isoformat()})",
        "-----",
    ]
    for w in reversed(weeks):
        title = f"  {w.title}" if w.title else ""
        lines.append(f"{w.week}/  {w.photos:5d} photos{title}")
    return "\n".join(lines) + "\n"


def render_html(target: Target, weeks: list[WeekEntry], contact: str, today: date) -> str:
    e = html.escape
    gcloud, rclone = _commands(target)
    total = sum(w.photos for w in weeks)
    who = e(contact) if contact else "the person who set this up"
    rows = "\n".join(
        f'<tr><td><a href="{e(console_link(target, w.week))}">{e(w.week)}</a></td>'
        f"<td>{e(w.title)}</td><td class=n>{w.photos}</td></tr>"
        for w in reversed(weeks)
    )
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Family photo archive</title>
<style>body{{font-family:sans-serif;max-width:50em;margin:2em auto;padding:0 1em;line-height:1.5}}
code,pre{{background:#f3f3f3;padding:.2em .4em}} td{{padding:.2em .8em}} .n{{text-align:right}}
</style></head><body>
<h1>Family photo archive</h1>
<h2>What this is</h2>
<p>The family's photos and videos: the original files, exactly as they came from the cameras,
with dates, places and captions stored inside each file. There is one folder per week, named
after the Monday of that week. Any photo program can open the files.</p>
<p><b>Who to ask:</b> {who}</p>
<h2>Look at the photos in a web browser</h2>
<p>Open <a href="{e(console_link(target))}">{e(console_link(target))}</a> and sign in with the
Google account you were given access with. Click a week folder, then a photo, then
<i>Download</i>.</p>
<h2>Download everything</h2>
<p>With the <a href="https://cloud.google.com/sdk">Google Cloud command-line tools</a>:</p>
<pre>gcloud auth login
{e(gcloud)}</pre>
<p>Or with <a href="https://rclone.org">rclone</a>: run <code>rclone config</code>, add a remote
of type <i>Google Cloud Storage</i> (call it REMOTE) and sign in, then:</p>
<pre>{e(rclone)}</pre>
<p>Downloading from this "Nearline" storage costs about one cent per gigabyte.</p>
<h2>Check that downloaded photos are intact</h2>
<p>Each week folder holds <code>{MANIFEST_NAME}</code>, a list of its files with their BLAKE3
checksums. With <a href="https://github.com/BLAKE3-team/BLAKE3">b3sum</a>, inside a week folder
(every line should end in OK):</p>
<pre>{e(CHECK_COMMAND)}</pre>
<h2>Weeks</h2>
<p>{len(weeks)} weeks, {total} photos and videos. Updated {today.isoformat()}.</p>
<table><tr><th>Week</th><th>Title</th><th>Photos</th></tr>
{rows}
</table></body></html>
"""


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
    texts = {
        "README.html": (render_html(target, weeks, settings.sync_contact, day), "text/html"),
        "README.txt": (render_text(target, weeks, settings.sync_contact, day), "text/plain"),
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
