"""Edits reach the family: a caption written after a sync reaches the bucket; damage does not."""

from __future__ import annotations

import io
import os
import subprocess
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from cloud.gcs_fixtures import Gcs
from imaging import jpeg_bytes, write_file

from photoarchive import pipeline
from photoarchive.archive import MANIFEST_NAME
from photoarchive.catalog import Catalog
from photoarchive.cli.sync_run import print_plan
from photoarchive.config import Settings
from photoarchive.metadata.edit import TagEdit
from photoarchive.metadata.tagging import apply_tags


def exiftool_caption(data: bytes, tmp: Path) -> str:
    path = tmp / "downloaded.jpg"
    path.write_bytes(data)
    out = subprocess.run(
        ["exiftool", "-s3", "-XMP-dc:Description", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return out.stdout.strip()


def imported(settings: Settings, tmp_path: Path) -> dict[str, Path]:
    """Three photos imported from a card (so the catalog holds their image-data hashes)."""
    taken = datetime(2023, 5, 2, 10)
    card = tmp_path / "card"
    for i in range(3):
        when = taken + timedelta(minutes=i)
        write_file(
            card / "DCIM" / "100CANON" / f"IMG_{i:04d}.JPG",
            jpeg_bytes(40 + i, when, size=(320, 240)),
            when,
        )
    summary = pipeline.import_photos(settings, [card])
    assert not summary.problems
    with Catalog(settings.catalog_path) as cat:
        files = {r.path: settings.archive / r.path for r in cat.files()}
        assert all(cat.image_hash(rel) for rel in files)
    # Imported long ago as far as hold-back is concerned.
    old = time.time() - 60 * 86400
    for path in files.values():
        os.utime(path, (old, old))
    return dict(sorted(files.items()))


def test_caption_reaches_the_bucket_and_damage_does_not(
    settings: Settings, gcs: Gcs, fast_retry, tmp_path: Path
) -> None:
    files = imported(settings, tmp_path)
    first = pipeline.run_sync(settings, pipeline.plan_sync(settings, gcs.target), retry=fast_retry)
    (a, pa), (b, pb), (c, pc) = files.items()
    manifest = f"{a.split('/')[0]}/{MANIFEST_NAME}"  # the week's list travels with it
    assert first.ok and sorted(first.uploaded) == [a, b, c, manifest]
    gens = {n: o.generation for n, o in gcs.objects().items()}

    # Caption two photos in the app's way; damage the third's picture (same size).
    result = apply_tags(settings, [pa, pb], TagEdit(caption="Grandpa's 80th, by the lake"))
    assert not result.problems
    data = bytearray(pc.read_bytes())
    data[-200] ^= 0x55
    pc.write_bytes(bytes(data))

    # hold_back_days still lets the user wait: the just-edited week is held back.
    held = pipeline.plan_sync(settings, gcs.target, hold_back_days=7)
    assert {i.rel for i in held.held_back} == {a, b, c, manifest} and not held.edited

    plan = pipeline.plan_sync(settings, gcs.target)
    assert sorted(i.rel for i in plan.edited) == [a, b, manifest]  # the list is always sent
    assert [i.rel for i in plan.damaged] == [c] and not plan.changed
    charge = plan.early_charge(settings.price_storage_gb_month)
    assert charge.objects == 3 and charge.dollars > 0  # the objects are minutes old
    assert {i.generation for i in plan.edited} == {gens[a], gens[b], gens[manifest]}
    shown = io.StringIO()
    print_plan(plan, shown, price=settings.price_storage_gb_month)
    text = shown.getvalue()
    assert "3 edited, 1 possibly damaged" in text
    assert "replace   3 file(s) whose metadata was edited" in text
    early = "3 of them younger than 30 days: Nearline early-deletion charge about "
    early += f"${charge.dollars:.4f}"
    assert early in text
    assert f"DAMAGED?  {c}  (image data changed: not replaced; check with scrub)" in text

    # Someone else rewrites b's object after planning: the precondition keeps it.
    gcs.client.bucket(gcs.bucket).blob(b).upload_from_string(b"theirs")
    summary = pipeline.run_sync(settings, plan, retry=fast_retry)
    assert sorted(summary.replaced) == [a, manifest]
    assert gcs.download(manifest) == (settings.archive / manifest).read_bytes()
    assert exiftool_caption(gcs.download(a), tmp_path) == "Grandpa's 80th, by the lake"
    assert gcs.download(a) == pa.read_bytes() and gcs.objects()[a].generation != gens[a]
    assert gcs.download(b) == b"theirs"  # not overwritten
    assert any(p.path == b and "someone else" in p.reason for p in summary.problems)
    # The damaged file: refused, named, and pointed to scrub; its object is as it was.
    assert summary.skipped_damaged == [c]
    assert any(p.path == c and "scrub" in p.reason for p in summary.problems)
    assert gcs.objects()[c].generation == gens[c]
    words = summary.in_words()
    assert "replaced 2" in words and "possibly damaged" in words and "early-deletion" in words
    # The week's badge says why it is not fully synced.
    notes = pipeline.sync_notes(replace(settings, bucket=gcs.target))
    week = a.split("/")[0]
    damaged = "1 possibly damaged: check with scrub (Tools → Safety)"
    assert notes == {week: f"{damaged}; 1 not sent: see the sync's problems"}
