"""`photoarchive` command line: one subcommand module per area, all over the same core.

Exit status: 0 all went well, 1 some files had problems (each listed), 2 usage errors.
Ctrl-C cancels the running job cleanly (second Ctrl-C kills).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import signal
import sys
from collections.abc import Sequence
from types import FrameType

from photoarchive import __version__
from photoarchive.config import Settings, load_settings
from photoarchive.jobs import CancelToken
from photoarchive.logfile import log_dir, setup_logging
from photoarchive.private import tighten

# Modules with `register(subparsers, common)`; each command sets `func(args, settings, cancel)`.
COMMAND_MODULES = [
    "photoarchive.cli.importing",
    "photoarchive.cli.gui",
    "photoarchive.cli.sync",
    "photoarchive.cli.metadata",
    "photoarchive.cli.flickr",
    "photoarchive.cli.desktop",
    "photoarchive.cli.adopt",
    "photoarchive.cli.schedule",
    "photoarchive.cli.durability",
]

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--archive", metavar="DIR", help="archive folder (default from settings)")
    common.add_argument("--json", action="store_true", help="print one JSON object at the end")
    common.add_argument("-v", "--verbose", action="store_true", help="log details to stderr")
    parser = argparse.ArgumentParser(
        prog="photoarchive", description="Keep a family's photos safe for decades."
    )
    parser.add_argument("--version", action="version", version=f"photoarchive {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub, common)
    return parser


def _install_cancel(cancel: CancelToken) -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        if cancel.cancelled:
            raise KeyboardInterrupt
        print("\ncancelling (Ctrl-C again to stop at once)...", file=sys.stderr)
        cancel.cancel()

    signal.signal(signal.SIGINT, handler)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(verbose=args.verbose)
    logging.getLogger(__name__).info("photoarchive %s: %s", __version__, args.command)
    settings = load_settings(archive=args.archive)
    _make_private(settings)
    cancel = CancelToken()
    _install_cancel(cancel)
    try:
        return int(args.func(args, settings, cancel))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except UsageError as exc:
        print(f"photoarchive {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE


def _make_private(settings: Settings) -> None:
    """Close up what older versions or other programs left readable by others (private.py)."""
    try:
        roots = [settings.config_dir, settings.data_dir, settings.cache_dir, log_dir().parent]
        tighten(roots, skip=[settings.archive])
    except OSError as exc:
        logging.getLogger(__name__).warning("cannot check file modes: %s", exc)


class UsageError(Exception):
    """Bad arguments found after parsing (e.g. an unknown place name)."""


def gui_main() -> int:
    return main(["gui", *sys.argv[1:]])


if __name__ == "__main__":
    raise SystemExit(main())
