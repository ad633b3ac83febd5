"""`photoarchive gui`: start the desktop application (PySide6 is imported only here)."""

from __future__ import annotations

import argparse
import sys

from photoarchive.cli import options
from photoarchive.config import ARCHIVE_ENV, Settings
from photoarchive.jobs import CancelToken


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "gui",
        parents=[options.common(json=False)],  # a window prints no JSON
        help="start the desktop application",
        description="Open the desktop application on the archive.",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace, settings: Settings, cancel: CancelToken) -> int:
    try:
        from photoarchive.gui.app import run_app
    except ImportError as exc:
        print(f"photoarchive gui: the desktop application cannot start: {exc}", file=sys.stderr)
        return 1
    import os

    given = args.archive is not None or bool(os.environ.get(ARCHIVE_ENV))
    return run_app(settings, welcome=not given)
