"""A local Flickr-API-compatible server: HTTP, OAuth 1.0a and uploads (the methods are in
fake_api.py).

It listens on 127.0.0.1 on a free port, checks every request's HMAC-SHA1 signature with
oauthlib the way Flickr does (the multipart file part is not signed), answers Flickr's error
codes, and keeps everything it received in `FakeFlickr.state` for the tests to inspect. Start it
with `FakeFlickr().start()` (the `flickr_server` fixture does, and stops it at teardown); it also
stops by itself after `idle_timeout` seconds without a request, so a crashed test leaves no
server behind.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import hashlib
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlencode, urlsplit

from flickr.fake_api import ApiError, State, render_json, render_xml
from oauthlib.oauth1.rfc5849 import signature as oauth_sig
from oauthlib.oauth1.rfc5849.utils import escape

CONSUMER_KEY = "test-api-key"
CONSUMER_SECRET = "test-api-secret"


@dataclass
class RequestToken:
    secret: str
    callback: str
    verifier: str = ""
    perms: str = ""


@dataclass
class AccessToken:
    secret: str
    nsid: str
    perms: str


class FakeFlickr:
    """The server, its OAuth tokens and the Flickr state behind it."""

    def __init__(self, idle_timeout: float = 300.0) -> None:
        self.consumers = {CONSUMER_KEY: CONSUMER_SECRET}
        self.request_tokens: dict[str, RequestToken] = {}
        self.access_tokens: dict[str, AccessToken] = {}
        self.nonces: set[tuple[str, str]] = set()
        self.state = State()
        self.lock = threading.RLock()
        self.idle_timeout = idle_timeout
        self.last_request = time.monotonic()
        self.requests: list[tuple[str, dict[str, str]]] = []  # (path, signed params), in order
        self.fail_next: list[int] = []  # HTTP statuses to answer the next requests with
        self.drop_after_store = 0  # uploads stored whose answer is then lost (connection closed)
        self.answer_delay = 0.0  # seconds between storing an upload and answering it
        self._httpd: ThreadingHTTPServer | None = None

    # --- life cycle ---------------------------------------------------------------------------
    def start(self) -> FakeFlickr:
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True).start()
        threading.Thread(target=self._idle_watch, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def _idle_watch(self) -> None:
        while self._httpd is not None:
            time.sleep(1.0)
            if time.monotonic() - self.last_request > self.idle_timeout:
                self.stop()

    @property
    def url(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    # --- helpers for tests --------------------------------------------------------------------
    def grant(self, nsid: str, perms: str = "write") -> tuple[str, str]:
        """An access token for this user without the browser steps: (token, secret)."""
        token, secret = secrets.token_hex(8), secrets.token_hex(8)
        with self.lock:
            self.access_tokens[token] = AccessToken(secret, nsid, perms)
        return token, secret

    def approve(self, oauth_token: str, perms: str = "write") -> str:
        """What the user's click on the authorisation page does: returns the code shown."""
        with self.lock:
            req = self.request_tokens[oauth_token]
            req.verifier = "-".join(f"{secrets.randbelow(1000):03d}" for _ in range(3))
            req.perms = perms
            return req.verifier

    def calls(self, method: str) -> list[dict[str, str]]:
        """The parameters of every successful signed call of this REST method (or 'upload')."""
        return [p for path, p in self.requests if p.get("method", path) == method]

    # --- OAuth --------------------------------------------------------------------------------
    def check_signature(
        self, method: str, url: str, params: list[tuple[str, str]], auth_header: str
    ) -> tuple[dict[str, str], str]:
        """(oauth parameters, token secret) or ApiError with Flickr's code."""
        oauth: dict[str, str] = {}
        if auth_header.startswith("OAuth "):
            headers = {"Authorization": auth_header}
            try:
                found = oauth_sig.collect_parameters(headers=headers, exclude_oauth_signature=False)
                oauth = dict(found)
            except ValueError:
                raise ApiError(96, "Invalid signature (malformed OAuth header)") from None
        if not oauth:  # parameters may be in the body or query instead of the header
            oauth = {k: v for k, v in params if k.startswith("oauth_")}
        if "oauth_signature" not in oauth:
            raise ApiError(97, "Missing signature")
        if oauth.get("oauth_consumer_key") not in self.consumers:
            raise ApiError(100, "Invalid API Key (Key not found)")
        if oauth.get("oauth_signature_method") != "HMAC-SHA1":
            raise ApiError(96, "Invalid signature (only HMAC-SHA1 is supported)")
        try:
            age = abs(time.time() - int(oauth.get("oauth_timestamp", "0")))
        except ValueError:
            age = 1e9
        if age > 300:
            raise ApiError(96, "Invalid signature (timestamp out of range)")
        nonce = (oauth.get("oauth_nonce", ""), oauth.get("oauth_timestamp", ""))
        if nonce in self.nonces:
            raise ApiError(96, "Invalid signature (nonce used before)")
        token = oauth.get("oauth_token", "")
        token_secret = ""
        if token:
            known = self.access_tokens.get(token) or self.request_tokens.get(token)
            if known is None:
                raise ApiError(98, "Invalid auth token")
            token_secret = known.secret
        signed = [(k, v) for k, v in params if k != "oauth_signature"]
        signed += [(k, v) for k, v in oauth.items() if k not in ("oauth_signature", "realm")]
        base = oauth_sig.signature_base_string(
            method, oauth_sig.base_string_uri(url), oauth_sig.normalize_parameters(signed)
        )
        key = f"{escape(self.consumers[oauth['oauth_consumer_key']])}&{escape(token_secret)}"
        digest = hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()
        expected = base64.b64encode(digest).decode()
        if not oauth_sig.safe_string_equals(expected, oauth["oauth_signature"]):
            raise ApiError(96, "Invalid signature")
        self.nonces.add(nonce)
        return oauth, token_secret


