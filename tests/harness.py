"""Helpers for tests that run the CLI or need a real small/read-only filesystem."""

import subprocess
import sys
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
