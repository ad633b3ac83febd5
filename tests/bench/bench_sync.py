"""Benchmark: `photoarchive sync` vs `rclone copy` into fake-gcs-server, and a no-change re-sync.

Run: python3 tests/bench/bench_sync.py [--files 1000] [--small 25000] [--repeat 3]

Part 1: FILES files of 1-6 MB (random bytes with .JPG names: generating real JPEGs of that
size takes longer than the benchmark, and neither tool looks inside) in weekly folders. Each
round starts a fresh fake-gcs-server (memory backend by default, so the emulator's disk is not
measured) and times, into separate buckets, `rclone copy --header-upload "X-Goog-Storage-Class:
NEARLINE"` (4 transfers, its default) and the `photoarchive sync` command (planning, MD5/CRC32C/
BLAKE3 of every file, server checksum comparison, catalog records, family guide and week
manifests included; the family pages off, as rclone copies only the originals: what they add
to a first sync is timed once after the rounds).
Part 2: SMALL small objects synced once, then the no-change re-sync timed (goal < 3 s).
Everything runs on 127.0.0.1. The emulator uses about one core: figures are relative.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from cloud.gcs_fixtures import client_for, free_port, start_fake_gcs  # noqa: E402


def make_tree(root: Path, n: int, lo: int, hi: int, per_week: int, seed: int = 7) -> int:
    rnd = random.Random(seed)
    total = 0
    for i in range(n):
        week = f"2020-{1 + (i // per_week) // 28:02d}-{1 + (i // per_week) % 28:02d}"
        path = root / week / f"IMG_{i:05d}.JPG"
        path.parent.mkdir(parents=True, exist_ok=True)
        size = rnd.randint(lo, hi)
        path.write_bytes(os.urandom(size))
        total += size
    return total


def env_for(url: str, home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        STORAGE_EMULATOR_HOST=url,
        PYTHONPATH=str(ROOT),
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local/share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        RCLONE_CONFIG=str(home / "rclone.conf"),
    )
    return env


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    took = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[:4]} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return took


def ours(archive: Path, bucket: str, env: dict[str, str]) -> float:
    cmd = [sys.executable, "-m", "photoarchive", "sync", "--bucket", f"gs://{bucket}"]
    return timed([*cmd, "--archive", str(archive)], env)


def theirs(archive: Path, bucket: str, port: int, env: dict[str, str]) -> float:
    remote = (
        f":gcs,anonymous=true,project_number=test,"
        f"endpoint='http://127.0.0.1:{port}/storage/v1/':{bucket}"
    )
    cmd = ["rclone", "copy", str(archive), remote]
    cmd += ["--header-upload", "X-Goog-Storage-Class: NEARLINE"]
    return timed(cmd, env)


def check_bucket(url: str, bucket: str, expect: int, nbytes: int) -> None:
    """The archive's files arrived (the family guide, the week manifests and the family pages
    that sync adds are not counted)."""
    blobs = [b for b in client_for(url).list_blobs(bucket) if b.name.endswith(".JPG")]
    got = sum(int(b.size or 0) for b in blobs)
    if len(blobs) != expect or got != nbytes:
        raise SystemExit(f"{bucket}: {len(blobs)} objects / {got} bytes, expected {expect}")


def part1(work: Path, n: int, repeat: int, backend: str) -> None:
    archive = work / "big"
    nbytes = make_tree(archive, n, 1_000_000, 6_000_000, per_week=40)
    print(f"part 1: {n} files, {nbytes / 1e9:.2f} GB, fake-gcs-server {backend} backend")
    t_rclone, t_ours = [], []
    for r in range(repeat):
        order = ["rclone", "ours"] if r % 2 == 0 else ["ours", "rclone"]
        for name in order:  # alternate who goes first; each gets a fresh, empty emulator
            port = free_port()
            store = work / f"store-{name}-{r}"
            proc = start_fake_gcs(port, backend, store if backend == "filesystem" else None)
            url = f"http://127.0.0.1:{port}"
            home = work / f"home-{name}-{r}"
            for sub in (".config", ".local/share", ".cache"):
                (home / sub).mkdir(parents=True, exist_ok=True)
            env = env_for(url, home)
            settings = home / ".config/photoarchive/settings.toml"
            settings.parent.mkdir(parents=True, exist_ok=True)
            settings.write_text("[sync]\nsite = false\n")  # the originals, as rclone copies
            bucket = f"b-{name}"
            try:
                client_for(url).create_bucket(bucket)
                if name == "rclone":
                    took = theirs(archive, bucket, port, env)
                    t_rclone.append(took)
                else:
                    took = ours(archive, bucket, env)
                    t_ours.append(took)
                print(f"  round {r + 1}: {name:6s} {took:7.2f} s", flush=True)
                check_bucket(url, bucket, n, nbytes)
            finally:
                proc.terminate()
                proc.wait(30)
                shutil.rmtree(store, ignore_errors=True)
                shutil.rmtree(home, ignore_errors=True)
    pages = site_cost(work, archive, backend)
    print(f"the family pages (site = true, the default) add {pages:.2f} s to a first sync")
    mr, mo = statistics.median(t_rclone), statistics.median(t_ours)
    print(f"rclone copy (NEARLINE header): median {mr:.2f} s ({nbytes / mr / 1e6:.0f} MB/s)")
    print(f"photoarchive sync:             median {mo:.2f} s ({nbytes / mo / 1e6:.0f} MB/s)")
    print(f"ratio rclone/ours: {mr / mo:.2f}x (goal >= 1.2x)")


def site_cost(work: Path, archive: Path, backend: str) -> float:
    """One first sync with the family pages on, less one with them off (fresh emulators)."""
    took = {}
    for site in ("false", "true"):
        port = free_port()
        proc = start_fake_gcs(port, backend, None)
        url = f"http://127.0.0.1:{port}"
        home = work / f"home-site-{site}"
        for sub in (".config/photoarchive", ".local/share", ".cache"):
            (home / sub).mkdir(parents=True, exist_ok=True)
        (home / ".config/photoarchive/settings.toml").write_text(f"[sync]\nsite = {site}\n")
        try:
            client_for(url).create_bucket("b-site")
            took[site] = ours(archive, "b-site", env_for(url, home))
        finally:
            proc.terminate()
            proc.wait(30)
            shutil.rmtree(home, ignore_errors=True)
    return took["true"] - took["false"]


def part2(work: Path, n: int, repeat: int) -> None:
    """The bucket is preloaded by the emulator (`-data`: its memory backend slows down as it
    fills, so 25,000 uploads over HTTP take ~10 min); our first sync then finds every object
    already there (it reads and hashes each file, compares MD5/CRC32C, records it), and the
    re-syncs after it are the no-change case."""
    archive = work / "small"
    make_tree(archive, n, 200, 2000, per_week=100)
    data = work / "preload"
    shutil.copytree(archive, data / "b-small")
    port = free_port()
    t0 = time.perf_counter()
    proc = start_fake_gcs(port, data=data, timeout=900)
    loaded = time.perf_counter() - t0
    print(f"part 2: {n} small objects preloaded into fake-gcs-server in {loaded:.0f} s")
    url = f"http://127.0.0.1:{port}"
    home = work / "home-small"
    for sub in (".config", ".local/share", ".cache"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    env = env_for(url, home)
    try:
        first = ours(archive, "b-small", env)
        print(f"  first sync (no record yet: hash {n} files, compare, record): {first:.1f} s")
        times = [ours(archive, "b-small", env) for _ in range(repeat)]
        print(f"no-change re-sync of {n} objects: median {statistics.median(times):.2f} s")
        print(f"  (runs {', '.join(f'{t:.2f}' for t in times)}; whole CLI, goal < 3 s)")
        noop = timed([sys.executable, "-m", "photoarchive", "--version"], env)
        print(f"  of which interpreter + CLI start-up ~{noop:.2f} s")
        t = time.perf_counter()
        n_listed = sum(1 for _ in client_for(url).list_blobs("b-small", page_size=1000))
        print(f"  a bare paged listing of the {n_listed} objects: {time.perf_counter() - t:.2f} s")
    finally:
        proc.terminate()
        proc.wait(30)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--small", type=int, default=25000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--backend", choices=["memory", "filesystem"], default="memory")
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-sync-", dir=args.workdir))
    try:
        if args.files:
            part1(work, args.files, args.repeat, args.backend)
        if args.small:
            part2(work, args.small, args.repeat)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
