"""Helpers for tests that run the CLI or need a real small/read-only filesystem."""

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "photoarchive", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def run_window(cmd: list[str], env: dict[str, str], cwd: Path, up_for: float) -> str:
    """Start the desktop app, check its window is still up after `up_for` seconds, close it
    with SIGINT as a user's Ctrl+C would, and assert it quit cleanly; returns its stderr."""
    gui = subprocess.Popen(
        cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + up_for
        while time.monotonic() < deadline and gui.poll() is None:
            time.sleep(0.2)
        assert gui.poll() is None, gui.communicate()[1]  # the window is up
        gui.send_signal(signal.SIGINT)
        _, err = gui.communicate(timeout=60)
    finally:
        if gui.poll() is None:
            gui.kill()
            gui.communicate()
    assert gui.returncode == 0 and "Traceback" not in err, err
    return err


@contextmanager
def tmpfs(path: Path, size: str = "4m", ro: bool = False) -> Iterator[Path]:
    """A real small or read-only filesystem (needs root, as CI has); skips otherwise."""
    path.mkdir(parents=True, exist_ok=True)
    opts = f"size={size}" + (",ro" if ro else "")
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(path)], check=False)
    if res.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


@contextmanager
def ext4_card(path: Path, label: str, size: str = "8M") -> Iterator[Path]:
    """A loop-mounted ext4 image with a real filesystem label and UUID (a card as the system
    sees it; this kernel has no vfat driver). Needs root and mkfs.ext4; skips otherwise."""
    path.mkdir(parents=True, exist_ok=True)
    image = path.with_name(path.name + ".img")
    subprocess.run(["truncate", "-s", size, str(image)], check=True)
    made = subprocess.run(["mkfs.ext4", "-q", "-L", label, str(image)], check=False)
    if (
        made.returncode != 0
        or subprocess.run(
            ["mount", "-o", "loop", str(image), str(path)], check=False, capture_output=True
        ).returncode
    ):
        pytest.skip("cannot make and loop-mount an ext4 card here (needs root and mkfs.ext4)")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-d", str(path)], check=False)
