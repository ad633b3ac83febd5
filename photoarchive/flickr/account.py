"""Who is signed in, Pro or free, and whether an upload fits the account's limits.

A free account holds 1,000 items, of which at most 50 may be non-public. The check runs before
anything is sent, so a week of "family" photos never fails part-way on the 51st.
"""

from __future__ import annotations

from dataclasses import dataclass

from photoarchive.flickr.api import FlickrClient, FlickrProblem, content_text
from photoarchive.jobs import CancelToken

FREE_ITEMS, FREE_NON_PUBLIC = 1000, 50
_NON_PUBLIC_FILTERS = (2, 3, 4, 5)  # friends, family, friends & family, private


@dataclass(frozen=True)
class Account:
    nsid: str
    username: str
    pro: bool
    items: int
    non_public: int | None  # counted for free accounts only

    def describe(self) -> str:
        if self.pro:
            return f"{self.username}: Flickr Pro, {self.items} items (no item limit)"
        return (
            f"{self.username}: free account, {self.items} of {FREE_ITEMS} items, "
            f"{self.non_public} of {FREE_NON_PUBLIC} non-public"
        )

    def as_dict(self) -> dict[str, object]:
        limits = None if self.pro else {"items": FREE_ITEMS, "non_public": FREE_NON_PUBLIC}
        return {"nsid": self.nsid, "username": self.username, "pro": self.pro,
                "items": self.items, "non_public": self.non_public, "limits": limits}  # fmt: skip


def account_status(client: FlickrClient, cancel: CancelToken | None = None) -> Account:
    """test.login proves the token works; then the account type and its counts."""
    user = client.call("flickr.test.login", cancel)["user"]
    nsid, username = user["id"], content_text(user.get("username"))
    status = client.call("flickr.people.getUploadStatus", cancel)["user"]
    pro = bool(int(status.get("ispro", 0)))
    info = client.call("flickr.people.getInfo", cancel, user_id=nsid)["person"]
    items = int(content_text(info.get("photos", {}).get("count")) or 0)
    non_public = None
    if not pro:
        non_public = 0
        for privacy in _NON_PUBLIC_FILTERS:
            found = client.call(
                "flickr.photos.search", cancel, user_id="me", privacy_filter=privacy, per_page=1
            )
            non_public += int(found["photos"]["total"])
    return Account(nsid, username, pro, items, non_public)


def check_room(account: Account, new_items: int, new_non_public: int) -> None:
    """Raise FlickrProblem('full') with the numbers if these uploads would cross a limit."""
    if account.pro or new_items == 0:
        return
    if account.items + new_items > FREE_ITEMS:
        raise FlickrProblem(
            "full",
            f"account full: this free Flickr account holds {account.items} of its "
            f"{FREE_ITEMS} items, and {new_items} more would cross the limit. Nothing was "
            "uploaded: choose fewer photos, delete some on Flickr, or upgrade to Flickr Pro.",
        )
    held = account.non_public or 0
    if new_non_public and held + new_non_public > FREE_NON_PUBLIC:
        raise FlickrProblem(
            "full",
            f"account full: a free Flickr account may hold at most {FREE_NON_PUBLIC} "
            f"non-public items; it holds {held}, and these {new_non_public} would make "
            f"{held + new_non_public}. Nothing was uploaded: upload them as public "
            "(--privacy public), choose fewer, or upgrade to Flickr Pro.",
        )
