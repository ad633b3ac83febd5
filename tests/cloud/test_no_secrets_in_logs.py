"""A sync signed in with a service-account key leaves neither the key nor the token in any log.

The key's token_uri points at a local token server, so google-auth really signs a JWT with the
key, receives an access token and sends it to fake-gcs-server as a Bearer header, with every
library logging at DEBUG into the rotating log file.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from cloud.gcs_fixtures import Gcs, make_archive, sample_files

from photoarchive.cloud.client import EMULATOR_ENV
from photoarchive.config import Settings
from photoarchive.logfile import LOG_LEVEL_ENV

TOKEN = "ya29.c.TEST-ACCESS-TOKEN-9f8e7d6c5b4a"


@pytest.fixture
def token_server() -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            seen.append(self.rfile.read(int(self.headers["Content-Length"])).decode())
            body = json.dumps({"access_token": TOKEN, "expires_in": 3600, "token_type": "Bearer"})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/token", seen
    server.shutdown()


def make_key(path: Path, token_uri: str) -> dict[str, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    key = {
        "type": "service_account",
        "project_id": "family-photos",
        "private_key_id": "0123456789abcdef0123456789abcdef01234567",
        "private_key": pem,
        "client_email": "archive@family-photos.iam.gserviceaccount.com",
        "client_id": "123456789012345678901",
        "token_uri": token_uri,
    }
    path.write_text(json.dumps(key))
    path.chmod(0o600)
    return key


def test_sync_with_a_key_file_logs_no_key_and_no_token(
    settings: Settings,
    gcs: Gcs,
    cli_env: dict[str, str],
    tmp_path: Path,
    isolated_home: Path,
    token_server: tuple[str, list[str]],
) -> None:
    token_uri, token_requests = token_server
    key = make_key(tmp_path / "key.json", token_uri)
    settings.settings_file.parent.mkdir(parents=True, exist_ok=True)
    settings.settings_file.write_text(
        f'archive = "{settings.archive}"\n[sync]\nbucket = "{gcs.target}"\n'
        f'key_file = "{tmp_path / "key.json"}"\n'
    )
    make_archive(settings, sample_files(3))
    env = dict(cli_env, **{EMULATOR_ENV: gcs.url, LOG_LEVEL_ENV: "DEBUG"})
    out = subprocess.run(
        [sys.executable, "-m", "photoarchive", "sync", "-v"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )
    assert out.returncode == 0, out.stderr
    assert len(gcs.objects()) >= 3
    assert token_requests and "assertion=" in token_requests[0], "the key was not used"
    logs = isolated_home / ".local/state/photoarchive/logs"
    text = "".join(p.read_text() for p in sorted(logs.iterdir()))
    assert "POST" in text or "GET" in text, "the DEBUG log holds no HTTP details"
    pem_lines = [ln for ln in key["private_key"].splitlines() if "-----" not in ln]
    for where, content in (("log file", text), ("stderr", out.stderr), ("stdout", out.stdout)):
        assert TOKEN not in content and TOKEN.split(".")[-1] not in content, where
        assert key["private_key_id"] not in content, where
        assert not [ln for ln in pem_lines if ln in content], where
        assert token_requests[0].split("assertion=")[1][:40] not in content, where
