"""The off-site copy in Google Cloud Storage: the bucket target, the sync plan, what was uploaded
(state) and per-week status, the upload and client, remote verify, family sharing by IAM and
the family guide in the bucket.

May import the base and `metadata` (titles for the guide); never importing itself (metadata
may, for its date readers), flickr, durability, a face or Qt.
"""
