"""What exiv2's XMP toolkit gets wrong or refuses, set right around it (pure Python).

- Duplicate properties ("XMP Toolkit error 203: Duplicate property or field node"): exiv2
  refuses the whole packet; exiftool reads the first. We drop the later copies (and say so).
- exiv2 writes `rdf:about=""` whatever the packet said, and swaps some namespace URIs for the
  spelling it knows (`http://ns.microsoft.com/photo/1.0` -> `.../1.0/`): both are put back.
- ExtendedXMP (JPEG): properties the edit sets are removed from the extended part, which is
  re-chunked under its new GUID, so no reader still finds the old text there.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import struct
import xml.etree.ElementTree as ET
from xml.sax.saxutils import quoteattr

from photoarchive.metadata.write_check import RDF, packet_text

_NS_DECL = re.compile(r"""xmlns:([\w.-]+)\s*=\s*(["'])(.*?)\2""")
_GUID = re.compile(rb"[0-9A-Fa-f]{32}")
EXT_CHUNK = 65000
XMP_NOTE = "http://ns.adobe.com/xmp/note/"


def _register(text: str) -> None:
    """Serialise with the packet's own prefixes (ElementTree invents ns0: otherwise)."""
    for _event, (prefix, uri) in ET.iterparse(io.StringIO(text), events=("start-ns",)):
        with contextlib.suppress(ValueError):  # reserved ns<N>: the URI is what counts
            ET.register_namespace(prefix, uri)


def _wrap(root: ET.Element) -> bytes:
    body = ET.tostring(root, encoding="unicode")
    head = '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
    return (head + body + '\n<?xpacket end="w"?>').encode("utf-8")


def drop_duplicates(packet: bytes) -> tuple[bytes, list[str]]:
    """The packet without repeated properties (the first of each kept) and their names."""
    text = packet_text(packet)
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return packet, []
    seen: set[str] = set()
    dropped: list[str] = []
    for desc in list(root.iter(f"{{{RDF}}}Description")):
        if desc.get(f"{{{RDF}}}about") is None and desc.get("about") is None:
            continue  # a struct's inner description: its fields are not top-level properties
        for name in desc.attrib:
            if not name.startswith(f"{{{RDF}}}") and name != "about":
                if name in seen:
                    del desc.attrib[name]
                    dropped.append(name)
                seen.add(name)
        for child in list(desc):
            if child.tag in seen:
                desc.remove(child)
                dropped.append(child.tag)
            seen.add(child.tag)
    if not dropped:
        return packet, []
    _register(text)
    return _wrap(root), [_short(n) for n in dropped]


def repaired(dups: list[str]) -> list[str]:
    """The note for a packet whose repeated properties were dropped."""
    return [f"repaired the XMP: dropped a repeated {', '.join(dups)} (kept the first)"] * bool(dups)


def unpadded(packet: bytes) -> bytes:
    """A packet without the in-place padding (for a sidecar file of its own)."""
    end = packet.rfind(b"<?xpacket end")
    return packet if end < 0 else packet[:end].rstrip() + b"\n" + packet[end:]


def _short(name: str) -> str:
    ns, _, local = name.rpartition("}")
    return f"{ns.rsplit('/', 2)[-2] if '/' in ns else ns.strip('{')}:{local}"


def restore_identity(original: bytes, new: bytes) -> bytes:
    """Put back the rdf:about and namespace URIs exiv2 rewrote (as exiftool keeps them)."""
    old_text = packet_text(original)
    text = new.decode("utf-8")
    about = _about(old_text)
    if about:
        text = text.replace('rdf:about=""', f"rdf:about={quoteattr(about)}")
    old_ns = {p: uri for p, _, uri in _NS_DECL.findall(old_text)}
    new_ns = {p: uri for p, _, uri in _NS_DECL.findall(text)}
    for prefix, uri in new_ns.items():
        was = old_ns.get(prefix)
        if was is not None and was != uri and was not in new_ns.values():
            text = re.sub(
                rf"""xmlns:{re.escape(prefix)}\s*=\s*(["']){re.escape(uri)}\1""",
                f"xmlns:{prefix}={quoteattr(was)}",
                text,
            )
    return text.encode("utf-8")


def _about(text: str) -> str | None:
    try:
        root = ET.fromstring(text)
    except ET.ParseError:
        return None
    for desc in root.iter(f"{{{RDF}}}Description"):
        about = desc.get(f"{{{RDF}}}about") or desc.get("about")
        if about:
            return about
    return None


def trim_extended(extended: bytes, names: set[str]) -> bytes | None:
    """The extended packet without the top-level properties in `names` ('{ns}local');
    None when it holds none of them (then it stays as it is)."""
    text = packet_text(extended)
    root = ET.fromstring(text)
    removed = False
    for desc in root.iter(f"{{{RDF}}}Description"):
        for name in list(desc.attrib):
            if name in names:
                del desc.attrib[name]
                removed = True
        for child in list(desc):
            if child.tag in names:
                desc.remove(child)
                removed = True
    if not removed:
        return None
    _register(text)
    return ET.tostring(root, encoding="unicode").encode("utf-8")


def extended_guid(data: bytes) -> bytes:
    return hashlib.md5(data).hexdigest().upper().encode("ascii")


def extended_segments(sig: bytes, data: bytes) -> list[bytes]:
    """APP1 payloads: signature, GUID (MD5 of the data), full length, offset, chunk."""
    guid = extended_guid(data)
    return [
        sig + guid + struct.pack(">II", len(data), off) + data[off : off + EXT_CHUNK]
        for off in range(0, len(data), EXT_CHUNK)
    ]


def replace_guid(packet: bytes, old: bytes, new: bytes) -> bytes:
    """Point xmpNote:HasExtendedXMP of the main packet at the new extended part."""
    if not _GUID.fullmatch(old):
        return packet
    return packet.replace(old, new)
