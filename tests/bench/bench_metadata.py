"""Benchmark: geotag + title + caption on 1,000 realistic JPEGs, against the usual tools.

    python3 tests/bench/bench_metadata.py [--count 1000] [--reps 3] [--small-count 1000]

(a) photoarchive's batch (worker processes, crash-safe: temp + fsync + read-back + rename),
(b) one exiftool process doing the same tags to all files,
(c) one exiv2 process per file (what the old shell scripts did),
(d) `cp -r` of the same files: the I/O floor, since every writer rewrites each file.
Each run starts from a fresh `cp -r` of the generated set (timed as (d)), after `sync`, so the
writers see the same warm page cache. Prints each run, the medians and the ratios, then the
same for small files. Everything generated is deleted at the end (unless --keep).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyexiv2
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from photoarchive.config import Settings
from photoarchive.metadata.coords import Coordinates
from photoarchive.metadata.exiv2 import jpeg_scan_offset
from photoarchive.metadata.reading import read_metadata
from photoarchive.metadata.tagging import TagEdit, apply_tags

LAT, LON, ALT = -33.8567844, 151.2152967, 12.5
SYNC_AFTER: dict[str, float] = {}
TITLE = "Sommerferien 2024 — Großmutter's garden"
CAPTION = "Everyone at grandma's: Zoë, 東京から来た友達, and the dog 🐕"


def _base_jpeg(rnd: random.Random, width: int, height: int, quality: int) -> bytes:
    """A photo-sized JPEG: smooth gradients with noise, so it compresses like a real one."""
    noise = Image.frombytes("RGB", (width, height), rnd.randbytes(width * height * 3))
    grad = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    img = Image.blend(grad, noise, 0.55)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=quality)
    thumb = io.BytesIO()
    img.resize((160, 120)).save(thumb, "JPEG", quality=75)
    with pyexiv2.ImageData(buf.getvalue()) as data:
        data.modify_exif(
            {
                "Exif.Image.Make": "BenchCam",
                "Exif.Image.Model": "BC-5 Mark II",
                "Exif.Image.Orientation": "1",
                "Exif.Image.XResolution": "240/1",
                "Exif.Image.YResolution": "240/1",
                "Exif.Image.ResolutionUnit": "2",
                "Exif.Image.Software": "Firmware 1.2.3",
                "Exif.Photo.ExposureTime": "1/250",
                "Exif.Photo.FNumber": "56/10",
                "Exif.Photo.ISOSpeedRatings": "400",
                "Exif.Photo.FocalLength": "35/1",
                "Exif.Photo.ExifVersion": "48 50 51 50",
                "Exif.Photo.PixelXDimension": str(width),
                "Exif.Photo.PixelYDimension": str(height),
                "Exif.Photo.LensModel": "BC 24-70mm F2.8",
                "Exif.Photo.BodySerialNumber": "0123456789",
                # an opaque maker-note block of a size real cameras write (30-60 KB)
                "Exif.Photo.MakerNote": " ".join(
                    str(b) for b in rnd.randbytes(rnd.randrange(30_000, 60_000))
                ),
            }
        )
        data.modify_thumbnail(thumb.getvalue())
        return data.get_bytes()  # type: ignore[no-any-return]


def _unique(base: bytes, i: int) -> bytes:
    """The base photo with this file's own capture time (headers only pass through exiv2)."""
    scan = jpeg_scan_offset(base)
    assert scan is not None
    when = f"2024:07:{1 + i % 28:02d} {8 + i % 12:02d}:{i % 60:02d}:{(i * 7) % 60:02d}"
    with pyexiv2.ImageData(base[:scan] + b"\xff\xd9") as data:
        data.modify_exif(
            {
                "Exif.Photo.DateTimeOriginal": when,
                "Exif.Image.DateTime": when,
                "Exif.Photo.SubSecTimeOriginal": f"{i % 100:02d}",
                "Exif.Photo.OffsetTimeOriginal": "+02:00",
                "Exif.Image.ImageNumber": str(i),
            }
        )
        head = data.get_bytes()
    return head[:-2] + base[scan:]


