"""Writes over the real-file corpus keep every tag they do not set, as exiftool reads them.

One batch tags every file the formats allow in place; one exiftool process reads the files
before and after. A file is either written with every other tag (maker notes included) as it
was, or refused with a message and left byte for byte as it was.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from corpus_files import corpus_files
from metadata.mdtools import EXIFTOOL

from photoarchive.config import Settings
from photoarchive.metadata.coords import Coordinates
from photoarchive.metadata.tagging import BatchResult, TagEdit, apply_tags

pytestmark = pytest.mark.skipif(EXIFTOOL is None, reason="exiftool not installed")

INPLACE = (".jpg", ".tif", ".png", ".webp")
RAW = (".dng", ".cr2", ".nef")  # in place when that keeps everything, else a sidecar
SIDECAR = (".psd", ".jp2", ".jxl", ".gif", ".crw", ".heic", ".rw2")
EDIT = TagEdit(
    gps=Coordinates(57.7089, 11.9746, 12.5),
    title="Göteborg — hamnen",
    caption="Zoë's caption: καλημέρα 東京 ©",
)
# Tags the edit sets (or that describe the file rather than its metadata).
SET_BY_EDIT = (
    "EXIF:IFD0:ImageDescription",
    "EXIF:GPS:",
    "IPTC:ObjectName",
    "IPTC:Caption-Abstract",
    "IPTC:CodedCharacterSet",
    "XMP:XMP-dc:Title",
    "XMP:XMP-dc:Description",
    "XMP:XMP-exif:GPS",
    "XMP:XMP-x:XMPToolkit",
    "Photoshop:IPTCDigest",
    "File:",
    "ExifTool:",
    "Composite:",
    "SourceFile",
)
# Pointers that may move (what they point to is compared by other tags and by write_check).
OFFSETS = ("Offset", "Offsets")
# JPEGs still refused, each for a reason that is not damage (see the messages).
REFUSED_JPEGS: set[str] = set()


def exiftool_all(paths: list[Path]) -> dict[str, dict[str, object]]:
    """Every tag exiftool finds, by file name; one process for all files."""
    assert EXIFTOOL
    out = subprocess.run(
        [EXIFTOOL, "-j", "-a", "-G0:1", "-n", "-struct", "-m", *map(str, paths)],
        capture_output=True,
        check=False,
    )
    return {Path(d["SourceFile"]).name: d for d in json.loads(out.stdout.decode("utf-8"))}


def _from_end(doc: dict[str, object]) -> dict[str, object]:
    """MPF image starts as distances from the end of the file, where those images are."""
    size = int(doc.get("File:System:FileSize", 0))  # type: ignore[call-overload]
    return {
        k: size - v if k.endswith("MPImageStart") and isinstance(v, int) and v else v
        for k, v in doc.items()
    }


def kept(before: dict[str, object], after: dict[str, object]) -> list[str]:
    """Tags that were there before and are missing or different after (edited ones aside)."""
    before, after = _from_end(before), _from_end(after)
    return [
        f"{key}: {value!r} -> {after.get(key, '(lost)')!r}"
        for key, value in before.items()
        if not key.startswith(SET_BY_EDIT) and not key.endswith(OFFSETS) and after.get(key) != value
    ]


@pytest.fixture(scope="module")
def tagged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, BatchResult]:
    """(originals folder, tagged folder, batch result) for the in-place corpus files."""
    root = tmp_path_factory.mktemp("corpus")
    before, work = root / "before", root / "work"
    before.mkdir()
    work.mkdir()
    for src in corpus_files(*INPLACE, *RAW, *SIDECAR):
        name = f"{src.parent.name}--{src.name}"
        shutil.copyfile(src, before / name)
        shutil.copyfile(src, work / name)
    settings = Settings(
        archive=root / "archive",
        config_dir=root / "cfg",
        data_dir=root / "data",
        cache_dir=root / "cache",
    )
    result = apply_tags(settings, sorted(work.iterdir()), EDIT, workers=2)
    return before, work, result


@pytest.fixture(scope="module")
def reads(
    tagged: tuple[Path, Path, BatchResult],
) -> tuple[dict[str, dict[str, object]], dict[str, dict[str, object]]]:
    """exiftool's view of every file before and after the batch."""
    before_dir, work, _ = tagged
    names = sorted(p.name for p in before_dir.iterdir())
    return exiftool_all([before_dir / n for n in names]), exiftool_all([work / n for n in names])


