"""The tagging intent journal: edits a killed run made but could not record in the catalog.

A tagging batch on archive files opens a run folder beside the catalog
(`CATALOG.journal/run-XXXX/`) and holds an flock on its `owner` file while it runs. Just before
a worker renames a new version into place it writes one intent file there: the hash the file
will have, its path and the photo it belongs to. A batch that ends normally records every
outcome itself and removes its folder. A batch that was killed leaves the folder with a free
lock: the next opening of the catalog (any command, `verify` included) replays it (each target
that now holds the intended content gets its new hash in the catalog) and then removes it.
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from photoarchive.hashing import hash_file
from photoarchive.private import open_private, private_dir, write_private

log = logging.getLogger(__name__)

_RUN_PREFIX = "run-"
_OWNER = "owner"
_ARCHIVE = "archive"


@dataclass(frozen=True)
class Intent:
    """A rename about to happen: the target will hold content with this hash."""

    hash: str
    new_sidecar: bool
    target: str  # the file renamed (the photo, or its sidecar)
    source: str = ""  # the photo the edit is for (a new sidecar's media file)


def write_intent(path: Path, intent: Intent) -> None:
    """HASH<TAB>NEW<TAB>TARGET<NUL>SOURCE, names as exact bytes (names.py: names are bytes)."""
    head = f"{intent.hash}\t{int(intent.new_sidecar)}\t".encode("ascii")
    write_private(path, head + os.fsencode(intent.target) + b"\0" + os.fsencode(intent.source))


def read_intent(path: Path) -> Intent | None:
    try:
        digest, new, names = path.read_bytes().split(b"\t", 2)
        target, _, source = names.partition(b"\0")
        return Intent(digest.decode("ascii"), new == b"1", os.fsdecode(target), os.fsdecode(source))
    except (OSError, ValueError):
        return None


def journal_root(catalog_path: Path) -> Path:
    return catalog_path.with_name(catalog_path.name + ".journal")


@contextmanager
def open_run(catalog_path: Path, archive: Path) -> Iterator[Path]:
    """A locked run folder for one tagging batch, removed when the batch ends."""
    root = journal_root(catalog_path)
    private_dir(root)
    # Made under a dot name and renamed once locked, so no replay ever sees it unlocked.
    import shutil  # here and below: tempfile and shutil cost every start-up ~3 ms otherwise
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix=".new-", dir=root))
    owner = open_private(tmp / _OWNER, os.O_RDWR)
    try:
        fcntl.flock(owner, fcntl.LOCK_EX)
        write_private(tmp / _ARCHIVE, os.fsencode(os.path.realpath(archive)))
        run = root / (_RUN_PREFIX + tmp.name.removeprefix(".new-"))
        os.rename(tmp, run)
        try:
            yield run
        finally:
            shutil.rmtree(run, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        os.close(owner)


@dataclass(frozen=True)
class Applied:
    """An edit found done on disk: the catalog should hold this content for `rel`."""

    rel: str
    hash: str
    size: int
    mtime_ns: int
    new_sidecar: bool
    media_rel: str | None


def _rel(archive: str, path: str) -> str | None:
    """WEEK/NAME of a path inside the archive (None outside)."""
    real = os.path.realpath(path)
    rel = os.path.relpath(real, archive)
    parts = rel.split(os.sep)
    return "/".join(parts) if len(parts) == 2 and ".." not in parts else None


def _applied(run: Path) -> list[Applied]:
    archive = os.fsdecode((run / _ARCHIVE).read_bytes())
    found = []
    for entry in sorted(os.scandir(run), key=lambda e: e.name):
        if not entry.name.endswith(".intent"):
            continue
        intent = read_intent(Path(entry.path))
        rel = _rel(archive, intent.target) if intent else None
        if intent is None or rel is None:
            continue
        try:
            if hash_file(Path(intent.target)) != intent.hash:
                continue  # killed before the rename: the file is as catalogued
            st = os.stat(intent.target)
        except OSError:
            continue
        media = _rel(archive, intent.source) if intent.source else None
        found.append(
            Applied(rel, intent.hash, st.st_size, st.st_mtime_ns, intent.new_sidecar, media)
        )
    return found


def dead_runs(catalog_path: Path) -> Iterator[list[Applied]]:
    """For each run whose batch is gone: the edits it made; the run is removed after the
    caller has recorded them (when the caller's loop moves on)."""
    root = journal_root(catalog_path)
    try:
        entries = sorted(os.scandir(root), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        run = Path(entry.path)
        if not entry.name.startswith((_RUN_PREFIX, ".new-")):
            continue
        try:
            owner = os.open(run / _OWNER, os.O_RDWR | os.O_CLOEXEC)
        except OSError:
            if not entry.name.startswith(_RUN_PREFIX):
                continue  # a batch between mkdtemp and its lock
            owner = None
        try:
            if owner is not None:
                try:
                    fcntl.flock(owner, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    continue  # its batch is still running
            if entry.name.startswith(_RUN_PREFIX) and owner is not None:
                try:
                    edits = _applied(run)
                except OSError as exc:
                    log.warning("cannot read the tagging journal %s: %s", run, exc)
                    continue
                if edits:
                    log.warning("recording %d edit(s) of an interrupted tagging run", len(edits))
                yield edits
            import shutil

            shutil.rmtree(run, ignore_errors=True)
        finally:
            if owner is not None:
                os.close(owner)
