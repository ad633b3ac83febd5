"""Bad files and bad values: a clear message per file, the file untouched, the batch goes on."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from metadata.mdtools import camera_jpeg, exiftool_json

from photoarchive.config import Settings
from photoarchive.jobs import Severity
from photoarchive.metadata.coords import Coordinates
from photoarchive.metadata.tagging import TagEdit, apply_tags


def _corrupt_exif(data: bytes) -> bytes:
    """Garbage where the first IFD's entries should be."""
    tiff = data.find(b"Exif\x00\x00") + 6
    bad = bytearray(data)
    for k in range(tiff + 8, tiff + 200):
        bad[k] = (k * 37) & 0xFF
    return bytes(bad)


def test_each_bad_file_gets_its_message_and_stays_as_it_was(
    settings: Settings, tmp_path: Path, make_jpeg: Callable[..., Path]
) -> None:
    folder = tmp_path / "photos"
    good1 = make_jpeg("good1.jpg", seed=1)
    good2 = make_jpeg("good2.jpg", seed=2)
    bad: dict[str, tuple[Path, str]] = {}

    def add(name: str, data: bytes, expected: str) -> None:
        path = folder / name
        path.write_bytes(data)
        bad[name] = (path, expected)

    whole = camera_jpeg(3)
    add("corrupt_exif.jpg", _corrupt_exif(whole), "the EXIF block is damaged")
    add("truncated.jpg", whole[: len(whole) // 2], "truncated")
    add("not_a_jpeg.jpg", b"this is text, not a photo\n" * 10, "unreadable image or metadata")
    add("empty.jpg", b"", "empty file")
    add("notes.txt", b"hello", "unsupported file type .txt")
    add("drawing.svg", b"<svg/>", "unsupported file type .svg")
    add("readonly.jpg", camera_jpeg(4), "read-only")
    os.chmod(bad["readonly.jpg"][0], 0o444)
    vanished = folder / "vanished.jpg"  # listed, then gone before the batch reaches it
    before = {name: p.read_bytes() for name, (p, _) in bad.items()}
    stats = {name: os.stat(p).st_mtime_ns for name, (p, _) in bad.items()}

    paths = [good1, *(p for p, _ in bad.values()), vanished, good2]
    result = apply_tags(settings, paths, TagEdit(gps=Coordinates(1.5, 2.5), title="Hi"))

    by_path = {r.path: r for r in result.results}
    assert by_path[good1].changed and by_path[good2].changed  # the batch went on
    errors = {Path(p.path).name: p.reason for p in result.problems if p.severity is Severity.ERROR}
    for name, (path, expected) in bad.items():
        assert expected in errors[name], (name, errors[name])
        assert path.read_bytes() == before[name], name  # exactly as it was
        assert os.stat(path).st_mtime_ns == stats[name], name
        assert not by_path[path].changed
    assert errors["vanished.jpg"] == "the file vanished"
    assert not vanished.exists()
    leftovers = [p.name for p in folder.iterdir() if p.name.startswith(".")]
    assert leftovers == []  # no temporary files left behind
    (doc1, doc2) = exiftool_json(good1, good2)
    assert doc1["XMP-dc:Title"] == doc2["XMP-dc:Title"] == "Hi"


def test_out_of_range_coordinates_are_refused_per_file(
    settings: Settings, make_jpeg: Callable[..., Path]
) -> None:
    path = make_jpeg("x.jpg")
    before = path.read_bytes()
    result = apply_tags(settings, [path], TagEdit(gps=Coordinates(95.0, 10.0)))
    assert [p.reason for p in result.problems] == [
        "latitude 95 is out of range: expected -90 to 90 degrees"
    ]
    assert path.read_bytes() == before
    result = apply_tags(settings, [path], TagEdit(gps=Coordinates(10.0, -181.0), title="t"))
    assert "longitude -181 is out of range" in result.problems[0].reason
    assert path.read_bytes() == before


def test_nothing_to_change_is_not_an_error(
    settings: Settings, make_jpeg: Callable[..., Path]
) -> None:
    path = make_jpeg("same.jpg")
    first = apply_tags(settings, [path], TagEdit(title="Same"))
    assert first.changed == 1
    before = path.read_bytes()
    again = apply_tags(settings, [path], TagEdit(title="Same"))
    assert again.changed == 0 and again.problems == [] and again.ok
    assert path.read_bytes() == before
