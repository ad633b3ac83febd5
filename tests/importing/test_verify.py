"""verify reports missing, changed and unknown files; --rebuild recreates the catalog."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from cards import make_card
from harness import run_cli
from imaging import jpeg_bytes, write_file

from photoarchive import pipeline
from photoarchive.config import Settings


def test_verify_finds_damage(tmp_path: Path, settings: Settings, cli_env: dict[str, str]) -> None:
    card = make_card(tmp_path / "card", datetime(2024, 1, 1), days=3)
    pipeline.import_photos(settings, [card.root])
    week = settings.archive / "2024-01-01"
    files = sorted(week.iterdir())
    files[0].unlink()
    where = files[1].stat().st_size - 10  # in the image data (an EXIF flip is an "edit")
    with files[1].open("r+b") as fh:  # one flipped bit, same size and mtime
        fh.seek(where)
        byte = fh.read(1)
        fh.seek(where)
        fh.write(bytes([byte[0] ^ 1]))
    write_file(week / "stray.jpg", jpeg_bytes(99, None))
    write_file(week / ".hidden-note", b"x")
    res = run_cli("verify", "--json", "--archive", str(settings.archive), env=cli_env)
    assert res.returncode == 1
    report = json.loads(res.stdout)
    assert report["missing"] == [f"2024-01-01/{files[0].name}"]
    assert report["changed"] == [f"2024-01-01/{files[1].name}"]
    assert report["unknown"] == ["2024-01-01/stray.jpg"]
    assert report["ok"] == 4
    text = run_cli("verify", "--archive", str(settings.archive), env=cli_env)
    assert "Missing (1):" in text.stdout and "Changed (1):" in text.stdout


def test_rebuild_from_folders_alone(tmp_path: Path, settings: Settings) -> None:
    card = make_card(tmp_path / "card", datetime(2023, 12, 27), days=10)
    pipeline.import_photos(settings, [card.root])
    with pipeline.open_catalog(settings) as cat:
        before = {(r.path, r.hash, r.size, r.capture_time, r.role) for r in cat.files()}
    for suffix in ("", "-wal", "-shm"):
        Path(str(settings.catalog_path) + suffix).unlink(missing_ok=True)
    report = pipeline.verify(settings, rebuild=True)
    assert report.rebuilt and report.checked == 20
    with pipeline.open_catalog(settings) as cat:
        after = {(r.path, r.hash, r.size, r.capture_time, r.role) for r in cat.files()}
        assert after == before
        assert cat.weeks() == [("2024-01-01", 10), ("2023-12-25", 10)]
    assert pipeline.verify(settings).clean
    # The rebuilt catalog still knows every photo by content: a re-import copies nothing.
    again = pipeline.import_photos(settings, [card.root])
    assert again.copied == [] and len(again.plan.already) == 20


def test_rebuild_keeps_card_origins_of_unchanged_files(tmp_path: Path, settings: Settings) -> None:
    card = make_card(tmp_path / "card", datetime(2024, 1, 1), days=1)
    pipeline.import_photos(settings, [card.root])
    pipeline.verify(settings, rebuild=True)
    with pipeline.open_catalog(settings) as cat:
        origins = sorted(r.source_path or "" for r in cat.files())
    # Paths are kept relative to the card's mount point (here the root filesystem).
    assert [o[-len(rel) :] for o, rel in zip(origins, sorted(card.media), strict=True)] == sorted(
        card.media
    )
    os.utime(next((settings.archive / "2024-01-01").iterdir()), (0, 0))
    assert pipeline.verify(settings).clean  # mtime alone is not a change of content


def test_verify_waits_for_no_writer(
    tmp_path: Path, settings: Settings, cli_env: dict[str, str]
) -> None:
    """A rebuild running beside an import would drop the import's rows: it is refused."""
    from photoarchive.archive import archive_lock

    card = make_card(tmp_path / "card", datetime(2024, 1, 1), days=1)
    pipeline.import_photos(settings, [card.root])
    with archive_lock(settings.lock_path):
        res = run_cli("verify", "--rebuild", "--archive", str(settings.archive), env=cli_env)
    assert res.returncode == 1 and "another photoarchive job" in res.stderr
    assert pipeline.verify(settings).clean


def test_rebuild_records_the_hashes_a_file_read_twice_would(
    tmp_path: Path, settings: Settings
) -> None:
    """--rebuild (and adopt in place) takes the content and image-data hashes from one read of
    each file: what it records equals hash_file and image_data_hash, for JPEGs (streamed, one
    with a trailer longer than a read) and the other kinds (image ranges read at the end)."""
    import shutil

    from corpus_files import CORPUS

    from photoarchive.hashing import hash_file
    from photoarchive.imagedata import image_data_hash

    week = settings.archive / "2024-01-01"
    week.mkdir(parents=True)
    names = ["exiftool/Canon.jpg", "exiv2/exiv2-empty.jpg", "exiftool/CanonRaw.cr2",
             "exiftool/Nikon.nef", "exiftool/FujiFilm.raf", "exiftool/QuickTime.heic",
             "exiftool/ExifTool.tif", "exiftool/PNG.png", "exiftool/QuickTime.mov"]  # fmt: skip
    for name in names:
        shutil.copyfile(CORPUS / name, week / name.replace("/", "-"))
    trailer = jpeg_bytes(7, datetime(2024, 1, 1, 9)) + os.urandom(9 << 20)  # > one 8 MiB read
    write_file(week / "trailer.jpg", trailer)
    write_file(week / "IMG_0001.JPG.xmp", b"<x:xmpmeta xmlns:x='adobe:ns:meta/'/>")

    def recorded() -> dict[str, tuple[str, str | None]]:
        with pipeline.open_catalog(settings) as cat:
            return {r.path: (r.hash, r.image_hash) for r in cat.files()}

    def expected() -> dict[str, tuple[str, str | None]]:
        out = {}
        for path in sorted(week.iterdir()):
            if path.name.startswith("photoarchive-"):  # the week's manifest, written by verify
                continue
            image = None if path.suffix == ".xmp" else image_data_hash(path)
            out[f"2024-01-01/{path.name}"] = (hash_file(path), image)
        return out

    report = pipeline.verify(settings, rebuild=True)
    assert report.checked == len(names) + 2, report.problems
    assert recorded() == expected()
    assert sum(image is not None for _, image in recorded().values()) >= len(names) - 1
    # A known file whose metadata changed: a new content hash, the same image-data hash.
    canon = week / "exiftool-Canon.jpg"
    data = bytearray(canon.read_bytes())
    data[data.index(b"Canon") : data.index(b"Canon") + 5] = b"Kanon"
    canon.write_bytes(bytes(data))
    pipeline.verify(settings, rebuild=True)
    assert recorded() == expected()
