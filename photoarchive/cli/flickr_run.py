"""The work behind `photoarchive flickr ...` (loaded on use)."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import webbrowser

from photoarchive.config import Settings
from photoarchive.flickr.account import account_status
from photoarchive.flickr.api import FlickrProblem
from photoarchive.flickr.tokens import NoKeyring, SignIn, open_client
from photoarchive.jobs import CancelToken

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _fail(command: str, exc: FlickrProblem, as_json: bool = False) -> int:
    if as_json:
        print(json.dumps({"ok": False, "error": str(exc), "kind": exc.kind}))
    print(f"photoarchive flickr {command}: {exc}", file=sys.stderr)
    return EXIT_USAGE if exc.kind == "config" else EXIT_PROBLEMS


def run_login(args: argparse.Namespace, settings: Settings, cancel: CancelToken) -> int:
    try:
        client, store = open_client(settings, need_token=False)
        flow = SignIn(client)
        url = flow.start()
    except FlickrProblem as exc:
        return _fail("login", exc)
    print("Open this page, allow photoarchive to use your Flickr account, then type the code")
    print("Flickr shows you:")
    print(f"  {url}", flush=True)
    if not args.no_browser:
        with contextlib.suppress(webbrowser.Error):
            webbrowser.open(url)
    try:
        code = input("Code: ")
    except EOFError:
        code = ""
    try:
        token = flow.finish(code)
        try:
            where = store.save(token, to_file=args.token_file)
        except NoKeyring as exc:
            print(f"photoarchive flickr login: {exc}", file=sys.stderr)
            if not sys.stdin.isatty() or input("Keep it in that file? [y/N] ").lower() != "y":
                print("Not saved: run `photoarchive flickr login --token-file` to keep the "
                      "sign-in in that file.", file=sys.stderr)  # fmt: skip
                return EXIT_PROBLEMS
            where = store.save(token, to_file=True)
    except FlickrProblem as exc:
        return _fail("login", exc)
    name = token.fullname or token.username
    if args.json:
        print(json.dumps({"ok": True, "username": token.username, "nsid": token.nsid,
                          "stored_in": where}))  # fmt: skip
    else:
        print(f"Signed in as {name} ({token.username}); the sign-in is kept in {where}.")
    return EXIT_OK


def run_logout(args: argparse.Namespace, settings: Settings, cancel: CancelToken) -> int:
    try:
        _, store = open_client(settings, need_token=False)
    except FlickrProblem as exc:
        return _fail("logout", exc)
    had = store.clear()
    if args.json:
        print(json.dumps({"ok": True, "was_signed_in": had}))
    else:
        print("Signed out of Flickr." if had else "Was not signed in to Flickr.")
    return EXIT_OK


def run_whoami(args: argparse.Namespace, settings: Settings, cancel: CancelToken) -> int:
    try:
        client, _ = open_client(settings)
        account = account_status(client, cancel)
    except FlickrProblem as exc:
        return _fail("whoami", exc, args.json)
    if args.json:
        print(json.dumps({"ok": True, **account.as_dict()}))
    else:
        print(account.describe())
    return EXIT_OK


def run_upload(args: argparse.Namespace, settings: Settings, cancel: CancelToken) -> int:
    from photoarchive.cli.output import TextProgress, print_path_lists, print_problems
    from photoarchive.flickr.upload import upload

    try:
        client, _ = open_client(settings)
    except FlickrProblem as exc:
        return _fail("upload", exc, args.json)
    summary = upload(
        settings,
        client,
        args.targets,
        album=args.album,
        privacy=args.privacy,
        cancel=cancel,
        progress=TextProgress(quiet=args.json),
        dry_run=args.dry_run,
    )
    if args.json:
        print(json.dumps(summary.as_dict()))
    else:
        verb = "Would upload" if summary.dry_run else "Uploaded"
        print(
            f"{verb} {len(summary.uploaded)}, updated {len(summary.updated)}, "
            f"already on Flickr {len(summary.already) + len(summary.recovered)}"
            + (f" (found by tag {len(summary.recovered)})" if summary.recovered else "")
        )
        for name, added in summary.albums.items():
            print(f"  album {name!r}: {added} added")
        print_path_lists([("Location withheld (private place)", summary.location_hidden)])
        print_problems("Problems", summary.problems)
    if summary.stopped:
        print(f"photoarchive flickr upload: stopped: {summary.stopped}", file=sys.stderr)
    if summary.cancelled:
        print("cancelled: what was uploaded is recorded; run again to finish", file=sys.stderr)
        return 130
    return EXIT_OK if summary.ok else EXIT_PROBLEMS
