"""Capture times over the real-file corpus (tests/corpus), file by file against exiftool, and
an import that archives every corpus file in the week exiftool's date gives."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from exiftool_dates import Expected, exiftool_times, expected_date
from imaging import tree_bytes

from photoarchive import pipeline
from photoarchive.archive import week_folder
from photoarchive.config import Settings
from photoarchive.importing.capture_time import CaptureTime, read_capture_time
from photoarchive.media import MEDIA_KINDS, kind_of

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
FILE_TIME = datetime(2020, 2, 2, 2, 2, 2)  # far from every embedded date


def corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.suffix.lower() != ".md")


@pytest.fixture(scope="module")
def exiftool_says() -> dict[Path, Expected | None]:
    files = corpus_files()
    times = exiftool_times(files)
    assert len(times) == len(files), "exiftool did not read every corpus file"
    return {p: expected_date(times[p]) for p in files}


def _matches(ct: CaptureTime, exp: Expected | None) -> bool:
    if exp is None:
        return ct.guess
    got = ct.local - (ct.offset or timedelta(0)) if exp.utc else ct.local
    if exp.minutes_only:
        return not ct.guess and got.replace(second=0) == exp.when.replace(second=0)
    return not ct.guess and got == exp.when


def test_capture_time_matches_exiftool_file_by_file(
    exiftool_says: dict[Path, Expected | None],
) -> None:
    wrong = []
    for path, exp in exiftool_says.items():
        ct = read_capture_time(path)
        if not _matches(ct, exp):
            wrong.append(f"{path.relative_to(CORPUS)}: read {ct}, exiftool {exp}")
    assert not wrong, "\n".join(wrong)
    dated = [p for p, e in exiftool_says.items() if e is not None]
    assert len(dated) >= 0.8 * len(exiftool_says)  # the corpus is about dated camera files
    # The hard cases the issue lists are in the corpus and read (no file time used).
    for name, source in (
        ("CasioQVCI.jpg", "makernote"),
        ("CanonRaw.crw", "makernote"),
        ("Sigma.x3f", "makernote"),
        ("QuickTime.mov", "quicktime"),
        ("Pentax.avi", "avi"),
        ("M2TS.mts", "mts"),
        ("PhotoMechanic.jpg", "iptc"),
        ("AFCP.jpg", "iptc"),
        ("InfiRay.jpg", "modified"),
    ):
        assert read_capture_time(CORPUS / "exiftool" / name).source == source, name
    assert (CORPUS / "exiftool/QuickTime.mov").read_bytes()[4:8] == b"moov"  # no ftyp box


def test_every_corpus_file_is_archived_in_exiftools_week(
    tmp_path: Path, settings: Settings, exiftool_says: dict[Path, Expected | None]
) -> None:
    card = tmp_path / "card"
    expected: dict[str, bytes] = {}
    stamp = FILE_TIME.timestamp()
    for i, (path, exp) in enumerate(exiftool_says.items()):
        assert kind_of(path.name) in MEDIA_KINDS, f"{path.name} would not be imported as media"
        # One folder per file: the corpus reuses stems (CanonRaw.cr2/.cr3/.crw are no shot).
        dest = card / "DCIM" / f"{100 + i:03d}TEST" / path.name
        dest.parent.mkdir(parents=True)
        shutil.copyfile(path, dest)
        os.utime(dest, (stamp, stamp))
        if exp is None:
            when = FILE_TIME
        elif exp.utc:  # UTC in the file: shown as this machine's wall clock
            when = exp.when.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)
        else:
            when = exp.when
        expected[f"{week_folder(when, settings.week_pattern)}/{path.name}"] = path.read_bytes()
    summary = pipeline.import_photos(settings, [card])
    assert summary.ok, summary.all_problems
    assert not summary.plan.skipped
    assert tree_bytes(settings.archive) == expected
    assert sorted(summary.plan.guessed) == sorted(
        str(card / "DCIM" / f"{100 + i:03d}TEST" / p.name)
        for i, (p, e) in enumerate(exiftool_says.items())
        if e is None
    )
