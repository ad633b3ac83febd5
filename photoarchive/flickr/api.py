"""Talking to Flickr: endpoints from one base URL, signed calls through flickrapi, uploads with
the real file name, a call-rate throttle, retries with backoff and errors in words.

flickrapi signs every request (OAuth 1.0a HMAC-SHA1). Its own upload sends every file as
"dummy name", which Flickr refuses for videos, so `upload` builds the multipart request itself,
signed the same way (the file part is not covered by the signature, as Flickr expects).
"""

from __future__ import annotations

import logging
import os
import threading
import time
import xml.etree.ElementTree as ET
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import flickrapi
import requests
from flickrapi.auth import FlickrAccessToken
from flickrapi.exceptions import FlickrError
from requests_oauthlib import OAuth1
from requests_toolbelt import MultipartEncoder

from photoarchive.config import Settings
from photoarchive.jobs import CancelToken

log = logging.getLogger(__name__)

# Their debug logs print signed headers, which carry the token: never at INFO or DEBUG.
for _noisy in ("flickrapi", "requests_oauthlib", "oauthlib"):
    logging.getLogger(_noisy).setLevel(logging.WARNING)

URL_ENV = "PHOTOARCHIVE_FLICKR_URL"
KEY_ENV, SECRET_ENV = "FLICKR_API_KEY", "FLICKR_API_SECRET"
CALLS_PER_HOUR = 3600  # per API key, all users together


@dataclass(frozen=True)
class Endpoints:
    rest: str
    upload: str
    replace: str
    request_token: str
    authorize: str
    access_token: str

    @classmethod
    def from_base(cls, base: str = "") -> Endpoints:
        """Flickr's own hosts, or everything under one base URL (a local test server)."""
        if not base:
            www, api, up = ("https://www.flickr.com", "https://api.flickr.com",
                            "https://up.flickr.com")  # fmt: skip
        else:
            www = api = up = base.rstrip("/")
        return cls(
            f"{api}/services/rest/",
            f"{up}/services/upload/",
            f"{up}/services/replace/",
            f"{www}/services/oauth/request_token",
            f"{www}/services/oauth/authorize",
            f"{www}/services/oauth/access_token",
        )


@dataclass(frozen=True)
class ApiKey:
    key: str
    secret: str


def endpoints_for(settings: Settings, env: Mapping[str, str] | None = None) -> Endpoints:
    env = os.environ if env is None else env
    return Endpoints.from_base(env.get(URL_ENV) or settings.flickr_url)


def api_key_for(settings: Settings, env: Mapping[str, str] | None = None) -> ApiKey:
    """From FLICKR_API_KEY / FLICKR_API_SECRET, else the settings (the secret: the settings
    file, else the keyring, where the settings dialog puts it); never from the repository."""
    env = os.environ if env is None else env
    key = env.get(KEY_ENV) or settings.flickr_api_key
    secret = env.get(SECRET_ENV) or settings.flickr_api_secret or (key and saved_secret(key))
    if not key or not secret:
        raise FlickrProblem(
            "config",
            "no Flickr API key: set FLICKR_API_KEY and FLICKR_API_SECRET, or api_key and "
            "api_secret under [flickr] in the settings (get a key at "
            "https://www.flickr.com/services/apps/create/)",
        )
    return ApiKey(key, secret)


SECRET_SERVICE = "photoarchive-flickr"


def saved_secret(key: str) -> str:
    """The API secret the settings dialog keeps in the keyring ("" if none or no keyring)."""
    import keyring
    import keyring.errors

    try:
        return keyring.get_password(SECRET_SERVICE, f"api-secret:{key}") or ""
    except keyring.errors.KeyringError:
        return ""


def save_secret(key: str, secret: str) -> None:
    """Keep the API secret in the keyring; FlickrProblem("keyring") in words when it cannot
    (none installed, locked, its unlock prompt dismissed). It may wait on an unlock prompt:
    call it off the GUI thread."""
    import keyring
    import keyring.errors

    try:
        keyring.set_password(SECRET_SERVICE, f"api-secret:{key}", secret)
    except keyring.errors.KeyringError as exc:
        why = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        raise FlickrProblem(
            "keyring", f"the system keyring did not keep the Flickr secret ({why})"
        ) from None


