"""kill -9 at several points of an import, then a re-run: every photo once, no temporaries."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from imaging import jpeg_bytes, tree_bytes, write_file

from photoarchive.archive import MANIFEST_NAME, TEMP_SUFFIX

N_FILES = 70  # three finishing batches (32 files each)


@pytest.fixture(scope="module")
def card(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[bytes, str]]:
    root = tmp_path_factory.mktemp("killcard")
    contents = {}
    for i in range(N_FILES):
        data = jpeg_bytes(i, datetime(2024, 10, 1 + i % 20, 12), pad_to=700_000)
        write_file(root / f"DCIM/100/IMG_{i:04d}.JPG", data)
        contents[data] = f"IMG_{i:04d}.JPG"
    return root, contents


def finals(archive: Path) -> list[Path]:
    if not archive.exists():
        return []
    return [
        p
        for p in archive.rglob("*")
        if p.is_file() and not p.name.startswith(".") and p.name != MANIFEST_NAME
    ]


def temps(archive: Path) -> list[Path]:
    return (
        [p for p in archive.rglob("*") if p.name.endswith(TEMP_SUFFIX)] if archive.exists() else []
    )


KILL_POINTS: dict[str, Callable[[Path], bool]] = {
    "first temporary file": lambda a: bool(temps(a)),
    "first batch being placed": lambda a: len(finals(a)) >= 3,
    "second batch being placed": lambda a: len(finals(a)) >= 36,
    "last batch being placed": lambda a: len(finals(a)) >= N_FILES - 3,
}


@pytest.mark.parametrize("point", list(KILL_POINTS))
def test_sigkill_then_rerun(
    point: str, card: tuple[Path, dict[bytes, str]], tmp_path: Path, cli_env: dict[str, str]
) -> None:
    root, contents = card
    archive = tmp_path / "archive"
    cmd = [sys.executable, "-m", "photoarchive", "import", "--archive", str(archive), str(root)]
    proc = subprocess.Popen(cmd, env=cli_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    condition = KILL_POINTS[point]
    while not condition(archive) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.0005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the import finished before the kill point"
    # Whatever is under a final name is complete and identical to a card file.
    for path in finals(archive):
        assert path.read_bytes() in contents, f"partial file under final name: {path}"
    rerun = subprocess.run([*cmd, "--json"], env=cli_env, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    archived = tree_bytes(archive)
    assert sorted(archived.values()) == sorted(contents)  # every photo, exactly once
    assert not temps(archive)
    verify = subprocess.run(
        [sys.executable, "-m", "photoarchive", "verify", "--archive", str(archive)],
        env=cli_env,
        capture_output=True,
        text=True,
    )
    assert verify.returncode == 0, verify.stdout


def test_ctrl_c_cancels_cleanly(
    card: tuple[Path, dict[bytes, str]], tmp_path: Path, cli_env: dict[str, str]
) -> None:
    root, contents = card
    archive = tmp_path / "archive"
    cmd = [sys.executable, "-m", "photoarchive", "import", "--archive", str(archive), str(root)]
    proc = subprocess.Popen(cmd, env=cli_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not temps(archive) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.0005)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, out + err
    assert b"Cancelled after copying" in out and b"cancelling" in err
    assert not temps(archive)
    placed = finals(archive)
    assert len(placed) < N_FILES
    assert all(p.read_bytes() in contents for p in placed)
    rerun = subprocess.run(cmd, env=cli_env, capture_output=True)
    assert rerun.returncode == 0
    assert sorted(tree_bytes(archive).values()) == sorted(contents)


def test_verify_from_disk(
    card: tuple[Path, dict[bytes, str]], tmp_path: Path, cli_env: dict[str, str]
) -> None:
    """The stricter read-back (page cache dropped before the check) imports the same bytes."""
    root, contents = card
    archive = tmp_path / "archive"
    cmd = [sys.executable, "-m", "photoarchive", "import", "--verify-from-disk", "--json"]
    res = subprocess.run(
        [*cmd, "--archive", str(archive), str(root)], env=cli_env, capture_output=True
    )
    assert res.returncode == 0, res.stderr
    assert sorted(tree_bytes(archive).values()) == sorted(contents)
    assert not temps(archive)
