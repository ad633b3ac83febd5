"""Desktop application on a 25,000-photo archive: start-up, scrolling stalls, memory.

    python tests/bench/bench_gui.py [--photos 25000] [--weeks 350] [--big-week 500] [--runs 3]
                                    [--dir /tmp/photoarchive-bench-gui]

Generates (once, cached under --dir) tiny JPEGs (160x120, EXIF dates) in weekly folders, the
newest week holding --big-week photos, and a catalog built with Catalog.add_files. Each run
starts a fresh process and measures, from process start, the time until the main window shows
the newest week's visible thumbnails painted: "cold" (empty freedesktop thumbnail and metadata
caches) then "warm" (cached). In each process, the grid is then scrolled through the whole
500-photo week (a scroll step every 16 ms) while a 5 ms QTimer heartbeat records the longest
GUI-thread stall; peak memory is the process's max RSS. Goals: warm start under 1.5 s, no stall
over 50 ms, under 400 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]


def bench_settings(base: Path):  # -> Settings
    from photoarchive.config import Settings

    return Settings(
        archive=base / "archive",
        config_dir=base / "home" / "config",
        data_dir=base / "home" / "data",
        cache_dir=base / "home" / "cache" / "photoarchive",
    )


def generate(base: Path, photos: int, weeks: int, big_week: int) -> None:
    """The archive and its catalog, made once (a marker records the parameters)."""
    from imaging import jpeg_bytes

    from photoarchive.catalog import Catalog, FileRecord

    marker = base / "generated.json"
    params = {"photos": photos, "weeks": weeks, "big_week": big_week, "version": 1}
    if marker.exists() and json.loads(marker.read_text()) == params:
        return
    shutil.rmtree(base, ignore_errors=True)
    settings = bench_settings(base)
    t0 = time.monotonic()
    first_monday = datetime(2017, 1, 2, 9, 0)
    templates = [jpeg_bytes(i, None, size=(160, 120)) for i in range(97)]
    per_week = [(photos - big_week) // (weeks - 1)] * (weeks - 1)
    per_week[0] += (photos - big_week) - sum(per_week)
    per_week.append(big_week)
    records = []
    n = 0
    for w, count in enumerate(per_week):
        monday = first_monday + timedelta(weeks=w)
        week = monday.strftime(settings.week_pattern)
        folder = settings.archive / week
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(count):
            name = f"IMG_{n % 10000:04d}_{n:05d}.JPG"
            data = templates[n % len(templates)]
            path = folder / name
            path.write_bytes(data)
            st = path.stat()
            taken = monday + timedelta(minutes=5 * i)
            records.append(
                FileRecord(
                    path=f"{week}/{name}",
                    week=week,
                    hash=f"{n:064x}",
                    size=st.st_size,
                    mtime_ns=st.st_mtime_ns,
                    capture_time=taken.isoformat(),
                )
            )
            n += 1
    with Catalog(settings.catalog_path) as catalog:
        catalog.add_files(records)
    marker.write_text(json.dumps(params))
    print(f"generated {n} photos in {len(per_week)} weeks in {time.monotonic() - t0:.1f} s")


def child(base: Path, t_start: float) -> None:
    """One application process: start-up, then the scroll, printing one JSON line."""
    import resource

    from PySide6.QtCore import QElapsedTimer, QRect, QTimer

    from photoarchive.gui.app import make_app
    from photoarchive.gui.main_window import MainWindow

    app = make_app(["bench"])
    win = MainWindow(bench_settings(base))
    win.resize(1360, 860)
    win.show()
    grid, model = win.grid, win.photo_model

    def visible_rows() -> list[int]:
        rect: QRect = grid.viewport().rect()
        return [
            r for r in range(model.rowCount()) if grid.visualRect(model.index(r)).intersects(rect)
        ]

    def painted() -> bool:
        if model.rowCount() == 0:
            return False
        rows = visible_rows()
        return bool(rows) and all(model.photos[r].rel in model.pixmaps for r in rows)

    while not painted():
        app.processEvents()
        time.sleep(0.001)
    grid.viewport().repaint()  # the thumbnails are on screen now
    startup = time.time() - t_start
    shown = model.rowCount()

    # Scroll the 500-photo week top to bottom, one step per 16 ms, with a 5 ms heartbeat.
    bar = grid.verticalScrollBar()
    gaps: list[float] = []
    clock = QElapsedTimer()
    clock.start()
    last = [clock.nsecsElapsed()]

    def beat() -> None:
        now = clock.nsecsElapsed()
        gaps.append((now - last[0]) / 1e6)
        last[0] = now

    heart = QTimer()
    heart.setInterval(5)
    heart.timeout.connect(beat)
    step = max(1, bar.pageStep() // 8)
    stepper = QTimer()
    stepper.setInterval(16)
    stepper.timeout.connect(lambda: bar.setValue(bar.value() + step))
    heart.start()
    stepper.start()
    t_scroll = time.monotonic()
    while bar.value() < bar.maximum() and time.monotonic() - t_scroll < 120:
        app.processEvents()
        time.sleep(0.0005)
    stepper.stop()
    end = time.monotonic() + 0.5  # let the last thumbnails arrive
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.0005)
    heart.stop()
    scroll_s = time.monotonic() - t_scroll
    win.close()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "startup_s": startup,
                "photos_in_week": shown,
                "max_stall_ms": max(gaps) - 5 if gaps else 0.0,
                "stalls_over_50ms": sum(g - 5 > 50 for g in gaps),
                "scroll_s": scroll_s,
                "peak_rss_mb": rss_mb,
            }
        )
    )


def idle_child(seconds: float) -> None:
    """The same heartbeat in an idle Qt process: the machine's own scheduling noise."""
    from PySide6.QtCore import QElapsedTimer, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication(["idle"])
    w = QWidget()
    w.show()
    clock = QElapsedTimer()
    clock.start()
    gaps: list[float] = []
    last = [clock.nsecsElapsed()]

    def beat() -> None:
        now = clock.nsecsElapsed()
        gaps.append((now - last[0]) / 1e6)
        last[0] = now

    heart = QTimer()
    heart.setInterval(5)
    heart.timeout.connect(beat)
    heart.start()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.0005)
    print(json.dumps({"max_stall_ms": max(gaps) - 5}))


