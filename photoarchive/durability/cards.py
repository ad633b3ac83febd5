"""Cards in the safe: which camera card each week's originals came from, and its name.

The importer records every file's card by its volume id (the filesystem UUID where the system
knows it) and each card's filesystem identity (importing.volumes: UUID, label, capacity); here
the user names a card ("blue 64 GB, safe shelf 2") and asks which card holds a week. A card
shows as its user's name, else as the system knows it ("EOS_DIGITAL 32 GB"). A labelled card
counts as a copy in the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from photoarchive.catalog import Catalog
from photoarchive.config import Settings
from photoarchive.durability.checks import card_labels, ensure_schema, set_card_label
from photoarchive.importing.volumes import VolumeIdentity, known_volumes
from photoarchive.names import from_db


@dataclass(frozen=True)
class Card:
    volume: str  # 'uuid:...' or 'mount:...'
    label: str
    files: int
    first: str | None  # capture times of the first and last photo from it
    last: str | None
    weeks: int
    uuid: str = ""  # the filesystem's identity, as the last import from it saw it
    fs_label: str = ""
    capacity: int | None = None

    @property
    def name(self) -> str:
        """The user's name for it, else what the system calls it ('EOS_DIGITAL 32 GB')."""
        ident = VolumeIdentity(self.volume, self.uuid, self.fs_label, self.capacity)
        return card_name(self.label, ident)


def card_name(label: str, ident: VolumeIdentity | None) -> str:
    """How a card is shown: the user's label, else filesystem label and capacity, else ''."""
    return label or (ident.describe() if ident else "")


def card_names(settings: Settings, volumes: list[VolumeIdentity]) -> list[str]:
    """Names for the cards of an import plan (the dialog shows them before copying)."""
    with Catalog(settings.catalog_path) as catalog:
        ensure_schema(catalog.conn)
        labels = card_labels(catalog.conn)
    return [card_name(labels.get(v.volume, ""), v) or v.volume for v in volumes]


def volume_names(catalog: Catalog) -> dict[str, str]:
    """volume id -> its name, for every card the catalog knows a label or identity of."""
    ensure_schema(catalog.conn)
    labels = card_labels(catalog.conn)
    idents = known_volumes(catalog.conn)
    out = {v: card_name(labels.get(v, ""), ident) for v, ident in idents.items()}
    out.update(labels)
    return {v: n for v, n in out.items() if n}


class UnknownCard(LookupError):
    """No card (or more than one) matches what the user typed."""


def list_cards(settings: Settings, week: str | None = None) -> list[Card]:
    with Catalog(settings.catalog_path) as catalog:
        ensure_schema(catalog.conn)
        where = "AND f.week = ?" if week else ""
        rows = catalog.conn.execute(
            "SELECT f.source_volume, COALESCE(k.label, ''), COUNT(*), MIN(f.capture_time), "
            "MAX(f.capture_time), COUNT(DISTINCT f.week) FROM files f "
            "LEFT JOIN cards k ON k.volume = f.source_volume "
            f"WHERE f.source_volume IS NOT NULL AND f.role != 'sidecar' {where} "
            "GROUP BY f.source_volume ORDER BY MIN(f.capture_time)",
            (week,) if week else (),
        )
        cards = [Card(from_db(r[0]) or "", r[1], r[2], r[3], r[4], r[5]) for r in rows]
        idents = known_volumes(catalog.conn)
    out = []
    for c in cards:
        ident = idents.get(c.volume)
        if ident is not None:
            c = replace(c, uuid=ident.uuid, fs_label=ident.fs_label, capacity=ident.capacity)
        out.append(c)
    return out


def label_card(settings: Settings, ident: str, label: str) -> Card:
    """Name a card: ident is its volume id, a unique part of it, or its number in `list`."""
    cards = list_cards(settings)
    if ident.isdigit() and 1 <= int(ident) <= len(cards):
        found = [cards[int(ident) - 1]]
    else:
        found = [c for c in cards if c.volume == ident] or [c for c in cards if ident in c.volume]
    if len(found) != 1:
        what = "no card" if not found else f"{len(found)} cards"
        raise UnknownCard(f"{what} match {ident!r}; see `photoarchive cards list`")
    with Catalog(settings.catalog_path) as catalog:
        ensure_schema(catalog.conn)
        set_card_label(catalog.conn, found[0].volume, label.strip())
    return replace(found[0], label=label.strip())
