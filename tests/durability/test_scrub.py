"""The user stories of issue 12 on a real archive, a real bucket (fake-gcs-server) and real
files: status counts follow a scripted history, damage is found and repaired from the bucket
into place (the bad copy kept in quarantine), an edit by another program is an edit and not
damage, the bucket side is checked and repaired, cards are named and found by week."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from cards import make_card
from cloud.gcs_fixtures import Gcs
from durability.damage import flip_image_byte
from harness import tmpfs

from photoarchive import pipeline
from photoarchive.catalog import Catalog
from photoarchive.cli.main import main
from photoarchive.config import Settings
from photoarchive.durability.cards import list_cards
from photoarchive.durability.ledger import build_ledger
from photoarchive.durability.scrub import QUARANTINE, scrub
from photoarchive.imagedata import image_data_hash
from photoarchive.metadata.edit import TagEdit


def status(settings: Settings, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict]:
    capsys.readouterr()
    code = main(["status", "--json", "--archive", str(settings.archive)])
    return code, json.loads(capsys.readouterr().out)


def test_scripted_history_status_scrub_repair_cards(
    tmp_path: Path,
    settings: Settings,
    gcs: Gcs,
    fast_retry,  # type: ignore[no-untyped-def]
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = replace(settings, bucket=gcs.target)
    (tmp_path / "home/.config/photoarchive").mkdir(parents=True, exist_ok=True)
    (tmp_path / "home/.config/photoarchive/settings.toml").write_text(
        f'[sync]\nbucket = "{gcs.target}"\nsite = false\n'
    )
    # Import 3 weeks (two cards), sync the first 2, damage 1 photo.
    card1 = make_card(tmp_path / "card1", datetime(2024, 3, 4, 8), days=14, per_day=1)
    assert pipeline.import_photos(settings, [card1.root]).ok
    synced = pipeline.run_sync(settings, pipeline.plan_sync(settings), retry=fast_retry)
    assert synced.ok, synced.problems
    with tmpfs(tmp_path / "card2", size="16m") as mount:  # a second volume: another card
        card2 = make_card(mount, datetime(2024, 3, 18, 8), days=7, per_day=1, seed=1)
        assert pipeline.import_photos(settings, [card2.root]).ok
    w1, w2, w3 = "2024-03-04", "2024-03-11", "2024-03-18"
    victim = sorted((settings.archive / w1).glob("*.JPG"))[0]
    good = victim.read_bytes()
    bad = flip_image_byte(victim)

    # Without --repair: found and listed, nothing changed.
    report = scrub(settings)
    assert report.checked == 21 and report.ok == 20
    assert [(f.path, f.state) for f in report.findings] == [(f"{w1}/{victim.name}", "damaged")]
    assert "would restore" in report.findings[0].action and victim.read_bytes() == bad

    code, st = status(settings, capsys)
    assert code == 1
    weeks = {w["week"]: w for w in st["weeks"]}
    assert [weeks[w]["photos"] for w in (w1, w2, w3)] == [7, 7, 7]
    assert [weeks[w]["in_bucket"] for w in (w1, w2, w3)] == [7, 7, 0]
    assert [weeks[w]["damaged"] for w in (w1, w2, w3)] == [1, 0, 0]
    assert [weeks[w]["copies"] for w in (w1, w2, w3)] == [1, 2, 1]
    assert st["short"] == [w1, w3]
    assert st["summary"] == (
        "3 weeks, 21 photos: 1 weeks with 2 verified copies, 1 only local, 1 damaged"
    )

    # --repair: restored from the bucket into place, the bad copy in quarantine.
    report = scrub(settings, repair=True)
    assert report.repaired == 1 and report.clean, report
    assert victim.read_bytes() == good
    kept = list((settings.archive / QUARANTINE).rglob(victim.name))
    assert [p.read_bytes() for p in kept] == [bad]

    # Cards: name the second card; it then counts as the week's second copy.
    cards = list_cards(settings)
    assert len(cards) == 2 and all(c.files == 7 * c.weeks for c in cards)
    capsys.readouterr()
    arch = ["--archive", str(settings.archive)]
    assert main(["cards", "label", "2", "blue 64 GB, safe shelf 2", *arch]) == 0
    capsys.readouterr()
    assert main(["cards", "where", w3, "--json", *arch]) == 0
    assert [c["label"] for c in json.loads(capsys.readouterr().out)] == ["blue 64 GB, safe shelf 2"]
    code, st = status(settings, capsys)
    assert code == 0 and st["short"] == [], st
    assert st["summary"] == (
        "3 weeks, 21 photos: 3 weeks with 2 verified copies, 0 only local, 0 damaged"
    )

    # Re-caption: through the app the catalog follows, so scrub finds nothing; behind its
    # back (exiftool) scrub reports a metadata edit, not damage.
    other = sorted((settings.archive / w2).glob("*.JPG"))
    assert pipeline.apply_tags(settings, [other[0]], TagEdit(caption="Oma")).changed == 1
    subprocess.run(
        ["exiftool", "-q", "-overwrite_original", "-XMP-dc:Description=Opa", str(other[1])],
        check=True,
    )
    report = scrub(settings)
    assert [(f.path, f.state) for f in report.findings] == [(f"{w2}/{other[1].name}", "edited")]
    checked = pipeline.verify(settings)
    assert checked.edited == [f"{w2}/{other[1].name}"] and checked.changed == []
    report = scrub(settings, repair=True)
    assert report.clean and "accepted" in report.findings[0].action
    with Catalog(settings.catalog_path) as cat:
        rec = cat.file(f"{w2}/{other[1].name}")
        assert rec is not None and rec.hash != rec.import_hash

    # The bucket: an object changed behind the program's back, another deleted.
    objs = sorted(n for n in gcs.objects(prefix=w1) if n.endswith(".JPG"))
    bucket = gcs.client.bucket(gcs.bucket)
    bucket.blob(objs[1]).upload_from_string(b"not the photo")
    bucket.blob(objs[2]).delete()
    report = scrub(settings, budget_bytes=1, remote=True)
    assert report.checked == 1 and report.remaining == 20  # the budget holds
    states = {f.path: f.state for f in report.findings}
    assert states == {objs[1]: "remote-changed", objs[2]: "remote-missing"}
    assert report.sampled >= 1
    report = scrub(settings, budget_bytes=1, remote=True, repair=True)
    assert report.clean, report
    for name in objs[1:3]:
        assert gcs.download(name) == (settings.archive / name).read_bytes()
    assert not scrub(settings, budget_bytes=1, remote=True).findings
    # The two captions are not in the bucket yet: the ledger says so until the next sync.
    short = build_ledger(settings).short
    assert [(w.week, w.problems) for w in short] == [(w2, ["2 not in the bucket (sync)"])]
    synced = pipeline.run_sync(settings, pipeline.plan_sync(settings), retry=fast_retry)
    assert synced.ok and build_ledger(settings).short == []


def test_image_hashes_recorded_as_blake3_before_still_tell_edits_from_damage(
    tmp_path: Path, settings: Settings
) -> None:
    """An archive imported when the image-data hash was BLAKE3 (64 hex digits): scrub and
    verify recompute it as BLAKE3, so an edit behind the app's back is still an edit and a
    flipped image byte still damage."""
    card = make_card(tmp_path / "card", datetime(2024, 3, 4, 8), days=2, per_day=1)
    assert pipeline.import_photos(settings, [card.root]).ok
    edited, damaged = sorted(settings.archive.rglob("*.JPG"))
    with Catalog(settings.catalog_path) as cat, cat.transaction():
        for path in (edited, damaged):
            rel = path.relative_to(settings.archive).as_posix()
            legacy = image_data_hash(path, like="0" * 64)
            assert legacy is not None and len(legacy) == 64 and legacy != cat.image_hash(rel)
            cat.set_image_hash(rel, legacy)
    subprocess.run(
        ["exiftool", "-q", "-overwrite_original", "-XMP-dc:Description=Opa", str(edited)],
        check=True,
    )
    flip_image_byte(damaged)
    rel = {p: p.relative_to(settings.archive).as_posix() for p in (edited, damaged)}
    report = scrub(settings)
    assert sorted((f.path, f.state) for f in report.findings) == [
        (rel[edited], "edited"),
        (rel[damaged], "damaged"),
    ]
    checked = pipeline.verify(settings)
    assert checked.edited == [rel[edited]] and checked.changed == [rel[damaged]]
