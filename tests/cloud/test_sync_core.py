"""Plan and upload against fake-gcs-server: NEARLINE, checksums, records, never overwriting."""

from __future__ import annotations

import base64
import hashlib
import os
import time

import pytest
from cloud.gcs_fixtures import Gcs, make_archive, sample_files

from photoarchive import pipeline
from photoarchive.catalog import Catalog
from photoarchive.cloud.state import load_records
from photoarchive.config import Settings
from photoarchive.jobs import CancelToken, Progress


def md5_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def sync(settings: Settings, gcs: Gcs, retry, **kw):  # type: ignore[no-untyped-def]
    plan = pipeline.plan_sync(settings, gcs.target, hold_back_days=kw.pop("hold", 0))
    return plan, pipeline.run_sync(settings, plan, retry=retry, **kw)


def test_first_sync_uploads_everything_as_nearline_and_records_it(
    settings: Settings, gcs: Gcs, fast_retry
) -> None:
    files = sample_files(6)
    files["2024-02-05/Größe 東京 é.JPG"] = b"non-ascii name" * 50
    make_archive(settings, files)
    plan, summary = sync(settings, gcs, fast_retry)
    assert len(plan.new) == 7 and plan.bytes_new == sum(len(d) for d in files.values())
    assert summary.ok and sorted(summary.uploaded) == sorted(files)
    objects = gcs.objects()
    for rel, data in files.items():
        blob = objects[rel]
        assert blob.storage_class == "NEARLINE"  # simple uploads keep it on the emulator
        assert blob.md5_hash == md5_b64(data)
        assert gcs.download(rel) == data
    assert blob.content_type == "image/jpeg"
    with Catalog(settings.catalog_path) as cat:
        records = load_records(cat.conn, plan.target)
    assert set(records) == set(files)
    rec = records["2024-02-05/Größe 東京 é.JPG"]
    assert (
        rec.generation == objects[rec.object].generation and rec.md5 == objects[rec.object].md5_hash
    )
    assert {"README.html", "README.txt"} <= set(objects)


def test_resync_reads_nothing_and_trusts_size_and_mtime(
    settings: Settings, gcs: Gcs, fast_retry
) -> None:
    files = sample_files(4)
    make_archive(settings, files)
    sync(settings, gcs, fast_retry)
    gens = {n: b.generation for n, b in gcs.objects().items()}
    # Same size and mtime, other bytes: only a re-read could notice, and the plan must not read.
    rel = next(iter(files))
    path = settings.archive / rel
    st = path.stat()
    path.write_bytes(bytes(len(files[rel])))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    plan, summary = sync(settings, gcs, fast_retry)
    assert plan.unchanged == 4 and plan.nothing_to_do and not plan.unknown_remote
    assert summary.ok and not summary.uploaded and not summary.guide_written
    assert {n: b.generation for n, b in gcs.objects().items()} == gens


def test_changed_file_is_not_replaced_unless_asked(
    settings: Settings, gcs: Gcs, fast_retry
) -> None:
    files = sample_files(3)
    make_archive(settings, files)
    sync(settings, gcs, fast_retry)
    rel = sorted(files)[0]
    before = gcs.objects()[rel].generation
    (settings.archive / rel).write_bytes(b"re-captioned" * 100)
    plan, summary = sync(settings, gcs, fast_retry)
    assert [i.rel for i in plan.changed] == [rel] and not plan.new
    assert plan.early(plan.changed) == 1  # uploaded seconds ago: under Nearline's 30 days
    assert summary.skipped_changed == [rel] and not summary.replaced
    assert gcs.objects()[rel].generation == before
    assert gcs.download(rel) == files[rel]
    plan, summary = sync(settings, gcs, fast_retry, replace_changed=True)
    assert summary.replaced == [rel] and summary.ok
    assert gcs.download(rel) == b"re-captioned" * 100
    assert gcs.objects()[rel].generation != before


def test_touched_but_identical_file_is_recognised_without_upload(
    settings: Settings, gcs: Gcs, fast_retry
) -> None:
    files = sample_files(2)
    make_archive(settings, files)
    sync(settings, gcs, fast_retry)
    rel = sorted(files)[1]
    os.utime(settings.archive / rel)  # mtime now, same bytes
    plan, summary = sync(settings, gcs, fast_retry)
    assert not plan.changed and [r.path for r in plan.adopt] == [rel]
    assert not summary.uploaded
    assert pipeline.plan_sync(settings, gcs.target).unchanged == 2


