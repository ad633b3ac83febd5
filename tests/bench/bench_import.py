"""Import throughput against a durable plain copy (`cp -r` + `sync`), alternating runs.

    python tests/bench/bench_import.py [--files 1000] [--runs 5] [--dir /var/tmp/pa-bench]
        [--cold-files 300] [--no-warm] [--no-cold] [--image-cost]

Two sources, each measured in the same run, alternating `cp -r` + `sync` and
`photoarchive import` into fresh folders:
- warm: a card folder on the archive's own disk whose files are in the page cache;
- cold: a separate device (an ext4 image on a loop device, mounted read-only), with the page
  cache dropped before every run; then the same card re-inserted (unmounted and mounted, its
  cache dropped) before every run, the program's own files staying in memory. Needs root
  (losetup, mount, drop_caches); skipped otherwise.
  The bytes read from the card device are printed beside each time: the card must be read once.
Prints the machine (cores, kernel, filesystems), the median of each with its spread (min-max)
and the throughput ratio (goals: import >= 0.8x cp+sync warm, >= 0.9x cold), then a no-op
re-import of the warm card (goal: under 1 s per 1,000 files). --image-cost: instead, warm
imports with and without the image-data hash, alternating (issue 12's goal: under 5% slower),
wall and CPU time (user+sys: steadier on a shared machine). Not a test: no assertions.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from imaging import jpeg_bytes, write_file  # noqa: E402

LAYOUT = "scan-padded"  # bump when the card's files change, so old cards are made anew


def camera_jpeg(seed: int, taken: datetime, size: int, rnd: random.Random) -> bytes:
    """A JPEG laid out as a camera writes it: EXIF first, then a few MB of entropy-coded scan
    data (random bytes with no 0xFF, so no marker appears inside), then EOI. The readers find
    the date in the first kilobytes and the image-data hash covers the bulk, as for real files.
    """
    small = jpeg_bytes(seed, taken, size=(160, 120))
    body = rnd.randbytes(max(0, size - len(small))).replace(b"\xff", b"\xfe")
    return small[:-2] + body + small[-2:]


def make_card(card: Path, files: int) -> int:
    """JPEGs of 2-6 MB (camera layout: EXIF first, bulk in the scan data), over ~8 weeks."""
    marker = card / ".complete"
    if marker.exists() and marker.read_text() == f"{files} {LAYOUT}":
        return sum(p.stat().st_size for p in card.rglob("*.JPG"))
    shutil.rmtree(card, ignore_errors=True)
    rnd = random.Random(1)
    total = 0
    start = datetime(2024, 3, 1, 8)
    for i in range(files):
        taken = start + timedelta(minutes=80 * i)
        size = rnd.randint(2_000_000, 6_000_000)
        data = camera_jpeg(i, taken, size, rnd)
        write_file(card / f"DCIM/{100 + i // 500}CANON/IMG_{i % 10000:04d}.JPG", data, taken)
        total += len(data)
    marker.write_text(f"{files} {LAYOUT}")
    subprocess.run(["sync"], check=True)
    return total


def run(cmd: list[str], env: dict[str, str] | None = None) -> float:
    return run_cpu(cmd, env)[0]


def run_cpu(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall time and CPU time (user+sys) of a command."""
    before = os.times()
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = os.times()
    user = after.children_user - before.children_user
    return wall, user + after.children_system - before.children_system


def out(cmd: list[str]) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout.strip()


def machine(where: Path) -> str:
    fs = out(["findmnt", "-n", "-o", "FSTYPE,SOURCE", "--target", str(where)]) or "?"
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return (
        f"machine: {os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, kernel {platform.release()}, "
        f"Python {platform.python_version()}; bench dir {where} on {fs}"
    )


def spread(values: list[float]) -> str:
    lo, hi = min(values), max(values)
    return f"median {statistics.median(values):6.2f} s (min {lo:.2f}, max {hi:.2f})"


