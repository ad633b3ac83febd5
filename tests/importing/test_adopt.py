"""`photoarchive adopt` in its three modes, on generated trees with duplicates and bad files."""

from __future__ import annotations

import json
import tomllib
from datetime import datetime
from pathlib import Path

import pytest
from harness import run_cli
from imaging import jpeg_bytes, tree_bytes, tree_stats, write_file

from photoarchive.catalog import Catalog
from photoarchive.config import Settings, load_settings
from photoarchive.importing.adopt import survey, week_of

MON = datetime(2024, 3, 4, 10, 0)


def weekly_tree(root: Path, pattern_names: tuple[str, str] = ("2024-03-04", "2024-03-11")) -> Path:
    """Two week folders of photos, a folder that is not a week, a loose file."""
    a, b = pattern_names
    for i in range(3):
        write_file(root / a / f"IMG_{i}.JPG", jpeg_bytes(i, MON.replace(hour=10 + i)))
    write_file(root / b / "IMG_9.JPG", jpeg_bytes(9, datetime(2024, 3, 12, 9)))
    write_file(root / b / "IMG_9.xmp", b"<x:xmpmeta/>")
    write_file(root / "Scans" / "grandpa.JPG", jpeg_bytes(20, None))
    write_file(root / "notes.txt", b"which week was the lake?")
    return root


def messy_tree(root: Path) -> dict[str, bytes]:
    """Photos in any layout, a duplicate by content, a damaged file and a non-photo."""
    one = jpeg_bytes(1, datetime(2023, 7, 19, 12))  # a Wednesday: week 2023-07-17
    write_file(root / "Holiday 2023" / "IMG_1.JPG", one)
    write_file(root / "Holiday 2023" / "copy of IMG_1.JPG", one)
    write_file(root / "phone" / "DCIM" / "IMG_2.JPG", jpeg_bytes(2, datetime(2023, 12, 24, 18)))
    write_file(root / "phone" / "broken.JPG", b"")
    write_file(root / "phone" / "list.txt", b"shopping")
    return tree_bytes(root)


def test_week_names_are_recognised_only_as_the_pattern_names_them() -> None:
    assert week_of("2024-03-04", "%Y-%m-%d") == "2024-03-04"
    assert week_of("2024-03-05", "%Y-%m-%d") is None  # a Tuesday: not this pattern's week name
    assert week_of("2024-W10", "%G-W%V") == "2024-03-04"
    assert week_of("Scans", "%Y-%m-%d") is None
    found = survey(
        weekly_tree(Path(__import__("tempfile").mkdtemp()) / "w", ("2024-W10", "2024-W11"))
    )
    assert found.pattern == "%G-W%V" and found.weeks == ["2024-W10", "2024-W11"]
    assert found.others == ["Scans"] and found.looks_weekly


def test_adopt_in_place_indexes_without_copying_a_byte(
    tmp_path: Path, cli_env: dict[str, str], isolated_home: Path
) -> None:
    root = weekly_tree(tmp_path / "Photos")
    before, stats = tree_bytes(root), tree_stats(root)
    # A guessed pattern needs a confirmation: not given, nothing happens.
    refused = run_cli("adopt", str(root), env=cli_env)
    assert refused.returncode == 2 and "--pattern '%Y-%m-%d'" in refused.stderr
    assert not (isolated_home / ".config/photoarchive/settings.toml").exists()

    out = run_cli("adopt", str(root), "--yes", "--json", env=cli_env)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["mode"] == "in-place" and data["indexed"] == 5
    assert {Path(p["path"]).name for p in data["problems"]} == {"Scans", "notes.txt"}
    assert tree_bytes(root) == before and tree_stats(root) == stats  # nothing written
    saved = tomllib.loads((isolated_home / ".config/photoarchive/settings.toml").read_text())
    assert saved["archive"] == str(root) and saved["week_pattern"] == "%Y-%m-%d"
    settings = load_settings(env={})
    with Catalog(settings.catalog_path) as catalog:
        assert dict(catalog.weeks()) == {"2024-03-04": 3, "2024-03-11": 1}  # photos
        assert catalog.file("2024-03-04/IMG_0.JPG") is not None
        assert catalog.file("2024-03-11/IMG_9.xmp") is not None  # its sidecar too
        assert catalog.file("Scans/grandpa.JPG") is None
    # The adopted archive works like any other: an import adds a week beside the old ones.
    card = tmp_path / "card"
    write_file(card / "DCIM" / "100X" / "NEW.JPG", jpeg_bytes(50, datetime(2024, 3, 20, 8)))
    imp = run_cli("import", str(card), env=cli_env)
    assert imp.returncode == 0, imp.stderr
    assert (root / "2024-03-18" / "NEW.JPG").is_file()
    assert {k: v for k, v in tree_bytes(root).items() if "2024-03-18" not in k} == before


