"""The options every command shares, accepted before and after the command name (as with git).

The top-level parser holds them with their defaults; each command's copy has no default
(`argparse.SUPPRESS`), so giving one after the command overrides the one given before it and
leaving it out keeps it. `gui` takes no `--json`: each command's --help lists only what it uses.
"""

from __future__ import annotations

import argparse

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