def generate(folder: Path, count: int, sizes: list[tuple[int, int, int]], seed: int) -> int:
    rnd = random.Random(seed)
    bases = [_base_jpeg(rnd, w, h, q) for w, h, q in sizes]
    folder.mkdir(parents=True)
    total = 0
    for i in range(count):
        data = _unique(bases[i % len(bases)], i)
        (folder / f"IMG_{i:05d}.JPG").write_bytes(data)
        total += len(data)
    return total


def _sync() -> None:
    subprocess.run(["sync"], check=True)


def fresh_copy(src: Path, dst: Path) -> float:
    if dst.exists():
        shutil.rmtree(dst)
    _sync()
    start = time.perf_counter()
    subprocess.run(["cp", "-r", str(src), str(dst)], check=True)
    elapsed = time.perf_counter() - start
    _sync()
    return elapsed


def run_ours(work: Path, scratch: Path) -> float:
    settings = Settings(
        archive=scratch / "no-archive",
        config_dir=scratch / "cfg",
        data_dir=scratch / "data",
        cache_dir=scratch / "cache",
    )
    files = sorted(work.iterdir())
    edit = TagEdit(gps=Coordinates(LAT, LON, ALT), title=TITLE, caption=CAPTION)
    start = time.perf_counter()
    result = apply_tags(settings, files, edit)
    elapsed = time.perf_counter() - start
    assert result.changed == len(files) and not result.problems, result.problems[:3]
    meta = read_metadata(files[-1])
    assert meta.title == TITLE and meta.caption == CAPTION and meta.gps is not None
    return elapsed


def run_exiftool(work: Path) -> float:
    cmd = [
        "exiftool",
        "-q",
        "-m",  # minor warnings (our opaque maker notes) would flood the output
        "-overwrite_original",
        "-charset",
        "iptc=UTF8",
        f"-GPSLatitude={abs(LAT)}",
        "-GPSLatitudeRef=S",
        f"-GPSLongitude={abs(LON)}",
        "-GPSLongitudeRef=E",
        f"-GPSAltitude={ALT}",
        "-GPSAltitudeRef=0",
        "-GPSVersionID=2.3.0.0",
        "-GPSMapDatum=WGS-84",
        "-IPTC:CodedCharacterSet=UTF8",
        f"-IPTC:ObjectName={TITLE}",
        f"-IPTC:Caption-Abstract={CAPTION}",
        f"-XMP-dc:Title={TITLE}",
        f"-XMP-dc:Description={CAPTION}",
        f"-EXIF:ImageDescription={CAPTION}",
        str(work),
    ]
    start = time.perf_counter()
    subprocess.run(cmd, check=True)
    elapsed = time.perf_counter() - start
    _sync()  # exiftool does not fsync: what durability would have cost it
    SYNC_AFTER["exiftool"] = time.perf_counter() - start
    return elapsed


def _dms(value: float) -> str:
    micro = round(abs(value) * 3600 * 1_000_000)
    deg, rest = divmod(micro, 3_600_000_000)
    minutes, sec = divmod(rest, 60_000_000)
    return f"{deg}/1 {minutes}/1 {sec}/1000000"


def run_exiv2_per_file(work: Path) -> float:
    mods = [
        f"set Exif.GPSInfo.GPSLatitude {_dms(LAT)}",
        "set Exif.GPSInfo.GPSLatitudeRef S",
        f"set Exif.GPSInfo.GPSLongitude {_dms(LON)}",
        "set Exif.GPSInfo.GPSLongitudeRef E",
        f"set Exif.GPSInfo.GPSAltitude {round(ALT * 1000)}/1000",
        "set Exif.GPSInfo.GPSAltitudeRef 0",
        "set Exif.GPSInfo.GPSVersionID 2 3 0 0",
        "set Exif.GPSInfo.GPSMapDatum WGS-84",
        "set Iptc.Envelope.CharacterSet \x1b%G",
        f"set Iptc.Application2.ObjectName {TITLE}",
        f"set Iptc.Application2.Caption {CAPTION}",
        f"set Xmp.dc.title lang=x-default {TITLE}",
        f"set Xmp.dc.description lang=x-default {CAPTION}",
        f"set Exif.Image.ImageDescription {CAPTION}",
    ]
    args = [a for m in mods for a in ("-M", m)]
    files = sorted(work.iterdir())
    start = time.perf_counter()
    for f in files:
        subprocess.run(["exiv2", "-q", *args, "mo", str(f)], check=True)
    return time.perf_counter() - start


