"""The log: a rotating, private file in the state dir, and stderr, both scrubbed of secrets.

Unattended runs (the NAS timer) leave their story here and in the journal (stderr); the GUI
shows it under Help -> Show log. Log files may name people's photos and places, so they are
private (folder 0700, files 0600), and no token, key or password reaches them: every line
passes through `redact`, whatever library wrote it.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from photoarchive.config import APP_NAME, user_dir
from photoarchive.names import one_line
from photoarchive.private import open_private, private_dir

LOG_LEVEL_ENV = "PHOTOARCHIVE_LOG_LEVEL"  # e.g. DEBUG, to capture the libraries' details
LOG_NAME = f"{APP_NAME}.log"
MAX_BYTES = 1 << 20
BACKUPS = 5
FORMAT = "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"
REDACTED = "[redacted]"

_SECRET_NAMES = (
    r"access_token|refresh_token|id_token|client_secret|private_key_id|private_key|assertion|"
    r"oauth_token_secret|oauth_token|oauth_signature|oauth_verifier|api_secret|secret|password|"
    r"authorization|x-goog-api-key"
)
_SECRET_PATTERNS = [
    # PEM blocks (a service-account key's private key), also JSON-escaped ("\n").
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----.*?-----END [A-Z ]*PRIVATE KEY-----", re.S),
    re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"),
    re.compile(r"\bya29\.[A-Za-z0-9._-]+"),  # Google OAuth access tokens
    re.compile(r"\b1//[A-Za-z0-9._-]{20,}"),  # Google refresh tokens
    # key=value, key: value, "key": "value" for the names secrets travel under
    re.compile(
        rf"(?i)([\"']?\b(?:{_SECRET_NAMES})\b[\"']?\s*[:=]\s*)"
        r"(\"(?:[^\"\\]|\\.)*\"|'[^']*'|[^\s&,;}]+)"
    ),
    # ('name', 'value') pairs, as OAuth libraries log their parameters
    re.compile(rf"(?i)([\"'](?:{_SECRET_NAMES})[\"']\s*,\s*)(\"[^\"]*\"|'[^']*')"),
]


def redact(text: str) -> str:
    """The text with anything that looks like a credential replaced."""
    for pattern in _SECRET_PATTERNS:
        if pattern.groups:
            text = pattern.sub(lambda m: f"{m.group(1)}{REDACTED}", text)
        else:
            text = pattern.sub(REDACTED, text)
    return text


class RedactingFormatter(logging.Formatter):
    """One line per message (names with newlines or undecodable bytes escaped, names.py),
    then the whole record (message, arguments and traceback) scrubbed of secrets."""

    def formatMessage(self, record: logging.LogRecord) -> str:
        return one_line(super().formatMessage(record))

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class PrivateRotatingFileHandler(logging.FileHandler):
    """A log file rotated by size as logging.handlers.RotatingFileHandler does (NAME.1 the
    newest of `backupCount` predecessors), whose files are created 0600 (also after each
    rotation). Built on FileHandler because logging.handlers imports sockets, pickle and queues:
    ~8 ms of every command's start-up, for a class this small."""

    def __init__(
        self,
        filename: str,
        mode: str = "a",
        maxBytes: int = 0,  # RotatingFileHandler's names
        backupCount: int = 0,
        encoding: str | None = None,
        delay: bool = False,
        errors: str | None = None,
    ) -> None:
        super().__init__(filename, "a" if maxBytes > 0 else mode, encoding, delay, errors)
        self.maxBytes = maxBytes
        self.backupCount = backupCount

    def _open(self):  # type: ignore[no-untyped-def]
        fd = open_private(self.baseFilename, os.O_WRONLY | os.O_APPEND)
        return os.fdopen(fd, self.mode, encoding=self.encoding, errors=self.errors)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self.shouldRollover(record):
                self.doRollover()
            super().emit(record)
        except Exception:
            self.handleError(record)

    def shouldRollover(self, record: logging.LogRecord) -> bool:
        """The record would take the file to maxBytes (never for a non-regular file)."""
        if os.path.exists(self.baseFilename) and not os.path.isfile(self.baseFilename):
            return False
        if self.stream is None:
            self.stream = self._open()
        if self.maxBytes > 0:
            msg = f"{self.format(record)}\n"
            self.stream.seek(0, 2)
            if self.stream.tell() + len(msg) >= self.maxBytes:
                return True
        return False

    def doRollover(self) -> None:
        """NAME.(n-1) -> NAME.n, ..., NAME -> NAME.1, then a new NAME."""
        if self.stream:
            self.stream.close()
            self.stream = None  # type: ignore[assignment]
        if self.backupCount > 0:
            for i in range(self.backupCount - 1, 0, -1):
                older, newer = f"{self.baseFilename}.{i}", f"{self.baseFilename}.{i + 1}"
                if os.path.exists(older):
                    if os.path.exists(newer):
                        os.remove(newer)
                    os.rename(older, newer)
            first = f"{self.baseFilename}.1"
            if os.path.exists(first):
                os.remove(first)
            if os.path.exists(self.baseFilename):
                os.rename(self.baseFilename, first)
        if not self.delay:
            self.stream = self._open()


def log_dir() -> Path:
    return user_dir("XDG_STATE_HOME") / "logs"


def log_path() -> Path:
    return log_dir() / LOG_NAME


def log_files() -> list[Path]:
    """The current log and its rotated predecessors, newest first."""
    base = log_path()
    rotated = [base.with_name(f"{LOG_NAME}.{i}") for i in range(1, BACKUPS + 1)]
    return [p for p in [base, *rotated] if p.exists()]


def _ours(handler: logging.Handler) -> bool:
    return bool(getattr(handler, "_photoarchive", False))


def setup_logging(verbose: bool = False, stderr_level: int | None = None) -> Path | None:
    """Log to stderr (WARNING, or INFO with -v) and to the rotating file (INFO, or the level in
    PHOTOARCHIVE_LOG_LEVEL). Calling it again replaces the handlers it installed before.

    Returns the log file, or None when the state dir cannot be written (stderr only then).
    """
    root = logging.getLogger()
    for handler in [h for h in root.handlers if _ours(h)]:
        root.removeHandler(handler)
        handler.close()
    err_level = stderr_level or (logging.INFO if verbose else logging.WARNING)
    file_level = logging.getLevelName(os.environ.get(LOG_LEVEL_ENV, "INFO").upper())
    if not isinstance(file_level, int):
        file_level = logging.INFO
    stderr = logging.StreamHandler()
    stderr.setLevel(err_level)
    stderr.setFormatter(RedactingFormatter("%(levelname)s %(name)s: %(message)s"))
    handlers: list[logging.Handler] = [stderr]
    path: Path | None = log_path()
    try:
        private_dir(path.parent)  # type: ignore[union-attr]
        fh = PrivateRotatingFileHandler(
            str(path), maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
        fh.setLevel(file_level)
        fh.setFormatter(RedactingFormatter(FORMAT))
        handlers.append(fh)
    except OSError as exc:
        stderr.handle(
            logging.makeLogRecord(
                {
                    "levelno": logging.WARNING,
                    "levelname": "WARNING",
                    "name": __name__,
                    "msg": f"cannot write the log file {path}: {exc.strerror}",
                }
            )
        )
        path = None
    for handler in handlers:
        handler._photoarchive = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(min(err_level, file_level))
    return path
