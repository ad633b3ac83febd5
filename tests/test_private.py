"""Issue 10: everything the program keeps about the family (settings, places, catalog, journals,
logs, caches) is readable only by the user, whatever the umask; old loose files are tightened."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from imaging import jpeg_bytes, write_file

from photoarchive.catalog import Catalog
from photoarchive.config import Settings, config_dir
from photoarchive.private import tighten


def _loose(roots: list[Path]) -> list[str]:
    """Files and folders under roots that group or others may read, write or enter."""
    found = []
    for root in roots:
        for folder, _dirs, files in os.walk(root):
            for name in [folder, *(os.path.join(folder, f) for f in files)]:
                mode = stat.S_IMODE(os.lstat(name).st_mode)
                if mode & 0o077:
                    found.append(f"{oct(mode)} {name}")
    return found


def test_a_run_leaves_only_private_files(
    settings: Settings, tmp_path: Path, isolated_home: Path, cli_env: dict[str, str]
) -> None:
    old = os.umask(0o022)  # the usual umask, which made everything world-readable
    try:
        # What an older version left behind: a world-readable settings file and cache.
        settings.config_dir.mkdir(parents=True)
        settings.settings_file.write_text(f'archive = "{settings.archive}"\n')
        os.chmod(settings.settings_file, 0o644)
        (settings.cache_dir / "old").mkdir(parents=True)
        (settings.cache_dir / "old" / "thing").write_bytes(b"x")
        card = tmp_path / "card" / "DCIM" / "100CANON"
        for i in range(3):
            write_file(card / f"IMG_{i}.JPG", jpeg_bytes(i, datetime(2024, 3, 5, 10, i)))

        def cli(*args: str) -> None:
            cmd = [sys.executable, "-m", "photoarchive", *args, "--archive", str(settings.archive)]
            res = subprocess.run(cmd, env=cli_env, capture_output=True, text=True, timeout=120)
            assert res.returncode == 0, res.stdout + res.stderr

        cli("places", "add", "Home", "48.8584, 2.2945", "--private")
        cli("import", str(tmp_path / "card"), "-v")
        (week,) = [p for p in settings.archive.iterdir() if p.is_dir()]
        cli("tag", "--place", "Home", str(week))
        cli("verify")
    finally:
        os.umask(old)
    state = isolated_home / ".local" / "state" / "photoarchive"
    roots = [settings.config_dir, settings.data_dir, settings.cache_dir, state]
    made = {p.name for root in roots for p in root.rglob("*")}
    assert {"settings.toml", "places.toml", "photoarchive.log"} <= made
    assert any(n.endswith(".sqlite") for n in made) and any(n.endswith(".lock") for n in made)
    assert _loose(roots) == []
    assert settings.config_dir == config_dir()
    # The archive itself stays the family's to share.
    assert stat.S_IMODE(os.stat(week).st_mode) & 0o055


def test_catalog_and_tighten_on_their_own(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        with Catalog(tmp_path / "data" / "catalogs" / "a.sqlite") as cat:
            cat.conn.execute("CREATE TABLE t(x)")  # the WAL exists now
        (tmp_path / "data" / "loose").write_bytes(b"")
        os.chmod(tmp_path / "data" / "loose", 0o444)
    finally:
        os.umask(old)
    assert [x for x in _loose([tmp_path / "data" / "catalogs"])] == []
    assert tighten([tmp_path / "data"]) >= 2  # the data folder and the loose file
    assert _loose([tmp_path / "data"]) == []
    assert stat.S_IMODE(os.stat(tmp_path / "data" / "loose").st_mode) == 0o400  # still read-only
    inside = tmp_path / "data" / "archive" / "2024-03-04"
    inside.mkdir(parents=True, mode=0o755)
    os.chmod(inside, 0o755)
    tighten([tmp_path / "data"], skip=[tmp_path / "data" / "archive"])
    assert stat.S_IMODE(os.stat(inside).st_mode) == 0o755  # an archive kept there stays shared
