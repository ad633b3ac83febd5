"""Week manifests: written by import, tag and rebuild, checkable with `b3sum --check`, and
enough to rebuild a lost catalog without losing the import identity of edited files."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from cards import make_card

from photoarchive import pipeline
from photoarchive.archive import MANIFEST_NAME, iter_archive_files
from photoarchive.catalog import Catalog, FileRecord
from photoarchive.config import Settings
from photoarchive.imagedata import image_data_hash
from photoarchive.manifest import HEADER, parse, read_manifest, render, write_changed
from photoarchive.metadata.edit import TagEdit

B3SUM_CHECK = f"grep -v '^#' {MANIFEST_NAME} | awk -F'\\t' '{{print $3 \"  \" $1}}' | b3sum --check"
README = Path(__file__).resolve().parents[1] / "README.md"


def b3sum_check(week_dir: Path) -> subprocess.CompletedProcess[str]:
    """The command the README and the manifest header give, run as a user would."""
    assert B3SUM_CHECK in HEADER and B3SUM_CHECK in README.read_text("utf-8")
    return subprocess.run(
        ["sh", "-c", B3SUM_CHECK], cwd=week_dir, capture_output=True, text=True, timeout=60
    )


@pytest.mark.skipif(shutil.which("b3sum") is None, reason="needs b3sum (Debian package b3sum)")
def test_manifests_follow_import_tag_and_rebuild(tmp_path: Path, settings: Settings) -> None:
    card = make_card(tmp_path / "card", datetime(2024, 3, 4, 8), days=10, per_day=1)
    assert pipeline.import_photos(settings, [card.root]).ok
    weeks = sorted(p for p in settings.archive.iterdir() if p.is_dir())
    assert len(weeks) == 2
    with Catalog(settings.catalog_path) as cat:
        for week_dir in weeks:
            listed = read_manifest(week_dir)
            records = {r.path: r for r in cat.files(week_dir.name)}
            assert set(listed) == set(records)
            for rel, rec in records.items():
                got = listed[rel]
                assert (got.hash, got.size, got.image_hash) == (rec.hash, rec.size, rec.image_hash)
                assert got.source_volume == rec.source_volume and got.source_path
                assert got.capture_time == rec.capture_time
            res = b3sum_check(week_dir)
            assert res.returncode == 0, res.stdout + res.stderr
        assert cat.changed_weeks() == []
    # The manifest is not a photo: not catalogued, not "unknown" to verify.
    assert all(f.name != MANIFEST_NAME for f in iter_archive_files(settings.archive))
    assert pipeline.verify(settings).clean

    # Re-caption one photo: its week's manifest gets the new hash, same identity.
    week = weeks[0]
    photo = sorted(p for p in week.iterdir() if p.suffix == ".JPG")[0]
    rel = f"{week.name}/{photo.name}"
    before = read_manifest(week)[rel]
    result = pipeline.apply_tags(settings, [photo], TagEdit(caption="Oma's 80th, Ünal"))
    assert result.changed == 1, result.problems
    after = read_manifest(week)[rel]
    assert after.hash != before.hash
    assert (after.import_hash, after.image_hash) == (before.import_hash, before.image_hash)
    assert b3sum_check(week).returncode == 0

    # A damaged file fails the standard check.
    victim = sorted(p for p in weeks[1].iterdir() if p.suffix == ".JPG")[0]
    data = bytearray(victim.read_bytes())
    data[-100] ^= 0xFF
    victim.write_bytes(bytes(data))
    res = b3sum_check(weeks[1])
    assert res.returncode != 0 and victim.name in res.stdout
    victim.write_bytes(bytes(data[:-100]) + bytes([data[-100] ^ 0xFF]) + bytes(data[-99:]))

    # Lose the catalog: the rebuild takes identities from the manifests...
    for suffix in ("", "-wal", "-shm"):
        Path(f"{settings.catalog_path}{suffix}").unlink(missing_ok=True)
    report = pipeline.verify(settings, rebuild=True)
    assert report.clean, report
    with Catalog(settings.catalog_path) as cat:
        rec = cat.file(rel)
        assert rec is not None
        assert rec.import_hash == before.import_hash != rec.hash
        assert rec.import_size == before.import_size != rec.size
        assert rec.source_volume == before.source_volume
    # ...so re-importing the original card copies nothing.
    again = pipeline.import_photos(settings, [card.root])
    assert again.ok and again.copied == [], again.copied
    assert again.plan.new_files == 0


def test_a_week_changed_behind_a_killed_run_is_caught_up(
    tmp_path: Path, settings: Settings
) -> None:
    week_dir = settings.archive / "2024-03-04"
    week_dir.mkdir(parents=True)
    (week_dir / "A.JPG").write_bytes(b"x")
    with Catalog(settings.catalog_path) as cat:
        # a catalog change whose manifest write never happened (the run was killed)
        cat.add_files([FileRecord("2024-03-04/A.JPG", "2024-03-04", "h" * 64, 1, 1)])
        assert cat.changed_weeks() == ["2024-03-04"]
    assert not (week_dir / MANIFEST_NAME).exists()
    pipeline.verify(settings)  # the next job holding the lock writes it
    assert "2024-03-04/A.JPG" in read_manifest(week_dir)
    with Catalog(settings.catalog_path) as cat:
        assert cat.changed_weeks() == []
        # Unchanged text: not rewritten (no churn for the sync).
        cat.add_files([FileRecord("2024-03-04/A.JPG", "2024-03-04", "h" * 64, 1, 1)])
        mtime = (week_dir / MANIFEST_NAME).stat().st_mtime_ns
        assert write_changed(settings, cat).written == []
        assert (week_dir / MANIFEST_NAME).stat().st_mtime_ns == mtime
    assert not [p for p in week_dir.iterdir() if p.name.startswith(".")]  # no temp left


def test_any_name_round_trips_through_a_manifest() -> None:
    odd = os.fsdecode(b"IMG_\xff\tx\\y\n.JPG")
    rec = FileRecord(
        f"2024-03-04/{odd}",
        "2024-03-04",
        "a" * 64,
        10,
        1,
        capture_time="2024-03-05T10:00:00",
        capture_guess=True,
        source_volume="uuid:1234-ABCD",
        source_path=os.fsdecode(b"DCIM/100\xe9/IMG.JPG"),
        import_hash="b" * 64,
        image_hash=None,
        import_size=9,
    )
    text = render([rec])
    assert len([line for line in text.splitlines() if not line.startswith("#")]) == 1
    assert "\\xff" in text and "\\t" in text
    back = parse(text, "2024-03-04")[rec.path]
    assert back.path == rec.path and back.source_path == rec.source_path
    assert (back.hash, back.import_hash, back.image_hash) == (rec.hash, rec.import_hash, None)
    assert back.import_size == 9
    assert back.capture_guess and back.capture_time == rec.capture_time


def test_a_rebuild_matches_blake3_image_hashes_written_before(
    tmp_path: Path, settings: Settings
) -> None:
    """Manifests written when the image-data hash was BLAKE3: a photo edited since (behind the
    app's back) still gets its import identity back from them, matched by that BLAKE3."""
    card = make_card(tmp_path / "card", datetime(2024, 3, 4, 8), days=1, per_day=2)
    assert pipeline.import_photos(settings, [card.root]).ok
    (week,) = [p for p in settings.archive.iterdir() if p.is_dir()]
    photo = sorted(week.glob("*.JPG"))[0]
    manifest = week / MANIFEST_NAME
    new = read_manifest(week)[f"{week.name}/{photo.name}"].image_hash
    old = image_data_hash(photo, like="0" * 64)
    assert new and old and len(old) == 64
    manifest.write_text(manifest.read_text("utf-8").replace(new, old), "utf-8")
    before = read_manifest(week)[f"{week.name}/{photo.name}"]
    subprocess.run(
        ["exiftool", "-q", "-overwrite_original", "-XMP-dc:Title=Later", str(photo)], check=True
    )
    for suffix in ("", "-wal", "-shm"):
        Path(f"{settings.catalog_path}{suffix}").unlink(missing_ok=True)
    report = pipeline.verify(settings, rebuild=True)
    assert report.changed == [], report
    with Catalog(settings.catalog_path) as cat:
        rec = cat.file(f"{week.name}/{photo.name}")
        assert rec is not None and rec.import_hash == before.import_hash != rec.hash
    again = pipeline.import_photos(settings, [card.root])
    assert again.ok and again.copied == [], again.copied
