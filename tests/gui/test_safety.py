"""Tools → Safety: the ledger in a table, weeks needing attention first; a check runs as a job
and the table follows; the week list shows each week's copies as a badge."""

from __future__ import annotations

import os

from photoarchive.imagedata import jpeg_scan_start


def test_safety_view_lists_short_weeks_first_and_checks(qtbot, window, wait_job) -> None:
    win = window
    win.open_safety()
    dlg = win.safety_dialog
    wait_job(dlg.load_job)
    rows = dlg.table.rowCount()
    assert rows >= 1 and dlg.ledger is not None
    # No bucket, no named card: one copy (the archive) everywhere, short of the policy of 2.
    assert all(dlg.table.item(r, 2).text() == "1" for r in range(rows))
    assert "need attention" in dlg.summary.text()
    # Damage one photo behind the program's back: a check finds it and that week goes first.
    week = dlg.table.item(rows - 1, 0).text()
    photo = sorted((win.settings.archive / week).glob("*.JPG"))[0]
    data = bytearray(photo.read_bytes())
    fd = os.open(photo, os.O_RDONLY)
    start = jpeg_scan_start(fd, len(data))
    os.close(fd)
    data[(start + len(data)) // 2] ^= 0x41
    photo.write_bytes(bytes(data))
    job = dlg.scrub(repair=False)
    wait_job(job)
    assert job.state == "done" and "damaged" in job.result.in_words()
    qtbot.waitUntil(lambda: dlg.load_job is not None and dlg.load_job.state == "done")
    wait_job(dlg.load_job)
    assert dlg.table.item(0, 0).text() == week
    assert "damaged" in dlg.table.item(0, 5).text()
    # The week list's badge says the same.
    wait_job(win.refresh_weeks([]))
    texts = [win.week_model.item(r).text() for r in range(win.week_model.rowCount())]
    assert any("needs attention" in t for t in texts), texts
    dlg.close()
