"""Signing in to Flickr (out-of-band OAuth: a URL to open, a code to paste back) and keeping
the access token in the system keyring.

The token never goes into flickrapi's SQLite cache, the settings or a log. Where no keyring
backend exists the caller is told so and may choose a file readable only by the user.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from dataclasses import asdict
from pathlib import Path

import keyring
import keyring.errors

from photoarchive.config import Settings
from photoarchive.flickr.api import ApiKey, FlickrClient, FlickrProblem, Token, problem_of

log = logging.getLogger(__name__)

SERVICE = "photoarchive-flickr"


class NoKeyring(FlickrProblem):
    """No usable system keyring: the caller may offer `TokenStore.save(..., to_file=True)`."""


class TokenStore:
    """The access token for one API key: in the keyring, or in a 0600 file if the user chose."""

    def __init__(self, settings: Settings, key: ApiKey) -> None:
        self.account = key.key
        self.file = settings.config_dir / "flickr-token.json"

    def load(self) -> Token | None:
        text = None
        try:
            text = keyring.get_password(SERVICE, self.account)
        except keyring.errors.KeyringError as exc:
            log.info("keyring not usable (%s); looking for the token file", type(exc).__name__)
        if text is None and self.file.exists():
            try:
                text = self.file.read_text(encoding="utf-8")
            except OSError as exc:
                raise FlickrProblem("config", f"cannot read {self.file}: {exc.strerror}") from None
        if not text:
            return None
        try:
            return Token(**json.loads(text))
        except (ValueError, TypeError):
            log.warning("the saved Flickr sign-in is unreadable; sign in again")
            return None

    def save(self, token: Token, to_file: bool = False) -> str:
        """Store the token; returns where ('the system keyring' or the file's path)."""
        text = json.dumps(asdict(token))
        if not to_file:
            try:
                keyring.set_password(SERVICE, self.account, text)
            except keyring.errors.KeyringError as exc:
                raise NoKeyring(
                    "keyring",
                    f"no system keyring is available here ({type(exc).__name__}: install or "
                    "unlock one, e.g. GNOME Keyring or KWallet). The sign-in can instead be "
                    f"kept in {self.file}, readable only by you.",
                ) from None
            with contextlib.suppress(FileNotFoundError):
                self.file.unlink()  # an older file copy would otherwise linger
            return "the system keyring"
        _write_private(self.file, text)
        return str(self.file)

    def clear(self) -> bool:
        """Forget the token everywhere; True if there was one."""
        had = False
        try:
            if keyring.get_password(SERVICE, self.account) is not None:
                keyring.delete_password(SERVICE, self.account)
                had = True
        except keyring.errors.KeyringError:
            pass
        with contextlib.suppress(FileNotFoundError):
            self.file.unlink()
            had = True
        return had


def _write_private(path: Path, text: str) -> None:
    """Mode 0600 from the first byte, written to a temporary name and renamed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class SignIn:
    """The out-of-band flow: `start` gives the page to open, `finish` takes the code shown."""

    def __init__(self, client: FlickrClient) -> None:
        self.client = client

    def start(self) -> str:
        try:
            self.client.throttle.wait()
            self.client.api.get_request_token(oauth_callback="oob")
            return str(self.client.api.auth_url(perms="write"))
        except Exception as exc:
            problem = problem_of(exc)
            if problem.kind == "auth":
                problem = FlickrProblem("config", "Flickr refused the API key or secret")
            raise problem from None

    def finish(self, code: str) -> Token:
        code = code.strip()
        if not code:
            raise FlickrProblem("auth", "no code entered: sign in again")
        try:
            self.client.throttle.wait()
            self.client.api.get_access_token(code)
        except Exception as exc:
            problem = problem_of(exc)
            if problem.kind == "auth":
                problem = FlickrProblem("auth", "Flickr did not accept that code: sign in again")
            raise problem from None
        t = self.client.api.token_cache.token
        token = Token(t.token, t.token_secret, t.access_level, t.username, t.fullname, t.user_nsid)
        self.client.token = token
        return token


def open_client(
    settings: Settings, need_token: bool = True, **client_options: object
) -> tuple[FlickrClient, TokenStore]:
    """A client for the configured endpoints and key, signed in with the saved token."""
    from photoarchive.flickr.api import api_key_for, endpoints_for

    key = api_key_for(settings)
    store = TokenStore(settings, key)
    token = store.load()
    client_options.setdefault("timeout", settings.network_timeout)  # a deadline, not a hang
    if need_token and token is None:
        raise FlickrProblem("auth", "not signed in to Flickr: run photoarchive flickr login")
    return FlickrClient(endpoints_for(settings), key, token, **client_options), store  # type: ignore[arg-type]
