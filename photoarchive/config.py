"""Settings: a TOML file in the user's config dir, read once into a frozen dataclass.

Nothing reads settings from a global: the CLI or GUI loads them and passes them down, so tests
and scripts can run several archives side by side.
"""

from __future__ import annotations

import logging
import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path

from photoarchive.private import open_private, private_dir

try:  # CPython's own SHA-1: hashlib would load OpenSSL (~2 ms) for one short digest per run
    from _sha1 import sha1
except ImportError:  # another Python
    from hashlib import sha1

log = logging.getLogger(__name__)

APP_NAME = "photoarchive"
ARCHIVE_ENV = "PHOTOARCHIVE_ARCHIVE"
DEFAULT_WEEK_PATTERN = "%Y-%m-%d"
SETTINGS_NAME = "settings.toml"

# The user's folders on Linux, by their XDG variable and default (platformdirs' rules).
_XDG_HOMES = {
    "XDG_CONFIG_HOME": "~/.config",
    "XDG_DATA_HOME": "~/.local/share",
    "XDG_CACHE_HOME": "~/.cache",
    "XDG_STATE_HOME": "~/.local/state",
}

# TOML section -> (settings field, toml key); top-level keys use section "".
_TOML_KEYS: dict[str, tuple[str, str]] = {
    "archive": ("", "archive"),
    "week_pattern": ("", "week_pattern"),
    "bucket": ("sync", "bucket"),
    "gcs_key_file": ("sync", "key_file"),
    "gcs_project": ("sync", "project"),
    "sync_hold_back_days": ("sync", "hold_back_days"),
    "sync_contact": ("sync", "contact"),
    "site_enabled": ("sync", "site"),
    "site_base_url": ("sync", "site_base_url"),
    "site_zips": ("sync", "week_zips"),
    "price_storage_gb_month": ("sync", "price_storage_gb_month"),
    "price_retrieval_gb": ("sync", "price_retrieval_gb"),
    "price_egress_gb": ("sync", "price_egress_gb"),
    "raw_sidecar": ("metadata", "raw_sidecar"),
    "flickr_api_key": ("flickr", "api_key"),
    "flickr_user": ("flickr", "user"),
    "flickr_api_secret": ("flickr", "api_secret"),
    "flickr_url": ("flickr", "url"),
    "flickr_private_places": ("flickr", "private_places"),
    "network_timeout": ("network", "timeout"),
    "policy_copies": ("safety", "copies"),
    "policy_verify_days": ("safety", "verify_days"),
    "soft_delete_days": ("safety", "soft_delete_days"),
}


class SettingsError(ValueError):
    """A value in the settings file has the wrong type; the message names the file and key."""


def user_dir(xdg_var: str) -> Path:
    """The program's folder of one kind (XDG_CONFIG_HOME, _DATA_, _CACHE_ or _STATE_HOME), as
    platformdirs names it. On Linux computed here by platformdirs' rules (an absolute XDG
    variable, else the default under an absolute HOME): importing platformdirs costs every run
    ~6 ms (tempfile, shutil, random); it is asked on other systems and in odd environments."""
    android = os.environ.get("ANDROID_DATA") == "/data" and os.environ.get("ANDROID_ROOT") == (
        "/system"
    )
    if sys.platform == "linux" and not hasattr(sys, "getandroidapilevel") and not android:
        base = os.environ.get(xdg_var, "")
        if os.path.isabs(base):
            return Path(base, APP_NAME)
        if os.path.isabs(os.environ.get("HOME", "")):
            return Path(os.path.expanduser(_XDG_HOMES[xdg_var]), APP_NAME)
    import platformdirs

    which = {
        "XDG_CONFIG_HOME": platformdirs.user_config_dir,
        "XDG_DATA_HOME": platformdirs.user_data_dir,
        "XDG_CACHE_HOME": platformdirs.user_cache_dir,
        "XDG_STATE_HOME": platformdirs.user_state_dir,
    }[xdg_var]
    return Path(which(APP_NAME))


def config_dir() -> Path:
    return user_dir("XDG_CONFIG_HOME")


def data_dir() -> Path:
    return user_dir("XDG_DATA_HOME")


def cache_dir() -> Path:
    return user_dir("XDG_CACHE_HOME")


def default_archive() -> Path:
    import platformdirs  # here: a run given its archive (settings, --archive) never asks

    return Path(platformdirs.user_pictures_dir()) / "PhotoArchive"


