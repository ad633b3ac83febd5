"""The jobs bar: the newest job stays in sight, finished ones fold into a summary whose
problems stay reachable, results are told in words, and the bar's size is remembered."""

from __future__ import annotations

import threading

from photoarchive.jobs import Problem, Severity
from photoarchive.metadata.tagging import BatchResult, FileResult


def test_a_new_job_is_visible_while_five_finished_exist(qtbot, window, wait_job, tmp_path):
    win = window
    win.vsplit.setSizes([900, 60])  # a small bar: about one row high
    for i in range(5):
        result = BatchResult(
            results=[FileResult(tmp_path / f"{i}.jpg", changed=i != 2)],
            problems=[Problem(f"/x/{i}.jpg", "damaged", Severity.ERROR)] if i == 2 else [],
        )
        wait_job(win.runner.run(f"Writing {i}", lambda c, p, r=result: r))
    bar = win.jobs_bar
    newest = bar.rows[-1]
    assert newest.status.text() == "done: written 1 file, unchanged 0, 0 errors"
    assert bar.summary.isVisible()
    assert bar.summary_label.text() == "4 earlier jobs: 4 done · 1 problem"
    bar.toggle_button.click()  # unfolded: more rows than the small bar shows
    scroll = win.vsplit.widget(1)
    qtbot.waitUntil(lambda: scroll.verticalScrollBar().maximum() > 0, timeout=5000)
    scroll.verticalScrollBar().setValue(scroll.verticalScrollBar().maximum())  # user scrolled
    release = threading.Event()
    running = win.runner.run("Still working", lambda c, p: release.wait(30))
    row = bar.row_for(running)
    qtbot.waitUntil(lambda: not row.visibleRegion().isEmpty(), timeout=5000)
    assert scroll.verticalScrollBar().value() == 0  # brought back to the newest job
    assert bar.summary_label.text() == "5 earlier jobs: 5 done · 1 problem"
    bar.toggle_button.click()  # fold them again
    assert [r.isVisible() for r in bar.rows[:5]] == [False] * 5  # folded
    dialog = bar.show_earlier_problems()
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 1).text() == "damaged (Writing 2)"
    folded = next(r for r in bar.rows if r.job.title == "Writing 2")
    assert folded.status.text() == "done: written 0 files, unchanged 1, 1 error · 1 problem"
    bar.toggle_button.click()
    assert all(r.isVisible() for r in bar.rows) and bar.toggle_button.text() == "Hide"
    release.set()
    wait_job(running)
    assert not row.visibleRegion().isEmpty()  # still the newest: still shown


def test_the_jobs_bar_size_is_remembered(qtbot, window):
    from photoarchive.gui.main_window import MainWindow

    window.vsplit.setSizes([500, 250])
    wanted = window.vsplit.sizes()[1]
    window.save_state()
    again = MainWindow(window.settings)
    qtbot.addWidget(again)
    again.show()
    assert again.vsplit.sizes()[1] == wanted
    assert not again.vsplit.isCollapsible(1)
