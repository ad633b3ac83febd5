"""Uploading a week into an album as a user would: right fields, never twice, resumable,
home kept private, edits sent as updates."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from flickr.fake_server import FakeFlickr
from flickr.upload_fixtures import (
    NSID,
    SHOTS,
    VIDEO,
    WEEK,
    edit_file,
    make_week,
    signed_in,
    write_temp,
)

from photoarchive.config import Settings
from photoarchive.flickr.upload import upload
from photoarchive.jobs import CancelToken, Progress
from photoarchive.metadata.edit import TagEdit
from photoarchive.metadata.reading import read_metadata


def test_week_into_new_album_then_never_twice(
    flickr_server: FakeFlickr, flickr_env: dict[str, str], settings: Settings, tmp_path: Path
) -> None:
    paths = make_week(settings)
    home_file = settings.archive / paths[2]
    home_before = home_file.read_bytes()
    client = signed_in(settings, flickr_server)
    summary = upload(settings, client, [WEEK], ticket_poll=0.01)
    assert summary.ok, summary
    assert sorted(summary.uploaded) == sorted(paths)
    state = flickr_server.state
    assert len(state.photos) == 5
    (album,) = state.sets.values()
    assert album.title == "Beach day"  # the week's title
    by_name = {Path(p).name: p for p in paths}
    photo = {p.filename: p for p in state.photos.values()}
    # Titles, descriptions, tags, privacy, safety level, content type
    castle = photo["IMG_0001.JPG"]
    assert (castle.title, castle.description) == ("Beach day", "Anna builds a castle")
    identity = {f.path: f.import_hash for f in _files(settings)}
    assert f"photoarchive:id={identity[by_name['IMG_0001.JPG']]}" in castle.raw_tags
    assert "Beach at Binz" in castle.raw_tags and "Home" not in castle.raw_tags
    for p in state.photos.values():
        assert (p.is_public, p.is_friend, p.is_family) == (0, 0, 1)  # default: family
        assert (p.safety_level, p.content_type, p.hidden) == (1, 1, 2)
    assert castle.geo is not None and abs(castle.geo[0] - 54.0924) < 1e-5
    assert castle.date_taken == "2024-06-05 10:00:00"
    # The video went with its real extension (Flickr refuses it otherwise), as an async upload
    assert photo[VIDEO].media == "video"
    assert flickr_server.calls("flickr.photos.upload.checkTickets")
    # Album order: by date taken
    order = [state.photos[pid].filename for pid in album.photos]
    dated = [n for n in order if n != VIDEO]
    assert dated == ["IMG_0004.JPG", "IMG_0002.JPG", "IMG_0001.JPG", "IMG_0003.JPG"]
    # Home: no location on Flickr, none in the bytes sent, the archive file untouched
    home = photo["IMG_0003.JPG"]
    assert home.geo is None
    assert read_metadata(write_temp(tmp_path, home.data)).gps is None
    assert home_file.read_bytes() == home_before
    assert read_metadata(home_file).gps is not None
    # Videos: their own location is not read, so with a private place known only the owner
    # may see where they were taken.
    assert summary.location_hidden == [by_name["IMG_0003.JPG"], by_name[VIDEO]]
    assert photo[VIDEO].geo_perms == dict.fromkeys(
        ("is_public", "is_contact", "is_friend", "is_family"), 0
    )

    # The durability ledger shows it, and does not count Flickr as a copy.
    from photoarchive.durability.ledger import build_ledger

    (ledger,) = build_ledger(settings).weeks
    assert (ledger.on_flickr, ledger.photos, ledger.copies) == (5, 5, 0)  # rebuilt: unverified

    # A second run sends nothing.
    uploads = len(flickr_server.calls("/services/upload/"))
    again = upload(settings, client, [WEEK], ticket_poll=0.01)
    assert again.uploaded == [] and sorted(again.already) == sorted(paths) and again.ok
    assert len(flickr_server.calls("/services/upload/")) == uploads
    assert not flickr_server.calls("flickr.photosets.addPhoto")[5:]

    # The catalog is lost and rebuilt: the machine tags still tell what is there.
    settings.catalog_path.unlink()
    for extra in ("-wal", "-shm"):
        Path(str(settings.catalog_path) + extra).unlink(missing_ok=True)
    from photoarchive import pipeline

    pipeline.verify(settings, rebuild=True)
    metadata_calls = ["setMeta", "setTags", "geo.setLocation", "geo.removeLocation"]
    before = {m: len(flickr_server.calls(f"flickr.photos.{m}")) for m in metadata_calls}
    lost = upload(settings, client, [WEEK], ticket_poll=0.01)
    assert lost.uploaded == [] and sorted(lost.recovered) == sorted(paths), lost
    assert lost.updated == []  # what Flickr holds matches: no metadata calls either
    after = {m: len(flickr_server.calls(f"flickr.photos.{m}")) for m in metadata_calls}
    assert after == before
    assert len(flickr_server.calls("/services/upload/")) == uploads
    assert len(state.photos) == 5 and len(state.sets) == 1

    # An edited caption is sent as an update, not as a second upload.
    edit_file(settings, by_name["IMG_0002.JPG"], TagEdit(caption="Sunset over the pier"))
    edited = upload(settings, client, [WEEK], ticket_poll=0.01)
    assert edited.updated == [by_name["IMG_0002.JPG"]] and edited.uploaded == []
    assert photo["IMG_0002.JPG"].description == "Sunset over the pier"
    assert len(flickr_server.calls("/services/upload/")) == uploads and len(state.photos) == 5
    assert upload(settings, client, [WEEK]).updated == []


def _files(settings: Settings):  # type: ignore[no-untyped-def]
    from photoarchive.catalog import Catalog

    with Catalog(settings.catalog_path) as catalog:
        return catalog.files(WEEK)


def test_interrupted_upload_resumes_without_duplicates(
    flickr_server: FakeFlickr, flickr_env: dict[str, str], settings: Settings
) -> None:
    paths = make_week(settings, video=False)
    client = signed_in(settings, flickr_server)
    cancel = CancelToken()

    def stop_after_two(p: Progress) -> None:
        if p.done == 2:
            cancel.cancel()

    first = upload(settings, client, [WEEK], cancel=cancel, progress=stop_after_two)
    assert first.cancelled and len(first.uploaded) == 2
    assert len(flickr_server.state.photos) == 2
    # Flickr stores the next photo but its answer is lost; a REST call meets a 503.
    flickr_server.drop_after_store = 1
    flickr_server.fail_next = [503]
    second = upload(settings, client, [WEEK])
    assert second.ok, second
    assert sorted(first.uploaded + second.uploaded) == sorted(paths)
    assert len(flickr_server.state.photos) == len(paths)  # no duplicates
    searched = [c.get("machine_tags", "") for c in flickr_server.calls("flickr.photos.search")]
    assert any(len(t) > len("photoarchive:id=") for t in searched)  # looked for the lost one
    (album,) = flickr_server.state.sets.values()
    assert sorted(album.photos) == sorted(flickr_server.state.photos)


def test_restrict_mode_uploads_gps_but_only_the_owner_sees_it(
    flickr_server: FakeFlickr, flickr_env: dict[str, str], settings: Settings, tmp_path: Path
) -> None:
    settings = dataclasses.replace(settings, flickr_private_places="restrict")
    make_week(settings, [SHOTS[2]], video=False)
    client = signed_in(settings, flickr_server)
    summary = upload(settings, client, [WEEK], album="Home", privacy="public")
    assert summary.ok
    (home,) = flickr_server.state.photos.values()
    assert home.is_public == 1 and home.geo is None
    assert home.geo_perms == {"is_public": 0, "is_contact": 0, "is_friend": 0, "is_family": 0}
    assert read_metadata(write_temp(tmp_path, home.data)).gps is not None


@pytest.mark.parametrize(
    ("items", "non_public", "privacy", "words"),
    [
        (998, 0, "public", "holds 998 of its 1000 items"),
        (100, 48, "family", "at most 50 non-public items; it holds 48"),
    ],
)
def test_free_account_near_its_limit_is_stopped_before_anything_is_sent(
    flickr_server: FakeFlickr, flickr_env: dict[str, str], settings: Settings,
    capsys: pytest.CaptureFixture[str], items: int, non_public: int, privacy: str, words: str,
) -> None:  # fmt: skip
    from photoarchive.cli.main import main

    make_week(settings, SHOTS[:3], video=False)
    flickr_server.state.fill(NSID, items - non_public, public=True)
    flickr_server.state.fill(NSID, non_public, public=False)
    signed_in(settings, flickr_server)
    code = main(
        ["flickr", "upload", WEEK, "--privacy", privacy, "--archive", str(settings.archive)]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "account full" in err and words in err and "Nothing was uploaded" in err
    assert len(flickr_server.state.photos) == items


def test_killed_upload_resumes_without_duplicates(
    flickr_server: FakeFlickr, flickr_env: dict[str, str], settings: Settings
) -> None:
    """SIGKILL while Flickr has stored a photo whose id we never heard: the next run finds it
    by its machine tag instead of sending it again."""
    import signal
    import subprocess
    import sys
    import time

    paths = make_week(settings, video=False)
    signed_in(settings, flickr_server)
    flickr_server.answer_delay = 30.0
    cmd = [sys.executable, "-m", "photoarchive", "flickr", "upload", WEEK,
           "--archive", str(settings.archive)]  # fmt: skip
    proc = subprocess.Popen(cmd, env=flickr_env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 60
    while not flickr_server.state.photos and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    assert len(flickr_server.state.photos) == 1  # stored on Flickr, not in our catalog
    flickr_server.answer_delay = 0.0
    client = signed_in(settings, flickr_server)
    resumed = upload(settings, client, [WEEK])
    assert resumed.ok, resumed
    assert len(resumed.recovered) == 1 and len(resumed.uploaded) == len(paths) - 1
    assert len(flickr_server.state.photos) == len(paths)  # no duplicates
