"""Scrub throughput beside b3sum and sha256sum over the same files; the image-data hash's cost
per imported byte; `status` over a 25,000-photo catalog. Alternating runs, medians and spread.

    python tests/bench/bench_scrub.py [--files 1000] [--mb 4] [--runs 5] [--cold]
        [--dir /var/tmp/photoarchive-bench-scrub] [--status-photos 25000]

Goals (issue 12): scrub within 1.1x of the faster of b3sum and sha256sum, warm and (--cold
adds a cold round: page cache dropped before each run, needs root and disturbs other work on
the machine) cold; the image-data hash adds under 5% to an import; `status` under 0.5 s over
25,000 photos (--status-photos 0 skips it). The files are JPEGs of about --mb MB whose bytes
are nearly all scan data (random noise encoded by Pillow), so the image-data hash reads what
it would on real photos. Each tool runs once untimed first (bytecode compiled into
DIR/pycache as an installed program has it, page cache warm), then the tools take turns;
wall and CPU (user+sys) times are medians with the spread.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import io
import os
import platform
import random
import resource
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

    rnd = random.Random(seed)
    side = int((mb * 1e6 / 1.3) ** 0.5 / 1.25)
    for _ in range(3):  # the size grows with the pixel count: two corrections land within ~1%
        img = Image.frombytes("RGB", (side, side), rnd.randbytes(side * side * 3))
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=92)
        side = max(16, int(side * (mb * 1e6 / buf.tell()) ** 0.5))
    return buf.getvalue()


def make_archive(root: Path, files: int, mb: float) -> list[Path]:
    marker = root / ".complete"
    if marker.exists() and marker.read_text() == f"{files} {mb} sized":
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
    marker.write_text(f"{files} {mb} sized")
    subprocess.run(["sync"], check=True)
    return out


def with_data_dir(settings: Settings, xdg_data: Path) -> Settings:
    """Settings whose catalog is where a subprocess with XDG_DATA_HOME=xdg_data finds it."""
    return dataclasses.replace(settings, data_dir=xdg_data / "photoarchive")


def drop_caches() -> None:
    subprocess.run(["sync"], check=True)
    Path("/proc/sys/vm/drop_caches").write_text("3\n")


def timed(
    cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None
) -> tuple[float, float]:
    """(wall, CPU user+sys) seconds of one run of the command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    ours = cmd[1:3] == ["-m", "photoarchive"] and "scrub" in cmd
    if done.returncode != 0 or (ours and '"checked": 0' in done.stdout):
        raise SystemExit(f"{cmd[:4]} failed or checked nothing: {done.stdout[-500:]}")
    if ours and ('"remaining": 0' not in done.stdout or '"findings": []' not in done.stdout):
        raise SystemExit(f"scrub did not find every file intact: {done.stdout[-500:]}")
    return elapsed, cpu


def spread(xs: list[float]) -> str:
    return f"median {statistics.median(xs):.2f} s (min {min(xs):.2f}, max {max(xs):.2f})"


def machine() -> str:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.node()} {platform.machine()}, {model or 'cpu?'}, {os.cpu_count()} CPUs, "
        f"{mem:.0f} GiB, Python {platform.python_version()}"
    )


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def compare(
    tools: dict[str, list[str]], env: dict[str, str], cwd: Path, runs: int, cold: bool
) -> dict[str, tuple[list[float], list[float]]]:
    """The tools in turns, `runs` rounds; the page cache dropped before each run when cold."""
    times: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in tools}
    for _ in range(runs):
        for name, cmd in tools.items():
            if cold:
                drop_caches()
            wall, cpu = timed(cmd, env, cwd)
            times[name][0].append(wall)
            times[name][1].append(cpu)
    return times


def print_round(mode: str, times: dict[str, tuple[list[float], list[float]]], total: int) -> None:
    for name, (walls, cpus) in times.items():
        rate = total / statistics.median(walls) / 1e9
        print(f"  {name:10s} ({mode}): {spread(walls)}, {rate:.2f} GB/s; CPU {spread(cpus)}")
    ours = statistics.median(times["scrub"][0])
    faster = min(statistics.median(times[k][0]) for k in ("b3sum", "sha256sum"))
    ratio = ours / faster
    verdict = "met" if ratio <= 1.1 else "MISSED"
    print(f"  scrub / faster tool ({mode}): {ratio:.2f}x (goal <= 1.1x: {verdict})")


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

    where = settings_dir / f"status-{photos}"  # one catalog per size asked for
    archive = where / "archive"
    env = dict(os.environ, XDG_DATA_HOME=str(where / "xdg"), PYTHONPATH=str(ROOT))
    settings = with_data_dir(load_settings(archive=archive, env={}), where / "xdg")
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
    ap.add_argument("--mb", type=float, default=4.0, help="size of each file")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--cold", action="store_true", help="a cold round too (root; drops caches)")
    ap.add_argument("--status-photos", type=int, default=25_000, help="0: skip the status part")
    ap.add_argument("--dir", type=Path, default=Path("/var/tmp/photoarchive-bench-scrub"))
    args = ap.parse_args()
    print(f"machine: {machine()}")
    print(f"at start: {load()}")
    args.dir.mkdir(parents=True, exist_ok=True)
    archive = args.dir / "archive"
    paths = make_archive(archive, args.files, args.mb)
    total = sum(p.stat().st_size for p in paths)
    print(f"archive: {len(paths)} JPEGs, {total / 1e9:.2f} GB in {archive}")
    work = Path(tempfile.mkdtemp(dir=args.dir))
    env = dict(os.environ, XDG_DATA_HOME=str(work / "xdg"), PYTHONPATH=str(ROOT))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed program has its bytecode compiled
    env["PYTHONPYCACHEPREFIX"] = str(args.dir / "pycache")  # kept out of the source tree
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
    for cmd in tools.values():  # untimed: bytecode compiled, page cache filled
        timed(cmd, env, cwd=archive)
    version = [sys.executable, "-m", "photoarchive", "--version"]
    start_up = [timed(version, env)[0] for _ in range(3)]
    print(f"photoarchive --version (start-up alone): {spread(start_up)}")
    rounds = [("warm", False)] + ([("cold", True)] if args.cold else [])
    for mode, cold in rounds:
        times = compare(tools, env, archive, args.runs, cold)
        print(f"{mode} page cache, {args.runs} rounds, {load()} after:")
        print_round(mode, times, total)
    whole, image = zip(*(image_hash_cost(paths) for _ in range(args.runs)), strict=True)
    print(f"whole-file BLAKE3: {spread(list(whole))}; image-data hash: {spread(list(image))}")
    print(
        "image-data hash per byte vs the whole-file hash: "
        f"{statistics.median(image) / statistics.median(whole):.2f}x; what it costs a whole "
        "import: tests/bench/bench_import.py --image-cost"
    )
    if args.status_photos > 0:
        inner, outer = zip(
            *(status_catalog(args.dir, args.status_photos) for _ in range(args.runs)), strict=True
        )
        print(
            f"status over {args.status_photos:,} photos: ledger {spread(list(inner))}; "
            f"whole command {spread(list(outer))} (goal < 0.5 s)"
        )
    print(f"at end: {load()}")


if __name__ == "__main__":
    main()
