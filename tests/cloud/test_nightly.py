"""The nightly run the timer starts: sync to the bucket, then the scrub within its budget,
without a display, logged."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from cloud.gcs_fixtures import Gcs
from harness import run_cli
from imaging import jpeg_bytes, write_file

from photoarchive.cloud.client import EMULATOR_ENV
from photoarchive.config import Settings, save_settings


def test_nightly_syncs_then_scrubs(
    settings: Settings, gcs: Gcs, cli_env: dict[str, str], isolated_home: Path, tmp_path: Path
) -> None:
    from dataclasses import replace

    save_settings(replace(settings, bucket=gcs.target))
    card = tmp_path / "card"
    for i in range(3):
        write_file(
            card / "DCIM" / "100X" / f"IMG_{i}.JPG", jpeg_bytes(i, datetime(2024, 3, 5, 9 + i))
        )
    assert run_cli("import", str(card), env=cli_env).returncode == 0
    env = {k: v for k, v in cli_env.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env[EMULATOR_ENV] = gcs.url
    out = run_cli("nightly", "--scrub-minutes", "5", env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert {f"2024-03-04/IMG_{i}.JPG" for i in range(3)} <= set(gcs.objects())
    log = (isolated_home / ".local/state/photoarchive/logs/photoarchive.log").read_text()
    assert "nightly: sync starts" in log and "nightly: sync ended with 0" in log
    assert "nightly: scrub starts" in log and "nightly: scrub ended with 0" in log
    assert "scrub --budget 5m" in log  # the time budget reached the scrub
    shown = run_cli("schedule", "show", env=env)
    assert f"sync to {gcs.target}, scrub within the time budget" in shown.stdout
