"""``commentkit serve``: the browser app (the only command that loads the web stack)."""

from __future__ import annotations

import click

from commentkit.cli.common import today_option
from commentkit.errors import UserError


@click.command()
@click.argument("folder", required=False, default=".", type=click.Path(file_okay=False), metavar="[FOLDER]")
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="Port to listen on (default: a free one).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but this computer's loopback needs --allow-remote.")
@click.option("--allow-remote", is_flag=True, help="Allow --host to be an address other machines can reach.")
@click.option("--no-browser", is_flag=True, help="Print the address but do not open a browser.")
@today_option
def serve(folder, port, host, allow_remote, no_browser):
    """Work in the browser: projects, questionnaire, plan, answers, letter, Word edits, package.

    Serves FOLDER (a project, or a folder of projects) on this computer only, at an address
    with a random access token, and opens it in the browser. Everything is saved to the same
    files the commands use, with the same checks: an answer changed meanwhile (by a command, a
    text editor or another tab) is never overwritten. See docs/web.md.

    \b
    Examples:
      commentkit serve samples/semiconductor-jv
      commentkit serve ~/comments --port 8765 --no-browser
    """
    from commentkit.web import server  # lazy: starlette and uvicorn load only for this command

    if host not in server.LOOPBACK:
        if not allow_remote:
            raise UserError(f"--host {host} would let other machines reach your drafts; add --allow-remote "
                            "if that is what you want (see docs/web.md)")
        click.echo(f"Warning: listening on {host}: other machines that can reach this address can open the app "
                   "with the link below. The link's token is the only protection, and the connection is not "
                   "encrypted.", err=True)
    server.serve(folder, host, port, not no_browser, echo=click.echo)
