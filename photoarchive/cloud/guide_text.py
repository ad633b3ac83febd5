"""What the family guide says, as blocks both README.html and README.txt are rendered from.

Written for a relative who has never heard of this program: what this is, whom to ask, how to
get one photo, a week or everything (browser, `gcloud storage`, rclone), how to check that a
download is complete and intact, and what it costs at the region's prices in the settings.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from photoarchive.archive import MANIFEST_NAME
from photoarchive.cloud.site_render import object_url
from photoarchive.cloud.target import Target, site_index_object
from photoarchive.config import Settings
from photoarchive.manifest import CHECK_COMMAND

GB = 1 << 30  # Google bills binary gigabytes
CONSOLE = "https://console.cloud.google.com/storage/browser"
PRICES = "https://cloud.google.com/storage/pricing"


@dataclass(frozen=True)
class Block:
    kind: Literal["h", "p", "pre"]
    text: str


def _money(dollars: float) -> str:
    return f"${dollars:.2f}" if dollars >= 0.995 or dollars == 0 else f"${dollars:.3f}"


def _gb(size: int) -> str:
    return f"{size / GB:.1f} GB" if size >= GB / 10 else f"{size / GB:.3f} GB"


def folder_url(target: Target, folder: str = "") -> str:
    path = "/".join(p for p in (target.bucket, target.prefix, folder) if p)
    return f"gs://{path}"


def rclone_path(target: Target, folder: str = "") -> str:
    return "REMOTE:" + "/".join(p for p in (target.bucket, target.prefix, folder) if p)


def guide_blocks(
    settings: Settings,
    target: Target,
    total_bytes: int,
    weeks: int,
    example_week: str,
    contact: str,
) -> list[Block]:
    """Everything above the list of weeks."""
    who = contact.strip() or "the person who set this up"
    site = object_url(settings.site_base_url, target.bucket, site_index_object(target))
    week = example_week or "2024-01-01"
    storage = settings.price_storage_gb_month
    fetch = settings.price_retrieval_gb + settings.price_egress_gb
    per_week = total_bytes / weeks if weeks else 0
    blocks = [
        Block("h", "What this is"),
        Block(
            "p",
            "The family's photos and videos: the original files, exactly as they came from "
            "the cameras, with dates, places and captions stored inside each file. There is "
            "one folder per week, named after the Monday of that week; any photo program can "
            "open the files.",
        ),
        Block("p", f"Who to ask: {who}"),
        Block("h", "Look at the photos, download one photo"),
    ]
    if settings.site_enabled:
        blocks += [
            Block(
                "p",
                f"Open {site} in a web browser and sign in with the Google account you were "
                "given access with. It lists the weeks; a week's page shows its photos with "
                "their titles, captions and places. Click a photo to download the original "
                "file.",
            )
        ]
    else:
        one = object_url(settings.site_base_url, target.bucket, target.object_name(week))
        blocks += [
            Block(
                "p",
                f"Open {one}/FILE with the week and file name you want, signed in with the "
                "Google account you were given access with: the browser downloads that "
                "original file.",
            )
        ]
    blocks += [
        Block(
            "p",
            f"The Google Cloud Console lists the same folders and files: {CONSOLE}/"
            + folder_url(target).removeprefix("gs://")
            + " (one download click per file).",
        ),
        Block("h", "Download a week"),
    ]
    if settings.site_zips and settings.site_enabled:
        blocks.append(
            Block("p", "On a week's page, click 'Download the whole week as one ZIP file'.")
        )
    blocks += [
        Block(
            "p",
            "With the Google Cloud command-line tools (https://cloud.google.com/sdk), after "
            "`gcloud auth login`, for example the week of " + week + ":",
        ),
        Block("pre", f"gcloud storage cp -r {folder_url(target, week)} ."),
        Block(
            "p",
            "Or with rclone (https://rclone.org): run `rclone config`, add a remote of type "
            "'Google Cloud Storage' (call it REMOTE) and sign in, then:",
        ),
        Block("pre", f'rclone copy "{rclone_path(target, week)}" "./{week}" --progress'),
        Block("h", "Download everything"),
        Block(
            "pre",
            f"gcloud auth login\ngcloud storage cp -r {target.url} .\n"
            f'rclone copy "{rclone_path(target)}" "./family-photos" --progress',
        ),
        Block(
            "p",
            "Both can be run again after an interruption: rclone skips what is already "
            "there; `gcloud storage cp` takes `--no-clobber` for the same.",
        ),
        Block("h", "Check that a download is complete and intact"),
        Block(
            "p",
            "rclone compares what you downloaded with the bucket, file by file, by size and "
            "checksum, and lists anything missing or different:",
        ),
        Block("pre", f'rclone check "{rclone_path(target, week)}" "./{week}" --one-way'),
        Block(
            "p",
            f"Each week folder also holds {MANIFEST_NAME}, the archive's list of that week's "
            "files with their BLAKE3 checksums. With b3sum "
            "(https://github.com/BLAKE3-team/BLAKE3), inside a downloaded week folder (every "
            "line should end in OK; a file that fails or is missing is not the original: "
            f"download it again, or ask {who}):",
        ),
        Block("pre", CHECK_COMMAND),
        Block(
            "p",
            "With the Google tools, `gcloud storage hash FILE` prints a file's MD5, to compare "
            "with the one `gcloud storage ls -L` shows for the object.",
        ),
        Block("h", "What it costs"),
        Block(
            "p",
            "The bucket's owner pays Google (prices of the bucket's region, in US dollars, as "
            f"set in the archive's settings; Google's price list: {PRICES}):",
        ),
        Block(
            "p",
            f"Keeping the photos (Nearline storage): {_money(storage)} per GB per month; this "
            f"archive ({_gb(total_bytes)}) costs about {_money(total_bytes / GB * storage)} "
            "per month.",
        ),
        Block(
            "p",
            f"Downloading: Nearline retrieval {_money(settings.price_retrieval_gb)} per GB "
            f"plus internet egress {_money(settings.price_egress_gb)} per GB, so about "
            f"{_money(fetch)} per GB: a typical week ({_gb(int(per_week))}) about "
            f"{_money(per_week / GB * fetch)}, everything about "
            f"{_money(total_bytes / GB * fetch)}. Looking at the family pages costs next to "
            "nothing (their thumbnails are small).",
        ),
    ]
    return blocks