def run_idle(seconds: float) -> float:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    out = subprocess.run(
        [sys.executable, __file__, "--idle", str(seconds), "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return float(json.loads(out.stdout.splitlines()[-1])["max_stall_ms"])


def run_once(base: Path, cold: bool) -> dict[str, float]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["XDG_CACHE_HOME"] = str(base / "home" / "cache")
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "tests")])
    if cold:
        shutil.rmtree(base / "home" / "cache", ignore_errors=True)
    t0 = time.time()
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(base), str(t0)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if out.returncode != 0:
        raise SystemExit(f"child failed:\n{out.stderr}")
    line = [x for x in out.stdout.splitlines() if x.startswith("{")][-1]
    return json.loads(line)


def main() -> int:
    if len(sys.argv) == 4 and sys.argv[1] == "--idle":
        idle_child(float(sys.argv[2]))
        return 0
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(Path(sys.argv[2]), float(sys.argv[3]))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photos", type=int, default=25000)
    ap.add_argument("--weeks", type=int, default=350)
    ap.add_argument("--big-week", type=int, default=500)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/photoarchive-bench-gui"))
    args = ap.parse_args()
    generate(args.dir, args.photos, args.weeks, args.big_week)
    results: dict[str, list[dict[str, float]]] = {"cold": [], "warm": []}
    idle: list[float] = []
    for _ in range(args.runs):
        results["cold"].append(run_once(args.dir, cold=True))
        results["warm"].append(run_once(args.dir, cold=False))
        idle.append(run_idle(3.0))
    print(f"archive: {args.photos} photos, {args.weeks} weeks, newest week {args.big_week} photos")
    print(f"runs: {args.runs} cold + {args.runs} warm (medians; max over runs in brackets)")
    for kind in ("cold", "warm"):
        rs = results[kind]

        def med(key: str, rs: list[dict[str, float]] = rs) -> float:
            return statistics.median(r[key] for r in rs)

        def worst(key: str, rs: list[dict[str, float]] = rs) -> float:
            return max(r[key] for r in rs)

        print(
            f"{kind:>4}: start to thumbnails painted {med('startup_s'):.2f} s "
            f"[{worst('startup_s'):.2f}]; scroll through {rs[0]['photos_in_week']:.0f} photos: "
            f"longest stall {med('max_stall_ms'):.1f} ms [{worst('max_stall_ms'):.1f}], "
            f"stalls >50 ms {med('stalls_over_50ms'):.0f}; peak RSS {med('peak_rss_mb'):.0f} MB "
            f"[{worst('peak_rss_mb'):.0f}]"
        )
    print(
        f"noise floor: an idle Qt process's longest heartbeat gap {statistics.median(idle):.1f} "
        f"ms [{max(idle):.1f}] (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)"
    )
    warm = statistics.median(r["startup_s"] for r in results["warm"])
    stall = max(r["max_stall_ms"] for rs in results.values() for r in rs)
    rss = max(r["peak_rss_mb"] for rs in results.values() for r in rs)
    print(
        f"goals: warm start {warm:.2f} s (< 1.5: {'ok' if warm < 1.5 else 'MISSED'}), "
        f"longest stall {stall:.1f} ms (< 50: {'ok' if stall < 50 else 'MISSED'}), "
        f"peak {rss:.0f} MB (< 400: {'ok' if rss < 400 else 'MISSED'})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
