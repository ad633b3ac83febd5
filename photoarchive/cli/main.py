"""`photoarchive` command line: one subcommand module per area, all over the same core.

Exit status: 0 all went well, 1 some files had problems (each listed), 2 usage errors.
Ctrl-C cancels the running job cleanly (second Ctrl-C kills). An error the program meets is
one line naming the path or setting concerned; the Python traceback only with -v.
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
from photoarchive.cli import examples, options
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

# The module registering each command: running one command builds the parser with its module
# alone, so it does not import the others (import, metadata and sync bring ~50 ms of imports to
# every start-up). A command missing here still works: the full parser is built for it.
COMMAND_OWNERS = {
    "import": "photoarchive.cli.importing",
    "verify": "photoarchive.cli.importing",
    "gui": "photoarchive.cli.gui",
    "sync": "photoarchive.cli.sync",
    "bucket": "photoarchive.cli.sync",
    "share": "photoarchive.cli.sync",
    "places": "photoarchive.cli.metadata",
    "geotag": "photoarchive.cli.metadata",
    "caption": "photoarchive.cli.metadata",
    "tag": "photoarchive.cli.metadata",
    "show": "photoarchive.cli.metadata",
    "flickr": "photoarchive.cli.flickr",
    "install-desktop": "photoarchive.cli.desktop",
    "adopt": "photoarchive.cli.adopt",
    "schedule": "photoarchive.cli.schedule",
    "nightly": "photoarchive.cli.schedule",
    "status": "photoarchive.cli.durability",
    "scrub": "photoarchive.cli.durability",
    "restore-check": "photoarchive.cli.durability",
    "cards": "photoarchive.cli.durability",
}

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def command_word(argv: Sequence[str]) -> str | None:
    """The command argv names ("--version" if that comes first), or None when the top-level
    help (or nothing) is asked for."""
    words = iter(argv)
    for word in words:
        if word == "--version":
            return word
        if word in ("-h", "--help", "--"):
            return None
        if len(word) > 2 and "--archive".startswith(word):  # --archive DIR (or --arch DIR)
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Every command, or only those of the module registering `command` (see COMMAND_OWNERS),
    or none for "--version"."""
    parser = argparse.ArgumentParser(
        prog="photoarchive",
        description="Keep a family's photos safe for decades.",
        epilog=examples.START_GUI,
    )
    parser.add_argument("--version", action="version", version=f"photoarchive {__version__}")
    options.add_global(parser, top=True)
    # Not required: no command prints the overview (commands and how to start the GUI).
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    common = options.common()
    owner = COMMAND_OWNERS.get(command or "")
    for name in [owner] if owner else [] if command == "--version" else COMMAND_MODULES:
        importlib.import_module(name).register(sub, common)
    examples.attach(parser)
    return parser


def _install_cancel(cancel: CancelToken) -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        if cancel.cancelled:
            raise KeyboardInterrupt
        print("\ncancelling (Ctrl-C again to stop at once)...", file=sys.stderr)
        cancel.cancel()

    signal.signal(signal.SIGINT, handler)


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(command_word(argv))
    args = parser.parse_args(argv)
    if args.command is None or not hasattr(args, "func"):
        return _overview(parser, argv)
    setup_logging(verbose=args.verbose)
    logging.getLogger(__name__).info("photoarchive %s: %s", __version__, args.command)
    name = getattr(args, "command_path", args.command)
    cancel = CancelToken()
    previous = signal.getsignal(signal.SIGINT)
    _install_cancel(cancel)
    try:
        settings = load_settings(archive=args.archive)
        _make_private(settings)
        return int(args.func(args, settings, cancel))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except UsageError as exc:
        print(f"photoarchive {name}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # one line for the user; the traceback is for -v and the log file
        logging.getLogger(__name__).info("%s failed", name, exc_info=True)
        print(f"photoarchive {name}: {describe_error(exc)}", file=sys.stderr)
        if not args.verbose:
            print("(run it again with -v to see the details)", file=sys.stderr)
        return EXIT_PROBLEMS
    finally:
        signal.signal(signal.SIGINT, previous)


def describe_error(exc: BaseException) -> str:
    """An error in words, naming the path an OSError is about."""
    if isinstance(exc, OSError) and exc.filename is not None:
        what = exc.strerror or type(exc).__name__
        return f"{exc.filename}: {what}"
    text = str(exc).strip()
    return text if text else type(exc).__name__


def _overview(parser: argparse.ArgumentParser, argv: Sequence[str]) -> int:
    """No command: what the commands are and how to start the desktop application."""
    print(examples.overview(parser))
    if argv:
        print("photoarchive: no command given", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


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
