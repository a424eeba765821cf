"""Errors a user can fix. The CLI prints them as one line and exits with status 2."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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


# ---- typed errors: code and tests tell failures apart without matching text; all exit 2 ------------

class ProjectFileError(UserError):
    """A project's own file (commentkit.yaml, profile.yaml, an answer file) is malformed or refused."""


class DocketPackError(UserError):
    """A docket pack (docket.yaml, questions.yaml, interview.yaml) is malformed, missing or refused."""


class WordFileError(UserError):
    """A Word file cannot be read, is unsafe (zip bomb, external entities), or is not the expected letter."""


class TemplateError(UserError):
    """A letter or member template cannot be rendered (syntax, sandbox, output limits)."""


class NetworkError(UserError):
    """The Federal Register could not be reached or answered with something unusable."""


class LimitError(UserError):
    """An input or output is larger than commentkit's limits."""


class PathError(UserError):
    """A path leads outside the project, through a symbolic link, or to something that is not a file."""


@contextmanager
def typed(cls: type[UserError]) -> Iterator[None]:
    """Give a plain :class:`UserError` raised inside the block the type ``cls`` (the generic YAML and
    validation readers do not know what kind of file they read; their callers do)."""
    try:
        yield
    except UserError as exc:
        if type(exc) is UserError:
            raise cls(exc.message, exc.path, exc.line) from None
        raise
