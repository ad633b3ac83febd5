"""Cards in the safe: each card is recorded at import by its filesystem identity (UUID, label,
capacity) and shown by that name until the user gives it one; a plain folder still imports."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from cards import make_card
from harness import ext4_card

from photoarchive import pipeline
from photoarchive.cli.main import main
from photoarchive.config import Settings
from photoarchive.durability.cards import list_cards
from photoarchive.durability.ledger import build_ledger


def test_card_identity_recorded_at_import_and_listed(
    tmp_path: Path, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    with ext4_card(tmp_path / "card", "EOS_DIGITAL") as mount:
        blkid = subprocess.run(
            ["findmnt", "-n", "-o", "SOURCE", "--mountpoint", str(mount)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        uuid = subprocess.run(
            ["blkid", "-s", "UUID", "-o", "value", blkid], capture_output=True, text=True
        ).stdout.strip()
        st = os.statvfs(mount)
        capacity = st.f_blocks * st.f_frsize
        make_card(mount, datetime(2024, 3, 4, 8), days=3, per_day=1)
        assert pipeline.import_photos(settings, [mount]).ok
    assert uuid
    folder = make_card(tmp_path / "folder", datetime(2024, 4, 1, 8), days=2, per_day=1, seed=1)
    assert pipeline.import_photos(settings, [folder.root]).ok  # a plain folder: no label

    card, other = list_cards(settings)
    assert (card.uuid, card.fs_label, card.capacity) == (uuid, "EOS_DIGITAL", capacity)
    assert card.files == 3 and card.first.startswith("2024-03-04") and card.last >= "2024-03-06"
    assert card.name.startswith("EOS_DIGITAL ") and card.name.endswith(" MB")
    assert other.fs_label == "" and not other.name.startswith("EOS")

    arch = ["--archive", str(settings.archive)]
    capsys.readouterr()
    assert main(["cards", "list", *arch]) == 0
    out = capsys.readouterr().out
    assert "label EOS_DIGITAL" in out and f"UUID {uuid}" in out and "capacity" in out
    assert main(["cards", "list", "--json", *arch]) == 0
    listed = json.loads(capsys.readouterr().out)[0]
    assert (listed["uuid"], listed["fs_label"], listed["capacity"]) == (
        uuid,
        "EOS_DIGITAL",
        capacity,
    )
    assert listed["name"] == card.name

    # status names the card: by what the system calls it, then by the user's label.
    assert build_ledger(settings, "2024-03-04").weeks[0].cards == [card.name]
    capsys.readouterr()
    main(["status", *arch])
    assert f"card {card.name}" in capsys.readouterr().out
    assert main(["cards", "label", "1", "blue 64 GB", *arch]) == 0
    assert list_cards(settings)[0].name == "blue 64 GB"
    assert build_ledger(settings, "2024-03-04").weeks[0].cards == ["blue 64 GB"]
    capsys.readouterr()
    main(["status", *arch])
    out = capsys.readouterr().out
    assert "card blue 64 GB" in out and "card EOS_DIGITAL" not in out, out
