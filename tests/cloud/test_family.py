"""The family's side: the guide in the bucket, and rclone downloading everything intact."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pyexiv2
import pytest
from cloud.gcs_fixtures import Gcs, make_archive
from imaging import jpeg_bytes

from photoarchive import pipeline
from photoarchive.catalog import Catalog
from photoarchive.cloud.family_guide import week_index
from photoarchive.config import Settings


def titled_jpeg(seed: int, title: str) -> bytes:
    with pyexiv2.ImageData(jpeg_bytes(seed, datetime(2023, 5, 1, 12))) as img:
        img.modify_xmp({"Xmp.dc.title": {'lang="x-default"': title}})
        return img.get_bytes()


def rclone(gcs: Gcs, tmp_path: Path, *args: str, ok: bool = True) -> str:
    port = gcs.url.rsplit(":", 1)[1]
    remote = (
        f":gcs,anonymous=true,project_number=test,"
        f"endpoint='http://127.0.0.1:{port}/storage/v1/':{gcs.bucket}"
    )
    env = dict(os.environ, RCLONE_CONFIG=str(tmp_path / "rclone.conf"))
    cmd = ["rclone", *[a.replace("REMOTE", remote) for a in args]]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert (proc.returncode == 0) == ok, proc.stderr
    return proc.stdout if ok else proc.stdout + proc.stderr


def test_rclone_downloads_everything_byte_for_byte(
    settings: Settings, gcs: Gcs, fast_retry, tmp_path: Path
) -> None:
    files = {
        "2023-05-01/IMG_0001.JPG": titled_jpeg(1, "Ferien"),
        "2023-05-01/IMG_0001.xmp": b"<x:xmpmeta/>",
        "2023-05-08/Größe 東京 😀.JPG": jpeg_bytes(2, None, pad_to=40_000),
        "2023-05-08/MVI_0003.MOV": os.urandom(300_000),
    }
    settings = replace(settings, site_enabled=True)
    make_archive(settings, files)
    plan = pipeline.plan_sync(settings, gcs.target)
    assert pipeline.run_sync(settings, plan, retry=fast_retry).ok
    listing = json.loads(rclone(gcs, tmp_path, "lsjson", "-R", "--files-only", "REMOTE"))
    paths = {e["Path"] for e in listing}
    site = {p for p in paths if p.startswith("_site/")}  # the family's pages (test_site.py)
    assert paths - site == set(files) | {"README.html", "README.txt"}
    assert "_site/index.html" in site
    out = tmp_path / "download"
    rclone(gcs, tmp_path, "copy", "REMOTE", str(out))
    for rel, data in files.items():
        assert (out / rel).read_bytes() == data
    guide = (out / "README.txt").read_text(encoding="utf-8")
    assert "rclone copy" in guide
    # The guide's check command, run as written: passes on a good download, fails on damage.
    line = next(x.strip() for x in guide.splitlines() if x.strip().startswith("rclone check"))
    args = [
        a.replace(f"REMOTE:{gcs.bucket}", "REMOTE").replace("./", f"{out}/")
        for a in shlex.split(line)[1:]
    ]
    assert args[2] == f"{out}/2023-05-08"
    rclone(gcs, tmp_path, *args)
    (out / "2023-05-08" / "MVI_0003.MOV").write_bytes(os.urandom(300_000))
    assert "1 differences found" in rclone(gcs, tmp_path, *args, ok=False)


def test_guide_explains_and_indexes_weeks(
    settings: Settings, gcs: Gcs, fast_retry, tmp_path: Path
) -> None:
    settings = replace(settings, sync_contact="Anna <anna@example.com>", price_egress_gb=0.085)
    make_archive(
        settings,
        {
            "2023-05-01/A.JPG": titled_jpeg(1, "Holidays <by the sea> & more"),
            "2023-05-01/B.JPG": titled_jpeg(2, "Holidays <by the sea> & more"),
            "2023-05-01/B.JPG.xmp": b"<x/>",
            "2023-06-05/C.JPG": jpeg_bytes(3, None),
        },
    )
    plan = pipeline.plan_sync(settings, f"{gcs.target}/photos")
    assert pipeline.run_sync(settings, plan, retry=fast_retry).guide_written
    page = gcs.download("README.html").decode("utf-8")
    text = gcs.download("README.txt").decode("utf-8")
    link = f"https://console.cloud.google.com/storage/browser/{gcs.bucket}/photos"
    assert link in page and link in text
    assert f"gcloud storage cp -r gs://{gcs.bucket}/photos ." in text
    assert f"gcloud storage cp -r gs://{gcs.bucket}/photos ." in page
    assert f'rclone copy "REMOTE:{gcs.bucket}/photos"' in text
    assert "Anna &lt;anna@example.com&gt;" in page and "Anna <anna@example.com>" in text
    assert "Holidays &lt;by the sea&gt; &amp; more" in page and "<by the sea>" not in page
    assert "<td class=n>2</td>" in page  # the side file is not a photo
    assert "2023-05-01/      2 photos  Holidays <by the sea> & more" in text
    assert "2023-06-05/      1 photos" in text
    # The costs as configured: storage, retrieval and internet egress.
    assert "Keeping the photos (Nearline storage): $0.010 per GB per month" in text
    assert "retrieval $0.010 per GB plus internet egress $0.085 per GB" in text
    assert "gcloud storage cp -r gs://" in text and "rclone check" in page
    blob = gcs.objects()["README.html"]
    assert blob.content_type.startswith("text/html") and blob.storage_class == "STANDARD"
    # Refreshed when the archive changes; left alone when nothing changed.
    gen = blob.generation
    assert not pipeline.run_sync(
        settings, pipeline.plan_sync(settings, plan.target.url)
    ).guide_written
    make_archive(settings, {"2023-07-03/D.JPG": jpeg_bytes(4, None)})
    summary = pipeline.run_sync(settings, pipeline.plan_sync(settings, plan.target.url))
    assert summary.guide_written and gcs.objects()["README.html"].generation != gen
    assert "2023-07-03" in gcs.download("README.txt").decode()


def test_week_titles_are_read_once_and_cached(settings: Settings) -> None:
    make_archive(
        settings,
        {"2023-05-01/A.JPG": titled_jpeg(1, "Zoo"), "2023-05-08/B.JPG": titled_jpeg(2, "Park")},
    )
    reads: list[str] = []

    def counting(path: Path) -> str:
        from photoarchive.cloud.family_guide import _read_title

        reads.append(path.name)
        return _read_title(path)

    with Catalog(settings.catalog_path) as cat:
        first = week_index(settings.archive, cat.conn, counting)
        assert [(w.week, w.title, w.photos) for w in first] == [
            ("2023-05-01", "Zoo", 1),
            ("2023-05-08", "Park", 1),
        ]
        assert week_index(settings.archive, cat.conn, counting) == first
        assert reads == ["A.JPG", "B.JPG"]
        (settings.archive / "2023-05-01/A.JPG").write_bytes(titled_jpeg(1, "Zoo, again"))
        assert week_index(settings.archive, cat.conn, counting)[0].title == "Zoo, again"
        assert reads == ["A.JPG", "B.JPG", "A.JPG"]


@pytest.mark.parametrize("damaged", [b"not a jpeg at all", b"\xff\xd8\xff\xe1\x00\x10garbage"])
def test_damaged_photo_gives_an_untitled_week(settings: Settings, damaged: bytes) -> None:
    make_archive(settings, {"2023-05-01/BAD.JPG": damaged})
    with Catalog(settings.catalog_path) as cat:
        assert [(w.title, w.photos) for w in week_index(settings.archive, cat.conn)] == [("", 1)]
