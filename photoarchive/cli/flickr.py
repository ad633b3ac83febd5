"""`photoarchive flickr login|logout|whoami|upload`: argument parsing only.

The commands live in cli.flickr_run and load flickrapi only when one of them runs.
"""

from __future__ import annotations

import argparse

from photoarchive.cli.options import Command, lazy


def _lazy(name: str) -> Command:
    return lazy("photoarchive.cli.flickr_run", name)


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    f = sub.add_parser("flickr", help="sign in to Flickr and upload weeks into albums")
    fsub = f.add_subparsers(dest="flickr_command", metavar="ACTION", required=True)
    login = fsub.add_parser(
        "login",
        parents=[common],
        help="sign in: open the page shown, allow access, paste the code back",
        description="Out-of-band sign-in (works over ssh): prints the authorisation URL, tries "
        "to open a browser, then reads the code Flickr shows from standard input.",
    )
    login.add_argument("--no-browser", action="store_true", help="only print the URL")
    login.add_argument(
        "--token-file",
        action="store_true",
        help="keep the sign-in in a file readable only by you (when there is no keyring)",
    )
    login.set_defaults(func=_lazy("run_login"))
    fsub.add_parser("logout", parents=[common], help="forget the saved sign-in").set_defaults(
        func=_lazy("run_logout")
    )
    fsub.add_parser(
        "whoami", parents=[common], help="the signed-in account, Pro or free, and its limits"
    ).set_defaults(func=_lazy("run_whoami"))
    up = fsub.add_parser(
        "upload",
        parents=[common],
        help="upload photos, a week or weeks into an album (never twice)",
        description="Upload files or week folders (WEEK, or FIRST..LAST for a range) into an "
        "album, created when missing and ordered by date taken. Photos already on Flickr are "
        "not sent again; changed titles, captions and places are updated. Photos taken at a "
        "private place (home) go without their location.",
    )
    up.add_argument("targets", nargs="+", metavar="PATH|WEEK")
    up.add_argument("--album", metavar="NAME", help="default: the week's title, else its dates")
    up.add_argument(
        "--privacy",
        choices=["private", "family", "friends", "public"],
        default="family",
        help="who may see new uploads (default: family)",
    )
    up.add_argument("--dry-run", action="store_true", help="show what would be sent")
    up.set_defaults(func=_lazy("run_upload"))
