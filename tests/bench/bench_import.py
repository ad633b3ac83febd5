"""Import throughput against a durable plain copy (`cp -r` + `sync`), alternating runs.

    python tests/bench/bench_import.py [--files 1000] [--runs 3] [--dir /var/tmp/pa-bench]

Prints the median of each, the throughput ratio (goal: import >= 0.8x cp+sync) and the time of
a no-op re-import of the same card (goal: under 1 s per 1,000 files).
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
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from imaging import jpeg_bytes, write_file  # noqa: E402


def make_card(card: Path, files: int) -> int:
    """JPEGs of 2-6 MB (incompressible padding after real EXIF), over ~8 weeks."""
    marker = card / ".complete"
    if marker.exists() and marker.read_text() == str(files):
        return sum(p.stat().st_size for p in card.rglob("*.JPG"))
    shutil.rmtree(card, ignore_errors=True)
    rnd = random.Random(1)
    total = 0
    start = datetime(2024, 3, 1, 8)
    for i in range(files):
        taken = start + timedelta(minutes=80 * i)
        size = rnd.randint(2_000_000, 6_000_000)
        data = jpeg_bytes(i, taken, size=(160, 120), pad_to=size)
        write_file(card / f"DCIM/{100 + i // 500}CANON/IMG_{i % 10000:04d}.JPG", data, taken)
        total += len(data)
    marker.write_text(str(files))
    subprocess.run(["sync"], check=True)
    return total


def timed(cmd: list[str], env: dict[str, str] | None = None) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dir", type=Path, default=Path("/var/tmp/photoarchive-bench"))
    ap.add_argument("--keep-card", action="store_true")
    args = ap.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    card = args.dir / "card"
    total = make_card(card, args.files)
    print(f"card: {args.files} JPEGs, {total / 1e9:.2f} GB, in {card}")
    work = Path(tempfile.mkdtemp(dir=args.dir))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cp_times, imp_times = [], []
    noop = 0.0
    for run in range(args.runs):
        for kind in ("cp", "import"):
            dest = work / f"{kind}{run}"
            subprocess.run(["sync"], check=True)
            if kind == "cp":
                t = timed(["sh", "-c", f"cp -r '{card}' '{dest}' && sync"])
                cp_times.append(t)
            else:
                env["XDG_DATA_HOME"] = str(work / f"data{run}")
                cmd = [sys.executable, "-m", "photoarchive", "import", "--archive", str(dest)]
                t = timed([*cmd, str(card)], env)
                imp_times.append(t)
                if run == args.runs - 1:
                    noop = timed([*cmd, str(card)], env)
            print(f"run {run + 1} {kind:6s} {t:7.2f} s  {total / t / 1e9:.2f} GB/s", flush=True)
            shutil.rmtree(dest)
            shutil.rmtree(work / f"data{run}", ignore_errors=True)
    cp_med, imp_med = statistics.median(cp_times), statistics.median(imp_times)
    print(f"median cp -r + sync: {cp_med:.2f} s ({total / cp_med / 1e9:.2f} GB/s)")
    print(f"median import:       {imp_med:.2f} s ({total / imp_med / 1e9:.2f} GB/s)")
    print(f"throughput ratio import / (cp+sync): {cp_med / imp_med:.2f}x  (goal >= 0.8x)")
    print(
        f"no-op re-import of {args.files} files: {noop:.2f} s  (goal < {args.files / 1000:.1f} s)"
    )
    shutil.rmtree(work)
    if not args.keep_card:
        shutil.rmtree(card)


if __name__ == "__main__":
    main()