def bench(label: str, src: Path, scratch: Path, reps: int, exiv2: bool) -> None:
    work = scratch / "work"
    times: dict[str, list[float]] = {"ours": [], "exiftool": [], "exiv2": [], "cp": []}
    durable: list[float] = []
    for rep in range(reps):
        runs = [("ours", lambda: run_ours(work, scratch)), ("exiftool", lambda: run_exiftool(work))]
        if exiv2:
            runs.append(("exiv2", lambda: run_exiv2_per_file(work)))
        if rep % 2:
            runs.reverse()  # alternate the order so neither side always goes first
        for name, fn in runs:
            times["cp"].append(fresh_copy(src, work))
            times[name].append(fn())
            if name == "exiftool":
                durable.append(SYNC_AFTER["exiftool"])
        line = "  ".join(f"{k} {v[-1]:6.2f}s" for k, v in times.items() if v)
        print(f"  {label} run {rep + 1}: {line}", flush=True)
    med = {k: statistics.median(v) for k, v in times.items() if v}
    print(f"{label} medians over {reps} run(s):")
    print(f"  (a) photoarchive batch (crash-safe) {med['ours']:7.2f} s")
    print(f"  (b) exiftool, one process           {med['exiftool']:7.2f} s")
    print(f"      exiftool + sync (durable)       {statistics.median(durable):7.2f} s")
    if "exiv2" in med:
        print(f"  (c) exiv2, one process per file     {med['exiv2']:7.2f} s")
    print(f"  (d) cp -r (I/O floor)               {med['cp']:7.2f} s")
    print(f"  ratios: exiftool/ours = {med['exiftool'] / med['ours']:.2f}x", end="")
    if "exiv2" in med:
        print(f", exiv2-per-file/ours = {med['exiv2'] / med['ours']:.2f}x", end="")
    print(f", ours/cp = {med['ours'] / med['cp']:.2f}x", flush=True)
    shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--small-count", type=int, default=1000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--dir", type=Path, default=None, help="where to put the files (big disk)")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    for tool in ("exiftool", "exiv2", "cp", "sync"):
        if not shutil.which(tool):
            print(f"{tool} is required", file=sys.stderr)
            return 2
    scratch = Path(tempfile.mkdtemp(prefix="bench-metadata-", dir=args.dir))
    print(f"cores: {os.cpu_count()}  scratch: {scratch}  exiftool {_version('exiftool')}")
    try:
        big = scratch / "big"
        sizes = [(2000, 1500, 92), (2400, 1800, 92), (2800, 2100, 90), (2600, 1950, 94)]
        t = time.perf_counter()
        total = generate(big, args.count, sizes, seed=1)
        print(
            f"generated {args.count} JPEGs, {total / 1e9:.2f} GB, mean "
            f"{total / args.count / 1e6:.1f} MB, in {time.perf_counter() - t:.1f} s",
            flush=True,
        )
        bench("large", big, scratch, args.reps, exiv2=True)
        shutil.rmtree(big)
        if args.small_count:
            small = scratch / "small"
            total = generate(small, args.small_count, [(640, 480, 85), (800, 600, 80)], seed=2)
            print(
                f"generated {args.small_count} small JPEGs, mean "
                f"{total / args.small_count / 1e3:.0f} KB",
                flush=True,
            )
            bench("small", small, scratch, args.reps, exiv2=False)
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


def _version(tool: str) -> str:
    out = subprocess.run([tool, "-ver"], capture_output=True, text=True, check=False)
    return out.stdout.strip()


if __name__ == "__main__":
    raise SystemExit(main())
