"""The rotating log: private files, rotation, and no secrets whatever a library logs."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from photoarchive import logfile


@pytest.fixture
def restore_logging():  # type: ignore[no-untyped-def]
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    yield
    for h in list(root.handlers):
        if h not in handlers:
            root.removeHandler(h)
            h.close()
    root.setLevel(level)


def test_log_file_is_private_rotates_and_is_scrubbed(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch, restore_logging
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(logfile, "MAX_BYTES", 4000)
    path = logfile.setup_logging()
    assert (
        path is not None
        and path == isolated_home / ".local/state/photoarchive/logs/photoarchive.log"
    )
    log = logging.getLogger("some.library")
    pem = "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----"
    log.info("key file %s", {"private_key_id": "abc123def456", "private_key": pem})
    log.info("sending headers {'Authorization': 'Bearer ya29.a0AfH6SMBsecretsecret'}")
    log.info("token answer: access_token=ya29.c.secret2&expires_in=3600")
    log.info("flickr: oauth_token=72157-tokensecretvalue&oauth_signature=c2lnbmF0dXJl")
    log.debug("Collected params: [('oauth_token_secret', 'pairsecret99'), ('format', 'json')]")
    try:
        raise ValueError('{"refresh_token": "1//0gsecret-refresh-token-value-xyz"}')
    except ValueError:
        log.exception("failed")
    for i in range(200):
        logging.getLogger("photoarchive.test").info("line %d of the rotation test", i)
    text = "".join(p.read_text() for p in logfile.log_files())
    for secret in (
        "MIIEvQ",
        "abc123def456",
        "ya29",
        "secret2",
        "tokensecretvalue",
        "c2lnbmF0",
        "1//0gsecret",
        "pairsecret99",
    ):
        assert secret not in text, secret
    assert "[redacted]" in text and "line 199 of the rotation test" in text
    files = logfile.log_files()
    assert len(files) >= 2, "the log did not rotate"
    assert [p.name for p in files] == ["photoarchive.log"] + [
        f"photoarchive.log.{i}" for i in range(1, len(files))
    ]
    assert all(p.stat().st_size <= 4000 for p in files)
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_setup_twice_keeps_one_file_handler(isolated_home: Path, restore_logging) -> None:  # type: ignore[no-untyped-def]
    logfile.setup_logging()
    logfile.setup_logging(verbose=True)
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_photoarchive", False)]
    assert len(ours) == 2  # stderr and the file


def test_unwritable_state_dir_falls_back_to_stderr(
    isolated_home: Path, monkeypatch: pytest.MonkeyPatch, restore_logging
) -> None:  # type: ignore[no-untyped-def]
    if os.geteuid() == 0:
        blocker = isolated_home / "state-file"
        blocker.write_text("a file where the state dir should be")
        monkeypatch.setenv("XDG_STATE_HOME", str(blocker))
    else:
        ro = isolated_home / "ro"
        ro.mkdir(mode=0o500)
        monkeypatch.setenv("XDG_STATE_HOME", str(ro))
    assert logfile.setup_logging() is None
