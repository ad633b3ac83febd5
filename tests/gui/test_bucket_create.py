"""Creating the bucket: Settings → Create bucket, the welcome assistant and `bucket create` all
ask the server for the same bucket, with the [safety] soft delete the user configured.

Neither emulator keeps a bucket's soft-delete policy, so a proxy in front of fake-gcs-server
records what each path asks for."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace

import pytest
from cloud.faultproxy import FaultProxy
from cloud.gcs_fixtures import client_for, fake_gcs_url  # noqa: F401
from gui.test_first_run import finish

from photoarchive.cli.main import main
from photoarchive.cloud.client import EMULATOR_ENV
from photoarchive.config import Settings, load_settings, save_settings

DAYS = 9


@pytest.fixture
def runner(qtbot):  # type: ignore[no-untyped-def]
    from photoarchive.gui.worker import JobRunner

    r = JobRunner()
    yield r
    r.shutdown(10000)


def _asked(proxy: FaultProxy) -> dict[str, dict]:
    """Bucket name -> the bucket resource each creation request sent."""
    made = [s for s in proxy.seen if s.method == "POST" and s.path.startswith("/storage/v1/b?")]
    return {body["name"]: body for body in (json.loads(s.body) for s in made)}


def test_every_path_creates_the_bucket_with_the_configured_soft_delete(
    qtbot,
    wait_job,
    runner,
    settings: Settings,
    fake_gcs_url: str,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from photoarchive.gui.dialogs.settings import SettingsDialog
    from photoarchive.gui.first_run import FirstRunWizard

    configured = replace(settings, soft_delete_days=DAYS)
    save_settings(configured)
    names = [f"mk-{uuid.uuid4().hex[:10]}" for _ in range(3)]
    with FaultProxy(int(fake_gcs_url.rsplit(":", 1)[1])) as proxy:
        monkeypatch.setenv(EMULATOR_ENV, proxy.url)
        dlg = SettingsDialog(load_settings(env={}), None, runner=runner)
        qtbot.addWidget(dlg)
        dlg.bucket_edit.setText(f"gs://{names[0]}/family")  # the prefix is a name inside it
        dlg.cloud.location_edit.setText("EU")
        wait_job(dlg.cloud.create_bucket(), timeout=30000)
        assert f"Created gs://{names[0]}" in dlg.cloud.status.text(), dlg.cloud.status.text()
        assert f"restorable for {DAYS} days" in dlg.cloud.status.text()

        wizard = FirstRunWizard(load_settings(env={}))
        qtbot.addWidget(wizard)
        wizard.bucket_page.bucket_edit.setText(f"gs://{names[1]}")
        wizard.bucket_page.create_check.setChecked(True)
        wizard.bucket_page.location_combo.setCurrentText("EU")
        finish(qtbot, wizard)
        assert f"Created gs://{names[1]}" in wizard.result_text, wizard.result_text
        assert f"restorable for {DAYS} days" in wizard.result_text

        assert main(["bucket", "create", f"gs://{names[2]}", "--location", "EU"]) == 0
        asked = _asked(proxy)
    assert sorted(asked) == sorted(names)
    for name, body in asked.items():
        assert int(body["softDeletePolicy"]["retentionDurationSeconds"]) == DAYS * 86400, name
        assert body["storageClass"] == "NEARLINE" and body["location"] == "EU", name
        iam = body["iamConfiguration"]
        assert iam["publicAccessPrevention"] == "enforced", name
        assert iam["uniformBucketLevelAccess"]["enabled"] is True, name
        assert client_for(fake_gcs_url).lookup_bucket(name) is not None
