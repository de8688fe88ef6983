"""The library's exceptions. The CLI turns each into one line and a non-zero exit.

    JianghuError
     ├── SourceError            a source could not be read at all
     │    └── SourceFormatError  malformed input at a known position (path:line:col)
     ├── StoreError             the store could not be opened, migrated or written
     │    └── StoreUnavailable   the database server is unreachable or a driver is missing
     ├── QueryError             a search query or filter that cannot be run
     └── ConfigError            a setting or option with an invalid value

Third-party errors are wrapped ``from`` the original so the cause stays visible in logs.
"""

from __future__ import annotations


class JianghuError(Exception):
    """Base class of every error jianghu raises on purpose."""


class SourceError(JianghuError):
    """A source (file, folder, live channel) could not be read."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


class SourceFormatError(SourceError):
    """Malformed input at a known position; ``str()`` is ``path:line:col: message``."""

    def __init__(self, path: str, line: int, col: int, message: str) -> None:
        JianghuError.__init__(self, f"{path}:{line}:{col}: {message}")
        self.path = path
        self.line = line
        self.col = col
        self.message = message


class StoreError(JianghuError):
    """The store could not be opened, migrated or written."""


class StoreUnavailable(StoreError):
    """The database server is unreachable or its driver is not installed."""


class StoreConflict(StoreError):
    """A write that collided with a concurrent writer (a deadlock, say) and was rolled
    back whole: the same call may simply be made again."""


class QueryError(JianghuError):
    """A search query or a filter that cannot be run."""


class ConfigError(JianghuError):
    """A setting or an option with an invalid value."""
