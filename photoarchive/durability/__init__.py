"""Proof that every photo has enough verified copies: image-data identity, week manifests, the
ledger, scrub and repair, cards in the safe, the restore drill (issue 12 adds its modules here).

May import the base and every other capability (it checks all the copies); never a face or Qt.
"""
