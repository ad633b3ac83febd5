"""Import from camera cards: card detection and the card guard, capture times, the import plan,
the verified copier, the importer, and verify/rebuild of the archive against the catalog.

May import the base only (config, catalog, jobs, archive, media, hashing, fileio); never another
capability, a face, pyexiv2 or Qt.
"""