def test_adopt_in_place_refuses_to_switch_away_from_an_archive_with_photos(
    tmp_path: Path, cli_env: dict[str, str], settings: Settings
) -> None:
    card = tmp_path / "card"
    write_file(card / "DCIM" / "100X" / "A.JPG", jpeg_bytes(60, MON))
    assert (
        run_cli("import", str(card), "--archive", str(settings.archive), env=cli_env).returncode
        == 0
    )
    root = weekly_tree(tmp_path / "Photos")
    out = run_cli(
        "adopt",
        str(root),
        "--in-place",
        "--pattern",
        "%Y-%m-%d",
        "--archive",
        str(settings.archive),
        env=cli_env,
    )
    assert out.returncode == 2 and "already holds photos" in out.stderr


@pytest.mark.parametrize("mode", ["--copy", "--move"])
def test_adopt_copy_and_move_into_weekly_folders(
    tmp_path: Path, cli_env: dict[str, str], settings: Settings, mode: str
) -> None:
    src = tmp_path / "old"
    original = messy_tree(src)
    out = run_cli(
        "adopt", str(src), mode, "--json", "--archive", str(settings.archive), env=cli_env
    )
    assert out.returncode == 1, out.stderr  # the damaged file is a problem; the rest went on
    data = json.loads(out.stdout)
    archived = tree_bytes(settings.archive)
    assert archived["2023-07-17/IMG_1.JPG"] == original["Holiday 2023/IMG_1.JPG"]
    assert archived["2023-12-18/IMG_2.JPG"] == original["phone/DCIM/IMG_2.JPG"]
    assert len(archived) == 2  # the duplicate content once, the broken file not at all
    assert [Path(d["path"]).name for d in data["duplicates"]] == ["copy of IMG_1.JPG"]
    assert [Path(p["path"]).name for p in data["problems"]] == ["broken.JPG"]
    left = tree_bytes(src)
    if mode == "--copy":
        assert left == original and data["moved"] == []
    else:
        # Only what the archive holds, verified, is gone; the damaged file and the list stay.
        assert left == {"phone/broken.JPG": b"", "phone/list.txt": b"shopping"}
        assert len(data["moved"]) == 3
        assert not (src / "Holiday 2023").exists()  # emptied folders are removed
    again = run_cli(
        "adopt", str(src), "--copy", "--json", "--archive", str(settings.archive), env=cli_env
    )
    assert json.loads(again.stdout)["copied"] == []


def test_adopt_refuses_a_folder_inside_the_archive(
    tmp_path: Path, cli_env: dict[str, str], settings: Settings
) -> None:
    inner = settings.archive / "incoming"
    write_file(inner / "A.JPG", jpeg_bytes(70, MON))
    out = run_cli("adopt", str(inner), "--move", "--archive", str(settings.archive), env=cli_env)
    assert out.returncode == 2 and "overlap" in out.stderr
    assert (inner / "A.JPG").is_file()


def test_adopting_a_former_archive_in_place_keeps_its_card_origins(
    tmp_path: Path, cli_env: dict[str, str], isolated_home: Path
) -> None:
    """The week manifests an earlier photoarchive wrote give back where each photo came from,
    although this computer's catalog never saw the archive."""
    old = tmp_path / "OldArchive"
    card = tmp_path / "card"
    write_file(card / "DCIM" / "100X" / "B.JPG", jpeg_bytes(80, MON))
    made = run_cli("import", str(card), "--archive", str(old), env=cli_env)
    assert made.returncode == 0, made.stderr
    import shutil

    shutil.rmtree(isolated_home / ".local/share/photoarchive")  # a new computer: no catalog
    before = tree_bytes(old, manifests=True)
    out = run_cli("adopt", str(old), "--in-place", "--pattern", "%Y-%m-%d", env=cli_env)
    assert out.returncode == 0, out.stderr
    assert tree_bytes(old, manifests=True) == before
    with Catalog(load_settings(env={}).catalog_path) as catalog:
        record = catalog.file("2024-03-04/B.JPG")
    assert record is not None and (record.source_path or "").endswith("card/DCIM/100X/B.JPG")
