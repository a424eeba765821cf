"""Running the web app: ``commentkit serve`` (uvicorn on 127.0.0.1, the browser opened on a tokened URL)."""

from __future__ import annotations

import socket
import webbrowser
from pathlib import Path

import uvicorn

from commentkit.errors import UserError
from commentkit.models.project import PROJECT_FILE
from commentkit.web.app import create_app
from commentkit.web.security import Guard, SecurityMiddleware

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def free_port(host: str = "127.0.0.1") -> int:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def make(folder: Path, host: str = "127.0.0.1", port: int = 0) -> tuple[SecurityMiddleware, Guard]:
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError("folder not found", folder)
    guard = Guard(port=port or free_port(host), host=host)
    return create_app(folder.resolve(), guard), guard


def serve(folder: Path, host: str, port: int, open_browser: bool, echo=print) -> None:
    app, guard = make(folder, host, port)
    is_project = (Path(folder) / PROJECT_FILE).is_file()
    url = guard.url("/p/~/dashboard" if is_project else "/")
    echo(f"commentkit is serving {Path(folder).resolve()}")
    echo(f"Open: {url}")
    echo("(The link holds this session's access token: do not share it. Ctrl-C stops the server.)")
    if open_browser:
        webbrowser.open(url)
    config = uvicorn.Config(app, host=host, port=guard.port, log_level="warning", access_log=False,
                            server_header=False, date_header=False)
    uvicorn.Server(config).run()