def test_concurrent_writer_is_never_overwritten(settings: Settings, gcs: Gcs, fast_retry) -> None:
    files = sample_files(3)
    make_archive(settings, files)
    new_rel, changed_rel = sorted(files)[0], sorted(files)[1]
    sync(settings, gcs, fast_retry)
    gcs.client.bucket(gcs.bucket).blob(new_rel).delete()
    (settings.archive / changed_rel).write_bytes(b"mine" * 400)
    plan = pipeline.plan_sync(settings, gcs.target)
    assert [i.rel for i in plan.new] == [new_rel] and [i.rel for i in plan.changed] == [changed_rel]
    # Someone else writes both objects between our plan and our upload.
    bucket = gcs.client.bucket(gcs.bucket)
    bucket.blob(new_rel).upload_from_string(b"theirs-1")
    bucket.blob(changed_rel).upload_from_string(b"theirs-2")
    summary = pipeline.run_sync(settings, plan, retry=fast_retry, replace_changed=True)
    assert {p.path for p in summary.problems} == {new_rel, changed_rel}
    assert all("someone else" in p.reason for p in summary.problems)
    assert gcs.download(new_rel) == b"theirs-1" and gcs.download(changed_rel) == b"theirs-2"
    with Catalog(settings.catalog_path) as cat:
        rec = load_records(cat.conn, plan.target)[changed_rel]
    assert rec.md5 == md5_b64(files[changed_rel])  # the record still describes our last upload
    # The next plan shows the other writer's object as a conflict, not as ours.
    again = pipeline.plan_sync(settings, gcs.target)
    assert {i.rel for i in again.changed} == {new_rel, changed_rel}


def test_hold_back_recently_edited_weeks(settings: Settings, gcs: Gcs, fast_retry) -> None:
    old = {"2023-01-02/A.JPG": b"a" * 100}
    recent = {"2024-05-06/B.JPG": b"b" * 100, "2024-05-06/C.JPG": b"c" * 100}
    make_archive(settings, old)
    make_archive(settings, recent, mtime=time.time() - 2 * 86400)
    plan, summary = sync(settings, gcs, fast_retry, hold=7)
    assert plan.held_weeks == ["2024-05-06"] and len(plan.held_back) == 2
    assert summary.uploaded == ["2023-01-02/A.JPG"]
    assert set(gcs.objects()) == {"2023-01-02/A.JPG", "README.html", "README.txt"}
    plan, summary = sync(settings, gcs, fast_retry, hold=1)
    assert sorted(summary.uploaded) == sorted(recent)


def test_unknown_remote_objects_are_kept_unless_delete(
    settings: Settings, gcs: Gcs, fast_retry
) -> None:
    make_archive(settings, sample_files(2))
    sync(settings, gcs, fast_retry)
    gone = sorted(sample_files(2))[0]
    (settings.archive / gone).unlink()
    gcs.client.bucket(gcs.bucket).blob("1999-01-04/STRAY.JPG").upload_from_string(b"x")
    plan, summary = sync(settings, gcs, fast_retry)
    assert [o.name for o in plan.unknown_remote] == ["1999-01-04/STRAY.JPG", gone]
    assert {"1999-01-04/STRAY.JPG", gone} <= set(gcs.objects())
    plan, summary = sync(settings, gcs, fast_retry, delete=True)
    assert sorted(summary.deleted) == ["1999-01-04/STRAY.JPG", gone]
    assert not {"1999-01-04/STRAY.JPG", gone} & set(gcs.objects())
    with Catalog(settings.catalog_path) as cat:
        assert gone not in load_records(cat.conn, plan.target)


def test_cancelled_sync_resumes_without_resending(settings: Settings, gcs: Gcs, fast_retry) -> None:
    files = sample_files(12)
    make_archive(settings, files)
    cancel = CancelToken()

    def progress(p: Progress) -> None:
        if p.stage == "upload" and p.done >= 3:
            cancel.cancel()

    plan = pipeline.plan_sync(settings, gcs.target)
    first = pipeline.run_sync(settings, plan, cancel, progress, retry=fast_retry, workers=1)
    assert first.cancelled and 3 <= len(first.uploaded) < 12
    gens = {n: b.generation for n, b in gcs.objects().items()}
    assert "README.html" not in gens  # the guide waits for a complete run
    plan, second = sync(settings, gcs, fast_retry)
    assert len(plan.new) == 12 - len(first.uploaded)
    assert sorted(first.uploaded + second.uploaded) == sorted(files)
    after = gcs.objects()
    assert all(after[n].generation == g for n, g in gens.items())


def test_uploaded_but_unrecorded_files_are_found_not_resent(
    settings: Settings, gcs: Gcs, fast_retry
) -> None:
    """A run killed between upload and record: the next plan reads those files and adopts."""
    files = sample_files(5)
    make_archive(settings, files)
    sync(settings, gcs, fast_retry)
    gens = {n: b.generation for n, b in gcs.objects().items()}
    with Catalog(settings.catalog_path) as cat:
        cat.conn.execute("DELETE FROM sync_objects")
    plan, summary = sync(settings, gcs, fast_retry)
    assert not plan.new and not plan.changed and len(plan.adopt) == 5
    assert not summary.uploaded and summary.ok
    assert {n: b.generation for n, b in gcs.objects().items()} == gens
    assert pipeline.plan_sync(settings, gcs.target).unchanged == 5


