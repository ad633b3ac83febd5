"""The options every command shares, accepted before and after the command name (as with git).

The top-level parser holds them with their defaults; each command's copy has no default
(`argparse.SUPPRESS`), so giving one after the command overrides the one given before it and
leaving it out keeps it. `gui` takes no `--json`: each command's --help lists only what it uses.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

ARCHIVE_HELP = "archive folder (default: PHOTOARCHIVE_ARCHIVE, else the settings file)"
JSON_HELP = "print one JSON object at the end (for scripts)"
VERBOSE_HELP = "log details to stderr; show the Python traceback of an error"


def add_global(parser: argparse.ArgumentParser, *, json: bool = True, top: bool = False) -> None:
    """`--archive`, `--json` (unless json=False) and `-v`; top=True gives them defaults."""
    default = {} if top else {"default": argparse.SUPPRESS}
    group = parser.add_argument_group("options of every command")
    group.add_argument("--archive", metavar="DIR", help=ARCHIVE_HELP, **default)  # type: ignore[arg-type]
    if json:
        group.add_argument("--json", action="store_true", help=JSON_HELP, **default)  # type: ignore[arg-type]
    group.add_argument("-v", "--verbose", action="store_true", help=VERBOSE_HELP, **default)  # type: ignore[arg-type]


def common(json: bool = True) -> argparse.ArgumentParser:
    """A parent parser for a command: `sub.add_parser(..., parents=[common()])`."""
    parent = argparse.ArgumentParser(add_help=False)
    add_global(parent, json=json)
    return parent


if TYPE_CHECKING:
    from photoarchive.config import Settings
    from photoarchive.jobs import CancelToken

Command = Callable[[argparse.Namespace, "Settings", "CancelToken"], int]


def lazy(module: str, name: str) -> Command:
    """A command whose module is imported only when it runs (keeps heavy libraries such as
    google-cloud-storage or flickrapi out of every other command's start-up)."""

    def run(args: argparse.Namespace, settings: Settings, cancel: CancelToken) -> int:
        return int(getattr(importlib.import_module(module), name)(args, settings, cancel))

    return run
