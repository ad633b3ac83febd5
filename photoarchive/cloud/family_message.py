"""The ready-to-send message for a relative who was given access (Family dialog, `share add`).

Free of the Google libraries, so the GUI can build it on its own thread.
"""

from __future__ import annotations

from collections.abc import Sequence

from photoarchive.cloud.site_render import intro, object_url
from photoarchive.cloud.target import Target, site_index_object
from photoarchive.config import Settings


def share_message(settings: Settings, target: Target, emails: Sequence[str] = ()) -> str:
    """Plain text to paste into an e-mail: the link, what to do, and whom to ask."""
    base = settings.site_base_url
    guide = object_url(base, target.bucket, "README.html")
    who = settings.sync_contact.strip() or "me"
    account = (
        f"the Google account {', '.join(emails)}"
        if emails
        else "the Google account I shared it with"
    )
    lines = ["Hello,", "", intro(settings.sync_contact), ""]
    if settings.site_enabled:
        site = object_url(base, target.bucket, site_index_object(target))
        lines += [
            f"Open this address in a web browser and sign in with {account}:",
            f"  {site}",
            "It lists the weeks; on a week's page, click a photo to download the original file.",
        ]
    else:
        lines += [f"Open this address in a web browser and sign in with {account}:", f"  {guide}"]
    lines += [
        "",
        "How to download a whole week or everything, how to check the files and what it costs:",
        f"  {guide}",
        "",
        f'If a link does not open ("access denied" or a sign-in loop), ask {who}.',
    ]
    return "\n".join(lines) + "\n"
