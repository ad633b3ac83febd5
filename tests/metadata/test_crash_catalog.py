"""A worker crash kills its siblings; edits they made before dying still reach the catalog."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import pytest
from metadata.mdtools import camera_jpeg

from photoarchive import pipeline, tagging
from photoarchive.config import Settings
from photoarchive.metadata import read_metadata
from photoarchive.tagging import CRASHED, TagEdit, apply_tags, expand_paths

# Wraps the real run_chunk: a chunk of good files is committed, then its worker lingers (so its
# report is lost when the pool breaks); the worker holding the hostile file aborts once the
# good files are committed, as exiv2 crashing on a hostile file would.
CRASH_AFTER_COMMIT = """
import os, time
from pathlib import Path
from photoarchive.tag_worker import run_chunk

MARK = Path(MARK_DIR)  # not the environment: the forkserver may predate this test

def work(tasks):
    if any("IMG_9" in t.path for t in tasks):
        for _ in range(600):
            if (MARK / "committed").exists():
                break
            time.sleep(0.05)
        os.abort()
    out = run_chunk(tasks)
    if not (MARK / "committed").exists():
        (MARK / "committed").write_text("x")
        time.sleep(60)  # killed by the pool before this report is sent
    return out
"""


def test_edits_of_workers_killed_by_a_sibling_crash_reach_the_catalog(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    card = tmp_path / "card" / "DCIM" / "100CAM"
    card.mkdir(parents=True)
    for i in (0, 1, 2, 9):
        (card / f"IMG_{i}.JPG").write_bytes(camera_jpeg(i, taken=datetime(2024, 3, 5, 9, i)))
    pipeline.import_photos(settings, [tmp_path / "card"])
    files, _ = expand_paths([settings.archive / "2024-03-04"])
    assert [f.name for f in files] == ["IMG_0.JPG", "IMG_1.JPG", "IMG_2.JPG", "IMG_9.JPG"]

    mark = tmp_path / "mark"
    mark.mkdir()
    code = f"MARK_DIR = {str(mark)!r}\n" + CRASH_AFTER_COMMIT
    (tmp_path / "crash_after_commit.py").write_text(code, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    import crash_after_commit

    monkeypatch.setattr(tagging, "run_chunk", crash_after_commit.work)
    monkeypatch.setattr(tagging, "CHUNK_FILES", 3)  # the good files in one chunk, IMG_9 alone
    result = apply_tags(settings, files, TagEdit(title="Spring"), workers=2)
    sys.modules.pop("crash_after_commit", None)

    messages = {r.path.name: r.message for r in result.results}
    assert messages["IMG_9.JPG"] == CRASHED
    assert (mark / "committed").exists()
    for f in files[:3]:
        assert read_metadata(f).title == "Spring"
    report = pipeline.verify(settings)
    assert report.clean, (report.changed, report.unknown)
    assert not list(settings.cache_dir.glob("tag-journal-*"))
