"""Storage errors worded for the desktop: what to do in the app, never a command to type.

The core's messages are written for both faces; a few name a command-line step (sign in with
gcloud, `photoarchive bucket create`). Here they become the place in the app that fixes it.
Qt-free, so worker threads can call it.
"""

from __future__ import annotations

from typing import Any

from photoarchive.config import Settings

SETTINGS_CLOUD = "Settings → Cloud copy"


def gui_text(exc: BaseException, settings: Settings | None = None) -> str:
    kind = getattr(exc, "kind", "")
    text = str(exc)
    bucket = settings.bucket if settings is not None and settings.bucket else "the bucket"
    if kind == "credentials" and "no Google credentials" in text:
        return (
            "No Google credentials were found. In "
            f"{SETTINGS_CLOUD}, choose the service-account key file (JSON) downloaded "
            "from the Google Cloud Console for this project."
        )
    if kind == "credentials":
        return f"{text}. Check the key file chosen in {SETTINGS_CLOUD}."
    if kind == "not-found":
        return (
            f"{bucket} does not exist yet (or the project in the settings cannot see it). "
            f"Create it in {SETTINGS_CLOUD} with “Create bucket”."
        )
    if kind == "no-iam":
        return text[:1].upper() + text[1:] + "."
    if "--bucket" in text or "[sync]" in text:
        return f"{text.split(':', 1)[0]}: set the bucket (gs://BUCKET) in {SETTINGS_CLOUD}."
    if "`" in text:  # any other command-line advice: keep the reason, drop the command
        return text.split(" (", 1)[0].split(": run", 1)[0]
    return text


def created_words(bucket: Any, location: str, settings: Settings) -> str:
    """What a new bucket is, in words (both GUI paths that create one say the same)."""
    days = settings.soft_delete_days
    kept = (
        f"deleted or replaced files restorable for {days} days"
        if days > 0
        else "no soft delete: a deleted file cannot be restored"
    )
    return (
        f"Created gs://{bucket.name} in {bucket.location or location}: Nearline, private "
        f"(uniform access, public access prevented), {kept}."
    )
