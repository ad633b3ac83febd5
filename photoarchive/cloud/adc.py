"""Is this computer signed in to Google (Application Default Credentials)? Read-only checks
of where gcloud and the environment keep them, without loading the Google libraries, so the
welcome assistant can say what to do before anything talks to the network."""

from __future__ import annotations

import os
from pathlib import Path

ADC_ENV = "GOOGLE_APPLICATION_CREDENTIALS"
LOGIN_COMMAND = "gcloud auth application-default login"


def gcloud_config_dir() -> Path:
    value = os.environ.get("CLOUDSDK_CONFIG", "").strip()
    return Path(value) if value else Path.home() / ".config" / "gcloud"


def adc_file() -> Path | None:
    """The credentials file Google's libraries would use, if one exists (never read here)."""
    env = os.environ.get(ADC_ENV, "").strip()
    if env and Path(env).is_file():
        return Path(env)
    default = gcloud_config_dir() / "application_default_credentials.json"
    return default if default.is_file() else None


def gcloud_login_command() -> str:
    return LOGIN_COMMAND
