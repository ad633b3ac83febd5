"""The nightly run the timer starts: sync to the bucket without a display, logged."""

from __future__ import annotations

from pathlib import Path

from cloud.gcs_fixtures import Gcs, make_archive, sample_files
from harness import run_cli

from photoarchive.cloud.client import EMULATOR_ENV
from photoarchive.config import Settings, save_settings


def test_nightly_syncs_to_the_configured_bucket(
    settings: Settings, gcs: Gcs, cli_env: dict[str, str], isolated_home: Path
) -> None:
    from dataclasses import replace

    save_settings(replace(settings, bucket=gcs.target))
    files = sample_files(3)
    make_archive(settings, files)
    env = {k: v for k, v in cli_env.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env[EMULATOR_ENV] = gcs.url
    out = run_cli("nightly", env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    assert set(files) <= set(gcs.objects())
    log = (isolated_home / ".local/state/photoarchive/logs/photoarchive.log").read_text()
    assert "nightly: sync starts" in log and "nightly: sync ended with 0" in log