def _handler(server: FakeFlickr) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def _send(self, status: int, body: bytes, ctype: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            server.last_request = time.monotonic()
            parts = urlsplit(self.path)
            if parts.path != "/services/oauth/authorize":
                self._send(404, b"not found", "text/plain")
                return
            query = dict(parse_qsl(parts.query))
            token = query.get("oauth_token", "")
            if token not in server.request_tokens:
                self._send(400, b"<p>This sign-in link has expired.</p>", "text/html")
                return
            page = (
                f"<html><body><h1>Allow this application to use your account?</h1>"
                f'<form method="post" action="/services/oauth/authorize">'
                f'<input type="hidden" name="oauth_token" value="{token}">'
                f'<input type="hidden" name="perms" value="{query.get("perms", "read")}">'
                f'<button type="submit">OK, I\'ll authorize it</button></form></body></html>'
            )
            self._send(200, page.encode(), "text/html; charset=utf-8")

        def do_POST(self) -> None:
            server.last_request = time.monotonic()
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            path = urlsplit(self.path).path
            if path == "/services/oauth/authorize":  # the user clicked "OK"
                form = dict(parse_qsl(body.decode()))
                with server.lock:
                    code = server.approve(form["oauth_token"], form.get("perms", "read"))
                    callback = server.request_tokens[form["oauth_token"]].callback
                if callback == "oob":
                    page = f"<p>Your code:</p><p id='code'>{code}</p>"
                    self._send(200, page.encode(), "text/html; charset=utf-8")
                else:
                    query = urlencode({"oauth_token": form["oauth_token"], "oauth_verifier": code})
                    self.send_response(302)
                    self.send_header("Location", f"{callback}?{query}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                return
            with server.lock:
                if server.fail_next:
                    status = server.fail_next.pop(0)
                    self._send(status, b"temporarily unavailable", "text/plain")
                    return
            ctype = self.headers.get("Content-Type", "")
            files: dict[str, tuple[str, bytes]] = {}
            if ctype.startswith("multipart/form-data"):
                params, files = _multipart(ctype, body)
            else:
                params = parse_qsl(body.decode("utf-8"), keep_blank_values=True)
            params += parse_qsl(urlsplit(self.path).query, keep_blank_values=True)
            url = f"http://{self.headers['Host']}{path}"
            self._dispatch(path, url, params, files)

        def _dispatch(
            self,
            path: str,
            url: str,
            params: list[tuple[str, str]],
            files: dict[str, tuple[str, bytes]],
        ) -> None:
            args = dict(params)
            oauth_endpoint = path.startswith("/services/oauth/")
            try:
                with server.lock:
                    oauth, _ = server.check_signature(
                        "POST", url, params, self.headers.get("Authorization", "")
                    )
            except ApiError as exc:
                if oauth_endpoint:  # Flickr answers 401 with an OAuth problem report
                    self._send(401, b"oauth_problem=signature_invalid", "text/plain")
                else:
                    self._answer(path, args, exc)
                return
            with server.lock:
                if oauth_endpoint:
                    self._oauth_step(path, oauth)
                    return
                token = server.access_tokens.get(oauth.get("oauth_token", ""))
                try:
                    if token is None:
                        raise ApiError(99, "Insufficient permissions. Method requires write")
                    server.requests.append((path, args))
                    if path in ("/services/upload/", "/services/replace/"):
                        result = server.state.upload(token.nsid, args, files, path)
                        if server.drop_after_store > 0:
                            server.drop_after_store -= 1
                            self.close_connection = True
                            self.connection.shutdown(2)  # stored, but the answer is lost
                            return
                    else:
                        result = server.state.call(token.nsid, token.perms, args)
                except ApiError as exc:
                    result = exc
            if path == "/services/upload/" and server.answer_delay:
                time.sleep(server.answer_delay)  # a client killed now never hears the photo id
            self._answer(path, args, result)

        def _answer(self, path: str, args: dict[str, str], result: object) -> None:
            if path.startswith("/services/rest") and args.get("format") == "json":
                self._send(200, render_json(result), "application/json")
            else:
                self._send(200, render_xml(result), "text/xml; charset=utf-8")

        def _oauth_step(self, path: str, oauth: dict[str, str]) -> None:
            if path.endswith("/request_token"):
                token, secret = secrets.token_hex(8), secrets.token_hex(8)
                callback = oauth.get("oauth_callback", "oob")
                server.request_tokens[token] = RequestToken(secret, callback)
                answer = {"oauth_callback_confirmed": "true", "oauth_token": token,
                          "oauth_token_secret": secret}  # fmt: skip
            elif path.endswith("/access_token"):
                req = server.request_tokens.get(oauth.get("oauth_token", ""))
                if req is None or not req.verifier or oauth.get("oauth_verifier") != req.verifier:
                    self._send(401, b"oauth_problem=token_rejected", "text/plain")
                    return
                del server.request_tokens[oauth["oauth_token"]]
                nsid = server.state.default_user
                user = server.state.users[nsid]
                token, secret = secrets.token_hex(8), secrets.token_hex(8)
                server.access_tokens[token] = AccessToken(secret, nsid, req.perms)
                answer = {"fullname": user.fullname, "oauth_token": token,
                          "oauth_token_secret": secret, "user_nsid": nsid,
                          "username": user.username}  # fmt: skip
            else:
                self._send(404, b"not found", "text/plain")
                return
            self._send(200, urlencode(answer).encode(), "text/plain; charset=utf-8")

    return Handler


def _multipart(
    ctype: str, body: bytes
) -> tuple[list[tuple[str, str]], dict[str, tuple[str, bytes]]]:
    """Form fields (signed) and file parts (name -> (file name, bytes)) of a multipart body."""
    head = f"Content-Type: {ctype}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: list[tuple[str, str]] = []
    files: dict[str, tuple[str, bytes]] = {}
    for part in msg.iter_parts():  # type: ignore[attr-defined]
        name = part.get_param("name", header="content-disposition")
        filename = part.get_param("filename", header="content-disposition")
        data = part.get_payload(decode=True) or b""
        if filename is not None:
            files[name] = (filename, data)
        else:
            fields.append((name, data.decode("utf-8")))
    return fields, files
