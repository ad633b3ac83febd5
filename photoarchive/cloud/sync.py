"""The off-site copy: plan, then upload new files as NEARLINE objects in parallel, checked.

Nothing in the bucket is overwritten or deleted unless the caller asks: new objects are
written with `if_generation_match=0`, replacements with the generation seen at planning, so a
concurrent writer is never silently overwritten. Every upload's crc32c as the server reports
it is compared with our own before the file is recorded as uploaded (cloud.checked_upload).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from google.api_core import exceptions as api_exceptions
from google.api_core.retry import Retry
from google.cloud import storage

from photoarchive.catalog import Catalog
from photoarchive.cloud.checked_upload import Outcome, upload_item
from photoarchive.cloud.client import friendly, make_client, retry_policy
from photoarchive.cloud.deadlines import LinkWatch
from photoarchive.cloud.edits import DAMAGE_HINT, classify_changed
from photoarchive.cloud.family_guide import publish_guide
from photoarchive.cloud.plan import SyncItem, SyncPlan, build_plan, scan_local
from photoarchive.cloud.remote_verify import RemoteVerifyReport, verify_remote
from photoarchive.cloud.site import publish_site
from photoarchive.cloud.state import (
    SyncRecord,
    forget_records,
    list_remote,
    load_records,
    save_records,
)
from photoarchive.cloud.status import sync_status
from photoarchive.cloud.sync_report import SyncSummary, save_week_notes, week_notes
from photoarchive.cloud.target import Target, parse_target
from photoarchive.config import Settings
from photoarchive.jobs import Cancelled, CancelToken, Problem, Progress, ProgressCallback

log = logging.getLogger(__name__)

__all__ = [
    "RemoteVerifyReport",
    "SyncPlan",
    "SyncSummary",
    "plan_sync",
    "run_sync",
    "sync_status",
    "verify_remote",
]

_RECORD_EVERY = 0.5  # seconds between catalog commits during a run


def resolve_target(settings: Settings, bucket: str | None) -> Target:
    return parse_target(bucket or settings.bucket, settings.settings_file)


def plan_sync(
    settings: Settings,
    bucket: str | None = None,
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
    *,
    hold_back_days: int | None = None,
    client: storage.Client | None = None,
    retry: Retry | None = None,
) -> SyncPlan:
    """List the bucket once and compare; raises GcsError/BadTarget with a user-facing message."""
    target = resolve_target(settings, bucket)
    client = client or make_client(settings)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # The listing waits on the network; scan the archive and read the records meanwhile.
        watch = LinkWatch(settings.network_timeout)
        retry = watch.retry(retry or retry_policy(deadline=30.0))
        listing = pool.submit(list_remote, client, target, retry)
        try:
            local = list(scan_local(settings.archive))
            with Catalog(settings.catalog_path) as catalog:
                records = load_records(catalog.conn, target)
        finally:
            remote = listing.result()
    days = settings.sync_hold_back_days if hold_back_days is None else hold_back_days
    plan = build_plan(target, local, remote, records, cancel or CancelToken(), progress, days)
    with Catalog(settings.catalog_path) as catalog:
        classify_changed(plan, catalog)  # metadata edits are replaced; damage never
    return plan


def run_sync(
    settings: Settings,
    plan: SyncPlan,
    cancel: CancelToken | None = None,
    progress: ProgressCallback | None = None,
    *,
    replace_changed: bool = False,
    delete: bool = False,
    dry_run: bool = False,
    workers: int = 8,
    client: storage.Client | None = None,
    retry: Retry | None = None,
    write_guide: bool = True,
) -> SyncSummary:
    """Carry out a plan; per-file problems are collected and the batch goes on."""
    cancel = cancel or CancelToken()
    started = time.monotonic()
    summary = SyncSummary(plan, dry_run=dry_run, settings=settings)
    items = list(plan.new) + list(plan.edited)  # edits reach the bucket (cloud.edits)
    if replace_changed:  # asked for by name (CLI): whatever changed, damage included
        items += plan.changed + plan.damaged
    else:
        summary.skipped_changed = [i.rel for i in plan.changed]
        summary.skipped_damaged = [i.rel for i in plan.damaged]
        summary.problems += [Problem(i.rel, DAMAGE_HINT) for i in plan.damaged]
    if dry_run:
        return summary
    client = client or make_client(settings)
    watch = LinkWatch(settings.network_timeout)
    retry = watch.retry(retry or retry_policy())
    bucket = client.bucket(plan.target.bucket)
    with Catalog(settings.catalog_path) as catalog:
        save_records(catalog.conn, plan.adopt)
        _upload_all(
            bucket, plan.target, items, catalog, summary, cancel, progress, workers, retry, watch
        )
        if watch.gave_up:  # the server is gone: nothing more to try this run
            write_guide = delete = False
        if delete and not summary.cancelled:
            _delete_unknown(bucket, plan, catalog, summary, retry)
        if write_guide and not summary.cancelled:
            try:
                summary.guide_written = publish_guide(settings, plan, bucket, catalog, retry)
            except Exception as exc:
                summary.problems.append(Problem("README.html", str(friendly(exc, "guide"))))
        if settings.site_enabled and write_guide and not summary.cancelled:
            try:
                summary.site = publish_site(
                    settings,
                    plan.target,
                    bucket,
                    catalog.conn,
                    retry,
                    cancel,
                    progress,
                    listing=plan.site_listing,
                )
                summary.problems += summary.site.problems
            except Cancelled:
                summary.cancelled = True
            except Exception as exc:
                summary.problems.append(Problem("_site", str(friendly(exc, "family pages"))))
        save_week_notes(catalog.conn, plan.target.url, week_notes(plan, summary))
    summary.seconds = time.monotonic() - started
    return summary


def _upload_all(
    bucket: storage.Bucket,
    target: Target,
    items: list[SyncItem],
    catalog: Catalog,
    summary: SyncSummary,
    cancel: CancelToken,
    progress: ProgressCallback | None,
    workers: int,
    retry: Retry,
    watch: LinkWatch,
) -> None:
    """Keep `workers` uploads in flight; record finished ones every half second; stop after
    three network failures in a row, or when the watch gives up on the server."""
    total_bytes = sum(i.size for i in items)
    pending: list[SyncRecord] = []
    last_save = time.monotonic()
    done = network_failures = 0
    queue: Iterator[SyncItem] = iter(sorted(items, key=lambda i: -i.size))
    in_flight: set[Future[Outcome]] = set()
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        while True:
            while len(in_flight) < workers * 2 and not (
                cancel.cancelled or network_failures >= 3 or watch.gave_up
            ):
                nxt = next(queue, None)
                if nxt is None:
                    break
                in_flight.add(pool.submit(upload_item, bucket, target, nxt, retry, watch))
            if not in_flight:
                break
            finished, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
            for fut in finished:
                out = fut.result()
                done += 1
                if out.record is not None:
                    pending.append(out.record)
                    if out.arrived_before:
                        summary.already_there.append(out.item.rel)
                    else:
                        summary.bytes_sent += out.item.size
                        lst = summary.uploaded if out.item.generation == 0 else summary.replaced
                        lst.append(out.item.rel)
                    network_failures = 0
                elif out.problem is not None:
                    summary.problems.append(out.problem)
                    network_failures = network_failures + 1 if out.network else 0
                if progress:
                    progress(
                        Progress(
                            "upload",
                            done,
                            len(items),
                            summary.bytes_sent,
                            total_bytes,
                            out.item.rel,
                        )
                    )
            if pending and time.monotonic() - last_save > _RECORD_EVERY:
                save_records(catalog.conn, pending)
                pending, last_save = [], time.monotonic()
    save_records(catalog.conn, pending)
    if network_failures >= 3 or watch.gave_up:
        summary.problems.append(
            Problem(
                target.url,
                "the connection to the bucket was lost (no answer for "
                f"{watch.timeout:g} s); stopped. Run sync again.",
            )
        )
    if cancel.cancelled and done < len(items):
        summary.cancelled = True


def _delete_unknown(
    bucket: storage.Bucket, plan: SyncPlan, catalog: Catalog, summary: SyncSummary, retry: Retry
) -> None:
    """Only what the plan listed, and only the generation it saw."""
    gone: list[str] = []
    for obj in plan.unknown_remote:
        try:
            bucket.blob(obj.name).delete(if_generation_match=obj.generation, retry=retry)
        except api_exceptions.NotFound:
            pass
        except Exception as exc:
            summary.problems.append(Problem(obj.name, str(friendly(exc, "delete"))))
            continue
        summary.deleted.append(obj.name)
        rel = plan.target.rel_of(obj.name)
        if rel is not None:
            gone.append(rel)
    forget_records(catalog.conn, plan.target, gone)