def test_vanished_and_changed_after_plan(settings: Settings, gcs: Gcs, fast_retry) -> None:
    files = sample_files(3)
    make_archive(settings, files)
    vanished, changed, fine = sorted(files)
    plan = pipeline.plan_sync(settings, gcs.target)
    (settings.archive / vanished).unlink()
    (settings.archive / changed).write_bytes(b"edited meanwhile")
    summary = pipeline.run_sync(settings, plan, retry=fast_retry)
    reasons = {p.path: p.reason for p in summary.problems}
    assert "vanished" in reasons[vanished] and "changed" in reasons[changed]
    assert summary.uploaded == [fine]
    assert set(gcs.objects()) - {"README.html", "README.txt"} == {fine}
    with Catalog(settings.catalog_path) as cat:
        assert set(load_records(cat.conn, plan.target)) == {fine}


@pytest.mark.parametrize("memory_limit", [64 << 20, 1 << 20])
def test_large_file_resumable_upload_checked(
    settings: Settings, gcs: Gcs, fast_retry, monkeypatch: pytest.MonkeyPatch, memory_limit: int
) -> None:
    """9 MiB goes resumable (over the library's 8 MiB multipart limit); with a 1 MiB memory
    limit it is also streamed from disk instead of read into memory."""
    import photoarchive.cloud.checked_upload as upload_mod

    monkeypatch.setattr(upload_mod, "MEMORY_LIMIT", memory_limit)
    data = os.urandom(9 << 20)
    make_archive(settings, {"2023-03-06/CLIP.MOV": data})
    _, summary = sync(settings, gcs, fast_retry)
    assert summary.ok and summary.uploaded == ["2023-03-06/CLIP.MOV"]
    blob = gcs.objects()["2023-03-06/CLIP.MOV"]
    assert blob.md5_hash == md5_b64(data) and blob.size == len(data)
    # fake-gcs-server drops the storage class on resumable uploads; real GCS keeps the
    # storageClass sent in the upload's metadata. Nothing more can be shown here.


def test_sync_status_counts_synced_files_per_week(settings: Settings, gcs: Gcs, fast_retry) -> None:
    from photoarchive.importing.verify import rebuild_catalog

    files = sample_files(6)
    make_archive(settings, files)
    with Catalog(settings.catalog_path) as cat:
        rebuild_catalog(settings, cat)
    assert pipeline.sync_status(settings) == {
        "2023-01-02": (0, 2),
        "2023-01-09": (0, 2),
        "2024-02-05": (0, 2),
    }
    sync(settings, gcs, fast_retry)
    edited = sorted(files)[0]
    (settings.archive / edited).write_bytes(b"edited")
    with Catalog(settings.catalog_path) as cat:
        rebuild_catalog(settings, cat)
    status = pipeline.sync_status(settings)
    assert status[edited.split("/")[0]] == (1, 2)
    assert sum(s for s, _ in status.values()) == 5


def test_names_gcs_cannot_hold_are_mapped_listed_and_sent(
    settings: Settings, gcs: Gcs, fast_retry
) -> None:
    """Issue 10: a name that is not UTF-8 goes under a reversible mapped name, listed in the
    plan; a real file already holding that mapped name wins it and the odd one is reported."""
    make_archive(settings, {"2023-01-02/OK.JPG": b"fine"})
    week = os.fsencode(settings.archive / "2023-01-02")
    bad = os.path.join(week, b"IMG_\xff\xfe.JPG")  # Latin-1 bytes from an old camera/OS
    with open(bad, "wb") as fh:
        fh.write(b"latin-1 name")
    plan, summary = sync(settings, gcs, fast_retry)
    rel = os.fsdecode(b"2023-01-02/IMG_\xff\xfe.JPG")
    assert plan.problems == [] and plan.mapped == [(rel, "2023-01-02/IMG_%FF%FE.JPG")]
    assert sorted(summary.uploaded) == sorted(["2023-01-02/OK.JPG", rel])
    assert gcs.download("2023-01-02/IMG_%FF%FE.JPG") == b"latin-1 name"
    make_archive(settings, {"2024-01-01/IMG_%FF%FE.JPG": b"real"})
    with open(
        os.path.join(os.fsencode(settings.archive / "2024-01-01"), b"IMG_\xff\xfe.JPG"), "wb"
    ) as fh:
        fh.write(b"odd")
    plan, summary = sync(settings, gcs, fast_retry)
    assert [p.path for p in plan.problems] == [os.fsdecode(b"2024-01-01/IMG_\xff\xfe.JPG")]
    assert "already used by another file" in plan.problems[0].reason
    assert summary.uploaded == ["2024-01-01/IMG_%FF%FE.JPG"]
