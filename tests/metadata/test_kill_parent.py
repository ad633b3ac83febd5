"""Issue 10: a `tag` whose parent is killed (SIGKILL) at any point leaves no process behind, no
temporary, and a catalog that the next command (here `verify`) sets right from the journal."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from imaging import jpeg_bytes, write_file

from photoarchive import pipeline
from photoarchive.config import Settings
from photoarchive.jobs import CancelToken
from photoarchive.journal import journal_root

N_FILES = 100


def _alive_in_group(pgid: int) -> list[str]:
    """Processes of this process group that are not zombies: what a kill left running."""
    alive = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_bytes()
        except OSError:
            continue
        fields = stat.rpartition(b")")[2].split()
        if int(fields[2]) == pgid and fields[0] not in (b"Z", b"X"):
            alive.append(stat.split(b" ", 2)[1].decode(errors="replace"))
    return alive


def _drain(stream) -> threading.Event:  # type: ignore[no-untyped-def]
    """Read a pipe to its end; the event is set at EOF (nobody holds its write end any more)."""
    eof = threading.Event()

    def run() -> None:
        while stream.read(65536):
            pass
        eof.set()

    threading.Thread(target=run, daemon=True).start()
    return eof


@pytest.fixture
def week(settings: Settings, tmp_path: Path) -> Path:
    card = tmp_path / "card" / "DCIM" / "100CANON"
    for i in range(N_FILES):
        data = jpeg_bytes(i, datetime(2024, 3, 5, 10, i % 60, i // 60), pad_to=1 << 20)
        write_file(card / f"IMG_{i:04d}.JPG", data)
    plan = pipeline.plan(settings, [tmp_path / "card"], CancelToken())
    summary = pipeline.import_photos(settings, plan, CancelToken())
    assert summary.ok and len(summary.copied) == N_FILES
    (folder,) = [p for p in settings.archive.iterdir() if p.is_dir()]
    return folder


def _inodes(folder: Path) -> dict[str, int]:
    return {e.name: e.inode() for e in os.scandir(folder) if not e.name.startswith(".")}


def _renamed(folder: Path, before: dict[str, int]) -> int:
    return sum(before.get(name) != ino for name, ino in _inodes(folder).items())


def _temps(folder: Path) -> list[str]:
    return [n for n in os.listdir(folder) if n.startswith(".")]


POINTS: dict[str, Callable[[Path, dict[str, int]], bool]] = {
    "before any rename": lambda f, before: bool(_temps(f)),
    "between a rename and its report": lambda f, before: _renamed(f, before) >= 1,
    "half-way": lambda f, before: _renamed(f, before) >= N_FILES // 2,
}


def test_killed_tag_leaves_no_process_and_the_next_command_repairs_the_catalog(
    settings: Settings, week: Path, cli_env: dict[str, str]
) -> None:
    def cli(*args: str, **kw: object) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "photoarchive", *args, "--archive", str(settings.archive)]
        return subprocess.run(cmd, env=cli_env, capture_output=True, text=True, timeout=120, **kw)

    for n, (point, reached) in enumerate(POINTS.items()):
        before = _inodes(week)
        proc = subprocess.Popen(
            [sys.executable, "-m", "photoarchive", "caption", "--title", f"Kill {n}", str(week)],
            env=dict(cli_env, PHOTOARCHIVE_ARCHIVE=str(settings.archive)),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        eofs = [_drain(proc.stdout), _drain(proc.stderr)]
        deadline = time.monotonic() + 60
        while not reached(week, before) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        assert proc.poll() is None, f"{point}: the batch ended before the kill; make it longer"
        os.kill(proc.pid, signal.SIGKILL)  # the parent only: its workers must notice
        proc.wait()
        killed_at = time.monotonic()
        while _alive_in_group(proc.pid) and time.monotonic() - killed_at < 10:
            time.sleep(0.05)
        assert _alive_in_group(proc.pid) == [], f"{point}: processes outlived the kill"
        assert all(e.wait(10 - (time.monotonic() - killed_at)) for e in eofs), (
            f"{point}: someone still holds the caller's stdout/stderr"
        )
        assert _temps(week) == [], f"{point}: temporaries left behind"
        verify = cli("verify", "--json")
        report = json.loads(verify.stdout)
        assert verify.returncode == 0 and report["changed"] == [], f"{point}: {report}"
        assert list(journal_root(settings.catalog_path).iterdir()) == []
        print(
            point,
            _renamed(week, before),
            "renamed; gone after",
            round(time.monotonic() - killed_at, 2),
            "s",
        )

    again = cli("caption", "--title", "After the kills", str(week))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Wrote 100 files;" in again.stdout
    assert json.loads(cli("verify", "--json").stdout)["changed"] == []


def _children(pid: int) -> list[int]:
    out = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                fields = Path(entry.path, "stat").read_bytes().rpartition(b")")[2].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] not in (b"Z", b"X"):
                out.append(int(entry.name))
    return out


def test_killed_worker_leaves_no_temporary_after_the_run(
    settings: Settings, week: Path, cli_env: dict[str, str]
) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "photoarchive", "caption", "--title", "Worker killed", str(week)],
        env=dict(cli_env, PHOTOARCHIVE_ARCHIVE=str(settings.archive)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    victim = None
    deadline = time.monotonic() + 60
    while victim is None and proc.poll() is None and time.monotonic() < deadline:
        if _temps(week):  # a worker is writing: kill one of the forkserver's children
            workers = [w for child in _children(proc.pid) for w in _children(child)]
            if workers:
                victim = workers[0]
                os.kill(victim, signal.SIGKILL)
        time.sleep(0.002)
    assert victim is not None, "no worker seen at work; make the batch longer"
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, out + err
    assert "Wrote 100 files;" in out
    assert _temps(week) == []
    verify = subprocess.run(
        [
            sys.executable,
            "-m",
            "photoarchive",
            "verify",
            "--json",
            "--archive",
            str(settings.archive),
        ],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verify.returncode == 0 and json.loads(verify.stdout)["changed"] == []


def test_a_journal_left_by_an_older_version_is_replayed_by_the_next_tag(
    settings: Settings, tmp_path: Path
) -> None:
    """Before issue 10 a killed `tag` left `tag-journal-*` in the cache dir for good, and the
    catalog said "changed" for each file it had renamed."""
    from photoarchive.hashing import hash_file
    from photoarchive.metadata.edit import TagEdit
    from photoarchive.metadata.tagging import apply_tags, expand_paths

    card = tmp_path / "card2" / "DCIM" / "100CANON"
    for i in range(2):
        write_file(card / f"IMG_{i}.JPG", jpeg_bytes(i, datetime(2024, 3, 5, 10, i)))
    summary = pipeline.import_photos(
        settings, pipeline.plan(settings, [tmp_path / "card2"], CancelToken()), CancelToken()
    )
    assert summary.ok
    (week,) = [p for p in settings.archive.iterdir() if p.is_dir()]
    edited = week / "IMG_0.JPG"
    edited.write_bytes(jpeg_bytes(7, datetime(2024, 3, 5, 10, 0)))  # what the killed run wrote
    legacy = settings.cache_dir / "tag-journal-abc123"
    legacy.mkdir(parents=True)
    (legacy / "0.intent").write_text(f"{hash_file(edited)}\t0\t{edited}", "utf-8")
    assert pipeline.verify(settings, False, CancelToken()).changed  # what users saw
    result = apply_tags(settings, expand_paths([week])[0], TagEdit(title="Again"))
    assert result.ok and result.changed == 2, result.problems
    assert not legacy.exists()
    report = pipeline.verify(settings, False, CancelToken())
    assert report.changed == [] and report.clean
