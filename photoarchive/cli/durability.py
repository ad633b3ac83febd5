"""`photoarchive status`, `scrub` and `cards`: the proof that every photo has enough copies."""

from __future__ import annotations

import argparse
import sys
import time

from photoarchive.archive import ArchiveBusy
from photoarchive.cli.output import TextProgress, print_problems
from photoarchive.config import Settings
from photoarchive.jobs import CancelToken, human_bytes
from photoarchive.names import show

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    st = sub.add_parser(
        "status",
        parents=[common],
        help="per week: photos, where their copies are, when last verified, problems",
        description="The ledger. Exits 1 when a week falls short of the policy in settings "
        "([safety] copies, verify_days), so it can run from cron.",
    )
    st.add_argument("--week", metavar="WEEK", help="one week folder")
    st.add_argument(
        "--no-bucket", action="store_true", help="do not ask the bucket for its protection"
    )
    st.set_defaults(func=run_status)
    sc = sub.add_parser(
        "scrub",
        parents=[common],
        help="re-read archive files (oldest-verified first) within a budget; repair",
        description="Re-read archive files against the catalog, oldest-verified first, within "
        "the budget. Without --repair it only lists what it would do.",
    )
    budget = sc.add_mutually_exclusive_group()
    budget.add_argument(
        "--budget", type=_minutes, metavar="MINUTES", help="stop after this long (90, 90m, 2h)"
    )
    budget.add_argument("--bytes", type=int, metavar="N", help="stop after reading N bytes")
    sc.add_argument("--remote", action="store_true", help="check the bucket's objects too")
    sc.add_argument("--bucket", metavar="gs://BUCKET[/PREFIX]", help="default from settings")
    sc.add_argument("--repair", action="store_true", help="restore or re-upload what is damaged")
    sc.set_defaults(func=run_scrub)
    rc = sub.add_parser(
        "restore-check",
        parents=[common],
        help="download from the bucket as the family would and check the bytes",
        description="The restore drill: download a week or a sample through the endpoint "
        "gcloud storage cp uses (with a family member's read-only key file when given) and "
        "compare the bytes with the archive and the week manifests.",
    )
    which = rc.add_mutually_exclusive_group()
    which.add_argument("--week", metavar="WEEK", help="every photo of this week")
    which.add_argument("--sample", type=int, default=5, metavar="N", help="N random photos")
    rc.add_argument("--bucket", metavar="gs://BUCKET[/PREFIX]", help="default from settings")
    rc.add_argument("--key-file", metavar="PATH", help="a read-only (viewer) service-account key")
    rc.set_defaults(func=run_restore_check)
    c = sub.add_parser("cards", help="the camera cards imports came from (cards in the safe)")
    csub = c.add_subparsers(dest="cards_command", metavar="ACTION", required=True)
    csub.add_parser("list", parents=[common], help="every card, its name and date range")
    lab = csub.add_parser("label", parents=[common], help="name a card")
    lab.add_argument("ident", metavar="ID", help="number in `cards list`, or part of its id")
    lab.add_argument("name", metavar="NAME", help='e.g. "blue 64 GB, safe shelf 2"')
    wh = csub.add_parser("where", parents=[common], help="which card holds a week's originals")
    wh.add_argument("week", metavar="WEEK")
    c.set_defaults(func=run_cards)


