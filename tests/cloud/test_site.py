"""The family's pages in the bucket, rendered by headless Chromium against fake-gcs-server."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import urllib.request
from dataclasses import replace
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path

import pyexiv2
import pytest
from cloud.gcs_fixtures import Gcs, make_archive
from imaging import jpeg_bytes
from PIL import Image

from photoarchive import pipeline
from photoarchive.cloud.site_week import index_url
from photoarchive.cloud.target import parse_target
from photoarchive.config import Settings
from photoarchive.metadata.places import Place, PlaceBook

ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("PHOTOARCHIVE_SCREENSHOTS", ROOT / "screenshots"))


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.imgs: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.hrefs.append(str(a["href"]))
        if tag == "img" and a.get("src"):
            self.imgs.append(str(a["src"]))
        self.scripts += tag == "script"


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=20) as r:
        return bytes(r.read())


def links(url: str) -> Links:
    parser = Links()
    parser.feed(fetch(url).decode("utf-8"))
    return parser


def photo(seed: int, title: str = "", caption: str = "", gps: bool = False) -> bytes:
    """A 480x360 JPEG of one colour (so a screenshot shows whether its thumbnail is there)."""
    data = jpeg_bytes(seed, datetime(2023, 5, 1, 12), size=(480, 360))
    with pyexiv2.ImageData(data) as img:
        if title or caption:
            img.modify_xmp(
                {
                    "Xmp.dc.title": {'lang="x-default"': title},
                    "Xmp.dc.description": {'lang="x-default"': caption},
                }
            )
        if gps:
            img.modify_exif(
                {
                    "Exif.GPSInfo.GPSLatitudeRef": "N",
                    "Exif.GPSInfo.GPSLatitude": "47/1 22/1 1200000/1000000",
                    "Exif.GPSInfo.GPSLongitudeRef": "E",
                    "Exif.GPSInfo.GPSLongitude": "8/1 32/1 2400000/1000000",
                }
            )
        return img.get_bytes()


def chromium_shot(url: str, png: Path, width: int = 420, height: int = 900) -> None:
    """A phone-sized window: the pages must read there."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if exe is None:
        pytest.skip("chromium is missing (Debian: chromium)")
    png.parent.mkdir(parents=True, exist_ok=True)
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    cmd += [f"--user-data-dir={png.parent / '.chromium'}", "--virtual-time-budget=4000"]
    cmd += [f"--window-size={width},{height}", f"--screenshot={png}", url]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=90)
    assert png.exists(), proc.stderr


def colour_pixels(png: Path, rgb: tuple[int, int, int], tol: int = 24) -> int:
    with Image.open(png) as img:
        counts = img.convert("RGB").getcolors(maxcolors=1 << 20) or []
    return sum(n for n, c in counts if all(abs(a - b) <= tol for a, b in zip(c, rgb, strict=True)))


def dominant(data: bytes) -> tuple[int, int, int]:
    import io

    with Image.open(io.BytesIO(data)) as img:
        counts = img.convert("RGB").getcolors(maxcolors=1 << 20) or []
    return max(counts)[1]  # type: ignore[no-any-return]


