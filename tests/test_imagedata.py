"""Image-data identity: stable under metadata edits, changed by any change to the picture, and
for JPEG equal to an independent computation (exiftool strips every metadata segment, then a
plain slice from SOS to EOI is hashed)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

import blake3
import pytest
import xxhash
from cards import make_card
from corpus_files import CORPUS, corpus_files, corpus_id
from imaging import jpeg_bytes

from photoarchive import pipeline
from photoarchive.catalog import SCHEMA_VERSION, Catalog
from photoarchive.config import Settings
from photoarchive.hashing import hash_file
from photoarchive.imagedata import ImageDataHasher, image_data, image_data_hash, is_legacy

DATA = CORPUS / "exiftool"
REAL = ["Canon.jpg", "DNG.dng", "QuickTime.heic", "CanonRaw.cr3", "FujiFilm.raf", "CanonRaw.cr2"]


def exiftool(*args: str) -> None:
    subprocess.run(["exiftool", "-q", "-q", *args], check=True, capture_output=True, timeout=60)


def scan_slice_hash(path: Path, tmp: Path) -> str:
    """Independent of photoarchive.imagedata: exiftool removes all metadata (thumbnails too),
    leaving only the coding segments, so SOS..EOI can be found with a naive search."""
    bare = tmp / f"bare-{path.name}"
    exiftool("-all=", "-o", str(bare), str(path))
    data = bare.read_bytes()
    return xxhash.xxh3_128(data[data.index(b"\xff\xda") : data.rindex(b"\xff\xd9") + 2]).hexdigest()


@pytest.mark.parametrize("source", ["generated", "Canon.jpg"])
def test_jpeg_hash_matches_an_independent_slice_of_the_scan_data(
    tmp_path: Path, source: str
) -> None:
    if source == "generated":
        path = tmp_path / "a.jpg"
        path.write_bytes(jpeg_bytes(3, datetime(2024, 5, 1, 9), size=(320, 240)))
    else:
        path = DATA / source  # a Canon camera JPEG: EXIF with a thumbnail that has its own SOS
    got = image_data_hash(path)
    assert got is not None
    assert got == scan_slice_hash(path, tmp_path)
    assert got != hash_file(path)


@pytest.mark.parametrize("source", ["generated", "Canon.jpg", "DNG.dng"])
def test_a_blake3_image_hash_recorded_before_is_recomputed_as_blake3(
    tmp_path: Path, source: str
) -> None:
    """Archives imported before the image hash became xxh3-128 hold BLAKE3 ones (64 digits):
    given as `like`, the same image data is hashed with BLAKE3, streamed or read."""
    if source == "generated":
        path = tmp_path / "a.jpg"
        path.write_bytes(jpeg_bytes(4, datetime(2024, 5, 1, 9), size=(320, 240)))
    else:
        path = DATA / source
    new = image_data_hash(path)
    assert new is not None and len(new) == 32 and not is_legacy(new)
    if path.suffix == ".jpg":
        data = path.read_bytes()
        start = jpeg_scan_start_naive(data)
        old = blake3.blake3(data[start : data.rindex(b"\xff\xd9") + 2]).hexdigest()
        assert image_data_hash(path, like="0" * 64) == old
    old = image_data_hash(path, like="0" * 64)
    assert old is not None and is_legacy(old)
    assert image_data_hash(path, like=old) == old
    fd = os.open(path, os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        streamed = ImageDataHasher(fd, size, path.name, like=old)
        streamed.feed(0, os.pread(fd, size, 0), size)
        assert streamed.result().hash == old
    finally:
        os.close(fd)


def jpeg_scan_start_naive(data: bytes) -> int:
    """The first SOS after the quantisation tables (the corpus and generated files have no
    thumbnail coded after a DQT of the main image)."""
    return data.index(b"\xff\xda", data.rindex(b"\xff\xdb"))


@pytest.mark.parametrize("name", REAL)
def test_metadata_edit_keeps_it_and_image_change_breaks_it(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    shutil.copyfile(DATA / name, path)
    info = image_data(path)
    assert info.hash is not None, info.reason
    whole = hash_file(path)
    if not name.endswith(".raf"):  # exiftool 12.57 rewrites RAF only in place of the same size
        exiftool("-overwrite_original", "-XMP-dc:Title=Oma's 80th", "-Artist=Ünal", str(path))
        assert hash_file(path) != whole
        assert image_data_hash(path) == info.hash
    # Flip one byte in the middle of the hashed image data: a different picture.
    start, length = first_image_range(path)
    with open(path, "r+b") as f:
        f.seek(start + length // 2)
        byte = f.read(1)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([byte[0] ^ 0x5A]))
    assert image_data_hash(path) not in (None, info.hash)


def first_image_range(path: Path) -> tuple[int, int]:
    from photoarchive import imagedata as m

    fd = os.open(path, os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        kind = image_data(path).kind
        if kind == "jpeg":
            start = m.jpeg_scan_start(fd, size)
            return start + 20, size - start - 40
        if kind == "tiff":
            return m.tiff_image_ranges(fd, size)[-1]
        if kind == "raf":
            import struct

            return struct.unpack(">II", os.pread(fd, 8, 100))
        return m.bmff_image_ranges(fd, size)[1][0]
    finally:
        os.close(fd)


def test_streamed_in_small_chunks_equals_whole_file(tmp_path: Path) -> None:
    """The copier feeds chunks as read; an EOI split across two chunks must still be found."""
    path = tmp_path / "a.jpg"
    data = jpeg_bytes(5, datetime(2024, 5, 1, 9), size=(200, 150)) + b"trailer\xff\xd9junk"
    long_tail = data + bytes(5000)  # a trailer longer than a chunk: the stream falls back
    path.write_bytes(data)
    want = image_data_hash(path)
    path2 = tmp_path / "b.jpg"
    path2.write_bytes(long_tail)
    assert image_data_hash(path2) == want
    for file, content in ((path, data), (path2, long_tail)):
        for step in (1, 7, 4096):
            fd = os.open(file, os.O_RDONLY)
            try:
                hasher = ImageDataHasher(fd, len(content))
                for off in range(0, len(content), step):
                    chunk = content[off : off + step]
                    hasher.feed(off, chunk, len(chunk))
                assert hasher.result().hash == want, (file.name, step)
            finally:
                os.close(fd)
    # Image data runs to the last EOI; the trailer after it is not image data.
    start = data.index(b"\xff\xda", data.index(b"\xff\xdb"))
    assert want == xxhash.xxh3_128(data[start : data.rindex(b"\xff\xd9") + 2]).hexdigest()
    assert want != xxhash.xxh3_128(data[start:]).hexdigest()


def test_unknown_or_damaged_files_get_none_and_a_reason(tmp_path: Path) -> None:
    odd = tmp_path / "clip.MTS"
    odd.write_bytes(b"\x47" + bytes(500))
    info = image_data(odd)
    assert info.hash is None and "no image-data rule" in info.reason
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(b"\xff\xd8\xff\xe1\x40\x00Exif")  # APP1 says 16 KB, file ends
    info = image_data(cut)
    assert info.hash is None and info.reason
    assert image_data(tmp_path / "missing.jpg").reason.startswith("cannot read")


def test_import_records_it_and_an_old_catalog_is_upgraded(
    tmp_path: Path, settings: Settings
) -> None:
    card = make_card(tmp_path / "card", datetime(2024, 3, 4, 8), days=3, per_day=2)
    summary = pipeline.import_photos(settings, [card.root])
    assert summary.ok, summary.all_problems
    with Catalog(settings.catalog_path) as cat:
        records = cat.files()
        media = [r for r in records if r.role == "media"]
        assert media
        for rec in media:
            on_disk = image_data(settings.archive / rec.path)
            assert cat.image_hash(rec.path) == on_disk.hash
            assert rec.image_hash == on_disk.hash
        assert any(r.image_hash for r in media)
        assert all(r.image_hash is None for r in records if r.role == "sidecar")

    # A catalog written before image hashes existed (schema 1) opens and gains the column.
    old = tmp_path / "old.sqlite"
    conn = sqlite3.connect(old)
    conn.executescript(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "INSERT INTO meta VALUES ('schema_version', '1');"
        "CREATE TABLE files (id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE, week TEXT NOT "
        "NULL, hash TEXT NOT NULL, import_hash TEXT NOT NULL, size INTEGER NOT NULL, mtime_ns "
        "INTEGER NOT NULL, capture_time TEXT, capture_guess INTEGER NOT NULL DEFAULT 0, role TEXT"
        " NOT NULL DEFAULT 'media', source_volume TEXT, source_path TEXT, import_id INTEGER);"
        "INSERT INTO files (path, week, hash, import_hash, size, mtime_ns) "
        "VALUES ('2024-03-04/A.JPG', '2024-03-04', 'h', 'h', 5, 1);"
    )
    conn.commit()
    conn.close()
    with Catalog(old) as cat:
        assert cat.file("2024-03-04/A.JPG") is not None
        assert cat.image_hash("2024-03-04/A.JPG") is None
        cat.set_image_hash("2024-03-04/A.JPG", "abc")
        assert cat.image_hash("2024-03-04/A.JPG") == "abc"
        version = cat.conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        assert version[0] == str(SCHEMA_VERSION)  # upgraded to this version (2 or later)
        # schema 3: the Flickr record table arrives too
        assert cat.conn.execute("SELECT COUNT(*) FROM flickr_photos").fetchone()[0] == 0


@pytest.mark.parametrize("path", corpus_files(), ids=corpus_id)
def test_every_corpus_file_gets_a_hash_or_a_reason(path: Path) -> None:
    info = image_data(path)
    assert (info.hash is None) == bool(info.reason)
    if path.name == "IMG_1361.dng":  # exiv2 cut this DNG short: its tiles lie past the end
        assert info.hash is None and "past the end" in info.reason
    elif path.suffix.lower() in (".jpg", ".dng", ".nef", ".cr2", ".heic", ".tif"):
        assert info.hash is not None, (path.name, info.reason)
