"""The Flickr fixtures (defined in fixtures.py, which the GUI tests import too)."""

from flickr.fixtures import file_keyring, flickr_env, flickr_server  # noqa: F401
