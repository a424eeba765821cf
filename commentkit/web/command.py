"""``commentkit serve``: the browser app (the only command that loads the web stack).

The command lives in the web package (``commentkit.cli`` names it in its table of commands, like
every other, and imports it only when ``serve`` runs), so the command line and the web app stay
side by side without importing each other.
"""

from __future__ import annotations

import click

from commentkit.errors import UserError
from commentkit.files import clock


def _today(ctx, param, value):
    clock.set_today(value)
    return value


@click.command()
@click.argument("folder", required=False, default=".", type=click.Path(file_okay=False), metavar="[FOLDER]")
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="Port to listen on (default: a free one).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but this computer's loopback needs --allow-remote.")
@click.option("--allow-remote", is_flag=True, help="Allow --host to be an address other machines can reach.")
@click.option("--no-browser", is_flag=True, help="Print the address but do not open a browser.")
@click.option("--today", metavar="YYYY-MM-DD", expose_value=False, callback=_today, is_eager=True,
              help="Pretend today is this date (also: COMMENTKIT_TODAY).")
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
