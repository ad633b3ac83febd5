"""`photoarchive schedule`: a systemd user timer that systemd accepts, or the crontab line."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from harness import run_cli

UNIT = "photoarchive-nightly"


def _analyze(runtime: Path, *paths: Path) -> subprocess.CompletedProcess[str]:
    runtime.mkdir(mode=0o700, exist_ok=True)  # the user manager's runtime dir
    env = {"PATH": "/usr/bin:/bin", "XDG_RUNTIME_DIR": str(runtime), "HOME": str(runtime)}
    return subprocess.run(
        ["systemd-analyze", "verify", "--user", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def test_schedule_install_show_remove_with_systemd_units(
    tmp_path: Path, isolated_home: Path, cli_env: dict[str, str]
) -> None:
    archive = tmp_path / "my archive"
    out = run_cli(
        "schedule",
        "install",
        "--systemd",
        "--at",
        "03:15",
        "--scrub-minutes",
        "45",
        "--archive",
        str(archive),
        env=cli_env,
    )
    assert out.returncode == 0, out.stderr
    units = isolated_home / ".config" / "systemd" / "user"
    service, timer = units / f"{UNIT}.service", units / f"{UNIT}.timer"
    assert "OnCalendar=*-*-* 03:15:00" in timer.read_text()
    assert "Persistent=true" in timer.read_text()
    exec_start = next(ln for ln in service.read_text().splitlines() if ln.startswith("ExecStart="))
    assert exec_start.startswith(f"ExecStart={sys.executable} -m photoarchive nightly")
    assert f'--archive "{archive}"' in exec_start and "--scrub-minutes 45" in exec_start
    assert "loginctl enable-linger" in out.stdout

    shown = run_cli("schedule", "show", "--archive", str(archive), env=cli_env)
    assert shown.returncode == 0 and "03:15" in shown.stdout
    assert "sync (no bucket configured)" in shown.stdout

    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (Debian: systemd)")
    # First a unit known to be good: if even that fails, systemd cannot run checks here.
    good = tmp_path / "probe.service"
    good.write_text("[Service]\nType=oneshot\nExecStart=/bin/true\n")
    probe = _analyze(tmp_path / "run", good)
    if probe.returncode != 0:
        pytest.skip(f"systemd-analyze verify cannot run here: {probe.stderr.strip()[:200]}")
    checked = _analyze(tmp_path / "run", service, timer)
    assert checked.returncode == 0 and not checked.stderr.strip(), checked.stderr

    gone = run_cli("schedule", "remove", env=cli_env)
    assert gone.returncode == 0 and not service.exists() and not timer.exists()


def test_schedule_prints_the_crontab_line_where_systemd_is_absent(
    tmp_path: Path, isolated_home: Path, cli_env: dict[str, str]
) -> None:
    out = run_cli(
        "schedule",
        "install",
        "--cron",
        "--at",
        "4:05",
        "--archive",
        str(tmp_path / "a"),
        env=cli_env,
    )
    assert out.returncode == 0, out.stderr
    line = next(ln.strip() for ln in out.stdout.splitlines() if "nightly" in ln)
    assert line.startswith(f"5 4 * * * {sys.executable} -m photoarchive nightly --archive ")
    assert not (isolated_home / ".config" / "systemd").exists()
    bad = run_cli("schedule", "install", "--cron", "--at", "25:00", env=cli_env)
    assert bad.returncode == 2 and "HH:MM" in bad.stderr


def test_nightly_without_a_bucket_says_it_needs_the_user(
    tmp_path: Path, isolated_home: Path, cli_env: dict[str, str]
) -> None:
    env = {k: v for k, v in cli_env.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)  # no display at all, as on a NAS
    out = run_cli("nightly", "--archive", str(tmp_path / "a"), env=env)
    assert out.returncode == 1
    assert "no bucket is configured" in out.stderr
    log = (isolated_home / ".local/state/photoarchive/logs/photoarchive.log").read_text()
    assert "nightly: no bucket is configured" in log
