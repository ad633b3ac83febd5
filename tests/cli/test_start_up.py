"""Start-up: running one command imports only the module registering it, and the parser built
for it reads every command line exactly as the full parser does (same options, same help)."""

from __future__ import annotations

import argparse
import importlib
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from photoarchive import logfile
from photoarchive.cli import options
from photoarchive.cli.main import (
    COMMAND_MODULES,
    COMMAND_OWNERS,
    build_parser,
    command_word,
    main,
)


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


def test_every_command_has_its_owner() -> None:
    owners = {}
    for name in COMMAND_MODULES:
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers()
        importlib.import_module(name).register(sub, options.common())
        owners.update(dict.fromkeys(sub.choices, name))
    assert owners == COMMAND_OWNERS  # a new command: add it to COMMAND_OWNERS
    assert set(_commands(build_parser())) == set(owners)


@pytest.mark.parametrize(
    "argv",
    [
        ["scrub", "--budget", "90", "--json"],
        ["--archive", "/x", "-v", "status", "--week", "2024-03-04"],
        ["--arch", "scrub", "scrub", "--bytes", "5"],  # an archive folder named like a command
        ["--json", "cards", "label", "2", "blue 64 GB"],
        ["import", "--archive=/a", "/media/card"],
        ["tag", "--caption", "Oma", "/a/2024-03-04/IMG_1.JPG"],
    ],
)
def test_the_one_command_parser_reads_as_the_full_one(argv: list[str]) -> None:
    word = command_word(argv)
    assert word == next(w for w in argv if w in COMMAND_OWNERS)
    assert build_parser(word).parse_args(argv) == build_parser().parse_args(argv)
    one, full = _commands(build_parser(word))[word], _commands(build_parser())[word]
    assert one.format_help() == full.format_help()


def test_top_level_help_builds_the_full_parser_and_version_none(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for argv in (["-h", "scrub"], [], ["--archive", "/x"], ["--", "scrub"]):
        assert command_word(argv) is None
    assert command_word(["--version", "scrub"]) == "--version"
    assert _commands(build_parser("--version")) == {}
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.startswith("photoarchive ")


def test_scrub_does_not_import_the_other_commands() -> None:
    code = (
        "import contextlib, sys\n"
        "from photoarchive.cli.main import main\n"
        "with contextlib.suppress(SystemExit):\n"
        "    main(['scrub', '--help'])\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "--budget MINUTES" in done.stdout
    imported = set(done.stdout.split())
    assert "photoarchive.cli.durability" in imported
    for heavy in ("photoarchive.pipeline", "photoarchive.cli.metadata", "photoarchive.importing"):
        assert heavy not in imported


# Imported where they are used, not at start-up (each costs a scrub run 1-10 ms): ctypes only
# to copy or sync (fileio), logging.handlers never (logfile rotates on a FileHandler), tomllib
# only with a settings file, uuid only to name a temporary file, platformdirs only off Linux or
# for the default archive (config computes the XDG folders), tempfile only for a tagging run
# (journal), json only for --json, hashlib (OpenSSL) not for the catalog's name, imagedata only
# for a file whose bytes changed (scrub).
LAZY = (
    "ctypes",
    "logging.handlers",
    "tomllib",
    "uuid",
    "socket",
    "subprocess",
    "platformdirs",
    "tempfile",
    "json",
    "hashlib",
    "photoarchive.imagedata",
)


def test_a_scrub_run_imports_only_what_it_uses(tmp_path: Path, isolated_home: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    code = (
        "import sys\n"
        "from photoarchive.cli.main import main\n"
        f"code = main(['--archive', {str(archive)!r}, 'scrub'])\n"
        "print(code, ' '.join(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    status, *imported = done.stdout.split("\n")[-2].split()
    assert status == "0", done.stdout + done.stderr
    assert "photoarchive.durability.scrub" in imported
    assert [name for name in LAZY if name in imported] == []
    assert logfile.log_path().exists()  # the run was logged, to a file only it can read
    assert stat.S_IMODE(logfile.log_path().stat().st_mode) == 0o600
