"""Photos with no date inside: shown before copying, held back until the user chooses, then
placed in their neighbours' week, a picked week or the file-time week."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from imaging import jpeg_bytes, write_file

from photoarchive import pipeline
from photoarchive.cli.main import main
from photoarchive.config import Settings
from photoarchive.importing.undated import Placement, by_week, place_undated, undated

DATED = datetime(2024, 3, 5, 10)  # week 2024-03-04
FILE_TIME = datetime(2024, 5, 22, 18)  # week 2024-05-20: the card was copied that day


def _card(root: Path) -> Path:
    folder = root / "DCIM" / "100CAM"
    for i in (1, 2, 3):
        write_file(folder / f"IMG_{i:04d}.JPG", jpeg_bytes(i, DATED), DATED)
    write_file(folder / "IMG_0004.JPG", jpeg_bytes(4, None), FILE_TIME)
    write_file(folder / "IMG_0900.JPG", jpeg_bytes(9, datetime(2024, 7, 1, 9)), FILE_TIME)
    return root


def _run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_undated_photos_are_held_back_until_the_user_chooses(capsys, settings: Settings, tmp_path):
    card = _card(tmp_path / "card")
    archive = str(settings.archive)
    code, out = _run(capsys, "import", "--archive", archive, str(card))
    assert code == 1
    assert "No date inside 1 file (their file time is only a guess):" in out
    assert "  file time in week 2024-05-20:" in out
    assert (
        "IMG_0004.JPG  neighbours' week: 2024-03-04 (next to IMG_0003.JPG)  ->  not imported" in out
    )
    assert "choose its week with --undated" in out
    assert not (settings.archive / "2024-05-20").exists()
    assert sorted(p.name for p in (settings.archive / "2024-03-04").glob("*.JPG")) == [
        "IMG_0001.JPG",
        "IMG_0002.JPG",
        "IMG_0003.JPG",
    ]
    code, out = _run(capsys, "import", str(card), "--archive", archive, "--undated", "neighbours")
    assert code == 0, out
    assert "->  2024-03-04" in out
    assert (settings.archive / "2024-03-04" / "IMG_0004.JPG").is_file()


@pytest.mark.parametrize(
    ("how", "week"), [("file-time", "2024-05-20"), ("2024-06-05", "2024-06-03")]
)
def test_undated_photos_go_to_the_file_time_week_or_a_picked_one(
    capsys, settings: Settings, tmp_path, how: str, week: str
):
    card = _card(tmp_path / "card")
    code, out = _run(
        capsys, "--archive", str(settings.archive), "import", str(card), "--undated", how
    )
    assert code == 0, out
    assert (settings.archive / week / "IMG_0004.JPG").is_file()


def test_a_bad_undated_choice_is_a_usage_error(capsys, tmp_path) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["import", str(tmp_path), "--undated", "tomorrow"])
    assert exc.value.code == 2
    assert "give neighbours, file-time or a day as YYYY-MM-DD" in capsys.readouterr().err


def test_neighbours_by_file_number_then_time(settings: Settings, tmp_path) -> None:
    card = _card(tmp_path / "card")
    write_file(card / "DCIM" / "100CAM" / "IMG_0899.JPG", jpeg_bytes(8, None), FILE_TIME)
    plan = pipeline.plan(settings, [card])
    items = {u.name: u for u in undated(plan)}
    assert items["IMG_0004.JPG"].neighbour == "IMG_0003.JPG"
    assert items["IMG_0899.JPG"].neighbour_week == "2024-07-01"  # IMG_0900 is nearer by number
    assert list(by_week(list(items.values()))) == ["2024-05-20"]
    held = place_undated(plan, Placement.HOLD)
    assert sorted(u.name for u in held) == ["IMG_0004.JPG", "IMG_0899.JPG"]
    assert not [g for g in plan.new if g.capture.guess]
