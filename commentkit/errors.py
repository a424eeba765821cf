"""Errors a user can fix. The CLI prints them as one line and exits with status 2."""

from __future__ import annotations

from pathlib import Path


class UserError(Exception):
    """Bad input or a refused action: one clear line, naming the file (and line) when known."""

    exit_code = 2

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        # always one line: messages from parsers (lxml, YAML) sometimes carry their own newlines
        message = str(message)
        if "\n" in message or "\r" in message:
            message = " ".join(part.strip() for part in message.splitlines() if part.strip())
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        super().__init__(self.format())

    def format(self) -> str:
        if self.path is None:
            return self.message
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
        return f"{where}: {self.message}"


class ConflictError(UserError):
    """A file changed on disk since commentkit read it, or the project is locked."""


class PathError(UserError):
    """A path commentkit refuses: a link leading outside the folder, a FIFO, a device, a socket."""


class LimitError(UserError):
    """An input or a file larger than the limit table allows (``commentkit.files.limits``)."""


class NetworkError(UserError):
    """A download that failed, timed out, or was sent somewhere it may not go."""
