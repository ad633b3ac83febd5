"""A file too large to send from memory is read once at upload when planning already hashed
it (the plan's sums go along); what the server then holds is still checked before recording."""

from __future__ import annotations

import os
from pathlib import Path

from cloud.gcs_fixtures import Gcs

from photoarchive.cloud.checked_upload import MEMORY_LIMIT, upload_item
from photoarchive.cloud.plan import SyncItem
from photoarchive.cloud.state import sums_of_file
from photoarchive.cloud.target import parse_target


def _bytes_read() -> int:
    """Bytes this process has read through read calls (page cache included)."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise AssertionError("no rchar in /proc/self/io")


def _item(path: Path, name: str, sums: object) -> SyncItem:
    st = path.stat()
    return SyncItem(
        f"2024-01-01/{name}", "2024-01-01", path, st.st_size, st.st_mtime_ns,
        f"2024-01-01/{name}", "changed", 0, None, sums,  # type: ignore[arg-type]
    )  # fmt: skip


def test_a_large_file_hashed_by_the_plan_is_read_once_at_upload(
    tmp_path: Path, gcs: Gcs, fast_retry
) -> None:  # type: ignore[no-untyped-def]
    big = tmp_path / "clip.mov"
    big.write_bytes(os.urandom(MEMORY_LIMIT + (1 << 20)))
    planned = sums_of_file(big)  # as planning reads a file whose object differs
    target = parse_target(gcs.target)
    bucket = gcs.client.bucket(gcs.bucket)
    before = _bytes_read()
    out = upload_item(bucket, target, _item(big, "clip.mov", planned), fast_retry)
    read = _bytes_read() - before
    assert out.problem is None and out.record is not None
    assert out.record.hash == planned.blake3 and out.record.crc32c == planned.crc32c
    assert gcs.download("2024-01-01/clip.mov") == big.read_bytes()
    assert read < 1.5 * big.stat().st_size, f"{read} bytes read for one upload"

    # The plan saw other bytes (same size and time): never recorded as if it had not.
    other = tmp_path / "other.mov"
    other.write_bytes(os.urandom(MEMORY_LIMIT + (1 << 20)))
    out = upload_item(bucket, target, _item(other, "other.mov", planned), fast_retry)
    assert out.record is None and out.problem is not None
    assert "does not match" in out.problem.reason  # fake-gcs-server takes it; GCS would refuse
    assert "2024-01-01/other.mov" not in gcs.objects()  # the copy just made is removed again
