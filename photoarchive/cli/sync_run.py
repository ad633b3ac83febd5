"""The work behind `photoarchive sync|bucket|share` and `verify --remote` (loaded on use)."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from typing import Any

from photoarchive import pipeline
from photoarchive.cli.output import TextProgress, print_path_lists, print_problems
from photoarchive.cloud.client import GcsError, make_client, retry_policy
from photoarchive.cloud.plan import NEARLINE_MIN_DAYS, SyncPlan
from photoarchive.cloud.sharing import (
    ShareError,
    ShareResult,
    check_email,
    create_archive_bucket,
    share_add,
    share_list,
    share_remove,
)
from photoarchive.cloud.target import BadTarget, parse_target
from photoarchive.config import Settings
from photoarchive.jobs import Cancelled, CancelToken, human_bytes, plural
from photoarchive.names import show

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _fail(command: str, exc: Exception, bucket: str = "") -> int:
    """Say what went wrong; a bad target or address is a usage error, the rest a problem."""
    print(f"photoarchive {command}: {exc}", file=sys.stderr)
    if getattr(exc, "kind", "") == "not-found" and bucket:
        print(f"  create it: photoarchive bucket create {bucket} --location LOC", file=sys.stderr)
    return EXIT_USAGE if isinstance(exc, (BadTarget, ShareError)) else EXIT_PROBLEMS


def print_plan(plan: SyncPlan, out: Any = None, price: float | None = None) -> None:
    out = out or sys.stdout
    w = out.write
    w(
        f"Plan for {plan.target.url}: {len(plan.new)} new ({human_bytes(plan.bytes_new)}), "
        f"{len(plan.edited)} edited, {len(plan.damaged)} possibly damaged, "
        f"{len(plan.changed)} changed ({human_bytes(plan.bytes_changed)}), "
        f"{plan.unchanged + len(plan.adopt)} already there, "
        f"{len(plan.unknown_remote)} in the bucket unknown locally\n"
    )
    for week, n in sorted(Counter(i.week for i in plan.new).items()):
        w(f"  new       {week}/  {plural(n, 'file')}\n")
    for item in plan.changed:
        why = (
            "changed in the bucket by someone else"
            if item.reason == "conflict"
            else "edited; no image-data hash to tell an edit from damage"
        )
        w(f"  changed   {show(item.rel)}  ({why})\n")
    if plan.edited:
        charge = plan.early_charge(price) if price is not None else None
        w(
            f"  replace   {len(plan.edited)} file(s) whose metadata was edited "
            f"({human_bytes(sum(i.size for i in plan.edited))})"
            + (f"; {charge.words()}" if charge else "")
            + "\n"
        )
    for item in plan.damaged:
        w(f"  DAMAGED?  {show(item.rel)}  (image data changed: not replaced; check with scrub)\n")
    if plan.held_weeks:
        w(
            f"  held back {plural(len(plan.held_back), 'file')} of weeks edited in the last "
            f"{plan.hold_back_days} days: {', '.join(plan.held_weeks)}\n"
        )
    if plan.changed:
        early = plan.early(plan.changed)
        w(
            f"Note: Nearline bills every object for at least {NEARLINE_MIN_DAYS} days; "
            f"replacing or deleting one earlier is billed as if kept {NEARLINE_MIN_DAYS} days"
            f" ({early} of the changed objects are younger than that). Consider "
            "--hold-back-days for weeks still being edited.\n"
        )
    for obj in plan.unknown_remote[:50]:
        w(f"  unknown   {show(obj.name)}\n")
    if len(plan.unknown_remote) > 50:
        w(f"  ... and {len(plan.unknown_remote) - 50} more unknown\n")
    if plan.mapped:
        names = plural(len(plan.mapped), "name")
        w(f"  {names} an object name cannot hold, stored under a mapped name:\n")
        for rel, object_name in plan.mapped:
            w(f"    {show(rel)}  ->  {object_name}\n")
    print_problems("Problems", plan.problems, out)


def _confirm_delete(args: argparse.Namespace, plan: SyncPlan) -> bool:
    if not plan.unknown_remote:
        return True
    early = plan.early(plan.unknown_remote)
    print(f"Dry run of --delete: {plural(len(plan.unknown_remote), 'object')} would be deleted:")
    for obj in plan.unknown_remote:
        print(f"  delete {show(obj.name)}")
    if early:
        print(f"  ({early} younger than {NEARLINE_MIN_DAYS} days: billed as if kept that long)")
    if args.yes or args.dry_run:
        return True
    if not sys.stdin.isatty():
        print("Not deleting: pass --yes to confirm.", file=sys.stderr)
        return False
    answer = input(f"Delete {plural(len(plan.unknown_remote), 'object')}? [y/N] ")
    return answer.strip().lower() in ("y", "yes")


def _summary_json(plan: SyncPlan, summary: pipeline.SyncSummary | None) -> str:
    data: dict[str, Any] = {
        "target": plan.target.url,
        "new": [i.rel for i in plan.new],
        "changed": [i.rel for i in plan.changed],
        "held_back": [i.rel for i in plan.held_back],
        "unknown_remote": [o.name for o in plan.unknown_remote],
        "mapped_names": [{"path": rel, "object": obj} for rel, obj in plan.mapped],
        "unchanged": plan.unchanged,
        "bytes_to_send": plan.bytes_new,
        "early_replacements": plan.early(plan.changed),
        "edited": [i.rel for i in plan.edited],
        "possibly_damaged": [i.rel for i in plan.damaged],
    }
    problems = list(plan.problems)
    if summary is not None:
        problems += summary.problems
        data.update(
            uploaded=summary.uploaded,
            replaced=summary.replaced,
            already_there=summary.already_there + [r.path for r in plan.adopt],
            deleted=summary.deleted,
            bytes_sent=summary.bytes_sent,
            guide_written=summary.guide_written,
            dry_run=summary.dry_run,
            cancelled=summary.cancelled,
            seconds=round(summary.seconds, 3),
        )
    data["problems"] = [p.as_dict() for p in problems]
    return json.dumps(data)  # names.py: ASCII JSON keeps exact names


def run_sync(args: argparse.Namespace, settings: Settings, cancel: CancelToken) -> int:
    progress = TextProgress(quiet=args.json)
    try:
        plan = pipeline.plan_sync(
            settings, args.bucket, cancel, progress, hold_back_days=args.hold_back_days
        )
    except (BadTarget, ShareError, GcsError) as exc:
        return _fail("sync", exc, args.bucket or settings.bucket)
    except Cancelled:
        print("cancelled while planning; nothing was sent", file=sys.stderr)
        return EXIT_PROBLEMS
    if not args.json:
        print_plan(plan, price=settings.price_storage_gb_month)
    delete = bool(args.delete) and _confirm_delete(args, plan)
    try:
        summary = pipeline.run_sync(
            settings,
            plan,
            cancel,
            progress,
            replace_changed=args.replace_changed,
            delete=delete,
            dry_run=args.dry_run,
            workers=max(1, args.jobs),
        )
    except GcsError as exc:
        return _fail("sync", exc)
    if args.json:
        print(_summary_json(plan, summary))
    else:
        _print_summary(plan, summary)
    ok = summary.ok and not plan.problems and not (args.delete and not delete)
    return EXIT_OK if ok else EXIT_PROBLEMS


def _print_summary(plan: SyncPlan, s: pipeline.SyncSummary) -> None:
    if s.dry_run:
        print("Dry run: nothing was sent.")
        return
    verb = "Cancelled after sending" if s.cancelled else "Sent"
    print(
        f"{verb} {len(s.uploaded):,} new and {plural(len(s.replaced), 'replaced file')} "
        f"({human_bytes(s.bytes_sent)}) in {s.seconds:.1f}s, each checked against the bucket."
    )
    found = len(s.already_there) + len(plan.adopt)
    if found:
        print(f"Found {plural(found, 'file')} already in the bucket, intact (not sent again).")
    if s.skipped_changed:
        print(
            f"Not replaced: {plural(len(s.skipped_changed), 'changed file')}; "
            "pass --replace-changed to replace their objects."
        )
    if s.skipped_damaged:
        print(
            f"Not replaced: {len(s.skipped_damaged)} possibly damaged file(s) (image data "
            "changed since import); check them with scrub."
        )
    if s.deleted:
        print(f"Deleted {plural(len(s.deleted), 'object')} unknown locally.")
    if s.guide_written:
        print("Family guide README.html / README.txt updated in the bucket.")
    print_problems("Problems", s.problems)


def run_bucket_create(args: argparse.Namespace, settings: Settings, cancel: CancelToken) -> int:
    try:
        target = parse_target(args.url)
        if target.prefix:
            raise BadTarget("bucket create takes gs://NAME without a prefix")
        bucket = create_archive_bucket(
            settings, args.url, args.location, args.soft_delete_days, args.versioning
        )
    except (BadTarget, ShareError, GcsError) as exc:
        return _fail("bucket create", exc)
    from photoarchive.durability.protection import describe, protection_of

    shield = protection_of(bucket)
    if args.json:
        print(
            json.dumps(
                {"bucket": bucket.name, "location": bucket.location, **shield.__dict__},
                ensure_ascii=False,
            )
        )
    else:
        print(
            f"Created gs://{bucket.name} in {bucket.location}: NEARLINE, uniform access, "
            "public access prevented. Set it in the settings ([sync] bucket) or pass --bucket."
        )
        print(describe(shield))
    return EXIT_OK


def run_share(args: argparse.Namespace, settings: Settings, cancel: CancelToken) -> int:
    command = f"share {args.share_action}"
    try:
        target = parse_target(args.bucket or settings.bucket, settings.settings_file)
        for email in args.emails:  # every address on its own, before any network call
            check_email(email)
        client = make_client(settings)
        retry = retry_policy(deadline=settings.network_timeout)  # then it says so and stops
        result: ShareResult
        if args.share_action == "add":
            result = share_add(client, target, args.emails, retry)
        elif args.share_action == "remove":
            result = share_remove(client, target, args.emails, retry)
        else:
            result = share_list(client, target, retry)
    except (BadTarget, ShareError, GcsError) as exc:
        return _fail(command, exc)
    if args.json:
        print(json.dumps(result.__dict__, ensure_ascii=False))
    else:
        if args.share_action != "list":
            verb = "Granted" if args.share_action == "add" else "Removed"
            for email in result.changed:
                print(f"{verb} read access: {email}")
            for email in result.unchanged:
                print(f"No change: {email}")
        print(f"Readers of {target.url}: {', '.join(result.viewers) or 'nobody yet'}")
        if args.share_action == "add" and result.viewers:
            from photoarchive.cloud.family_message import share_message

            print("\nA message to send them (the same as the app's Family dialog offers):\n")
            print(share_message(settings, target, result.changed + result.unchanged))
    for entry in result.public:
        print(f"WARNING: the bucket is public ({entry}); remove that binding.", file=sys.stderr)
    return EXIT_PROBLEMS if result.public else EXIT_OK


def run_verify_remote(args: argparse.Namespace, settings: Settings, cancel: CancelToken) -> int:
    try:
        report = pipeline.verify_remote(
            settings, getattr(args, "bucket", None), cancel, TextProgress(quiet=args.json)
        )
    except (BadTarget, ShareError, GcsError) as exc:
        return _fail("verify --remote", exc)
    if args.json:
        print(report.to_json())
    else:
        print(f"Compared {plural(report.checked, 'file')} with {report.target}: {report.ok} match")
        print_path_lists(
            (
                ("Not in the bucket", report.not_in_bucket),
                ("Different in the bucket", report.mismatched),
                ("Only in the bucket", report.only_in_bucket),
                ("Not stored as NEARLINE", report.not_nearline),
            )
        )
        print_problems("Problems", report.problems)
        if report.cancelled:
            print("Cancelled.")
    return EXIT_OK if report.clean and not report.cancelled else EXIT_PROBLEMS
