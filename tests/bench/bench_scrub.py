"""Scrub throughput beside b3sum and sha256sum over the same files; the image-data hash's cost
per imported byte; `status` over a 25,000-photo catalog. Alternating runs, medians and spread.

    python tests/bench/bench_scrub.py [--files 1000] [--mb 4] [--runs 3] [--cold]
        [--dir /var/tmp/photoarchive-bench-scrub] [--status-photos 25000]

Goals (issue 12): scrub within 1.1x of the faster of b3sum and sha256sum, warm and (--cold:
page cache dropped before each run, needs root and disturbs other work on the machine) cold;
the image-data hash adds under 5% to an import; `status` under 0.5 s over 25,000 photos.
The files are JPEGs whose bytes are nearly all scan data (random noise encoded by Pillow),
so the image-data hash reads what it would on real photos.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from photoarchive import pipeline  # noqa: E402
from photoarchive.catalog import Catalog, FileRecord  # noqa: E402
from photoarchive.config import Settings, load_settings  # noqa: E402
from photoarchive.hashing import hash_file  # noqa: E402
from photoarchive.imagedata import ImageDataHasher  # noqa: E402


def noise_jpeg(seed: int, mb: float) -> bytes:
    """A JPEG of about `mb` MB, nearly all entropy-coded data (noise does not compress)."""
    from PIL import Image

    side = int((mb * 1e6 / 1.3) ** 0.5 / 1.25)
    rnd = random.Random(seed)
    img = Image.frombytes("RGB", (side, side), rnd.randbytes(side * side * 3))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=92)
    return buf.getvalue()


def make_archive(root: Path, files: int, mb: float) -> list[Path]:
    marker = root / ".complete"
    if marker.exists() and marker.read_text() == f"{files} {mb}":
        return sorted(root.glob("20*/*.JPG"))
    out = []
    base = noise_jpeg(0, mb)
    for i in range(files):
        week = f"2024-{1 + (i // 200) % 12:02d}-{1 + (i // 2400) * 7 % 28:02d}"
        path = root / week / f"IMG_{i:05d}.JPG"
        path.parent.mkdir(parents=True, exist_ok=True)
        # distinct files, same structure: change bytes inside the scan data
        data = bytearray(base)
        data[len(data) // 2 : len(data) // 2 + 8] = i.to_bytes(8, "big")
        path.write_bytes(bytes(data))
        out.append(path)
    marker.write_text(f"{files} {mb}")
    subprocess.run(["sync"], check=True)
    return out


def with_data_dir(settings: Settings, xdg_data: Path) -> Settings:
    """Settings whose catalog is where a subprocess with XDG_DATA_HOME=xdg_data finds it."""
    return dataclasses.replace(settings, data_dir=xdg_data / "photoarchive")


def drop_caches() -> None:
    subprocess.run(["sync"], check=True)
    Path("/proc/sys/vm/drop_caches").write_text("3\n")


def timed(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - t0
    ours = cmd[1:3] == ["-m", "photoarchive"]
    if done.returncode != 0 or (ours and '"checked": 0' in done.stdout):
        raise SystemExit(f"{cmd[:4]} failed or checked nothing: {done.stdout[-500:]}")
    return elapsed


def spread(xs: list[float]) -> str:
    return f"median {statistics.median(xs):.2f} s (min {min(xs):.2f}, max {max(xs):.2f})"


def image_hash_cost(paths: list[Path]) -> tuple[float, float]:
    """Seconds for the whole-file BLAKE3 and for the streamed image-data hash (page cache)."""
    t0 = time.perf_counter()
    for p in paths:
        hash_file(p)
    whole = time.perf_counter() - t0
    buf = bytearray(8 << 20)
    t0 = time.perf_counter()
    for p in paths:
        fd = os.open(p, os.O_RDONLY)
        try:
            size = os.fstat(fd).st_size
            h = ImageDataHasher(fd, size)
            done = 0
            while n := os.preadv(fd, [buf], done):
                h.feed(done, buf, n)
                done += n
            assert h.result().hash
        finally:
            os.close(fd)
    return whole, time.perf_counter() - t0


def status_catalog(settings_dir: Path, photos: int) -> tuple[float, float]:
    """(in-process build_ledger, whole `photoarchive status --json` command) seconds."""
    from photoarchive.durability.ledger import build_ledger

    archive = settings_dir / "status-archive"
    env = dict(os.environ, XDG_DATA_HOME=str(settings_dir / "xdg"), PYTHONPATH=str(ROOT))
    settings = with_data_dir(load_settings(archive=archive, env={}), settings_dir / "xdg")
    if not settings.catalog_path.exists():
        with Catalog(settings.catalog_path) as cat:
            recs = []
            for i in range(photos):
                week = f"{2019 + i // 3600}-W{(i // 72) % 50:02d}"
                recs.append(FileRecord(f"{week}/IMG_{i:05d}.JPG", week, f"{i:064x}", 5_000_000, 1))
            cat.add_files(recs)
    t0 = time.perf_counter()
    ledger = build_ledger(settings)
    inner = time.perf_counter() - t0
    assert sum(w.photos for w in ledger.weeks) == photos
    cmd = [sys.executable, "-m", "photoarchive", "status", "--json", "--no-bucket"]
    t0 = time.perf_counter()
    done = subprocess.run([*cmd, "--archive", str(archive)], env=env, stdout=subprocess.PIPE)
    outer = time.perf_counter() - t0
    assert done.returncode in (0, 1) and b'"weeks"' in done.stdout, "status failed"
    return inner, outer


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--mb", type=float, default=4.0)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--cold", action="store_true", help="drop the page cache before each run")
    ap.add_argument("--status-photos", type=int, default=25_000)
    ap.add_argument("--dir", type=Path, default=Path("/var/tmp/photoarchive-bench-scrub"))
    args = ap.parse_args()
    print(
        f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load {os.getloadavg()[0]:.1f}"
    )
    args.dir.mkdir(parents=True, exist_ok=True)
    archive = args.dir / "archive"
    paths = make_archive(archive, args.files, args.mb)
    total = sum(p.stat().st_size for p in paths)
    print(f"archive: {len(paths)} JPEGs, {total / 1e9:.2f} GB in {archive}")
    work = Path(tempfile.mkdtemp(dir=args.dir))
    env = dict(os.environ, XDG_DATA_HOME=str(work / "xdg"), PYTHONPATH=str(ROOT))
    settings = with_data_dir(load_settings(archive=archive, env={}), work / "xdg")
    report = pipeline.verify(settings, rebuild=True)  # the catalog the scrub checks against
    assert report.checked == len(paths), report
    rels = [str(p.relative_to(archive)) for p in paths]
    listing = work / "files.txt"
    listing.write_text("\n".join(rels) + "\n")
    scrub = [sys.executable, "-m", "photoarchive", "scrub", "--json", "--archive", str(archive)]
    tools = {
        "scrub": scrub,
        "b3sum": ["sh", "-c", f"xargs -a {listing} -d '\\n' b3sum > /dev/null"],
        "sha256sum": ["sh", "-c", f"xargs -a {listing} -d '\\n' sha256sum > /dev/null"],
    }
    times: dict[str, list[float]] = {k: [] for k in tools}
    for _ in range(args.runs):
        for name, cmd in tools.items():
            if args.cold:
                drop_caches()
            times[name].append(timed(cmd, env, cwd=archive))
    mode = "cold" if args.cold else "warm"
    for name, xs in times.items():
        rate = total / statistics.median(xs) / 1e9
        print(f"{name:10s} ({mode}): {spread(xs)}, {rate:.2f} GB/s")
    faster = min(statistics.median(times["b3sum"]), statistics.median(times["sha256sum"]))
    print(f"scrub / faster tool: {statistics.median(times['scrub']) / faster:.2f}x (goal <= 1.1x)")
    whole, image = zip(*(image_hash_cost(paths) for _ in range(args.runs)), strict=True)
    print(f"whole-file BLAKE3: {spread(list(whole))}; image-data hash: {spread(list(image))}")
    print(
        "image-data hash per byte vs the whole-file hash: "
        f"{statistics.median(image) / statistics.median(whole):.2f}x (the import already "
        "hashes every byte twice: source and read-back)"
    )
    inner, outer = zip(
        *(status_catalog(args.dir, args.status_photos) for _ in range(args.runs)), strict=True
    )
    print(
        f"status over {args.status_photos:,} photos: ledger {spread(list(inner))}; "
        f"whole command {spread(list(outer))} (goal < 0.5 s)"
    )


if __name__ == "__main__":
    main()
