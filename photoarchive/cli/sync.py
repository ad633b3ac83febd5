"""`photoarchive sync`, `bucket create`, `share add|remove|list`: argument parsing only.

The commands themselves live in cli.sync_run and load google-cloud-storage only when one of
them runs, so every other command starts without paying for it.
"""

from __future__ import annotations

import argparse

from photoarchive.cli.options import Command, lazy


def _lazy(name: str) -> Command:
    return lazy("photoarchive.cli.sync_run", name)


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    target = argparse.ArgumentParser(add_help=False)
    target.add_argument("--bucket", metavar="gs://BUCKET[/PREFIX]", help="default from settings")
    s = sub.add_parser(
        "sync",
        parents=[common, target],
        help="copy the archive to the Google Cloud Storage bucket",
        description="Upload new files as NEARLINE objects, checked against their MD5/CRC32C. "
        "Nothing in the bucket is replaced or deleted unless asked.",
    )
    s.add_argument("--dry-run", action="store_true", help="show the plan, send nothing")
    s.add_argument("--replace-changed", action="store_true", help="replace changed objects")
    s.add_argument("--delete", action="store_true", help="delete objects unknown locally")
    s.add_argument("--yes", action="store_true", help="do not ask before deleting")
    s.add_argument("--hold-back-days", type=int, metavar="N", help="skip weeks edited lately")
    s.add_argument("--jobs", type=int, default=8, metavar="N", help="parallel uploads")
    s.set_defaults(func=_lazy("run_sync"))
    b = sub.add_parser("bucket", help="create the bucket")
    bsub = b.add_subparsers(dest="bucket_command", metavar="ACTION", required=True)
    c = bsub.add_parser(
        "create",
        parents=[common],
        help="create a NEARLINE bucket, private, uniform access",
    )
    c.add_argument("url", metavar="gs://NAME")
    c.add_argument("--location", required=True, metavar="LOC", help="e.g. EU, US, EUROPE-WEST1")
    c.add_argument(
        "--soft-delete-days",
        type=int,
        metavar="N",
        help="keep deleted or replaced objects restorable N days (default: [safety] setting, 30)",
    )
    c.add_argument("--versioning", action="store_true", help="keep replaced versions too")
    c.set_defaults(func=_lazy("run_bucket_create"))
    sh = sub.add_parser("share", help="give family members read access to the bucket")
    ssub = sh.add_subparsers(dest="share_command", metavar="ACTION", required=True)
    for name, helptext in (("add", "grant read access"), ("remove", "take read access away")):
        p = ssub.add_parser(name, parents=[common, target], help=helptext)
        p.add_argument("emails", nargs="+", metavar="EMAIL")
        p.set_defaults(func=_lazy("run_share"), share_action=name)
    p = ssub.add_parser("list", parents=[common, target], help="who can read the bucket")
    p.set_defaults(func=_lazy("run_share"), share_action="list", emails=[])
