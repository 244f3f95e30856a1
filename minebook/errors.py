"""The one exception the data layer raises: it always names the source and the reason."""


class SourceError(Exception):
    def __init__(self, source: str, reason: str):
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class SnapshotError(Exception):
    """A committed snapshot is missing, altered, or not described in datapackage.json."""