@dataclass(frozen=True)
class Settings:
    archive: Path = field(default_factory=default_archive)
    week_pattern: str = DEFAULT_WEEK_PATTERN
    bucket: str = ""  # gs://BUCKET[/PREFIX]
    gcs_key_file: str = ""  # a path only; the key itself is never copied
    gcs_project: str = ""
    sync_hold_back_days: int = 0
    sync_contact: str = ""  # who the family guide says to ask
    site_enabled: bool = True  # the family's web pages in the bucket (_site/)
    site_base_url: str = "https://storage.cloud.google.com"  # browser download address
    site_zips: bool = False  # one ZIP of the originals per week (stored twice: costs more)
    # The bucket region's prices in USD (Nearline; see NOTES): storage, retrieval, egress.
    price_storage_gb_month: float = 0.010
    price_retrieval_gb: float = 0.01
    price_egress_gb: float = 0.12
    raw_sidecar: bool = False  # write XMP sidecars for RAW files instead of the RAW itself
    flickr_api_key: str = ""  # or FLICKR_API_KEY
    flickr_user: str = ""
    flickr_api_secret: str = ""  # or FLICKR_API_SECRET; the access token is in the keyring
    flickr_url: str = ""  # one base for every Flickr endpoint (a local server); "" = flickr.com
    flickr_private_places: str = "strip"  # photos at private places: "strip" GPS or "restrict"
    # Seconds a request may make no progress before it fails; after its retries a run stops
    # about this long after the server went away (cloud/deadlines.py).
    network_timeout: float = 60.0
    # The safety policy (`photoarchive status` exits 1 when a week falls short): at least this
    # many verified copies (archive, bucket, a labelled card), the archive's re-read within N days.
    policy_copies: int = 2
    policy_verify_days: int = 35
    soft_delete_days: int = 30  # `bucket create`: deleted or replaced objects kept this long
    config_dir: Path = field(default_factory=config_dir)
    data_dir: Path = field(default_factory=data_dir)
    cache_dir: Path = field(default_factory=cache_dir)

    @property
    def settings_file(self) -> Path:
        return self.config_dir / SETTINGS_NAME

    @property
    def places_file(self) -> Path:
        return self.config_dir / "places.toml"

    @property
    def lock_path(self) -> Path:
        """Held by every job that writes to the archive or rebuilds its catalog."""
        return self.catalog_path.with_suffix(".lock")

    @property
    def catalog_path(self) -> Path:
        """One catalog per archive folder, so switching archives never mixes their indexes."""
        real = os.path.realpath(self.archive)
        slug = re.sub(r"[^A-Za-z0-9_-]+", "_", Path(real).name)[:40] or "archive"
        digest = sha1(real.encode("utf-8", "surrogateescape")).hexdigest()[:12]
        return self.data_dir / "catalogs" / f"{slug}-{digest}.sqlite"


def load_settings(
    archive: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    settings_file: Path | None = None,
) -> Settings:
    """Defaults, then the TOML file, then PHOTOARCHIVE_ARCHIVE, then an explicit archive."""
    env = os.environ if env is None else env
    config = config_dir()
    path = settings_file or config / SETTINGS_NAME
    values: dict[str, object] = {"config_dir": config}
    if path.exists():
        import tomllib  # here: ~3 ms of imports, for runs that have a settings file

        try:
            with path.open("rb") as fh:
                doc = tomllib.load(fh)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            log.warning("ignoring unreadable settings file %s: %s", path, exc)
            doc = {}
        for name, (section, key) in _TOML_KEYS.items():
            table = doc if not section else doc.get(section, {})
            if isinstance(table, dict) and key in table:
                values[name] = table[key]
    if env.get(ARCHIVE_ENV):
        values["archive"] = env[ARCHIVE_ENV]
    if archive is not None:
        values["archive"] = archive
    if "archive" in values:
        values["archive"] = Path(os.path.expanduser(str(values["archive"])))
    types = {f.name: f.type for f in fields(Settings)}
    for name, value in list(values.items()):
        for kind, words in ((int, "a whole number"), (float, "a number")):
            if types[name] in (kind.__name__, kind) and not isinstance(value, kind):
                try:
                    values[name] = kind(value)  # type: ignore[call-overload]
                except (TypeError, ValueError):
                    section, key = _TOML_KEYS[name]
                    where = f"[{section}] " if section else ""
                    raise SettingsError(
                        f"{path}: {where}{key} must be {words}, not {value!r}"
                    ) from None
        if types[name] in ("bool", bool):
            values[name] = bool(value)
    # Defaults only for what is not given: the default archive is not looked up when unused.
    return Settings(**values)  # type: ignore[arg-type]


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def save_settings(settings: Settings, settings_file: Path | None = None) -> Path:
    """Write the user-facing settings atomically (temp file + rename)."""
    path = settings_file or settings.settings_file
    private_dir(path.parent)
    sections: dict[str, list[str]] = {}
    for name, (section, key) in _TOML_KEYS.items():
        sections.setdefault(section, []).append(f"{key} = {_toml_value(getattr(settings, name))}")
    lines = [*sections.pop("", []), ""]
    for section, entries in sections.items():
        lines += [f"[{section}]", *entries, ""]
    tmp = path.with_name(f".{path.name}.tmp")
    with open(open_private(tmp), "w", encoding="utf-8") as fh:  # 0600: private data
        fh.write("\n".join(lines))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path
