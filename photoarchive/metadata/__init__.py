"""Metadata inside the photo files: the exiv2 wrapper (`exiv2`, the only module importing
pyexiv2), reading, tag values, edits and the batch that applies them in worker processes,
sidecars, JPEG segments, places, coordinates and GPX tracks.

May import the base and `importing` (the card guard and capture times); never cloud, flickr,
durability, a face or Qt.
"""
