"""The import dialog names the card it reads: its filesystem label and capacity, or the
user's name for it once given (`cards label`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from cards import make_card
from harness import ext4_card

from photoarchive.durability.cards import label_card, list_cards


def test_import_dialog_shows_the_card_label(window, wait_job, tmp_path: Path) -> None:
    with ext4_card(tmp_path / "card", "EOS_DIGITAL") as mount:
        make_card(mount, datetime(2024, 3, 4, 8), days=2, per_day=1)
        window.open_import()
        dlg = window.import_dialog
        dlg.add_source(mount)
        assert not dlg.card_label.isVisibleTo(dlg)
        wait_job(dlg.make_plan())
        assert dlg.card_label.text().startswith("From: EOS_DIGITAL ")
        assert dlg.card_label.text().endswith(" MB") and dlg.card_label.isVisibleTo(dlg)
        job = dlg.start_import()
        wait_job(job)
        assert job.state == "done", job.error

        (ours,) = [c for c in list_cards(window.settings) if c.fs_label == "EOS_DIGITAL"]
        label_card(window.settings, ours.volume, "blue 64 GB")
        wait_job(dlg.make_plan())
        assert dlg.card_label.text() == "From: blue 64 GB"