class FlickrProblem(Exception):
    """A Flickr failure in words; `kind` tells what to do: auth (sign in again), config,
    filetype, full (account limits), transient (try later), missing, other."""

    def __init__(self, kind: str, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.kind, self.code = kind, code


_AUTH_CODES = {96, 97, 98, 99}
_MESSAGES = {
    2: ("other", "Flickr says: {msg}"),
    4: ("filetype", "the file is empty (0 bytes)"),
    5: ("filetype", "file type not accepted by Flickr"),
    6: ("full", "account full: Flickr refused the upload (upload limit reached)"),
    8: ("filetype", "file too large for Flickr"),
    100: ("config", "Flickr does not accept the API key: check FLICKR_API_KEY / the settings"),
    105: ("transient", "Flickr is temporarily unavailable"),
    106: ("transient", "Flickr's write operations are temporarily disabled"),
}
SIGN_IN_AGAIN = "Flickr refused the saved sign-in: sign in again (photoarchive flickr login)"


def problem_of(exc: BaseException) -> FlickrProblem:
    """Turn whatever the HTTP or API layer raised into a FlickrProblem worded for the user."""
    if isinstance(exc, FlickrProblem):
        return exc
    if isinstance(exc, requests.Timeout):
        return FlickrProblem("transient", "Flickr did not answer in time")
    if isinstance(exc, requests.ConnectionError):
        return FlickrProblem("transient", "cannot reach Flickr (network down or server away)")
    if isinstance(exc, FlickrError):
        code = exc.code
        text = str(exc)
        if code is None and "Status code" in text:
            status = int(text.rsplit("code", 1)[1].split()[0])
            if status in (401, 403):
                return FlickrProblem("auth", SIGN_IN_AGAIN, status)
            if status >= 500 or status == 429:
                return FlickrProblem("transient", f"Flickr answered HTTP {status}", status)
            return FlickrProblem("other", f"Flickr answered HTTP {status}", status)
        msg = text.split(": ", 2)[-1]
        if code in _AUTH_CODES:
            return FlickrProblem("auth", SIGN_IN_AGAIN, code)
        kind, template = _MESSAGES.get(code or 0, ("other", "Flickr says: {msg}"))
        return FlickrProblem(kind, template.format(msg=msg), code)
    return FlickrProblem("other", f"Flickr request failed: {exc}")


class Throttle:
    """At most `limit` calls in any `window` seconds (sliding), shared by all threads."""

    def __init__(self, limit: int = CALLS_PER_HOUR, window: float = 3600.0) -> None:
        self.limit, self.window = limit, window
        self._times: deque[float] = deque()
        self._lock = threading.Lock()

    def wait(self, cancel: CancelToken | None = None) -> float:
        """Block until a call is allowed; returns the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = time.monotonic()
                while self._times and now - self._times[0] >= self.window:
                    self._times.popleft()
                if len(self._times) < self.limit:
                    self._times.append(now)
                    return waited
                pause = self.window - (now - self._times[0])
            if waited == 0.0:
                log.info("Flickr call limit reached: waiting %.0f s", pause)
            if cancel is not None:
                cancel.raise_if_cancelled()
            step = min(pause, 1.0)
            time.sleep(step)
            waited += step


@dataclass(frozen=True)
class Token:
    """An OAuth access token and who it belongs to."""

    token: str
    secret: str
    perms: str = "write"
    username: str = ""
    fullname: str = ""
    nsid: str = ""

    def as_flickrapi(self) -> FlickrAccessToken:
        return FlickrAccessToken(self.token, self.secret, self.perms, self.fullname,
                                 self.username, self.nsid)  # fmt: skip


class FlickrClient:
    """One account's signed calls; safe to share between threads (calls are independent)."""

    def __init__(
        self,
        endpoints: Endpoints,
        key: ApiKey,
        token: Token | None = None,
        *,
        timeout: float = 60.0,
        throttle: Throttle | None = None,
        retries: int = 4,
        backoff: float = 2.0,
    ) -> None:
        self.endpoints, self.key, self.token = endpoints, key, token
        self.timeout, self.retries, self.backoff = timeout, retries, backoff
        self.throttle = throttle or Throttle()
        self.api = flickrapi.FlickrAPI(
            key.key,
            key.secret,
            token=token.as_flickrapi() if token else None,
            format="parsed-json",
            store_token=False,  # its cache is a plaintext SQLite file
            timeout=timeout,
        )
        self.api.REST_URL = endpoints.rest
        self.api.UPLOAD_URL = endpoints.upload
        self.api.REPLACE_URL = endpoints.replace
        oauth = self.api.flickr_oauth
        oauth.REQUEST_TOKEN_URL = endpoints.request_token
        oauth.AUTHORIZE_URL = endpoints.authorize
        oauth.ACCESS_TOKEN_URL = endpoints.access_token

    def _retrying(self, what: str, fn: Callable[[], Any], cancel: CancelToken | None) -> Any:
        delay = self.backoff
        for attempt in range(self.retries + 1):
            self.throttle.wait(cancel)
            try:
                return fn()
            except (FlickrError, requests.RequestException) as exc:
                problem = problem_of(exc)
                if problem.kind != "transient" or attempt == self.retries:
                    raise problem from None
                log.info("%s: %s; retrying in %.1f s", what, problem, delay)
                if cancel is not None:
                    cancel.raise_if_cancelled()
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")

    def call(self, method: str, cancel: CancelToken | None = None, **params: object) -> Any:
        """A REST method's parsed JSON answer; FlickrProblem on failure."""
        args = {k: str(v) for k, v in params.items() if v is not None}
        return self._retrying(method, lambda: self.api.do_flickr_call(method, **args), cancel)

    def call_once(self, method: str, **params: object) -> Any:
        """A call that must not be repeated blindly (the caller checks what happened)."""
        self.throttle.wait()
        try:
            return self.api.do_flickr_call(method, **{k: str(v) for k, v in params.items()})
        except (FlickrError, requests.RequestException) as exc:
            raise problem_of(exc) from None

    def upload(
        self,
        path: Path,
        filename: str,
        params: Mapping[str, str],
        on_bytes: Callable[[int], None] | None = None,
        cancel: CancelToken | None = None,
    ) -> tuple[str, str]:
        """Send one file once: ("photoid", id) or ("ticketid", id) when async. Not retried here:
        a lost answer may hide a stored photo, so the caller looks for it before sending again."""
        if self.token is None:
            raise FlickrProblem("auth", "not signed in to Flickr: photoarchive flickr login")
        fields = {k: v for k, v in params.items() if v is not None}
        fields["api_key"] = self.key.key
        signer = OAuth1(self.key.key, self.key.secret, self.token.token, self.token.secret,
                        signature_type="auth_header")  # fmt: skip
        dummy = requests.Request("POST", self.endpoints.upload, data=fields, auth=signer)
        auth_header = dummy.prepare().headers["Authorization"]
        self.throttle.wait(cancel)
        with open(path, "rb") as fh:
            body = MultipartEncoder(
                fields={**fields, "photo": (filename, _Reader(fh, on_bytes, cancel))}
            )
            headers = {"Authorization": auth_header, "Content-Type": body.content_type}
            try:
                resp = requests.post(
                    self.endpoints.upload, data=body, headers=headers, timeout=self.timeout
                )
            except requests.RequestException as exc:
                if cancel is not None:
                    cancel.raise_if_cancelled()
                raise problem_of(exc) from None
        if resp.status_code != 200:
            raise problem_of(FlickrError(f"Status code {resp.status_code} received"))
        try:
            root = ET.fromstring(resp.content)
        except ET.ParseError:
            raise FlickrProblem("transient", "Flickr's answer to the upload was garbled") from None
        if root.get("stat") != "ok":
            err = root.find("err")
            code = err.get("code") if err is not None else None
            msg = err.get("msg", "") if err is not None else ""
            raise problem_of(FlickrError(f"Error: {code}: {msg}", code=code))
        for tag in ("photoid", "ticketid"):
            node = root.find(tag)
            if node is not None and node.text:
                return tag, node.text.strip()
        raise FlickrProblem("transient", "Flickr's answer to the upload had no photo id")


class _Reader:
    """The file as the multipart encoder reads it, reporting bytes and honouring Cancel."""

    def __init__(
        self,
        fh: IO[bytes],
        on_bytes: Callable[[int], None] | None,
        cancel: CancelToken | None,
    ) -> None:
        self.fh, self.on_bytes, self.cancel = fh, on_bytes, cancel
        self.len = os.fstat(fh.fileno()).st_size - fh.tell()  # bytes left: the encoder asks

    def read(self, size: int = -1) -> bytes:
        if self.cancel is not None:
            self.cancel.raise_if_cancelled()
        data = self.fh.read(size)
        self.len -= len(data)
        if self.on_bytes is not None and data:
            self.on_bytes(len(data))
        return data


def content_text(value: object) -> str:
    """A text field of a Flickr JSON answer, given as {"_content": text} or plainly."""
    return str(value.get("_content", "")) if isinstance(value, dict) else str(value or "")
