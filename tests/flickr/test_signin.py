"""Sign-in as a user does it (CLI subprocess, out-of-band code), the keyring, whoami, logout,
and the server's OAuth checks."""

from __future__ import annotations

import json
import re
import stat
import subprocess
import sys
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
import requests
from flickr.fake_server import CONSUMER_KEY, CONSUMER_SECRET, FakeFlickr
from flickr.upload_fixtures import SHOTS, WEEK, make_week
from requests_oauthlib import OAuth1

from photoarchive.cli.main import main
from photoarchive.config import Settings


def browser_approves(url: str) -> str:
    """What the user does in the browser: open the page, click OK, read the code."""
    page = urllib.request.urlopen(url, timeout=10).read().decode()
    form = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page))
    action = urllib.parse.urljoin(url, "/services/oauth/authorize")
    data = urllib.parse.urlencode(form).encode()
    shown = urllib.request.urlopen(action, data=data, timeout=10).read().decode()
    return re.search(r"id='code'>([\d-]+)<", shown).group(1)  # type: ignore[union-attr]


def login(env: dict[str, str], settings: Settings, *extra: str) -> subprocess.CompletedProcess:  # type: ignore[type-arg]
    cmd = [sys.executable, "-m", "photoarchive", "flickr", "login", "--no-browser", "-v",
           "--archive", str(settings.archive), *extra]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    assert proc.stdout is not None and proc.stdin is not None
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if "/services/oauth/authorize" in line:
            break
    url = lines[-1].strip()
    proc.stdin.write(browser_approves(url) + "\n")
    proc.stdin.flush()
    out, err = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(cmd, proc.returncode, "".join(lines) + out, err)


def run(capsys: pytest.CaptureFixture[str], settings: Settings, *args: str) -> Ran:
    """The CLI in this process (the file keyring and the server's URL are in the env)."""
    code = main(["flickr", *args, "-v", "--archive", str(settings.archive)])
    out, err = capsys.readouterr()
    return Ran(code, out, err)


@dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def plain_files_containing(root: Path, needle: str, skip: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and p != skip
            and needle.encode() in p.read_bytes()]  # fmt: skip


def test_login_keeps_token_in_keyring_only_then_whoami_and_logout(
    flickr_server: FakeFlickr, flickr_env: dict[str, str], file_keyring: Path,
    settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    done = login(flickr_env, settings)
    assert done.returncode == 0, done.stderr
    assert "Signed in as Grandma Test (grandma)" in done.stdout
    assert "system keyring" in done.stdout
    (token,) = flickr_server.access_tokens  # the one access token the server issued
    secret = flickr_server.access_tokens[token].secret
    stored = json.loads(next(iter(json.loads(file_keyring.read_text()).values())))
    assert (stored["token"], stored["secret"]) == (token, secret)
    assert stored["nsid"] == "12345678@N00"
    who = run(capsys, settings, "whoami")
    assert who.returncode == 0, who.stderr
    assert who.stdout.strip() == "grandma: free account, 0 of 1000 items, 0 of 50 non-public"
    # Nowhere else: not in the settings, data, cache or home folders, nor in any output/log.
    for needle in (token, secret):
        assert not plain_files_containing(tmp_path, needle, skip=file_keyring)
        for out in (done.stdout, done.stderr, who.stdout, who.stderr):
            assert needle not in out
    assert not (Path(flickr_env["HOME"]) / ".flickr").exists()  # flickrapi's own cache
    bye = run(capsys, settings, "logout")
    assert bye.returncode == 0 and "Signed out" in bye.stdout
    assert json.loads(file_keyring.read_text()) == {}
    again = run(capsys, settings, "whoami")
    assert again.returncode == 1 and "flickr login" in again.stderr


def test_bad_token_says_sign_in_again(
    flickr_server: FakeFlickr, flickr_env: dict[str, str], settings: Settings,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    from photoarchive.flickr.api import ApiKey, Token
    from photoarchive.flickr.tokens import TokenStore

    TokenStore(settings, ApiKey(CONSUMER_KEY, CONSUMER_SECRET)).save(Token("bogus", "nope"))
    who = run(capsys, settings, "whoami")
    assert who.returncode == 1
    assert "sign in again" in who.stderr
    make_week(settings, SHOTS[:1], video=False)
    up = run(capsys, settings, "upload", WEEK)
    assert up.returncode == 1 and "sign in again" in up.stderr
    assert not flickr_server.state.photos
    # A token the server knows, used with the wrong token secret: a bad signature, same words.
    token, _ = flickr_server.grant("12345678@N00")
    TokenStore(settings, ApiKey(CONSUMER_KEY, CONSUMER_SECRET)).save(Token(token, "wrong"))
    who = run(capsys, settings, "whoami")
    assert who.returncode == 1 and "sign in again" in who.stderr


def test_no_keyring_offers_a_private_file(
    flickr_server: FakeFlickr, flickr_env: dict[str, str], settings: Settings,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    keyring.set_keyring(keyring.backends.fail.Keyring())  # the file_keyring fixture restores

    def user_types_code(prompt: str = "") -> str:
        (pending,) = flickr_server.request_tokens  # the user approved in the browser
        return flickr_server.approve(pending)

    monkeypatch.setattr("builtins.input", user_types_code)
    refused = run(capsys, settings, "login", "--no-browser")
    assert refused.returncode == 1
    assert "no system keyring is available" in refused.stderr
    assert "--token-file" in refused.stderr
    kept = run(capsys, settings, "login", "--no-browser", "--token-file")
    assert kept.returncode == 0, kept.stderr
    path = settings.config_dir / "flickr-token.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert str(path) in kept.stdout
    assert run(capsys, settings, "whoami").returncode == 0


def test_server_checks_signatures_like_flickr(flickr_server: FakeFlickr) -> None:
    token, secret = flickr_server.grant("12345678@N00")
    rest = flickr_server.url + "/services/rest/"
    params = {"method": "flickr.test.login", "format": "json", "nojsoncallback": "1"}
    good = OAuth1(CONSUMER_KEY, CONSUMER_SECRET, token, secret)
    ok = requests.post(rest, data=params, auth=good, timeout=10).json()
    assert ok["stat"] == "ok" and ok["user"]["id"] == "12345678@N00"
    bad = OAuth1(CONSUMER_KEY, "not-the-secret", token, secret)
    assert requests.post(rest, data=params, auth=bad, timeout=10).json()["code"] == 96
    # A parameter changed after signing breaks the signature too.
    req = requests.Request("POST", rest, data=params, auth=good).prepare()
    req.body = req.body.replace(b"test.login", b"photos.search")  # type: ignore[union-attr,arg-type]
    req.headers["Content-Length"] = str(len(req.body))  # type: ignore[arg-type]
    assert requests.Session().send(req, timeout=10).json()["code"] == 96
    unsigned = requests.post(rest, data=params, timeout=10).json()
    assert unsigned["code"] == 97
    wrong_key = OAuth1("unknown-key", CONSUMER_SECRET, token, secret)
    assert requests.post(rest, data=params, auth=wrong_key, timeout=10).json()["code"] == 100
    tok = OAuth1(CONSUMER_KEY, CONSUMER_SECRET, "unknown", secret)
    assert requests.post(rest, data=params, auth=tok, timeout=10).json()["code"] == 98
    token_url = flickr_server.url + "/services/oauth/request_token"
    refused = requests.post(token_url, auth=bad, timeout=10)
    assert refused.status_code == 401 and "signature_invalid" in refused.text
