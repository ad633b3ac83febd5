"""Import end to end on generated cards: exactly once, byte-identical, card untouched."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cards import heic_bytes, make_card, mov_bytes, tiff_with_date
from harness import run_cli
from imaging import jpeg_bytes, tree_bytes, tree_stats, write_file

from photoarchive import pipeline
from photoarchive.archive import TEMP_SUFFIX, week_folder
from photoarchive.config import Settings, load_settings
from photoarchive.importing import plan as import_plan
from photoarchive.jobs import CancelToken, Progress


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def archive_contents(settings: Settings) -> dict[str, bytes]:
    return tree_bytes(settings.archive)


def test_weeks_across_a_year_boundary(tmp_path: Path, settings: Settings) -> None:
    card = make_card(tmp_path / "card", datetime(2023, 12, 20, 8), days=20, per_day=2)
    before_bytes, before_stats = tree_bytes(card.root), tree_stats(card.root)
    summary = pipeline.import_photos(settings, [card.root])
    assert summary.ok, summary.all_problems
    archived = archive_contents(settings)
    # Every photo exactly once, byte-identical, in the folder of its week's Monday.
    card_files = {rel: card.root.joinpath(rel).read_bytes() for rel in card.media}
    assert len(archived) == len(card_files)
    assert sorted(map(digest, archived.values())) == sorted(map(digest, card_files.values()))
    for rel, taken in card.media.items():
        name = Path(rel).name
        assert archived[f"{week_folder(taken, '%Y-%m-%d')}/{name}"] == card_files[rel]
    assert {k.split("/")[0] for k in archived} == {
        "2023-12-18",
        "2023-12-25",
        "2024-01-01",
        "2024-01-08",
    }
    # Sunday 31 Dec 2023 belongs to the week of Monday 25 Dec; Monday 1 Jan starts a new one.
    assert week_folder(datetime(2023, 12, 31, 23, 59), "%Y-%m-%d") == "2023-12-25"
    # The card is byte-for-byte unchanged, down to mtimes and modes.
    assert tree_bytes(card.root) == before_bytes
    assert tree_stats(card.root) == before_stats
    # The non-photo file on the card is listed as skipped.
    assert any("AUTPRINT.MRK" in p.path for p in summary.plan.skipped)
    # Source mtime kept.
    some = next(iter(card.media))
    arch = settings.archive / week_folder(card.media[some], "%Y-%m-%d") / Path(some).name
    assert arch.stat().st_mtime_ns == card.root.joinpath(some).stat().st_mtime_ns


def test_second_import_copies_nothing_and_reads_no_file(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = make_card(tmp_path / "card", datetime(2024, 3, 1), days=6)
    first = pipeline.import_photos(settings, [card.root])
    assert len(first.copied) == 12

    def must_not_run(*_a: object, **_k: object) -> None:
        raise AssertionError("a known card must be re-scanned without reading its files")

    monkeypatch.setattr(import_plan, "hash_file", must_not_run)
    monkeypatch.setattr(import_plan, "read_capture_time", must_not_run)
    monkeypatch.setattr(import_plan, "looks_damaged", must_not_run)
    again = pipeline.import_photos(settings, [card.root])
    assert again.copied == [] and len(again.plan.already) == 12 and again.ok


def test_identity_is_content_not_name(tmp_path: Path, settings: Settings) -> None:
    """A rotated card with renamed (counter-wrapped) copies of archived photos copies nothing."""
    card = make_card(tmp_path / "card", datetime(2024, 3, 1), days=3)
    pipeline.import_photos(settings, [card.root])
    other = tmp_path / "card2"
    for i, rel in enumerate(sorted(card.media)):
        write_file(other / f"DCIM/999NIKON/DSC_{i:04d}.JPG", card.root.joinpath(rel).read_bytes())
    new_photo = write_file(
        other / "DCIM/999NIKON/DSC_9999.JPG", jpeg_bytes(777, datetime(2024, 3, 2))
    )
    summary = pipeline.import_photos(settings, [other])
    assert summary.copied == ["2024-02-26/DSC_9999.JPG"]
    assert len(summary.plan.already) == len(card.media)
    assert (settings.archive / summary.copied[0]).read_bytes() == new_photo.read_bytes()


def test_two_sources_holding_the_same_photo(tmp_path: Path, settings: Settings) -> None:
    data = jpeg_bytes(5, datetime(2024, 5, 5, 10))
    a = write_file(tmp_path / "a/DCIM/100/IMG_1.JPG", data)
    b = write_file(tmp_path / "b/DCIM/100/COPY OF IMG_1.JPG", data)
    summary = pipeline.import_photos(settings, [a.parents[2], b.parents[2]])
    assert len(summary.copied) == 1
    assert summary.duplicates_skipped == 1 and summary.ok
    assert list(archive_contents(settings).values()) == [data]
    # Both card entries are now known: a re-scan reads neither.
    again = pipeline.import_photos(settings, [a.parents[2], b.parents[2]])
    assert again.copied == [] and len(again.plan.already) == 2


def test_duplicate_is_the_fallback_when_the_first_copy_fails(
    tmp_path: Path, settings: Settings
) -> None:
    data = jpeg_bytes(6, datetime(2024, 5, 6, 10))
    a = write_file(tmp_path / "a/DCIM/100/IMG_1.JPG", data)
    b = write_file(tmp_path / "b/DCIM/100/IMG_7.JPG", data)
    plan = pipeline.plan(settings, [a.parents[2], b.parents[2]])
    assert plan.new_files == 1 and len(plan.duplicates) == 1
    a.unlink()  # the first card is pulled before its copy
    summary = pipeline.import_photos(settings, plan)
    assert summary.copied == ["2024-05-06/IMG_7.JPG"]
    assert [Path(p.path).name for p in summary.problems] == ["IMG_1.JPG"]
    assert list(archive_contents(settings).values()) == [data]


def test_reimport_restores_a_photo_missing_from_the_archive(
    tmp_path: Path, settings: Settings
) -> None:
    card = make_card(tmp_path / "card", datetime(2024, 3, 4), days=2)
    pipeline.import_photos(settings, [card.root])
    lost = settings.archive / "2024-03-04" / "IMG_0001.JPG"
    original = lost.read_bytes()
    lost.unlink()
    assert pipeline.verify(settings).missing == ["2024-03-04/IMG_0001.JPG"]
    again = pipeline.import_photos(settings, [card.root])
    assert again.copied == ["2024-03-04/IMG_0001.JPG"] and again.ok
    assert lost.read_bytes() == original
    assert pipeline.verify(settings).clean


def test_name_clash_keeps_both_and_pairs_stay_together(tmp_path: Path, settings: Settings) -> None:
    taken = datetime(2024, 6, 4, 12)
    first = tmp_path / "c1/DCIM/100"
    write_file(first / "IMG_0001.JPG", jpeg_bytes(1, taken))
    pipeline.import_photos(settings, [first.parents[1]])
    second = tmp_path / "c2/DCIM/100"
    write_file(second / "IMG_0001.JPG", jpeg_bytes(2, taken))
    write_file(second / "IMG_0001.CR2", tiff_with_date(taken) + b"raw" * 100)
    write_file(second / "IMG_0001.CR2.xmp", b"<x:xmpmeta/>")
    write_file(second / "IMG_0002.MOV", mov_bytes(None), mtime=taken)
    write_file(second / "IMG_0002.THM", jpeg_bytes(3, None))
    summary = pipeline.import_photos(settings, [second.parents[1]])
    assert summary.ok, summary.all_problems
    week = "2024-06-03"
    assert sorted(summary.copied) == [
        f"{week}/IMG_0001_1.CR2",
        f"{week}/IMG_0001_1.CR2.xmp",
        f"{week}/IMG_0001_1.JPG",
        f"{week}/IMG_0002.MOV",
        f"{week}/IMG_0002.THM",
    ]
    assert (settings.archive / week / "IMG_0001.JPG").read_bytes() == jpeg_bytes(1, taken)
    assert (settings.archive / week / "IMG_0001_1.JPG").read_bytes() == jpeg_bytes(2, taken)
    assert summary.plan.guessed == [str(second / "IMG_0002.MOV")]


def test_iso_week_pattern_and_other_media(tmp_path: Path) -> None:
    settings = load_settings(archive=tmp_path / "arch", env={})
    settings = Settings(**{**settings.__dict__, "week_pattern": "%G-W%V"})
    card = tmp_path / "card/DCIM/100"
    write_file(card / "IMG_1.HEIC", heic_bytes(datetime(2021, 1, 3, 10)))  # ISO week 2020-W53
    write_file(card / "IMG_2.NEF", tiff_with_date(datetime(2021, 1, 4, 10)))
    summary = pipeline.import_photos(settings, [card.parent])
    assert sorted(summary.copied) == ["2020-W53/IMG_1.HEIC", "2021-W01/IMG_2.NEF"]


def test_odd_names(tmp_path: Path, settings: Settings) -> None:
    card = tmp_path / "card/DCIM/100"
    names = ["holiday photo 1.jpg", "Ünïcödé 東京 😀.JPG", "semi;colon'quote\".jpeg", "-dash.jpg"]
    for i, n in enumerate(names):
        write_file(card / n, jpeg_bytes(40 + i, datetime(2024, 7, 1, 9)))
    summary = pipeline.import_photos(settings, [card.parent])
    assert summary.ok
    assert sorted(Path(p).name for p in summary.copied) == sorted(names)


def test_cancel_then_rerun_finishes(tmp_path: Path, settings: Settings) -> None:
    card = make_card(tmp_path / "card", datetime(2024, 8, 1), days=10)
    cancel = CancelToken()

    def progress(p: Progress) -> None:
        if p.stage == "copy" and p.done >= 5:
            cancel.cancel()

    first = pipeline.import_photos(settings, [card.root], cancel, progress)
    assert first.cancelled and 5 <= len(first.copied) < 20
    assert not [p for p in settings.archive.rglob("*") if p.name.endswith(TEMP_SUFFIX)]
    second = pipeline.import_photos(settings, [card.root])
    assert len(first.copied) + len(second.copied) == 20
    assert len(archive_contents(settings)) == 20


def test_cli_plan_json_and_exit_codes(tmp_path: Path, cli_env: dict[str, str]) -> None:
    card = make_card(tmp_path / "card", datetime(2024, 9, 2), days=2)
    archive = tmp_path / "archive"
    dry = run_cli("import", "--archive", str(archive), "--dry-run", str(card.root), env=cli_env)
    assert dry.returncode == 0, dry.stderr
    assert "Plan: 4 new" in dry.stdout
    assert not archive.exists()
    real = run_cli("import", "--json", "--archive", str(archive), str(card.root), env=cli_env)
    assert real.returncode == 0, real.stderr
    doc = json.loads(real.stdout)
    assert len(doc["copied"]) == 4 and doc["problems"] == [] and doc["weeks"] == ["2024-09-02"]
    assert run_cli("import", "--bogus", env=cli_env).returncode == 2
    missing = run_cli("import", "--archive", str(archive), str(tmp_path / "nope"), env=cli_env)
    assert missing.returncode == 1 and "not found" in missing.stdout
    env = dict(cli_env, PHOTOARCHIVE_ARCHIVE=str(archive))
    verify = run_cli("verify", "--json", env=env)
    assert verify.returncode == 0 and json.loads(verify.stdout)["ok"] == 4


def test_detect_cards(tmp_path: Path) -> None:
    media = tmp_path / "media/user"
    (media / "EOS_DIGITAL/DCIM").mkdir(parents=True)
    (media / "USB_STICK/docs").mkdir(parents=True)
    (tmp_path / "mnt/DCIM").mkdir(parents=True)
    found = pipeline.detect_cards([media, tmp_path / "mnt", tmp_path / "absent"])
    assert found == [media / "EOS_DIGITAL", tmp_path / "mnt"]


def test_when_recorded_after_a_delay(tmp_path: Path, settings: Settings) -> None:
    """Capture time from EXIF wins over a misleading file time."""
    taken = datetime(2019, 1, 1, 0, 0, 1)
    p = write_file(tmp_path / "c/DCIM/1/IMG.JPG", jpeg_bytes(9, taken), taken + timedelta(days=400))
    summary = pipeline.import_photos(settings, [p.parents[2]])
    assert summary.copied == ["2018-12-31/IMG.JPG"]
