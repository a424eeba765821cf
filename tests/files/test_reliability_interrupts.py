"""Interrupts: Ctrl-C (SIGINT) or closed input at any prompt keeps every answer already given,
and the message says how to resume. Real processes, real signals (and a real terminal for the
arrow-key prompts)."""

from __future__ import annotations

import os
import platform
import re
import select
import signal
import subprocess
import sys
import time

import pytest


def _spawn(*args, **kw):
    return subprocess.Popen([sys.executable, "-m", "commentkit", *map(str, args)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


def _read_until(fd: int, marker: bytes, timeout: float = 20.0, then: bytes = b"") -> bytes:
    """Read from ``fd`` until ``marker`` (and ``then`` after it) has been seen: the prompt is waiting."""
    buf = b""
    end = time.monotonic() + timeout

    def seen() -> bool:
        text = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\r", b"", buf)  # terminal escapes
        return marker in text and then in text[text.index(marker):]

    while not seen():
        left = end - time.monotonic()
        if left <= 0:
            raise AssertionError(f"timed out waiting for {marker!r}; got:\n{buf.decode(errors='replace')}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # pty closed
                chunk = b""
            if not chunk:
                raise AssertionError(f"process ended before {marker!r}; got:\n{buf.decode(errors='replace')}")
            buf += chunk
    return buf


def _profile(project):
    from commentkit.files.yamlio import load_yaml

    return load_yaml(project / "profile.yaml")


def test_sigint_at_interview_prompt_keeps_answers_and_says_how_to_resume(project):
    proc = _spawn("interview", project, "--plain")
    proc.stdin.write(b"1\nAcme Corp.\n")
    proc.stdin.flush()
    _read_until(proc.stdout.fileno(), b"Address for the letterhead", then=b"\n> ")
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    proc.stdin.close()
    assert proc.returncode == 130
    err = err.decode()
    assert "Traceback" not in err
    assert "Interrupted" in err and "saved" in err
    assert f"commentkit interview {project}" in err and "resume" in err
    prof = _profile(project)
    assert prof["commenter_type"] == "company" and prof["commenter_name"] == "Acme Corp."
    # running the command again resumes at the first unanswered item, not at the start
    again = subprocess.run([sys.executable, "-m", "commentkit", "interview", project, "--plain"],
                           input=b"", capture_output=True, timeout=30)
    out = again.stdout.decode()
    assert "Address for the letterhead" in out and "Who is submitting the comment?" not in out
    assert _profile(project)["commenter_name"] == "Acme Corp."


def test_sigint_while_typing_a_multiline_answer_keeps_earlier_answers(project):
    proc = _spawn("interview", project, "--plain")
    proc.stdin.write(b"1\nAcme Corp.\n1 Main Street\n")  # address: one line typed, not finished
    proc.stdin.flush()
    _read_until(proc.stdout.fileno(), b"Address for the letterhead")
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    proc.stdin.close()
    assert proc.returncode == 130
    assert b"Traceback" not in err
    prof = _profile(project)
    assert prof["commenter_name"] == "Acme Corp."
    assert "commenter_address" not in prof  # the unfinished answer is not stored half-typed


def test_closed_input_at_interview_prompt_keeps_answers(project):
    res = subprocess.run([sys.executable, "-m", "commentkit", "interview", project, "--plain"],
                         input=b"1\nAcme Corp.\n", capture_output=True, timeout=30)
    err = res.stderr.decode()
    assert res.returncode == 1
    assert "Input ended" in err and f"commentkit interview {project}" in err
    assert _profile(project)["commenter_name"] == "Acme Corp."


def test_ctrl_c_in_a_real_terminal_keeps_answers(project):
    """The arrow-key prompts (questionary in a pseudo-terminal): Ctrl-C keeps what was answered."""
    import pty

    pid, fd = pty.fork()
    if pid != 0:
        import fcntl
        import struct
        import termios

        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 200, 0, 0))  # wide: no wrapped prompts
    if pid == 0:  # pragma: no cover - child
        os.environ["TERM"] = "xterm"
        os.environ["PROMPT_TOOLKIT_NO_CPR"] = "1"  # no cursor-position queries to wait for
        os.execv(sys.executable, [sys.executable, "-m", "commentkit", "interview", str(project)])
    try:
        _read_until(fd, b"Who is submitting the comment?")
        time.sleep(0.3)
        os.write(fd, b"\r")  # first choice (a company)
        _read_until(fd, b"Name of the organization")
        time.sleep(0.3)
        os.write(fd, b"\r")  # Enter keeps the name given to 'commentkit init' (Acme Corp.)
        _read_until(fd, b"Address for the letterhead")
        time.sleep(0.3)
        os.write(fd, b"\x03")  # Ctrl-C
        out = b""
        end = time.monotonic() + 20
        while time.monotonic() < end:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:
                    break
                if not chunk:
                    break
                out += chunk
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(fd)
    text = out.decode(errors="replace")
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 130, text
    assert "Interrupted" in text and "resume" in text and "Traceback" not in text
    prof = _profile(project)
    assert prof["commenter_type"] == "company" and prof["commenter_name"] == "Acme Corp."


def _wait_reading_stdin(proc, limit: float = 30.0) -> None:
    """Until ``proc`` blocks in read(0, ...) (Linux: /proc/PID/syscall), however slow its start-up
    on a loaded machine; elsewhere, one second."""
    number = {"x86_64": "0", "aarch64": "63"}.get(platform.machine())  # read()
    syscall = f"/proc/{proc.pid}/syscall"
    if number is None or not os.path.exists(syscall):
        time.sleep(1.0)
        return
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        try:
            with open(syscall) as fh:
                fields = fh.read().split()
        except OSError:
            fields = []
        if fields[:2] == [number, "0x0"]:  # read() on file descriptor 0
            time.sleep(0.1)
            return
        time.sleep(0.05)
    time.sleep(1.0)


def test_sigint_while_answer_reads_standard_input_changes_nothing(project):
    from commentkit.project.folder import Project

    key = Project.open(project).pack.bank.questions[0].id
    subprocess.run([sys.executable, "-m", "commentkit", "answer", key, project, "--text", "Kept text."], check=True,
                   capture_output=True)
    before = (project / "answers" / f"{key}.md").read_bytes()
    proc = _spawn("answer", key, project)
    proc.stdin.write(b"Half a new answer")
    proc.stdin.flush()
    _wait_reading_stdin(proc)  # the command is now waiting for the end of standard input
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    err = err.decode()
    assert proc.returncode == 130
    assert "Traceback" not in err
    assert "Interrupted" in err and f"run the command again: commentkit answer {key} {project}" in err
    assert (project / "answers" / f"{key}.md").read_bytes() == before


def test_abort_at_a_prompt_is_reported_with_the_command_to_rerun(run, monkeypatch):
    """click prompts raise Abort on end of input: one line, how to continue, exit 1."""
    import click

    from commentkit.cli import cli

    @click.command("ask-something")
    @click.argument("where")
    def ask(where):
        click.confirm("Write the changes?", abort=True)

    monkeypatch.setitem(cli.commands, "ask-something", ask)
    res = run("ask-something", "my folder", input="")
    assert res.exit_code == 1
    assert "Stopped" in res.stderr and "commentkit ask-something 'my folder'" in res.stderr
    assert "Aborted!" not in res.output


@pytest.mark.parametrize("exc", [PermissionError(13, "Permission denied", "/x/build/letter.docx"),
                                 OSError(28, "No space left on device", "/x/answers/a.md")])
def test_environment_errors_are_one_line_not_tracebacks(run, monkeypatch, exc):
    import click

    from commentkit.cli import cli

    @click.command("fail-io")
    def fail():
        raise exc

    monkeypatch.setitem(cli.commands, "fail-io", fail)
    res = run("fail-io")
    assert res.exit_code == 2
    err = res.stderr.strip()
    assert "\n" not in err and exc.filename in err and exc.strerror in err
