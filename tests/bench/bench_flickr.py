"""Benchmark: `flickr upload` of many photos into the local Flickr server, then no-change re-runs
and a re-run after the catalog was lost.

Run: python3 tests/bench/bench_flickr.py [--photos 1000] [--per-week 50] [--repeat 3]

Flickr allows 3,600 calls an hour per API key, so the figure that matters most is API calls per
photo (printed for each run); the times show our own overhead (the throttle is lifted here).
The server runs in this process on 127.0.0.1 and shares its GIL: times are upper bounds.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from flickr.fake_server import CONSUMER_KEY, CONSUMER_SECRET, FakeFlickr  # noqa: E402
from imaging import jpeg_bytes  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--photos", type=int, default=1000)
    ap.add_argument("--per-week", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        for var, sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"),
                         ("XDG_CACHE_HOME", ".cache")):  # fmt: skip
            (home / sub).mkdir(parents=True)
            os.environ[var] = str(home / sub)
        os.environ["PHOTOARCHIVE_TEST_KEYRING"] = str(Path(tmp) / "keyring.json")
        run(Path(tmp) / "archive", args)


def run(archive: Path, args: argparse.Namespace) -> None:
    import keyring
    from flickr.file_keyring import FileKeyring

    from photoarchive import pipeline
    from photoarchive.config import load_settings
    from photoarchive.flickr.api import ApiKey, Throttle, Token
    from photoarchive.flickr.tokens import TokenStore, open_client
    from photoarchive.flickr.upload import upload
    from photoarchive.metadata.edit import TagEdit
    from photoarchive.metadata.exiv2 import rewrite_bytes

    keyring.set_keyring(FileKeyring())
    server = FakeFlickr().start()
    os.environ.update(PHOTOARCHIVE_FLICKR_URL=server.url, FLICKR_API_KEY=CONSUMER_KEY,
                      FLICKR_API_SECRET=CONSUMER_SECRET)  # fmt: skip
    start = datetime(2020, 1, 6, 9, 0)
    weeks = set()
    for i in range(args.photos):
        taken = start + timedelta(days=7 * (i // args.per_week), minutes=i % args.per_week)
        week = (start + timedelta(days=7 * (i // args.per_week))).strftime("%Y-%m-%d")
        weeks.add(week)
        data = rewrite_bytes(jpeg_bytes(i, taken), TagEdit(title=f"Week {week}",
                                                           caption=f"photo {i}")).data  # fmt: skip
        path = archive / week / f"IMG_{i:05d}.JPG"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data or b"")
    settings = load_settings(archive=archive, env={})
    pipeline.verify(settings, rebuild=True)
    token, secret = server.grant("12345678@N00")
    server.state.users["12345678@N00"].ispro = True
    TokenStore(settings, ApiKey(CONSUMER_KEY, CONSUMER_SECRET)).save(Token(token, secret))
    client, _ = open_client(settings, throttle=Throttle(limit=10**9), backoff=0.01)
    first = f"{min(weeks)}..{max(weeks)}"

    def timed(label: str) -> float:
        before = len(server.requests)
        t0 = time.perf_counter()
        summary = upload(settings, client, [first])
        took = time.perf_counter() - t0
        calls = len(server.requests) - before
        assert not summary.problems and not summary.stopped, summary
        print(f"  {label}: {took:.2f} s, {calls} API calls ({calls / args.photos:.3f} per photo),"
              f" uploaded {len(summary.uploaded)}, updated {len(summary.updated)}")  # fmt: skip
        return took

    print(f"{args.photos} photos in {len(weeks)} weeks; {platform.node()}, "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}")  # fmt: skip
    timed("first upload")
    reruns = [timed(f"no-change re-run {r + 1}") for r in range(args.repeat)]
    settings.catalog_path.unlink()
    pipeline.verify(settings, rebuild=True)
    lost = timed("after the catalog was lost")
    med = statistics.median(reruns)
    print(f"no-change re-run: median {med:.2f} s (spread {min(reruns):.2f}-{max(reruns):.2f} s)"
          f" = {1000 * med / args.photos:.2f} s per 1,000 photos; after a lost catalog "
          f"{lost:.2f} s; load {os.getloadavg()[0]:.1f}")  # fmt: skip
    server.stop()


if __name__ == "__main__":
    main()
