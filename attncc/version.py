"""attncc's version: part of tuning-study names, cache keys and library manifests."""

__version__ = "0.1.0"
