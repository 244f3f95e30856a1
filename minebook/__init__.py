"""Shared plumbing for the book: data access, fetching, validation and chart setup."""
from .data import load
from .errors import SnapshotError, SourceError

__all__ = ["load", "SnapshotError", "SourceError"]
