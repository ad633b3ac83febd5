"""A card's filesystem identity: volume UUID, filesystem label and capacity.

Cards go into a safe and come back years later; the user finds the right one by what is
written on it and what the system calls it ("EOS_DIGITAL 32 GB"). Each import records the
identity of every card it read here, keyed by the same volume id as `files.source_volume`.
What the system does not know (a plain folder, a filesystem without a UUID or label) is
left empty: an identity is a help, never a reason for an import to fail.
"""

from __future__ import annotations

import logging
import os
import shlex
import sqlite3
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from photoarchive.importing.cards import volume_of
from photoarchive.jobs import human_bytes
from photoarchive.names import db_value, from_db

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS source_volumes (
    volume TEXT PRIMARY KEY,     -- as files.source_volume: 'uuid:...' or 'mount:...'
    uuid TEXT NOT NULL DEFAULT '',
    fs_label TEXT NOT NULL DEFAULT '',
    capacity INTEGER,            -- bytes, as statvfs reports the filesystem's size
    device TEXT NOT NULL DEFAULT '',
    last_import REAL
);
"""


@dataclass(frozen=True)
class VolumeIdentity:
    volume: str  # 'uuid:...' or 'mount:...'
    uuid: str = ""
    fs_label: str = ""
    capacity: int | None = None
    device: str = ""

    def describe(self) -> str:
        """What the system calls the card: 'EOS_DIGITAL 32 GB', or '' when it knows nothing."""
        parts = [self.fs_label] if self.fs_label else []
        if self.capacity:
            parts.append(card_size(self.capacity))
        return " ".join(parts)


def card_size(n: int) -> str:
    """Sizes as printed on cards: a '64 GB' card's filesystem holds about 63.8 GB."""
    return f"{round(n / 1e9)} GB" if n >= 10e9 else human_bytes(n)


def _links(folder: str) -> dict[int, str]:
    """Block device number -> name of its symlink in /dev/disk/by-uuid or by-label."""
    out: dict[int, str] = {}
    try:
        entries = list(Path(folder).iterdir())
    except OSError:
        return out
    for link in entries:
        try:
            out[os.stat(link).st_rdev] = _unescape(link.name)
        except OSError:
            continue
    return out


def _unescape(name: str) -> str:
    r"""udev writes a label's spaces and odd bytes as \x20 escapes."""
    if "\\x" not in name:
        return name
    try:
        return name.encode("latin-1").decode("unicode_escape").encode("latin-1").decode()
    except (UnicodeError, ValueError):
        return name


def _device(dev: int) -> str:
    try:
        return "/dev/" + Path(f"/sys/dev/block/{os.major(dev)}:{os.minor(dev)}").resolve().name
    except OSError:
        return ""


def identify(path: Path) -> VolumeIdentity:
    """The identity of the filesystem holding `path`; unknown parts are left empty."""
    volume, mount = volume_of(path)
    try:
        dev = os.stat(mount).st_dev
    except OSError:
        return VolumeIdentity(volume)
    try:
        st = os.statvfs(mount)
        capacity: int | None = st.f_blocks * st.f_frsize or None
    except OSError:
        capacity = None
    sysfs = f"/sys/dev/block/{os.major(dev)}:{os.minor(dev)}"
    device = _device(dev) if os.path.exists(sysfs) else ""
    uuid = _links("/dev/disk/by-uuid").get(dev, "")
    label = _links("/dev/disk/by-label").get(dev, "")
    if device and not (uuid or label):  # no udev (a container, a minimal system): ask blkid
        found = _findmnt(mount)
        uuid, label = found.get("UUID", ""), _unescape(found.get("LABEL", ""))
    return VolumeIdentity(volume, uuid, label, capacity, device)


def _findmnt(mount: Path) -> dict[str, str]:
    """findmnt's view of a mount (libblkid reads the superblock); {} when it cannot say."""
    cmd = ["findmnt", "-n", "-P", "-o", "SOURCE,UUID,LABEL", "--mountpoint", str(mount)]
    try:
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        log.info("findmnt %s: %s", mount, exc)
        return {}
    lines = res.stdout.splitlines()
    if res.returncode != 0 or not lines:
        return {}
    try:
        pairs = shlex.split(lines[-1])  # the topmost mount there
    except ValueError:
        return {}
    return dict(p.split("=", 1) for p in pairs if "=" in p)


def record_volumes(conn: sqlite3.Connection, identities: Iterable[VolumeIdentity]) -> None:
    """Remember the cards an import read (the newest identity wins: a card can be reformatted
    under the same mount point)."""
    rows = [
        (db_value(v.volume), v.uuid, v.fs_label, v.capacity, v.device, time.time())
        for v in identities
    ]
    if not rows:
        return
    conn.executescript(_SCHEMA)
    conn.executemany(
        "INSERT INTO source_volumes VALUES (?,?,?,?,?,?) ON CONFLICT(volume) DO UPDATE SET "
        "uuid=excluded.uuid, fs_label=excluded.fs_label, capacity=excluded.capacity, "
        "device=excluded.device, last_import=excluded.last_import",
        rows,
    )


def known_volumes(conn: sqlite3.Connection) -> dict[str, VolumeIdentity]:
    conn.executescript(_SCHEMA)
    rows = conn.execute("SELECT volume, uuid, fs_label, capacity, device FROM source_volumes")
    out = {}
    for r in rows:
        volume = from_db(r[0]) or ""
        out[volume] = VolumeIdentity(volume, r[1], r[2], r[3], r[4])
    return out
