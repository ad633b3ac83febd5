"""Catalog integrity around rewrites: edits a crash kept from being reported, earlier damage."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from metadata.mdtools import camera_card, camera_jpeg

from photoarchive import pipeline
from photoarchive.config import Settings
from photoarchive.metadata import tagging
from photoarchive.metadata.reading import read_metadata
from photoarchive.metadata.tagging import CRASHED, TagEdit, apply_tags, expand_paths
from photoarchive.metadata.workers import DAMAGED

# Wraps the real run_chunk: the good files of the chunk are committed, then the worker aborts
# on the hostile file, as exiv2 crashing on it would: the report of the whole chunk is lost.
CRASH_AFTER_COMMIT = """
import os
from photoarchive.metadata.workers import run_chunk

def work(tasks):
    good = [t for t in tasks if "IMG_9" not in t.path]
    out = run_chunk(good)
    if len(good) < len(tasks):
        os.abort()
    return out
"""


def test_edits_committed_before_a_worker_crash_reach_the_catalog(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    camera_card(tmp_path / "card", (0, 1, 2, 9))
    pipeline.import_photos(settings, [tmp_path / "card"])
    files, _ = expand_paths([settings.archive / "2024-03-04"])
    assert [f.name for f in files] == ["IMG_0.JPG", "IMG_1.JPG", "IMG_2.JPG", "IMG_9.JPG"]

    (tmp_path / "crash_after_commit.py").write_text(CRASH_AFTER_COMMIT, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    import crash_after_commit

    monkeypatch.setattr(tagging, "run_chunk", crash_after_commit.work)
    result = apply_tags(settings, files, TagEdit(title="Spring"), workers=2)
    sys.modules.pop("crash_after_commit", None)

    messages = {r.path.name: r.message for r in result.results}
    assert messages["IMG_9.JPG"] == CRASHED
    # This run renamed them (the journal says so): the summary counts them as written, not as
    # "unchanged" because the retry found them already edited.
    assert {r.path.name: r.changed for r in result.results} == {
        "IMG_0.JPG": True,
        "IMG_1.JPG": True,
        "IMG_2.JPG": True,
        "IMG_9.JPG": False,
    }
    assert result.changed == 3
    for f in files[:3]:
        assert read_metadata(f).title == "Spring"
    report = pipeline.verify(settings)
    assert report.clean, (report.changed, report.unknown)
    assert not list(settings.cache_dir.glob("tag-journal-*"))


def test_a_file_damaged_since_import_is_refused_not_rewritten(
    settings: Settings, tmp_path: Path
) -> None:
    camera_card(tmp_path / "card")
    pipeline.import_photos(settings, [tmp_path / "card"])
    files, _ = expand_paths([settings.archive / "2024-03-04"])
    damaged = files[1]
    data = bytearray(damaged.read_bytes())
    data[-10] ^= 0x55  # one flipped bit-pattern in the image data, as bit rot would do
    damaged.write_bytes(bytes(data))

    result = apply_tags(settings, files, TagEdit(title="Spring"), workers=1)
    by_name = {r.path.name: r for r in result.results}
    assert by_name[damaged.name].message == DAMAGED and not by_name[damaged.name].changed
    assert damaged.read_bytes() == bytes(data)
    assert [p.path for p in result.problems] == [str(damaged)]
    for f in (files[0], files[2]):
        assert by_name[f.name].changed and read_metadata(f).title == "Spring"
    assert pipeline.verify(settings).changed == [f"2024-03-04/{damaged.name}"]

    outside = tmp_path / "loose" / "IMG_5.JPG"  # not in the archive: nothing to compare with
    outside.parent.mkdir()
    outside.write_bytes(camera_jpeg(5))
    assert apply_tags(settings, [outside], TagEdit(title="x"), workers=1).ok


# Commits every file of its chunk, then dies whenever IMG_1 is in it: the first pass renames all
# three, and IMG_1's file-by-file retry crashes again (after finding it already edited).
COMMIT_THEN_DIE_ON_1 = """
import os
from photoarchive.metadata.workers import run_chunk

def work(tasks):
    out = run_chunk(tasks)
    if any("IMG_1" in t.path for t in tasks):
        os.abort()
    return out
"""


def test_a_file_renamed_by_this_run_is_written_even_when_its_retry_crashes(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    camera_card(tmp_path / "card", (0, 1, 2))
    pipeline.import_photos(settings, [tmp_path / "card"])
    files, _ = expand_paths([settings.archive / "2024-03-04"])

    (tmp_path / "commit_then_die.py").write_text(COMMIT_THEN_DIE_ON_1, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    import commit_then_die

    monkeypatch.setattr(tagging, "run_chunk", commit_then_die.work)
    result = apply_tags(settings, files, TagEdit(title="Summer"), workers=2)
    sys.modules.pop("commit_then_die", None)

    results = sorted(result.results, key=lambda r: r.path)
    assert [(r.path.name, r.changed, r.message) for r in results] == [
        ("IMG_0.JPG", True, None),
        ("IMG_1.JPG", True, None),
        ("IMG_2.JPG", True, None),
    ]
    assert result.problems == [] and result.ok
    for f in files:
        assert read_metadata(f).title == "Summer"
    report = pipeline.verify(settings)
    assert report.clean, (report.changed, report.unknown)