def _minutes(text: str) -> float:
    """Minutes: '90', '90m', '90min' or '1.5h'."""
    value = text.strip().lower()
    scale = 60.0 if value.endswith("h") else 1.0
    try:
        number = float(value.rstrip("hmin").strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a duration in minutes: {text!r}") from None
    if number <= 0:
        raise argparse.ArgumentTypeError("the budget must be more than 0 minutes")
    return number * scale


def _when(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d", time.localtime(ts)) if ts else "never"


def run_status(args: argparse.Namespace, settings: Settings, cancel: CancelToken) -> int:
    from photoarchive.durability.ledger import build_ledger

    if not settings.catalog_path.exists():
        print("photoarchive status: no catalog yet (import something first)", file=sys.stderr)
        return EXIT_PROBLEMS
    ledger = build_ledger(settings, args.week)
    shield: object = None
    if settings.bucket and not args.no_bucket:
        from photoarchive.durability.protection import bucket_protection

        shield = bucket_protection(settings)
    if args.json:
        import json

        data = json.loads(ledger.to_json())
        data["protection"] = shield if isinstance(shield, str | None) else shield.__dict__
        print(json.dumps(data))
    else:
        for w in ledger.weeks:
            places = ["archive" if w.verified == w.photos and not w.damaged else "archive (?)"]
            if ledger.bucket:
                places.append(f"bucket {w.in_bucket}/{w.photos}")
            if w.cards:
                places.append("card " + ", ".join(show(c) for c in w.cards))
            if w.on_flickr:
                places.append(f"on Flickr {w.on_flickr}/{w.photos} (not a copy)")
            mark = "ok   " if w.ok else "SHORT"
            print(
                f"{mark} {show(w.week)}  {w.photos:5d} photos  {w.copies} copies: "
                f"{'; '.join(places)}  verified {_when(w.last_verified)}"
            )
            for problem in w.problems:
                print(f"        {problem}")
        print(ledger.summary())
        if shield is not None:
            from photoarchive.durability.protection import describe

            print(shield if isinstance(shield, str) else describe(shield))  # type: ignore[arg-type]
        if ledger.short:
            print(
                f"{len(ledger.short)} week(s) short of the policy ({ledger.policy_copies} "
                f"verified copies, re-read within {ledger.policy_days} days)"
            )
    return EXIT_PROBLEMS if ledger.short or (args.week and not ledger.weeks) else EXIT_OK


def run_scrub(args: argparse.Namespace, settings: Settings, cancel: CancelToken) -> int:
    from dataclasses import replace

    from photoarchive.durability.scrub import scrub

    if args.bucket:
        settings = replace(settings, bucket=args.bucket)
    if args.remote and not settings.bucket:
        print("photoarchive scrub: --remote needs a bucket (settings or --bucket)", file=sys.stderr)
        return EXIT_USAGE
    try:
        report = scrub(
            settings,
            budget_seconds=args.budget * 60 if args.budget is not None else None,
            budget_bytes=args.bytes,
            remote=args.remote,
            repair=args.repair,
            cancel=cancel,
            progress=TextProgress(quiet=args.json),
        )
    except ArchiveBusy as exc:
        print(f"photoarchive scrub: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    if args.json:
        print(report.to_json())
    else:
        print(
            f"Re-read {report.checked} file(s) ({human_bytes(report.bytes)}) in "
            f"{report.seconds:.1f} s: {report.ok} ok; {report.remaining} left for the next run"
        )
        if args.remote:
            print(f"Bucket: {report.remote_checked} object(s) checked, {report.sampled} sampled")
        for f in report.findings:
            print(f"  {f.state}: {show(f.path)}: {f.detail}; {f.action}")
        print_problems("Problems", report.problems)
    return EXIT_OK if report.clean and not report.cancelled else EXIT_PROBLEMS


def run_cards(args: argparse.Namespace, settings: Settings, cancel: CancelToken) -> int:
    from photoarchive.durability.cards import UnknownCard, label_card, list_cards

    if args.cards_command == "label":
        try:
            card = label_card(settings, args.ident, args.name)
        except UnknownCard as exc:
            print(f"photoarchive cards label: {exc}", file=sys.stderr)
            return EXIT_USAGE
        cards = [card]
    else:
        cards = list_cards(settings, args.week if args.cards_command == "where" else None)
    if args.json:
        import json

        print(json.dumps([{**card.__dict__, "name": card.name} for card in cards]))
        return EXIT_OK if cards else EXIT_PROBLEMS
    if not cards:
        print("No card recorded" + (f" for week {show(args.week)}" if "week" in args else ""))
        return EXIT_PROBLEMS
    for n, card in enumerate(cards, 1):
        name = card.label or f"{card.name} (no name: `photoarchive cards label {n} NAME`)".strip()
        span = f"{(card.first or '?')[:10]} .. {(card.last or '?')[:10]}"
        print(f"{n:3d}. {name}  [{show(card.volume)}]  {card.files} photos, {span}")
        if card.fs_label or card.capacity or card.uuid:
            what = [f"label {show(card.fs_label)}" if card.fs_label else "no filesystem label"]
            if card.capacity:
                what.append(f"capacity {human_bytes(card.capacity)}")
            if card.uuid:
                what.append(f"UUID {card.uuid}")
            print("       " + ", ".join(what))
    return EXIT_OK


def run_restore_check(args: argparse.Namespace, settings: Settings, cancel: CancelToken) -> int:
    from dataclasses import replace

    from photoarchive.durability.restore import restore_check

    if args.bucket:
        settings = replace(settings, bucket=args.bucket)
    if not settings.bucket:
        print("photoarchive restore-check: no bucket (settings or --bucket)", file=sys.stderr)
        return EXIT_USAGE
    report = restore_check(
        settings, args.week, args.sample, args.key_file, cancel, TextProgress(quiet=args.json)
    )
    if args.json:
        print(report.to_json())
    else:
        for r in report.checked:
            if not r.ok:
                print(f"  NOT OK  {show(r.path)}: {r.detail}")
        print(report.summary())
        print_problems("Problems", report.problems)
    return EXIT_OK if report.ok else EXIT_PROBLEMS
