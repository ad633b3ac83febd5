"""Throttle, retries and Flickr's refusals in words, with the batch going on."""

from __future__ import annotations

import time

from flickr.fake_server import FakeFlickr
from flickr.upload_fixtures import SHOTS, WEEK, make_week, signed_in

from photoarchive.config import Settings
from photoarchive.flickr.api import Throttle
from photoarchive.flickr.upload import upload


def test_throttle_holds_calls_to_the_limit() -> None:
    throttle = Throttle(limit=3, window=0.4)
    start = time.monotonic()
    waits = [throttle.wait() for _ in range(4)]
    assert waits[:3] == [0.0, 0.0, 0.0] and waits[3] > 0
    assert time.monotonic() - start >= 0.35


def test_refused_file_type_is_reported_and_the_batch_goes_on(
    flickr_server: FakeFlickr, flickr_env: dict[str, str], settings: Settings
) -> None:
    paths = make_week(settings, SHOTS[:2], video=False)
    bad = settings.archive / WEEK / "CLIP_0001.MOV"
    bad.write_bytes(b"not a movie at all" * 10)  # Flickr cannot tell what this is
    from photoarchive import pipeline

    pipeline.verify(settings, rebuild=True)
    client = signed_in(settings, flickr_server)
    flickr_server.fail_next = [502, 500]  # transient: retried with backoff
    summary = upload(settings, client, [WEEK], ticket_poll=0.01)
    assert [(p.path, p.reason) for p in summary.problems] == [
        (f"{WEEK}/CLIP_0001.MOV", "file type not accepted by Flickr")
    ]
    assert sorted(summary.uploaded) == sorted(paths) and not summary.stopped
    again = upload(settings, client, [WEEK], ticket_poll=0.01)  # the record of the rest holds
    assert sorted(again.already) == sorted(paths) and again.uploaded == []


def test_dry_run_json_and_whoami_on_a_pro_account(
    flickr_server: FakeFlickr, flickr_env: dict[str, str], settings: Settings, capsys
) -> None:  # type: ignore[no-untyped-def]
    import json

    from photoarchive.cli.main import main

    paths = make_week(settings, SHOTS[:2], video=False)
    signed_in(settings, flickr_server)
    flickr_server.state.users["12345678@N00"].ispro = True
    archive = ["--archive", str(settings.archive)]
    assert main(["flickr", "upload", WEEK, "--dry-run", "--json", *archive]) == 0
    planned = json.loads(capsys.readouterr().out)
    assert planned["dry_run"] and sorted(planned["uploaded"]) == sorted(paths)
    assert not flickr_server.state.photos and not flickr_server.calls("/services/upload/")
    assert main(["flickr", "whoami", "--json", *archive]) == 0
    who = json.loads(capsys.readouterr().out)
    assert who["pro"] is True and who["limits"] is None and who["username"] == "grandma"
    assert main(["flickr", "upload", WEEK, "--album", "Spring", *archive]) == 0
    out = capsys.readouterr().out
    assert "Uploaded 2, updated 0" in out and "album 'Spring': 2 added" in out