class Card:
    """A source folder; for a device card, also the bytes read from its block device.

    A device card is made cold before each run in one of two ways: `drop` drops the whole page
    cache (the issue's setting: the program's own files, Python and its libraries, go cold
    too), `reinsert` unmounts and mounts the card with its image's cache dropped (a card put
    back into the reader while the program sits in memory, as when the app is open)."""

    def __init__(self, path: Path, device: str | None = None, image: Path | None = None) -> None:
        self.path = path
        self.device = device
        self.image = image
        self.cold = "drop"

    def sectors_read(self) -> int:
        if self.device is None:
            return 0
        stat = Path(f"/sys/block/{Path(self.device).name}/stat").read_text().split()
        return int(stat[2])

    def prepare(self) -> None:
        subprocess.run(["sync"], check=True)
        if self.device is None:
            return
        if self.cold == "drop":
            Path("/proc/sys/vm/drop_caches").write_text("3\n")
            return
        subprocess.run(["umount", str(self.path)], check=True)
        if self.image is not None:
            fd = os.open(self.image, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)
        subprocess.run(["blockdev", "--flushbufs", self.device], check=True)
        subprocess.run(["mount", "-o", "ro", self.device, str(self.path)], check=True)


@contextmanager
def loop_card(src: Path, total: int, work: Path) -> Iterator[Card]:
    """The card's files on an ext4 image, loop-mounted read-only: a separate, cold device."""
    image = work / "card.img"
    mnt = work / "cardmnt"
    mnt.mkdir()
    with open(image, "wb") as f:
        f.truncate(int(total * 1.15) + (128 << 20))
    subprocess.run(["mkfs.ext4", "-q", "-F", "-L", "BENCHCARD", str(image)], check=True)
    dev = out(["losetup", "--find", "--show", str(image)])
    try:
        subprocess.run(["mount", dev, str(mnt)], check=True)
        subprocess.run(["cp", "-r", f"{src}/DCIM", str(mnt)], check=True)
        subprocess.run(["umount", str(mnt)], check=True)
        subprocess.run(["mount", "-o", "ro", dev, str(mnt)], check=True)
        try:
            yield Card(mnt, dev, image)
        finally:
            subprocess.run(["umount", str(mnt)], check=False)
    finally:
        subprocess.run(["losetup", "-d", dev], check=False)
        image.unlink(missing_ok=True)


def program_env(work: Path) -> dict[str, str]:
    """As an installed program runs: its bytecode compiled once and kept (this environment sets
    PYTHONDONTWRITEBYTECODE, which made every run compile every module again)."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(work.parent / "pycache")  # kept out of the source tree
    return env


def measure(card: Card, total: int, runs: int, work: Path, label: str) -> list[float]:
    """Alternating cp+sync and import runs; returns the import times (last archive kept)."""
    env = program_env(work)
    times: dict[str, list[float]] = {"cp": [], "import": []}
    warm_up(card.path, work, env)
    for i in range(runs):
        for kind in ("cp", "import") if i % 2 == 0 else ("import", "cp"):
            dest = work / f"{label}-{kind}{i}"
            data = work / f"{label}-data{i}"
            card.prepare()
            before = card.sectors_read()
            if kind == "cp":
                t = run(["sh", "-c", f"cp -r '{card.path}' '{dest}' && sync"])
            else:
                env["XDG_DATA_HOME"] = str(data)
                cmd = [sys.executable, "-m", "photoarchive", "import", "--archive", str(dest)]
                t = run([*cmd, str(card.path)], env)
            read = (card.sectors_read() - before) * 512
            times[kind].append(t)
            note = f"  card read {read / 1e9:.2f} GB ({read / total:.2f}x)" if card.device else ""
            print(f"{label} run {i + 1} {kind:6s} {t:7.2f} s  {total / t / 1e9:.2f} GB/s{note}")
            shutil.rmtree(dest)
            shutil.rmtree(data, ignore_errors=True)
    cp_med, imp_med = (statistics.median(times[k]) for k in ("cp", "import"))
    ratios = [c / m for c, m in zip(times["cp"], times["import"], strict=True)]
    print(f"{label}: cp -r + sync {spread(times['cp'])}")
    print(f"{label}: import       {spread(times['import'])}")
    print(
        f"{label}: ratio import / (cp+sync) of medians {cp_med / imp_med:.2f}x; per pair "
        f"median {statistics.median(ratios):.2f}x (min {min(ratios):.2f}, max {max(ratios):.2f})"
    )
    return times["import"]


def warm_up(card: Path, work: Path, env: dict[str, str]) -> None:
    """One untimed cp -r + sync and one untimed import: a virtual machine's first touch of
    memory it has not used for a while is slow (seen here: a first run 3x the next), and
    whichever ran first paid for it; the import also compiles the program's bytecode once."""
    run(["sh", "-c", f"cp -r '{card}' '{work / 'warm-up'}' && sync"])
    shutil.rmtree(work / "warm-up")
    env = dict(env, XDG_DATA_HOME=str(work / "warm-up-data"))
    run(
        [
            sys.executable,
            "-m",
            "photoarchive",
            "import",
            "--archive",
            str(work / "warm-up"),
            str(card),
        ],
        env,
    )
    shutil.rmtree(work / "warm-up")
    shutil.rmtree(work / "warm-up-data", ignore_errors=True)