def test_every_write_keeps_all_other_tags_and_every_refusal_leaves_the_file(
    tagged: tuple[Path, Path, BatchResult], reads: tuple[dict[str, dict[str, object]], ...]
) -> None:
    before_dir, work, result = tagged
    names = sorted(p.name for p in before_dir.iterdir())
    old, new = reads
    by_name = {r.path.name: r for r in result.results}
    damaged = {}
    for name in names:
        r = by_name[name]
        if r.changed and name.endswith(SIDECAR):
            assert (work / name).read_bytes() == (before_dir / name).read_bytes(), name
        if r.changed:
            lost = kept(old[name], new[name])
            if lost:
                damaged[name] = lost[:5]
        else:
            assert r.message, name  # a refusal always says why
            assert (work / name).read_bytes() == (before_dir / name).read_bytes(), name
    assert damaged == {}
    written = {n.replace("--", "/") for n in names if by_name[n].changed}
    jpegs = {n.replace("--", "/") for n in names if n.endswith(".jpg")}
    assert jpegs - written == REFUSED_JPEGS
    assert len(written) == len(names)  # every file: in place or in its sidecar
    sidecars = sorted(work.glob("*.xmp"))
    assert {p.name.removesuffix(".xmp").rsplit(".", 1)[-1].lower() for p in sidecars} >= {
        e.strip(".") for e in SIDECAR
    }
    for doc in exiftool_all(sidecars).values():
        assert doc["XMP:XMP-dc:Title"] == EDIT.title, doc["SourceFile"]
        assert doc["XMP:XMP-dc:Description"] == EDIT.caption, doc["SourceFile"]
    for name in names:  # a RAW left as it was says where its edit went
        r = by_name[name]
        if name.endswith(RAW) and (work / name).read_bytes() == (before_dir / name).read_bytes():
            assert "written to the sidecar" in (r.message or ""), name


def test_maker_notes_identical_per_jpeg(
    tagged: tuple[Path, Path, BatchResult], reads: tuple[dict[str, dict[str, object]], ...]
) -> None:
    """The camera's maker notes: same tag count and values as exiftool reads them."""
    _, _, result = tagged
    names = sorted(r.path.name for r in result.results if r.changed and r.path.suffix == ".jpg")
    old, new = reads
    counted = 0
    for name in names:
        notes_old = {k: v for k, v in old[name].items() if k.startswith("MakerNotes:")}
        notes_new = {k: v for k, v in new[name].items() if k.startswith("MakerNotes:")}
        assert len(notes_new) == len(notes_old), name
        assert notes_new == notes_old, name
        counted += bool(notes_old)
    assert counted >= 35  # camera JPEGs with maker notes in the corpus


def _warnings(paths: list[Path]) -> dict[str, set[str]]:
    """`exiftool -validate` warnings by path, one process for all files."""
    assert EXIFTOOL
    out = subprocess.run(
        [EXIFTOOL, "-j", "-a", "-G4", "-validate", "-warning", *map(str, paths)],
        capture_output=True,
        check=False,
    )
    return {
        d["SourceFile"]: {str(v) for k, v in d.items() if k.endswith(":Warning")}
        for d in json.loads(out.stdout.decode("utf-8"))
    }


def test_no_new_validation_warning_that_exiftools_own_write_does_not_cause(
    tagged: tuple[Path, Path, BatchResult], tmp_path: Path
) -> None:
    before_dir, work, result = tagged
    names = sorted(r.path.name for r in result.results if r.changed and r.path.suffix == ".jpg")
    theirs = tmp_path / "exiftool"
    theirs.mkdir()
    for name in names:
        shutil.copyfile(before_dir / name, theirs / name)
    gps = EDIT.gps
    assert gps is not None and gps.alt is not None and EXIFTOOL
    subprocess.run(
        [EXIFTOOL, "-q", "-m", "-overwrite_original", "-charset", "iptc=UTF8"]
        + [f"-GPSLatitude={gps.lat}", "-GPSLatitudeRef=N", f"-GPSLongitude={gps.lon}"]
        + ["-GPSLongitudeRef=E", f"-GPSAltitude={gps.alt}", "-GPSAltitudeRef=0"]
        + ["-IPTC:CodedCharacterSet=UTF8", f"-IPTC:ObjectName={EDIT.title}"]
        + [f"-IPTC:Caption-Abstract={EDIT.caption}", f"-XMP-dc:Title={EDIT.title}"]
        + [f"-XMP-dc:Description={EDIT.caption}", f"-EXIF:ImageDescription={EDIT.caption}"]
        + [str(theirs / n) for n in names],
        check=False,
    )
    dirs = (before_dir, work, theirs)
    got = _warnings([d / n for d in dirs for n in names])
    new = {}
    for name in names:
        old, ours, exiftools = (got[str(d / name)] for d in dirs)
        if ours - old - exiftools:
            new[name] = ours - old - exiftools
    assert new == {}
    assert len(names) >= 50
