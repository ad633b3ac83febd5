"""A Flickr sign-in and an API call leave no token, token secret or API secret in any log,
with every library logging at DEBUG (oauthlib logs signatures and parameters there)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from flickr.fake_server import CONSUMER_SECRET, FakeFlickr
from flickr.test_signin import login

from photoarchive.config import Settings
from photoarchive.logfile import LOG_LEVEL_ENV


def test_flickr_sign_in_and_call_log_no_secrets(
    flickr_server: FakeFlickr, flickr_env: dict[str, str], settings: Settings,
    isolated_home: Path,
) -> None:  # fmt: skip
    env = dict(flickr_env, **{LOG_LEVEL_ENV: "DEBUG"})
    done = login(env, settings)
    assert done.returncode == 0, done.stderr
    who = subprocess.run(
        [sys.executable, "-m", "photoarchive", "flickr", "whoami", "-v",
         "--archive", str(settings.archive)],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert who.returncode == 0, who.stderr
    (token,) = flickr_server.access_tokens
    secrets = [token, flickr_server.access_tokens[token].secret, CONSUMER_SECRET]
    secrets += [t for t in flickr_server.request_tokens]  # the short-lived request token too
    secrets += [r.secret for r in flickr_server.request_tokens.values()]
    logs = isolated_home / ".local/state/photoarchive/logs"
    text = "".join(p.read_text() for p in sorted(logs.iterdir()))
    assert "flickr" in text.lower() and "DEBUG" in text, "the DEBUG log holds no Flickr detail"
    outputs = {"log file": text, "stdout": done.stdout + who.stdout,
               "stderr": done.stderr + who.stderr}  # fmt: skip
    for where, content in outputs.items():
        for secret in secrets:
            assert secret not in content, f"{where} holds a secret"
        assert "oauth_signature=" not in content.replace("oauth_signature=[redacted]", "")
