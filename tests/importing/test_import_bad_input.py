"""Bad input: each file gets its own clear message, the batch goes on, nothing is lost."""

from __future__ import annotations

import os
import subprocess
from datetime import datetime
from pathlib import Path

from cards import make_card
from harness import run_cli, tmpfs
from imaging import jpeg_bytes, tree_bytes, write_file

from photoarchive import pipeline
from photoarchive.archive import TEMP_SUFFIX
from photoarchive.config import Settings, load_settings
from photoarchive.jobs import Progress, Severity

TAKEN = datetime(2024, 4, 10, 15)


def no_temps(root: Path) -> bool:
    return not [p for p in root.rglob("*") if p.name.endswith(TEMP_SUFFIX)]


def test_damaged_files_reported_and_batch_goes_on(tmp_path: Path, cli_env: dict[str, str]) -> None:
    card = tmp_path / "card/DCIM/100"
    good = write_file(card / "IMG_0001.JPG", jpeg_bytes(1, TAKEN))
    whole = jpeg_bytes(2, TAKEN, size=(320, 240))
    write_file(card / "IMG_0002.JPG", whole[: len(whole) // 2])
    write_file(card / "IMG_0003.JPG", os.urandom(2048), mtime=TAKEN)
    write_file(card / "IMG_0004.JPG", b"")
    write_file(card / "IMG_0005.JPG", jpeg_bytes(5, None), mtime=datetime(2024, 4, 12, 8))
    archive = tmp_path / "archive"
    res = run_cli(
        "import",
        "--archive",
        str(archive),
        str(card.parent),
        "--undated",
        "neighbours",
        env=cli_env,
    )
    assert res.returncode == 1, res.stdout + res.stderr
    out = res.stdout
    assert "IMG_0002.JPG: JPEG looks truncated (no end-of-image marker); copied as it is" in out
    assert "IMG_0003.JPG: not a JPEG image (no start-of-image marker); copied as it is" in out
    assert "IMG_0004.JPG: empty file (0 bytes); nothing to copy" in out
    assert "No date inside 2 files" in out and "IMG_0005.JPG  neighbours' week: 2024-04-08" in out
    archived = tree_bytes(archive)
    assert sorted(archived) == [f"2024-04-08/IMG_000{i}.JPG" for i in (1, 2, 3, 5)]
    assert archived["2024-04-08/IMG_0001.JPG"] == good.read_bytes()


def test_read_only_archive(tmp_path: Path) -> None:
    card = make_card(tmp_path / "card", datetime(2024, 1, 8), days=2)
    with tmpfs(tmp_path / "ro", ro=True) as ro:
        settings = load_settings(archive=ro, env={})
        summary = pipeline.import_photos(settings, [card.root])
        assert not summary.copied and len(summary.problems) == 4
        assert all("read-only" in p.reason for p in summary.problems), summary.problems
        assert list(ro.iterdir()) == []


def test_disk_full_then_rerun_with_space(tmp_path: Path) -> None:
    card = tmp_path / "card/DCIM/100"
    photos = {
        f"IMG_{i:04d}.JPG": write_file(
            card / f"IMG_{i:04d}.JPG", jpeg_bytes(i, TAKEN, pad_to=600_000)
        )
        for i in range(8)
    }
    with tmpfs(tmp_path / "small", size="2m") as small:
        settings = load_settings(archive=small / "archive", env={})
        first = pipeline.import_photos(settings, [card.parent])
        assert 1 <= len(first.copied) < 8
        full = [p for p in first.problems if "disk is full" in p.reason]
        assert len(full) + len(first.copied) == 8, first.problems
        assert no_temps(small)
        for rel, data in tree_bytes(settings.archive).items():
            assert data == photos[Path(rel).name].read_bytes()
        subprocess.run(["mount", "-o", "remount,size=16m", str(small)], check=True)
        second = pipeline.import_photos(settings, [card.parent])
        assert second.ok and len(first.copied) + len(second.copied) == 8
        assert len(tree_bytes(settings.archive)) == 8 and no_temps(small)


def test_card_pulled_mid_import(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "card", size="16m") as card_root:
        make_card(card_root, datetime(2024, 2, 5), days=6)
        settings = load_settings(archive=tmp_path / "archive", env={})
        plan = pipeline.plan(settings, [card_root])

        pulled: list[bool] = []

        def pull_card(p: Progress) -> None:
            if p.stage == "copy" and p.done == 3 and not pulled:
                subprocess.run(["umount", "-l", str(card_root)], check=True)
                pulled.append(True)

        summary = pipeline.import_photos(settings, plan, progress=pull_card)
        assert 3 <= len(summary.copied) < 12
        assert len(summary.copied) + len(summary.problems) == 12
        assert all("card" in p.reason for p in summary.problems), summary.problems
        assert no_temps(settings.archive)
        assert pipeline.verify(settings).clean


def test_files_vanish_or_change_after_the_scan(tmp_path: Path, settings: Settings) -> None:
    card = make_card(tmp_path / "card", datetime(2024, 2, 5), days=3)
    plan = pipeline.plan(settings, [card.root])
    files = sorted(card.media)
    (card.root / files[-1]).unlink()
    changed = card.root / files[-2]
    changed.write_bytes(changed.read_bytes() + b"edited")
    summary = pipeline.import_photos(settings, plan)
    reasons = {Path(p.path).name: p.reason for p in summary.problems}
    assert "vanished" in reasons[Path(files[-1]).name]
    assert "changed on the card" in reasons[Path(files[-2]).name]
    assert len(summary.copied) == 4
    assert all(p.severity is Severity.ERROR for p in summary.problems)
    again = pipeline.import_photos(settings, [card.root])
    assert again.copied == [f"2024-02-05/{Path(files[-2]).name}"]


def test_week_folder_blocked_by_a_file(tmp_path: Path, settings: Settings) -> None:
    card = make_card(tmp_path / "card", datetime(2024, 2, 5), days=8, per_day=1)
    settings.archive.mkdir()
    (settings.archive / "2024-02-05").write_text("not a folder")
    summary = pipeline.import_photos(settings, [card.root])
    assert len(summary.copied) == 1  # Monday 12 Feb's photo goes on
    assert len(summary.problems) == 7
    assert "cannot create week folder 2024-02-05" in summary.problems[0].reason


def test_archive_busy(tmp_path: Path, settings: Settings, cli_env: dict[str, str]) -> None:
    from photoarchive.archive import archive_lock

    card = make_card(tmp_path / "card", datetime(2024, 2, 5), days=1)
    with archive_lock(settings.catalog_path.with_suffix(".lock")):
        res = run_cli("import", "--archive", str(settings.archive), str(card.root), env=cli_env)
    assert res.returncode == 1 and "another photoarchive job" in res.stderr


def test_empty_file_on_a_card_is_an_error_once_then_a_note(
    tmp_path: Path, settings: Settings, cli_env: dict[str, str]
) -> None:
    """Issue 10: a card in the safe never changes; its empty file must not fail every import."""
    import json
    import sys

    card = tmp_path / "card" / "DCIM" / "100CANON"
    write_file(card / "IMG_0001.JPG", jpeg_bytes(1, datetime(2024, 3, 5, 10, 0)))
    write_file(card / "IMG_0002.JPG", b"")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "photoarchive", "import", str(tmp_path / "card"), *args]
        cmd += ["--archive", str(settings.archive)]
        return subprocess.run(cmd, env=cli_env, capture_output=True, text=True, timeout=120)

    dry = run("--dry-run")  # a dry run reports it but does not count as the report
    assert dry.returncode == 1 and "Problems (1)" in dry.stdout
    first = run()
    assert first.returncode == 1, first.stdout + first.stderr
    assert "Problems (1)" in first.stdout and "IMG_0002.JPG: empty file" in first.stdout
    for _ in range(2):
        again = run()
        assert again.returncode == 0, again.stdout + again.stderr
        assert "Problems" not in again.stdout
        assert "Notes (1)" in again.stdout and "reported before" in again.stdout
    doc = json.loads(run("--json").stdout)
    assert [p["severity"] for p in doc["problems"]] == ["note"]
    (card / "IMG_0002.JPG").write_bytes(b"")  # touched again: a new mtime, a new report
    os_time = 1_700_000_000
    os.utime(card / "IMG_0002.JPG", (os_time, os_time))
    assert run().returncode == 1
