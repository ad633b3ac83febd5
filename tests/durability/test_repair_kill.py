"""SIGKILL during a repair leaves the damaged file or the restored one under its name, never a
partial file; the next run finishes the repair."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from cloud.gcs_fixtures import Gcs
from durability.damage import flip_image_byte
from imaging import jpeg_bytes, write_file

from photoarchive import pipeline
from photoarchive.archive import TEMP_SUFFIX
from photoarchive.cloud.client import EMULATOR_ENV
from photoarchive.config import Settings
from photoarchive.durability.scrub import scrub


def test_sigkill_during_repair(
    tmp_path: Path,
    settings: Settings,
    gcs: Gcs,
    fast_retry,  # type: ignore[no-untyped-def]
    cli_env: dict[str, str],
) -> None:
    settings = replace(settings, bucket=gcs.target)
    taken = datetime(2024, 3, 5, 10)
    big = jpeg_bytes(7, taken, size=(64, 48), pad_to=48 << 20)
    write_file(tmp_path / "card/DCIM/100CANON/IMG_0001.JPG", big, taken)
    assert pipeline.import_photos(settings, [tmp_path / "card"]).ok
    assert pipeline.run_sync(settings, pipeline.plan_sync(settings), retry=fast_retry).ok
    victim = settings.archive / "2024-03-04" / "IMG_0001.JPG"
    bad = flip_image_byte(victim)
    env = dict(cli_env, **{EMULATOR_ENV: gcs.url})
    cmd = [sys.executable, "-m", "photoarchive", "scrub", "--repair", "--bucket", gcs.target]
    proc = subprocess.Popen(
        [*cmd, "--archive", str(settings.archive)], env=env, stdout=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    temps: list[Path] = []
    while not temps and proc.poll() is None and time.monotonic() < deadline:
        temps = [p for p in victim.parent.iterdir() if p.name.endswith(TEMP_SUFFIX)]
        time.sleep(0.001)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the repair finished before the kill"
    assert victim.read_bytes() in (bad, big)  # never a partial file under the final name
    report = scrub(settings, repair=True)  # the next run sets it right
    assert report.clean, report
    assert victim.read_bytes() == big
    assert not [p for p in victim.parent.iterdir() if p.name.startswith(".")]
