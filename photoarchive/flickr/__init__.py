"""Flickr albums, a cache of the archive that may vanish (issue 14 adds its modules here).

May import the base and `metadata`; never importing, cloud, durability, a face or Qt.
"""
