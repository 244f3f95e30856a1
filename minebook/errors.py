"""The exceptions the data layer raises: each names what failed and why, in one line."""
from __future__ import annotations


def clean(text, limit: int = 200) -> str:
    """Text a server chose (a reason phrase, an error page) as one short printable line: a newline or a
    carriage return in it could otherwise forge a second `error:` line or overwrite the real one."""
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in str(text)).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


class SourceError(Exception):
    def __init__(self, source: str, reason: str):
        reason = clean(reason, 400)
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class RefreshError(Exception):
    """A refresh refused as a whole (the data folder, its datapackage.json, a concurrent run), not one source."""


class SnapshotError(Exception):
    """A committed snapshot is missing, altered, or not described in datapackage.json."""
