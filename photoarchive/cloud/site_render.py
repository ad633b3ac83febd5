"""The family's web pages as plain HTML and CSS: the list of weeks and one page per week.

No script, no external resources: every address is absolute (the browser download address
redirects, so relative links would not resolve), pages read well on a phone, and photos link to
their originals through the authenticated download address a signed-in relative can open.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from photoarchive.archive import week_monday, week_span
from photoarchive.jobs import human_bytes

SITE_VERSION = "1"  # bump when the page layout changes: every week is rebuilt once
INDEX_THUMBS = 4

_CSS = """
body{font-family:system-ui,sans-serif;margin:0 auto;max-width:70em;padding:0 .8em 2em;
line-height:1.45;color:#222;background:#fafafa}
h1{font-size:1.6em;margin:.6em 0 .2em} .lead{font-size:1.05em;max-width:42em}
a{color:#0b57d0} .muted{color:#666;font-size:.92em}
.weeks{list-style:none;padding:0;margin:1em 0}
.weeks li{background:#fff;border:1px solid #ddd;border-radius:8px;margin:.7em 0;padding:.6em .8em}
.weeks .head{display:flex;flex-wrap:wrap;gap:.2em 1em;align-items:baseline}
.weeks .title{font-weight:600} .strip{display:flex;gap:4px;margin-top:.4em;overflow:hidden}
.strip img{height:72px;width:96px;object-fit:cover;border-radius:4px;background:#ddd}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(160px,1fr));gap:12px;margin:1em 0}
figure{margin:0;background:#fff;border:1px solid #ddd;border-radius:8px;overflow:hidden}
figure img{display:block;width:100%;height:160px;object-fit:cover;background:#ddd}
figure .tile{display:flex;height:160px;align-items:center;justify-content:center;background:#ddd;
color:#444;text-decoration:none;font-weight:600}
figcaption{padding:.4em .5em;font-size:.9em;overflow-wrap:anywhere}
figcaption b{display:block} .place{color:#555;font-size:.9em}
.zip{display:inline-block;margin:.3em 0;padding:.4em .8em;border:1px solid #0b57d0;
border-radius:6px}
"""


@dataclass(frozen=True)
class SitePhoto:
    name: str
    original_url: str
    thumb_url: str | None  # None: no picture (video, unreadable): a tile with the name
    title: str = ""
    caption: str = ""
    place: str = ""
    size: int = 0


@dataclass(frozen=True)
class WeekSummary:
    """What the list of weeks shows of one week (kept in the catalog between syncs)."""

    week: str
    dates: str
    title: str
    count: int
    page_url: str
    thumbs: tuple[str, ...] = ()


def object_url(base: str, bucket: str, name: str) -> str:
    """`<base>/BUCKET/OBJECT`, the object name escaped for a URL (names may hold anything)."""
    return f"{base.rstrip('/')}/{bucket}/{quote(name, safe='/')}"


def week_dates(week: str, pattern: str) -> str:
    """'1 – 7 May 2023' for a week folder named after its Monday; the name itself otherwise."""
    monday = week_monday(week, pattern)
    return week if monday is None else week_span(monday, dash=" – ")


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style></head>\n"
        f"<body>\n{body}\n</body></html>\n"
    )


def intro(contact: str) -> str:
    """The two sentences the first page opens with (also used by the ready-to-send message)."""
    who = contact.strip() or "the person who shared it with you"
    return (
        "These are the family's photos and videos, one page per week, kept safe as the "
        "original files; click a photo to download the original. "
        f"If a link does not open or something is missing, ask {who}."
    )


def render_index(weeks: Sequence[WeekSummary], contact: str, guide_url: str, updated: date) -> str:
    e = html.escape
    items = []
    for w in sorted(weeks, key=lambda w: w.week, reverse=True):
        strip = "".join(
            f'<img src="{e(t)}" alt="" loading="lazy" width="96" height="72">' for t in w.thumbs
        )
        title = f'<span class="title">{e(w.title)}</span>' if w.title else ""
        noun = "photo" if w.count == 1 else "photos"
        items.append(
            f'<li><div class="head"><a href="{e(w.page_url)}">{e(w.dates)}</a>{title}'
            f'<span class="muted">{w.count} {noun}</span></div>'
            f'<a class="strip" href="{e(w.page_url)}">{strip}</a></li>'
        )
    total = sum(w.count for w in weeks)
    body = (
        f"<h1>Family photos</h1>\n<p class=lead>{e(intro(contact))}</p>\n"
        f'<p class="muted">{len(weeks)} weeks, {total} photos and videos; updated '
        f'{updated.isoformat()}. <a href="{e(guide_url)}">How to download a week or '
        f"everything, and what it costs</a>.</p>\n"
        f'<ul class="weeks">\n{chr(10).join(items)}\n</ul>'
    )
    return _page("Family photos", body)


def render_week(
    week: WeekSummary,
    photos: Sequence[SitePhoto],
    index_url: str,
    zip_url: str | None = None,
    zip_size: int = 0,
) -> str:
    e = html.escape
    figures = []
    for p in photos:
        label = p.title or p.name
        if p.thumb_url:
            pic = (
                f'<a href="{e(p.original_url)}"><img src="{e(p.thumb_url)}" alt="{e(label)}" '
                f'loading="lazy"></a>'
            )
        else:
            pic = f'<a class="tile" href="{e(p.original_url)}">{e(p.name)}</a>'
        text = f"<b>{e(p.title)}</b>" if p.title else ""
        text += e(p.caption)
        if p.place:
            text += f'<div class="place">{e(p.place)}</div>'
        text += f'<div class="muted">{e(p.name)} · {human_bytes(p.size)}</div>'
        figures.append(f"<figure>{pic}<figcaption>{text}</figcaption></figure>")
    zip_link = (
        f'<p><a class="zip" href="{e(zip_url)}">Download the whole week as one ZIP file '
        f"({human_bytes(zip_size)})</a></p>\n"
        if zip_url
        else ""
    )
    heading = e(week.title) if week.title else e(week.dates)
    sub = e(week.dates) if week.title else ""
    body = (
        f'<p><a href="{e(index_url)}">← All weeks</a></p>\n<h1>{heading}</h1>\n'
        f'<p class="muted">{sub} · {len(photos)} photos and videos. Click a photo to '
        f"download the original file.</p>\n{zip_link}"
        f'<div class="grid">\n{chr(10).join(figures)}\n</div>'
    )
    return _page(week.title or week.dates, body)
