"""An example under every command's --help, and the overview printed when no command is given.

Examples live here, keyed by the command's words, so command modules stay plain argparse; a
command without an entry gets its usage line as the example (never an empty epilog).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator

WEEK = "~/Pictures/PhotoArchive/2024-06-03"
START_GUI = (
    "Start the desktop application: photoarchive gui  (or photoarchive-gui, or the menu entry)"
)

EXAMPLES: dict[str, list[str]] = {
    "import": [
        "photoarchive import                       # the camera cards mounted now",
        "photoarchive import /media/me/EOS_DIGITAL --dry-run",
        "photoarchive import ~/Downloads/phone --undated neighbours",
    ],
    "verify": ["photoarchive verify", "photoarchive verify --rebuild"],
    "gui": ["photoarchive gui --archive ~/Pictures/PhotoArchive"],
    "sync": ["photoarchive sync --dry-run", "photoarchive sync --bucket gs://family-photos"],
    "bucket": ["photoarchive bucket create gs://family-photos --location EU"],
    "bucket create": ["photoarchive bucket create gs://family-photos --location EU"],
    "share": ["photoarchive share add grandma@example.com", "photoarchive share list"],
    "share add": ["photoarchive share add grandma@example.com uncle@example.org"],
    "share remove": ["photoarchive share remove uncle@example.org"],
    "share list": ["photoarchive share list --bucket gs://family-photos"],
    "places": ['photoarchive places add Home "48.8583, 2.2945"', "photoarchive places list"],
    "places list": ["photoarchive places list --json"],
    "places add": [
        'photoarchive places add Home "48.8583, 2.2945" --radius 50',
        'photoarchive places add "Grandma\'s" "https://www.openstreetmap.org/#map=17/48.1/11.5"'
        " --city Munich --country Germany",
    ],
    "places edit": ["photoarchive places edit Home --alt 35 --city Paris --country France"],
    "places remove": ['photoarchive places remove "Old flat"'],
    "places rename": ['photoarchive places rename Home "Home (Paris)"'],
    "places import-shell": ["photoarchive places import-shell ~/bin/geotag-places.sh"],
    "geotag": [
        f"photoarchive geotag --place Home {WEEK}",
        f"photoarchive geotag --gpx walk.gpx --offset +00:02 {WEEK}",
    ],
    "caption": [f'photoarchive caption --title "Holiday in Brittany" {WEEK}'],
    "tag": [f'photoarchive tag --place Home --caption "Birthday" {WEEK}/IMG_0001.JPG'],
    "show": [f"photoarchive show {WEEK}/IMG_0001.JPG"],
    "flickr": ["photoarchive flickr login", "photoarchive flickr whoami"],
    "flickr login": ["photoarchive flickr login --no-browser"],
    "flickr logout": ["photoarchive flickr logout"],
    "flickr whoami": ["photoarchive flickr whoami --json"],
    "install-desktop": ["photoarchive install-desktop", "photoarchive install-desktop --remove"],
    "adopt": [
        "photoarchive adopt ~/Pictures/Family --in-place   # keep the folders where they are",
        "photoarchive adopt /media/me/OLD_DISK/Photos --copy",
    ],
}


class _Formatter(argparse.HelpFormatter):
    """Descriptions wrapped as usual; the example epilog kept line by line."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.startswith(("Example:", "Examples:")):
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def _subcommands(parser: argparse.ArgumentParser) -> Iterator[argparse._SubParsersAction]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            yield action


def commands(
    parser: argparse.ArgumentParser, path: str = ""
) -> Iterator[tuple[str, argparse.ArgumentParser, str]]:
    """(words, parser, one-line help) for every command and command group, depth first."""
    for action in _subcommands(parser):
        helps = {a.dest: a.help or "" for a in action._choices_actions}
        for name, sub in action.choices.items():
            words = f"{path} {name}".strip()
            yield words, sub, helps.get(name, "")
            yield from commands(sub, words)


def _usage_example(words: str, parser: argparse.ArgumentParser) -> str:
    needed = [
        a.metavar or a.dest.upper()
        for a in parser._actions
        if not a.option_strings and not isinstance(a, argparse._SubParsersAction)
    ]
    return " ".join(["photoarchive", words, *map(str, needed)])


def attach(parser: argparse.ArgumentParser) -> None:
    """Give every command an example epilog and its full name (`share add`) for messages."""
    for words, sub, _ in commands(parser):
        sub.formatter_class = _Formatter
        sub.set_defaults(command_path=words)
        if not sub.epilog:
            lines = EXAMPLES.get(words) or [_usage_example(words, sub)]
            title = "Example:" if len(lines) == 1 else "Examples:"
            sub.epilog = "\n".join([title, *(f"  {line}" for line in lines)])


def overview(parser: argparse.ArgumentParser) -> str:
    """The commands with their one-line help, how to start the GUI and how to get more help."""
    lines = [f"{parser.prog}: {parser.description}", "", "Commands:"]
    for words, sub, helptext in commands(parser):
        if any(True for _ in _subcommands(sub)):
            continue  # a group: its commands are listed one by one
        lines.append(f"  {words:<22} {helptext}")
    lines += [
        "",
        START_GUI,
        "Help on one command:          photoarchive COMMAND --help",
        "Options of every command:     --archive DIR, --json, -v (before or after the command)",
    ]
    return "\n".join(lines)
