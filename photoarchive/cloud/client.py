"""Talking to Google Cloud Storage: the target URL, the client, and errors worded for people.

Credentials come from Application Default Credentials or from a service-account key file whose
*path* is in the settings; the key is read by google-auth in place and never copied or logged.
With `STORAGE_EMULATOR_HOST` set, the client talks to that emulator (endpoint override only).
"""

from __future__ import annotations

import logging
import os
from typing import Any

import requests
from google.api_core import exceptions as api_exceptions
from google.api_core.retry import Retry
from google.auth import exceptions as auth_exceptions
from google.cloud import storage
from google.cloud.storage.retry import DEFAULT_RETRY

from photoarchive.cloud.deadlines import bound_timeouts
from photoarchive.config import Settings

log = logging.getLogger(__name__)

EMULATOR_ENV = "STORAGE_EMULATOR_HOST"


class GcsError(RuntimeError):
    """A storage failure explained for the user; `kind` lets callers and tests tell them apart."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def emulator_url() -> str | None:
    host = os.environ.get(EMULATOR_ENV, "").strip()
    if not host:
        return None
    return host if "://" in host else f"http://{host}"


def make_client(settings: Settings) -> storage.Client:
    """A storage client: the emulator, a key file, or Application Default Credentials; no
    request of it waits longer than `settings.network_timeout` for the server."""
    return bound_timeouts(_client(settings), settings.network_timeout)


def _client(settings: Settings) -> storage.Client:
    endpoint = emulator_url()
    project = settings.gcs_project or None
    if endpoint:
        from google.auth.credentials import AnonymousCredentials

        log.info("using the storage emulator at %s", endpoint)
        credentials: Any = AnonymousCredentials()  # type: ignore[no-untyped-call]
        if settings.gcs_key_file:  # endpoint override only: the key still signs in
            credentials = _key_file_credentials(settings.gcs_key_file)
        return storage.Client(
            project=project or "photoarchive-emulator",
            credentials=credentials,
            client_options={"api_endpoint": endpoint},
        )
    if settings.gcs_key_file:
        path = os.path.expanduser(settings.gcs_key_file)
        if not os.path.isfile(path):
            raise GcsError(
                "credentials",
                f"the service-account key file in the settings ({path}) does not exist",
            )
        try:
            return storage.Client.from_service_account_json(path, project=project)
        except (ValueError, OSError, auth_exceptions.GoogleAuthError) as exc:
            # The message of these errors never contains the key material itself.
            raise GcsError(
                "credentials", f"the key file {path} is not a usable service-account key: {exc}"
            ) from None
    try:
        return storage.Client(project=project)
    except auth_exceptions.DefaultCredentialsError:
        raise GcsError(
            "credentials",
            "no Google credentials found: run `gcloud auth application-default login`, "
            "or set [sync] key_file to a service-account key file",
        ) from None


def _key_file_credentials(key_file: str) -> Any:
    from google.oauth2 import service_account

    path = os.path.expanduser(key_file)
    try:
        return service_account.Credentials.from_service_account_file(
            path, scopes=["https://www.googleapis.com/auth/devstorage.read_write"]
        )
    except (ValueError, OSError, auth_exceptions.GoogleAuthError) as exc:
        raise GcsError(
            "credentials", f"the key file {path} is not a usable service-account key: {exc}"
        ) from None


def retry_policy(initial: float = 1.0, deadline: float = 120.0) -> Retry:
    """Exponential backoff on 429, 5xx and dropped connections (the library's predicate)."""
    return DEFAULT_RETRY.with_delay(initial=initial, maximum=max(initial, 30.0)).with_timeout(
        deadline
    )


def friendly(exc: BaseException, what: str = "") -> GcsError:
    """Turn a library or network exception into a GcsError worded for the user."""
    if isinstance(exc, GcsError):
        return exc
    if isinstance(exc, api_exceptions.RetryError) and exc.cause is not None:
        inner = friendly(exc.cause, what)
        return GcsError(inner.kind, f"{inner} (gave up after repeated tries)")
    where = f" ({what})" if what else ""
    if isinstance(exc, api_exceptions.NotFound):
        return GcsError("not-found", f"not found{where}: the bucket or object does not exist")
    if isinstance(exc, api_exceptions.Forbidden):
        return GcsError(
            "permission",
            f"permission denied{where}: the account in use may not do this on the bucket",
        )
    if isinstance(exc, api_exceptions.Unauthorized):
        return GcsError("credentials", f"the credentials were refused{where}; sign in again")
    if isinstance(exc, api_exceptions.PreconditionFailed):
        return GcsError("precondition", f"changed by someone else meanwhile{where}")
    if isinstance(exc, auth_exceptions.DefaultCredentialsError):
        return GcsError("credentials", f"no Google credentials{where}")
    if isinstance(exc, auth_exceptions.RefreshError):
        return GcsError("credentials", f"could not refresh the Google credentials{where}: {exc}")
    if isinstance(exc, (requests.ConnectionError, ConnectionError, auth_exceptions.TransportError)):
        return GcsError("network", f"cannot reach Google Cloud Storage{where}: is the network up?")
    if isinstance(exc, api_exceptions.GoogleAPICallError):
        return GcsError("server", f"storage error{where}: {exc.message}")
    return GcsError("other", f"{type(exc).__name__}{where}: {exc}")
