"""`photoarchive schedule install | remove | show` and `photoarchive nightly`.

A NAS syncs and checks the archive at night without anyone watching: a systemd user timer
runs `photoarchive nightly` (where systemd is absent, `schedule install` prints the crontab
line instead). The nightly run needs no display, logs to stderr (the journal) and to the
rotating log file, and exits 1 when something needs the user, so `systemctl --user status`
and the timer list show it. Steps: the sync to the bucket (when one is configured), then the
durability scrub within a time budget (`scrub --budget`, which lists damage; repairs stay a
decision for the user). An installation without the `scrub` command runs the sync alone.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from photoarchive.config import Settings
from photoarchive.jobs import CancelToken

log = logging.getLogger(__name__)

UNIT = "photoarchive-nightly"
EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
_TIME = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


def unit_dir() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME", "").strip()
    root = Path(base) if os.path.isabs(base) else Path.home() / ".config"
    return root / "systemd" / "user"


def systemd_running() -> bool:
    return Path("/run/systemd/system").is_dir() and shutil.which("systemctl") is not None


def nightly_argv(settings: Settings, budget_minutes: int) -> list[str]:
    """This Python running this package: works from a venv, pipx or a checkout alike."""
    return [
        sys.executable,
        "-m",
        "photoarchive",
        "nightly",
        "--archive",
        str(settings.archive),
        "--scrub-minutes",
        str(budget_minutes),
    ]


def _systemd_quote(arg: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_@%+=:,./-]+", arg):
        return arg
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"'


def service_text(settings: Settings, budget_minutes: int) -> str:
    exec_start = " ".join(_systemd_quote(a) for a in nightly_argv(settings, budget_minutes))
    return (
        "[Unit]\n"
        "Description=Photo Archive: nightly sync to the bucket and check of the archive\n"
        "Documentation=https://github.com/photoarchive/photoarchive#readme\n"
        "\n"
        "[Service]\n"
        "Type=oneshot\n"
        f"ExecStart={exec_start}\n"
        # Gentle on a small NAS; the photos' owner may be using it.
        "Nice=10\n"
        "IOSchedulingClass=idle\n"
        "Environment=PYTHONUNBUFFERED=1\n"
    )


def timer_text(at: str) -> str:
    hour, minute = _TIME.match(at).groups()  # type: ignore[union-attr]
    return (
        "[Unit]\n"
        f"Description=Photo Archive every night at {int(hour):02d}:{minute}\n"
        "\n"
        "[Timer]\n"
        f"OnCalendar=*-*-* {int(hour):02d}:{minute}:00\n"
        "RandomizedDelaySec=10min\n"
        "Persistent=true\n"  # a night missed while the NAS was off runs at the next boot
        "\n"
        "[Install]\n"
        "WantedBy=timers.target\n"
    )


def crontab_line(settings: Settings, at: str, budget_minutes: int) -> str:
    hour, minute = _TIME.match(at).groups()  # type: ignore[union-attr]
    cmd = " ".join(_systemd_quote(a) for a in nightly_argv(settings, budget_minutes))
    return f"{int(minute)} {int(hour)} * * * {cmd}"


def _systemctl(*args: str) -> subprocess.CompletedProcess[str] | None:
    if not systemd_running():
        return None
    try:
        return subprocess.run(
            ["systemctl", "--user", *args], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("systemctl --user %s: %s", " ".join(args), exc)
        return None


def install(settings: Settings, at: str, budget_minutes: int, use_systemd: bool) -> int:
    if not use_systemd:
        print("systemd is not running here; add this line with `crontab -e`:")
        print(f"  {crontab_line(settings, at, budget_minutes)}")
        print("cron mails its output when something needs you; the log is also kept in")
        print("~/.local/state/photoarchive/logs/photoarchive.log.")
        return EXIT_OK
    folder = unit_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for suffix, text in (
        ("service", service_text(settings, budget_minutes)),
        ("timer", timer_text(at)),
    ):
        path = folder / f"{UNIT}.{suffix}"
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(text)
        os.replace(tmp, path)
        print(f"wrote {path}")
    enabled = _systemctl("daemon-reload") and _systemctl("enable", "--now", f"{UNIT}.timer")
    if enabled and enabled.returncode == 0:
        print(f"The timer is on: every night at {at}. See it with `photoarchive schedule show`.")
    else:
        why = enabled.stderr.strip() if enabled else "no systemd user session here"
        print(f"Could not enable the timer now ({why}). Enable it with:")
        print(f"  systemctl --user daemon-reload && systemctl --user enable --now {UNIT}.timer")
    print("On a NAS nobody logs in to, let user timers run anyway with:")
    print(f"  sudo loginctl enable-linger {os.environ.get('USER', '$USER')}")
    return EXIT_OK


def remove() -> int:
    _systemctl("disable", "--now", f"{UNIT}.timer")
    removed = []
    for suffix in ("timer", "service"):
        path = unit_dir() / f"{UNIT}.{suffix}"
        if path.exists():
            path.unlink()
            removed.append(path)
    _systemctl("daemon-reload")
    print(f"Removed {len(removed)} unit file(s)." if removed else "No timer was installed.")
    print("A crontab line, if you added one, stays until you remove it with `crontab -e`.")
    return EXIT_OK


def show(settings: Settings) -> int:
    timer = unit_dir() / f"{UNIT}.timer"
    if timer.exists():
        when = next(
            (
                ln.split("=", 1)[1]
                for ln in timer.read_text().splitlines()
                if ln.startswith("OnCalendar=")
            ),
            "?",
        )
        print(f"Timer: {timer} (OnCalendar={when})")
        status = _systemctl(
            "show", f"{UNIT}.service", "-p", "Result,ExecMainStatus,ExecMainExitTimestamp"
        )
        if status and status.returncode == 0:
            print("Last run: " + ", ".join(status.stdout.split()))
        listed = _systemctl("list-timers", f"{UNIT}.timer", "--no-pager")
        if listed and listed.returncode == 0:
            print(listed.stdout.rstrip())
        if not systemd_running():
            print("(systemd is not running here, so the timer does not fire)")
    else:
        print("No systemd timer installed (`photoarchive schedule install`).")
    print(f"Steps each night: {', '.join(nightly_steps(settings))}")
    print(
        "Log: ~/.local/state/photoarchive/logs/photoarchive.log, and `journalctl --user -u "
        f"{UNIT}` under systemd."
    )
    return EXIT_OK


def nightly_steps(settings: Settings) -> list[str]:
    steps = [f"sync to {settings.bucket}" if settings.bucket else "sync (no bucket configured)"]
    steps.append("scrub within the time budget")
    return steps


def run_nightly(args: argparse.Namespace, settings: Settings, cancel: CancelToken) -> int:
    """Each step in turn; the worst exit status wins, and every step is logged."""
    from photoarchive.cli.main import build_parser

    parser = build_parser()
    needs_user: list[str] = []
    steps: list[list[str]] = []
    if settings.bucket:
        steps.append(["sync"])
    else:
        needs_user.append("no bucket is configured, so nothing was copied off-site")
    steps.append(["scrub", "--budget", f"{args.scrub_minutes}m"])
    worst = EXIT_OK
    for step in steps:
        started = time.monotonic()
        log.info("nightly: %s starts: photoarchive %s", step[0], " ".join(step))
        try:
            step_args = parser.parse_args([*step, "--archive", str(settings.archive)])
            code = int(step_args.func(step_args, settings, cancel))
        except Exception:  # one step failing must not stop the next
            log.exception("nightly: %s failed", step[0])
            code = EXIT_PROBLEMS
        log.info(
            "nightly: %s ended with %d after %.0f s", step[0], code, time.monotonic() - started
        )
        if code:
            needs_user.append(f"{step[0]} needs a look (exit status {code})")
        worst = max(worst, code)
        if cancel.cancelled:
            break
    for what in needs_user:
        log.warning("nightly: %s", what)
        print(f"photoarchive nightly: {what}", file=sys.stderr)
    return EXIT_PROBLEMS if needs_user else worst


def _time(value: str) -> str:
    if not _TIME.match(value):
        raise argparse.ArgumentTypeError("give the time as HH:MM, e.g. 02:30")
    return value


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    s = sub.add_parser(
        "schedule",
        help="run the sync and the archive check every night (systemd user timer or cron)",
    )
    ssub = s.add_subparsers(dest="schedule_command", metavar="ACTION", required=True)
    i = ssub.add_parser("install", parents=[common], help="install the nightly timer")
    i.add_argument("--at", type=_time, default="02:30", metavar="HH:MM", help="default 02:30")
    i.add_argument(
        "--scrub-minutes",
        type=int,
        default=120,
        metavar="N",
        help="time budget of the nightly check (default 120)",
    )
    how = i.add_mutually_exclusive_group()
    how.add_argument(
        "--systemd",
        dest="how",
        action="store_const",
        const="systemd",
        help="write the systemd units even if systemd is not running",
    )
    how.add_argument(
        "--cron",
        dest="how",
        action="store_const",
        const="cron",
        help="print the crontab line instead",
    )
    i.set_defaults(
        func=lambda a, st, c: install(
            st, a.at, a.scrub_minutes, a.how == "systemd" or (a.how is None and systemd_running())
        )
    )
    r = ssub.add_parser("remove", parents=[common], help="remove the nightly timer")
    r.set_defaults(func=lambda a, st, c: remove())
    w = ssub.add_parser("show", parents=[common], help="the timer, its last run, the steps")
    w.set_defaults(func=lambda a, st, c: show(st))
    n = sub.add_parser(
        "nightly",
        parents=[common],
        help="what the timer runs: sync, then the archive check (exit 1: needs you)",
    )
    n.add_argument("--scrub-minutes", type=int, default=120, metavar="N")
    n.set_defaults(func=run_nightly)
