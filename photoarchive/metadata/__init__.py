"""Metadata inside the photo files: the exiv2 wrapper (`exiv2`, the only module importing
pyexiv2), reading, tag values, edits and the batch that applies them in worker processes,
sidecars, JPEG segments, places, coordinates and GPX tracks. Writes: `jpeg_write` changes a
JPEG's headers byte-exactly (`exif_patch`, `iptc_edit`), and `write_check` (with `tiff_walk`
and `blocks`: our own readers, never exiv2 reading its own output) refuses any write that
would lose or change a tag the edit does not set.

May import the base and `importing` (the card guard and capture times); never cloud, flickr,
durability, a face or Qt.
"""