def test_site_pages_thumbnails_and_links(
    settings: Settings, gcs: Gcs, fast_retry, tmp_path: Path
) -> None:
    settings = replace(
        settings,
        site_enabled=True,
        site_base_url=gcs.url,
        sync_contact="Anna (anna@example.com)",
        site_zips=True,
    )
    book = PlaceBook.load(settings.places_file)
    book.add(Place("Grandma's garden", 47.3670, 8.5400, radius_m=500))
    book.save()
    files = {
        "2023-05-01/IMG_0001.JPG": photo(1, "Ferien am See", "Anna on the jetty", gps=True),
        "2023-05-01/IMG_0002.JPG": photo(2, "Ferien am See"),
        "2023-05-01/Größe 東京 #1.JPG": photo(3),
        "2023-05-01/IMG_0002.xmp": b"<x:xmpmeta/>",
        "2023-05-08/IMG_0004.JPG": photo(4, caption="Birthday cake"),
        "2023-05-08/MVI_0005.MOV": os.urandom(5000),
    }
    make_archive(settings, files)
    plan = pipeline.plan_sync(settings, gcs.target)
    summary = pipeline.run_sync(settings, plan, retry=fast_retry)
    assert summary.ok, summary.problems
    assert summary.site is not None
    assert summary.site.weeks_rebuilt == ["2023-05-01", "2023-05-08"]
    target = parse_target(gcs.target)
    root = index_url(settings, target)
    assert root == f"{gcs.url}/{gcs.bucket}/_site/index.html"
    # Pages, thumbnails and ZIPs live under _site/ only.
    for name in gcs.objects():
        assert name in files or name.startswith("_site/") or name.startswith("README."), name
    index_page = fetch(root).decode("utf-8")
    assert "ask Anna (anna@example.com)" in index_page and "1 – 7 May 2023" in index_page
    assert "Ferien am See" in index_page and "<script" not in index_page
    idx = links(root)
    week_pages = [h for h in idx.hrefs if h.endswith("/index.html")]
    assert len(set(week_pages)) == 2 and len(idx.imgs) == 4  # 3 + 1 thumbnails (no video one)
    originals = 0
    for page in set(week_pages):
        week = links(page)
        assert week.scripts == 0
        for src in week.imgs:
            assert fetch(src)[:2] == b"\xff\xd8"
        for href in week.hrefs:
            data = fetch(href)
            if href.endswith(".zip"):
                import io
                import zipfile

                with zipfile.ZipFile(io.BytesIO(data)) as zf:
                    for name in zf.namelist():
                        assert zf.read(name) == files[name]
                continue
            if "/_site/" in href:
                continue  # back to the list of weeks
            rel = urllib.request.url2pathname(href.split(f"/{gcs.bucket}/", 1)[1])
            assert data == files[rel], rel
            originals += 1
    assert originals == 5  # every photo and the video, each to its own original
    week1 = fetch(f"{gcs.url}/{gcs.bucket}/_site/2023-05-01/index.html").decode("utf-8")
    assert "Anna on the jetty" in week1 and "Grandma&#x27;s garden" in week1
    # Rendered: the thumbnails' colours are on screen.
    chromium_shot(root, SHOTS / "site_index.png")
    chromium_shot(f"{gcs.url}/{gcs.bucket}/_site/2023-05-01/index.html", SHOTS / "site_week.png")
    for shot, names in (
        ("site_index.png", ["2023-05-08/IMG_0004.JPG", "2023-05-01/IMG_0001.JPG"]),
        ("site_week.png", ["2023-05-01/IMG_0001.JPG", "2023-05-01/IMG_0002.JPG"]),
    ):
        for rel in names:
            assert colour_pixels(SHOTS / shot, dominant(files[rel])) > 2000, (shot, rel)

    # No change: nothing rebuilt or sent. One new photo: only its week and the list.
    again = pipeline.run_sync(settings, pipeline.plan_sync(settings, gcs.target), retry=fast_retry)
    assert again.site is not None and again.site.weeks_rebuilt == [] and again.site.uploaded == []
    old_page = gcs.objects()["_site/2023-05-01/index.html"].generation
    make_archive(settings, {"2023-05-08/IMG_0006.JPG": photo(6)}, mtime=time.time() - 90 * 86400)
    plan = pipeline.plan_sync(settings, gcs.target)
    assert not plan.unknown_remote  # the site's objects are not mistaken for strays
    third = pipeline.run_sync(settings, plan, retry=fast_retry)
    assert third.site is not None and third.site.weeks_rebuilt == ["2023-05-08"]
    assert "_site/index.html" in third.site.uploaded
    assert not any(n.startswith("_site/2023-05-01/") for n in third.site.uploaded)
    assert gcs.objects()["_site/2023-05-01/index.html"].generation == old_page
    # The list of weeks deleted by hand: the next sync puts every page back.
    gcs.client.bucket(gcs.bucket).blob("_site/index.html").delete()
    healed = pipeline.run_sync(settings, pipeline.plan_sync(settings, gcs.target), retry=fast_retry)
    assert healed.site is not None and healed.site.weeks_rebuilt == ["2023-05-01", "2023-05-08"]
    assert "_site/index.html" in gcs.objects()
    assert "_site/2023-05-01/index.html" not in healed.site.uploaded  # same bytes: not resent


def test_the_pages_use_the_sync_listing_and_list_nothing_again(
    settings: Settings, gcs: Gcs, fast_retry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sync lists the bucket once; the family pages take `_site/` from that listing rather
    than asking for each rebuilt week's folder (and the list of weeks) again."""
    from cloud.faultproxy import FaultProxy

    from photoarchive.cloud.client import EMULATOR_ENV

    settings = replace(settings, site_enabled=True, site_base_url=gcs.url)
    make_archive(
        settings, {"2023-05-01/IMG_0001.JPG": photo(1), "2023-05-08/IMG_0002.JPG": photo(2)}
    )

    def site_reads(proxy: FaultProxy) -> list[str]:
        """Requests that list or look up objects under _site/ (uploads are POSTs)."""
        return [
            f"{s.method} {s.path}"
            for s in proxy.seen
            if s.method == "GET" and ("prefix=_site" in s.path or "/o/_site" in s.path)
        ]

    port = int(gcs.url.rsplit(":", 1)[1])
    for heal in (False, True):  # a first sync; then every page rebuilt (the list deleted)
        with FaultProxy(port) as proxy:
            monkeypatch.setenv(EMULATOR_ENV, proxy.url)
            summary = pipeline.run_sync(
                settings, pipeline.plan_sync(settings, gcs.target), retry=fast_retry
            )
        assert summary.ok and summary.site is not None, summary.problems
        assert summary.site.weeks_rebuilt == ["2023-05-01", "2023-05-08"]
        assert (
            "_site/index.html" in gcs.objects() and "_site/2023-05-08/index.html" in gcs.objects()
        )
        assert site_reads(proxy) == []
        lists = [
            s
            for s in proxy.seen
            if s.method == "GET" and s.path.startswith(f"/storage/v1/b/{gcs.bucket}/o?")
        ]
        assert len(lists) == 1  # the plan's own listing
        if heal:
            assert "_site/2023-05-01/index.html" not in summary.site.uploaded  # same bytes
        gcs.client.bucket(gcs.bucket).blob("_site/index.html").delete()