def noop_reimport(card: Path, work: Path, files: int) -> None:
    env = dict(program_env(work), XDG_DATA_HOME=str(work / "noop-data"))
    cmd = [sys.executable, "-m", "photoarchive", "import", "--archive", str(work / "noop")]
    run([*cmd, str(card)], env)
    again = [run([*cmd, str(card)], env) for _ in range(3)]
    print(f"no-op re-import of {files} files: {spread(again)}  (goal < {files / 1000:.2f} s)")


def image_cost(card: Path, total: int, runs: int, work: Path) -> None:
    """Warm imports with and without the image-data hash, alternating."""
    env = program_env(work)
    without = str(Path(__file__).with_name("import_without_image_hash.py"))
    kinds = {"with": [sys.executable, "-m", "photoarchive"], "without": [sys.executable, without]}
    wall: dict[str, list[float]] = {k: [] for k in kinds}
    cpu: dict[str, list[float]] = {k: [] for k in kinds}
    warm_up(card, work, env)
    for i in range(runs):
        for kind in ("with", "without") if i % 2 == 0 else ("without", "with"):
            dest, data = work / f"img-{kind}{i}", work / f"img-data{i}"
            subprocess.run(["sync"], check=True)
            env["XDG_DATA_HOME"] = str(data)
            t, c = run_cpu([*kinds[kind], "import", "--archive", str(dest), str(card)], env)
            wall[kind].append(t)
            cpu[kind].append(c)
            print(f"image hash: run {i + 1} {kind:7s} {t:6.2f} s wall  {c:6.2f} s CPU")
            shutil.rmtree(dest)
            shutil.rmtree(data, ignore_errors=True)
    for kind in kinds:
        print(f"image hash: import {kind:7s} wall {spread(wall[kind])}; CPU {spread(cpu[kind])}")
    w, c = ({k: statistics.median(v[k]) for k in kinds} for v in (wall, cpu))
    print(
        f"image hash: costs {100 * (w['with'] / w['without'] - 1):+.1f}% wall, "
        f"{100 * (c['with'] / c['without'] - 1):+.1f}% CPU of a warm import of "
        f"{total / 1e9:.2f} GB (goal: under 5%)"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=1000, help="warm card size")
    ap.add_argument("--cold-files", type=int, default=300, help="cold card size")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--dir", type=Path, default=Path("/var/tmp/photoarchive-bench"))
    ap.add_argument("--no-warm", action="store_true")
    ap.add_argument("--no-cold", action="store_true")
    ap.add_argument("--keep-card", action="store_true")
    ap.add_argument("--image-cost", action="store_true", help="the image-data hash's cost")
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    print(machine(args.dir), flush=True)
    work = Path(tempfile.mkdtemp(dir=args.dir))
    try:
        if not args.no_warm:
            card = args.dir / "card"
            total = make_card(card, args.files)
            print(f"warm card: {args.files} JPEGs, {total / 1e9:.2f} GB, in {card}", flush=True)
            if args.image_cost:
                image_cost(card, total, args.runs, work)
            else:
                measure(Card(card), total, args.runs, work, "warm")
                noop_reimport(card, work, args.files)
            if not args.keep_card:
                shutil.rmtree(card)
        if args.no_cold or args.image_cost:
            return
        if os.geteuid() != 0 or not shutil.which("losetup"):
            print("cold card: skipped (needs root and losetup to loop-mount an ext4 image)")
            return
        src = args.dir / "coldsrc"
        total = make_card(src, args.cold_files)
        with loop_card(src, total, work) as card:
            print(
                f"cold card: {args.cold_files} JPEGs, {total / 1e9:.2f} GB on {card.device} "
                "(ext4, read-only; page cache dropped before each run)",
                flush=True,
            )
            measure(card, total, args.runs, work, "cold")
            card.cold = "reinsert"
            print("card re-inserted: only the card's cache dropped, the program's kept", flush=True)
            measure(card, total, args.runs, work, "reinserted")
        shutil.rmtree(src)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
