"""The command line's messages: global options anywhere, an overview without a command, errors
naming the path or setting concerned, no traceback without -v, plurals, examples in --help."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from imaging import jpeg_bytes, write_file

from photoarchive.cli import examples
from photoarchive.cli.main import build_parser, main
from photoarchive.config import Settings


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_global_options_before_and_after_the_command(capsys, tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    code, out, err = _run(capsys, "--archive", str(first), "verify", "--rebuild")
    assert code == 0, err
    assert f"in {first}" in out and "0 files" in out
    code, out, err = _run(capsys, "verify", "--rebuild", "--archive", str(second))
    assert code == 0 and f"in {second}" in out
    code, out, _ = _run(
        capsys, "--archive", str(first), "verify", "--rebuild", "--archive", str(second)
    )
    assert code == 0 and f"in {second}" in out  # the one after the command wins
    code, out, _ = _run(capsys, "--json", "-v", "--archive", str(second), "verify", "--rebuild")
    assert json.loads(out)["rebuilt"] is True


def test_no_arguments_prints_the_commands_and_how_to_start_the_gui(capsys) -> None:
    code, out, err = _run(capsys)
    assert code == 0 and err == ""
    assert "Commands:" in out and "  import " in out and "  share add " in out
    assert "photoarchive gui" in out and "photoarchive COMMAND --help" in out
    code, out, err = _run(capsys, "--archive", "/tmp/x")  # options but no command
    assert code == 2 and "Commands:" in out and "no command given" in err


def test_every_command_help_lists_its_options_and_an_example(capsys) -> None:
    parser = build_parser()
    leaves = [w for w, sub, _ in examples.commands(parser) if not list(examples._subcommands(sub))]
    assert {"import", "gui", "sync", "bucket create", "places add", "show"} <= set(leaves)
    for words in leaves:
        with pytest.raises(SystemExit):
            main([*words.split(), "--help"])
        out = capsys.readouterr().out
        assert "Example" in out and f"photoarchive {words}" in out.split("Example")[1], words
        assert "--archive DIR" in out, words
    with pytest.raises(SystemExit):
        main(["gui", "--help"])
    assert "--json" not in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        main(["gui", "--json"])
    assert exc.value.code == 2
    with pytest.raises(SystemExit):
        main(["import", "--help"])
    out = capsys.readouterr().out
    assert "--bucket" not in out and "--title" not in out  # only what import uses


def test_import_without_a_card_says_where_it_looked(capsys, tmp_path: Path) -> None:
    code, _, err = _run(capsys, "--archive", str(tmp_path / "a"), "import")
    assert code == 2
    assert "no camera card found: looked for a DCIM folder in /media/" in err
    assert "/mnt" in err and "photoarchive import /path/to/card" in err


def test_sync_without_a_bucket_names_the_settings_file(capsys, settings: Settings) -> None:
    code, _, err = _run(capsys, "sync", "--archive", str(settings.archive))
    assert code == 2
    assert str(settings.settings_file) in err and "[sync]" in err and "--bucket" in err
    assert "Traceback" not in err


def test_a_bad_setting_names_the_file_and_key(capsys, settings: Settings) -> None:
    settings.settings_file.parent.mkdir(parents=True, exist_ok=True)
    settings.settings_file.write_text('[sync]\nhold_back_days = "soon"\n', encoding="utf-8")
    code, _, err = _run(capsys, "verify")
    assert code == 1
    assert f"{settings.settings_file}: [sync] hold_back_days must be a whole number" in err
    assert "Traceback" not in err and "-v" in err


def test_handled_errors_have_no_traceback_unless_verbose(capsys, tmp_path: Path) -> None:
    not_a_folder = tmp_path / "afile"
    not_a_folder.write_text("x", encoding="utf-8")
    code, _, err = _run(capsys, "verify", "--archive", str(not_a_folder))
    assert code == 1
    assert f"photoarchive verify: {not_a_folder}" in err and "Traceback" not in err
    code, _, err = _run(capsys, "-v", "verify", "--archive", str(not_a_folder))
    assert code == 1 and "Traceback" in err and f"photoarchive verify: {not_a_folder}" in err


def test_counts_agree_with_their_nouns(capsys, tmp_path: Path) -> None:
    taken = datetime(2024, 3, 4, 10, 0)
    write_file(tmp_path / "card" / "DCIM" / "100X" / "IMG_0001.JPG", jpeg_bytes(1, taken), taken)
    code, out, err = _run(
        capsys, "--archive", str(tmp_path / "a"), "import", str(tmp_path / "card")
    )
    assert code == 0, err
    assert "in 1 week," in out and "0 problems" in out and "2024-03-04/  1 file\n" in out
    assert "Copied 1 file " in out and "(s)" not in out
    code, out, _ = _run(capsys, "--archive", str(tmp_path / "a"), "verify")
    assert "Checked 1 file: 1 intact" in out
