"""photoarchive: keep a family's photos safe for decades."""

__version__ = "0.1.0"
