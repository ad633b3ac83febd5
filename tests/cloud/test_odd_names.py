"""Names a card can hold but UTF-8 cannot (`IMG_\\xff\\xfe.JPG`), with a newline or a backslash:
imported, verified, rebuilt, tagged and synced end to end through the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

from cloud.gcs_fixtures import Gcs
from imaging import jpeg_bytes, write_file

from photoarchive import names
from photoarchive.archive import MANIFEST_NAME
from photoarchive.cloud.client import EMULATOR_ENV

ODD = [b"IMG_\xff\xfe.JPG", b"IMG_new\nline.JPG", b"IMG_back\\slash.JPG", b"IMG_0001.JPG"]
WEEK = "2024-03-04"


def test_odd_names_import_verify_rebuild_tag_and_sync(tmp_path: Path, gcs: Gcs, cli_env) -> None:  # type: ignore[no-untyped-def]
    card = tmp_path / "card" / "DCIM" / "100CANON"
    for i, raw in enumerate(ODD):
        write_file(card / os.fsdecode(raw), jpeg_bytes(i, datetime(2024, 3, 5, 10, i)))
    archive = tmp_path / "archive"
    env = dict(cli_env, **{EMULATOR_ENV: gcs.url})

    def run(*args: str) -> subprocess.CompletedProcess[bytes]:
        cmd = [sys.executable, "-m", "photoarchive", *args, "--archive", str(archive)]
        return subprocess.run(cmd, env=env, capture_output=True, timeout=120)

    first = run("import", str(tmp_path / "card"))
    assert first.returncode == 0, first.stderr
    placed = {os.fsencode(p.name) for p in (archive / WEEK).iterdir() if p.name != MANIFEST_NAME}
    assert placed == set(ODD)
    again = run("import", str(tmp_path / "card"), "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["already_archived"] == len(ODD)

    for args in (("verify",), ("verify", "--rebuild"), ("verify",)):
        res = run(*args, "--json")
        assert res.returncode == 0, res.stderr
        report = json.loads(res.stdout)
        assert report["problems"] == [] and report["changed"] == report["unknown"] == []

    tagged = run("caption", "--title", "Odd names", str(archive / WEEK), "--json")
    assert tagged.returncode == 0, tagged.stdout + tagged.stderr
    doc = json.loads(tagged.stdout)
    assert doc["changed"] == len(ODD) and doc["problems"] == []
    assert {os.fsencode(Path(r["path"]).name) for r in doc["results"]} == set(ODD)
    assert run("verify").returncode == 0

    shown = run("show", str(archive / WEEK))
    assert shown.returncode == 0, shown.stderr
    lines = shown.stdout.decode("utf-8").splitlines()  # human output is valid UTF-8...
    heads = [line for line in lines if not line.startswith(" ")]
    assert len(heads) == len(ODD)  # ...with one line per path, escaped
    assert {names.unshow(Path(h).name) for h in heads} == {os.fsdecode(r) for r in ODD}
    assert lines.count("  title:    Odd names") == len(ODD)

    synced = run("sync", "--bucket", gcs.target)
    assert synced.returncode == 0, synced.stdout + synced.stderr
    out = synced.stdout.decode("utf-8")
    assert "2 names an object name cannot hold" in out
    assert f"{WEEK}/IMG_%FF%FE.JPG" in out and f"{WEEK}/IMG_new%0Aline.JPG" in out
    objects = gcs.objects(prefix=WEEK)
    photos = {f"{WEEK}/" + names.object_name(os.fsdecode(r)) for r in ODD}
    assert set(objects) == photos | {f"{WEEK}/{MANIFEST_NAME}"}  # the week travels with its list
    for raw in ODD:
        obj = names.object_name(f"{WEEK}/{os.fsdecode(raw)}")
        assert gcs.download(obj) == (archive / WEEK / os.fsdecode(raw)).read_bytes()
    nothing = run("sync", "--bucket", gcs.target, "--json")
    assert nothing.returncode == 0 and json.loads(nothing.stdout)["new"] == []
