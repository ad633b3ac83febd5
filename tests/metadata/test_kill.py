"""A writer killed with SIGKILL mid-batch leaves every file either old or new, never damaged."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from metadata.mdtools import camera_jpeg
from PIL import Image

from photoarchive.metadata.coords import Coordinates
from photoarchive.metadata.exiv2 import EditSpec, rewrite_bytes

N_FILES = 160
SPEC = EditSpec(gps=Coordinates(-33.8568, 151.2153, 5.0), title="Killed?", caption="Ωμέγα 😀")
ARGS = ["tag", "--coords", "-33.8568, 151.2153, 5", "--title", "Killed?", "--caption", "Ωμέγα 😀"]


def _start(folder: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "photoarchive", *ARGS, str(folder)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: the workers die with it
    )


def _replaced(paths: list[Path], inodes: dict[Path, int]) -> int:
    n = 0
    for p in paths:
        with contextlib.suppress(FileNotFoundError):
            n += os.stat(p).st_ino != inodes[p]
    return n


def test_sigkill_mid_batch_leaves_each_file_old_or_new(
    tmp_path: Path, cli_env: dict[str, str]
) -> None:
    folder = tmp_path / "week"
    folder.mkdir()
    bases = [camera_jpeg(seed, size=(700, 500)) for seed in range(4)]
    new_of = {base: rewrite_bytes(base, SPEC).data for base in bases}
    old: dict[Path, bytes] = {}
    for i in range(N_FILES):
        path = folder / f"IMG_{i:04d}.jpg"
        path.write_bytes(bases[i % 4])
        old[path] = bases[i % 4]
    paths = sorted(old)

    for fraction in (0.0, 0.5):  # kill just after the first rename, then about half-way
        inodes = {p: os.stat(p).st_ino for p in paths}
        proc = _start(folder, cli_env)
        threshold = max(1, int(fraction * N_FILES))
        deadline = time.monotonic() + 60
        while _replaced(paths, inodes) < threshold and time.monotonic() < deadline:
            time.sleep(0.002)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        states = {"old": 0, "new": 0}
        for p in paths:
            data = p.read_bytes()
            if data == old[p]:
                states["old"] += 1
            else:
                assert data == new_of[old[p]], f"{p.name} is neither the old nor the new file"
                states["new"] += 1
            Image.open(io.BytesIO(data)).load()  # decodes completely
        assert states["new"] >= threshold
        assert states["old"] > 0, "the batch finished before the kill; make it longer"

    # A normal run afterwards finishes the job and clears what the killed runs left behind.
    done = subprocess.run(
        [sys.executable, "-m", "photoarchive", *ARGS, str(folder)],
        env=cli_env,
        capture_output=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert all(p.read_bytes() == new_of[old[p]] for p in paths)
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []
