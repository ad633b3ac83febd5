"""The restore drill downloads from the bucket like the family and proves the bytes; an object
changed behind the program's back makes it fail and name the photo."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from cards import make_card
from cloud.gcs_fixtures import Gcs

from photoarchive import pipeline
from photoarchive.cli.main import main
from photoarchive.config import Settings


def test_restore_drill(
    tmp_path: Path,
    settings: Settings,
    gcs: Gcs,
    fast_retry,  # type: ignore[no-untyped-def]
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = replace(settings, bucket=gcs.target)
    card = make_card(tmp_path / "card", datetime(2024, 3, 4, 8), days=7, per_day=2)
    assert pipeline.import_photos(settings, [card.root]).ok
    assert pipeline.run_sync(settings, pipeline.plan_sync(settings), retry=fast_retry).ok
    arch = ["--archive", str(settings.archive), "--bucket", gcs.target, "--json"]
    capsys.readouterr()
    assert main(["restore-check", "--sample", "3", *arch]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and len(report["checked"]) == 3 and report["manifests"] == 1

    # Someone replaces a photo's object: the drill of its week fails and names it.
    name = sorted(n for n in gcs.objects() if n.endswith(".JPG"))[4]
    gcs.client.bucket(gcs.bucket).blob(name).upload_from_string(b"\xff\xd8 not the photo")
    assert main(["restore-check", "--week", "2024-03-04", *arch]) == 1
    report = json.loads(capsys.readouterr().out)
    assert len(report["checked"]) == 14
    bad = [r for r in report["checked"] if not r["ok"]]
    detail = "downloaded bytes differ from the archive"
    assert bad == [{"path": name, "ok": False, "detail": detail}]
