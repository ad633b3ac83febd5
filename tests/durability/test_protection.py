"""Bucket protection: `bucket create` asks for soft delete (and versioning), `status` reports
what the server keeps and warns where a delete or replace would be irreversible.
fake-gcs-server keeps versioning but not soft delete or public access prevention, so what it
answers is what is reported (and warned about)."""

from __future__ import annotations

import json
from dataclasses import replace
from types import SimpleNamespace

import pytest
from cloud.gcs_fixtures import Gcs

from photoarchive.cli.main import main
from photoarchive.cloud.sharing import create_bucket
from photoarchive.config import Settings
from photoarchive.durability.protection import bucket_protection, describe, protection_of


def test_create_asks_for_protection_and_status_reports_what_is_there(
    settings: Settings, gcs: Gcs, capsys: pytest.CaptureFixture[str]
) -> None:
    # create_bucket asks for soft delete, 30 days unless told (the [safety] setting), and
    # versioning when asked.
    assert create_bucket.__defaults__ == (30, False)
    assert settings.soft_delete_days == 30
    capsys.readouterr()
    args = ["gs://kept-photos", "--location", "EU", "--versioning", "--json"]
    code = main(["bucket", "create", *args])
    assert code == 0
    made = json.loads(capsys.readouterr().out)
    assert made["versioning"] is True
    assert "public access prevention is not enforced" in made["warnings"]
    plain = gcs.client.bucket("plain-photos")
    gcs.client.create_bucket(plain)
    shield = bucket_protection(replace(settings, bucket="gs://plain-photos"))
    assert not isinstance(shield, str) and not shield.versioning
    assert any("cannot be recovered" in w for w in shield.warnings)
    capsys.readouterr()
    (settings.archive).mkdir(parents=True, exist_ok=True)
    from photoarchive.catalog import Catalog

    Catalog(settings.catalog_path).close()
    toml = settings.settings_file
    toml.parent.mkdir(parents=True, exist_ok=True)
    toml.write_text('[sync]\nbucket = "gs://kept-photos"\n')
    main(["status", "--json", "--archive", str(settings.archive)])
    status = json.loads(capsys.readouterr().out)
    assert status["protection"]["versioning"] is True


def test_what_the_server_answers_is_judged() -> None:
    full = SimpleNamespace(
        _properties={
            "softDeletePolicy": {"retentionDurationSeconds": str(30 * 86400)},
            "versioning": {"enabled": True},
            "iamConfiguration": {"publicAccessPrevention": "enforced"},
        }
    )
    shield = protection_of(full)
    assert shield.soft_delete_days == 30 and shield.versioning and not shield.warnings
    soft_only = SimpleNamespace(
        _properties={"softDeletePolicy": {"retentionDurationSeconds": str(7 * 86400)}}
    )
    text = describe(protection_of(soft_only))
    assert "soft delete 7 days" in text and "recoverable for 7 days only" in text
