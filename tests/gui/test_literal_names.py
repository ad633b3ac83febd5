"""File names (and messages naming files) are shown literally: Qt renders text that looks like
HTML as HTML, and a file may be named `<b>x</b>.jpg` (names are bytes)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtGui import QTextDocument

from photoarchive.jobs import Problem, Severity

NAMES = [
    "2024-03-04/<b>x</b>.jpg",
    "2024-03-04/Tom & Jerry.jpg",
    "2024-03-04/a &amp; b.jpg",
    "2024-03-04/<i>two  spaces</i>.jpg",
]


def shown(text: str, text_format: Qt.TextFormat = Qt.TextFormat.AutoText) -> str:
    """What Qt puts on screen for a label's or tool tip's text (tool tips are AutoText)."""
    rich = text_format == Qt.TextFormat.RichText or (
        text_format == Qt.TextFormat.AutoText and GuiQt.mightBeRichText(text)
    )
    if not rich:
        return text
    doc = QTextDocument()
    doc.setHtml(text)
    return doc.toPlainText()


def test_the_problems_table_shows_names_literally(qtbot) -> None:
    from photoarchive.gui.dialogs.problems import ProblemsDialog

    problems = [Problem(name, f"cannot read {name}", Severity.ERROR) for name in NAMES]
    dlg = ProblemsDialog("Import", problems)
    qtbot.addWidget(dlg)
    for row, name in enumerate(NAMES):
        cell, reason = dlg.table.item(row, 0), dlg.table.item(row, 1)
        assert cell.text() == name and reason.text() == f"cannot read {name}"
        assert shown(cell.toolTip()) == name
        assert shown(reason.toolTip()) == f"cannot read {name}"


@pytest.mark.parametrize("name", NAMES[:2])
def test_a_job_that_failed_on_a_file_names_it_literally(qtbot, wait_job, name: str) -> None:
    from photoarchive.gui.jobs_bar import JobRow
    from photoarchive.gui.worker import JobRunner

    def fail(cancel, progress):  # type: ignore[no-untyped-def]
        raise FileNotFoundError(2, "No such file or directory", name)

    runner = JobRunner()
    job = runner.run("Reading", fail)
    row = JobRow(job)
    qtbot.addWidget(row)
    wait_job(job)
    qtbot.waitUntil(lambda: "failed" in row.status.text(), timeout=5000)
    expected = f"failed: No such file or directory: {name}"
    assert shown(row.status.text(), row.status.textFormat()) == expected
    assert shown(row.status.toolTip()) == expected
    runner.shutdown(5000)


def test_the_welcome_assistant_names_folders_literally(qtbot, isolated_home, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from photoarchive.config import load_settings
    from photoarchive.gui.first_run import FirstRunWizard

    wizard = FirstRunWizard(load_settings(env={}))
    qtbot.addWidget(wizard)
    page = wizard.archive_page
    odd = tmp_path / "<i>old</i> & weeks"
    page.adopt_edit.setText(str(odd))  # no such folder: the survey says so, naming it
    survey = page.survey_label
    assert str(odd) in shown(survey.text(), survey.textFormat()), survey.text()
    page.adopt_edit.setText("")
    folder = tmp_path / "<b>Photos</b> & Co"
    page.archive_edit.setText(str(folder))
    wizard.show()
    while wizard.currentPage() is not wizard.done_page:
        wizard.next()
    label = wizard.done_label
    assert f"Keep the archive in {folder}." in shown(label.text(), label.textFormat())


def test_saved_place_names_show_literally_in_their_tool_tips(qtbot) -> None:
    """A place is named by the user: `<b>Oma</b> & Opa` is a name, not markup."""
    from PySide6.QtWidgets import QTreeWidget

    from photoarchive.gui.place_widgets import fill_places
    from photoarchive.metadata.places import Place

    names = ["<b>Oma</b> & Opa", "Tom &amp; Jerry", "<i>two  spaces</i>"]
    tree = QTreeWidget()
    tree.setColumnCount(3)
    qtbot.addWidget(tree)
    fill_places(tree, [Place(n, 57.7, 11.9, city="<u>Göteborg</u>") for n in names])
    items = [tree.topLevelItem(row) for row in range(tree.topLevelItemCount())]
    assert sorted(i.text(0) for i in items) == sorted(names)
    for item in items:
        assert shown(item.toolTip(0)) == f"{item.text(0)} (<u>Göteborg</u>)"
