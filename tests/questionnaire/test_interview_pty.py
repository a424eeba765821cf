"""`commentkit interview` in a real pseudo-terminal: the arrow-key/check-box prompts (questionary)
store the same profile as an answers file, and Ctrl-C at a prompt keeps every answer given."""

from __future__ import annotations

import os
import re
import select
import sys
import time
from pathlib import Path

import pytest
from ruamel.yaml import YAML

pty = pytest.importorskip("pty")

COMMENTKIT = Path(sys.executable).with_name("commentkit")
DOWN, ESC_ENTER, CTRL_C = "\x1b[B", "\x1b\r", "\x03"


class Terminal:
    def __init__(self, *args: str, exe: Path = COMMENTKIT):
        env = dict(os.environ, TERM="xterm", PROMPT_TOOLKIT_NO_CPR="1", COLUMNS="110", LINES="50")
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # pragma: no cover - the child
            os.execve(str(exe), [exe.name, *args], env)
        self.seen = b""
        self.pending = b""

    def _read(self, timeout: float) -> bool:
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:
            return False
        if not chunk:
            return False
        self.pending += chunk
        self.seen += chunk
        return True

    def expect(self, text: str, timeout: float = 15) -> None:
        end = time.monotonic() + timeout
        needle = text.encode()
        while needle not in self.pending:
            if time.monotonic() > end or not self._read(0.1):
                self.kill()
                pytest.fail(f"no {text!r} on the terminal; last output: {plain(self.pending[-600:])!r}")
        self.pending = self.pending[self.pending.index(needle) + len(needle):]

    def send(self, keys: str) -> None:
        os.write(self.fd, keys.encode())
        time.sleep(0.15)

    def finish(self, timeout: float = 15) -> tuple[int, str]:
        """Read until the child exits; a child still running after ``timeout`` is killed and the
        test fails (the harness never hangs on a child that waits forever)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            self._read(0.1)
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                while self._read(0.05) and select.select([self.fd], [], [], 0)[0]:
                    pass
                os.close(self.fd)
                return os.waitstatus_to_exitcode(status), plain(self.seen)
        self.kill()
        pytest.fail(f"commentkit did not exit within {timeout} s; last output: {plain(self.seen[-600:])!r}")

    def kill(self) -> None:
        """End the child (and reap it) so a failed test leaves no process behind."""
        try:
            os.kill(self.pid, 9)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        try:
            os.close(self.fd)
        except OSError:
            pass


def plain(raw: bytes) -> str:
    return re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", raw.decode("utf-8", "replace"))


def load(path: Path) -> dict:
    data = YAML(typ="safe").load(path.read_text())
    data.pop("schema_version", None)
    return data


@pytest.fixture
def project2(run, tmp_path):
    roots = []
    for name in ("terminal", "scripted"):
        root = tmp_path / name
        assert run("init", root, "--docket", "TREAS-DO-2023-0009", "--commenter", "Acme").exit_code == 0
        roots.append(root)
    return roots


def test_terminal_prompts_store_the_same_profile_as_an_answers_file(run, project2, tmp_path):
    term_root, script_root = project2
    t = Terminal("interview", str(term_root))
    t.expect("Who is submitting the comment?")
    t.send(DOWN + "\r")  # An investor
    t.expect("What kind of investor are you?")
    t.send(" " + DOWN + DOWN + " \r")  # venture capital, limited partner
    t.expect("Name of the organization")
    t.send("Harbor Point Ventures, L.P.\r")
    t.expect("Address for the letterhead")
    t.send("1 Main Street\rPalo Alto, CA 94301" + ESC_ENTER)  # multi-line: Esc, Enter submits
    t.expect("U.S. person?")
    t.send("\r")  # Yes
    t.expect("interest in this rulemaking?")
    t.send(ESC_ENTER)  # left blank
    for prompt in ("Contact person", "Contact e-mail", "Contact telephone", "Who signs the letter?",
                   "Signatory's title"):
        t.expect(prompt)
        t.send("not-an-email\r" if prompt == "Contact e-mail" else "\r")
        if prompt == "Contact e-mail":
            t.expect("expected an e-mail address like name@example.com")
            t.send("\x15legal@harborpoint.example\r")  # Ctrl-U clears the line
    t.expect("technology categories")
    t.send(DOWN + DOWN + " \r")  # AI
    t.expect("Which AI activities are involved?")
    t.send(DOWN + DOWN + " \r")  # other AI systems
    t.expect("links with a country of concern?")
    t.send(" " + DOWN + " \r")  # PRC, Hong Kong
    t.expect("What kind of links?")
    t.send(DOWN * 5 + " \r")  # LP positions in non-U.S. funds
    t.expect("Which kinds of transactions")
    t.send(DOWN + " " + DOWN * 3 + " \r")  # contingent equity, LP investments
    t.expect("how many such transactions")
    t.send("25\r")
    t.expect("Typical size")
    t.send(DOWN + "\r")  # $1 million to $10 million
    t.expect("compliance programs")
    t.send(DOWN * 2 + " " + DOWN + " \r")  # sanctions, diligence
    t.expect("describe your diligence")
    t.send("We screen every investee." + ESC_ENTER)
    t.expect("themes do you most want to raise?")
    t.send(DOWN * 3 + " \r")  # limited partner and fund investments
    code, screen = t.finish()
    assert code == 0, screen
    assert "Saved 21 answers in this session" in screen

    f = tmp_path / "same.yaml"
    f.write_text("""\
commenter_type: investor
investor_kinds: [venture_capital, limited_partner]
commenter_name: Harbor Point Ventures, L.P.
commenter_address: "1 Main Street\\nPalo Alto, CA 94301"
us_person: yes
interest_statement: null
contact_name: null
contact_email: legal@harborpoint.example
contact_phone: null
signatory_name: null
signatory_title: null
sectors: [ai]
ai_activities: [ai_other]
coc_countries: [prc, hong_kong]
coc_links: [lp_non_us_funds]
transaction_types: [contingent_equity, lp_investment]
annual_transactions: 25
typical_size: 1m_10m
compliance_practices: [sanctions, investment_diligence]
diligence_description: We screen every investee.
themes: [lp-investments]
""")
    assert run("interview", script_root, "--answers", f).exit_code == 0
    assert load(term_root / "profile.yaml") == load(script_root / "profile.yaml")
    assert (term_root / "profile.yaml").read_text() == (script_root / "profile.yaml").read_text()


@pytest.mark.parametrize("plain_prompts", [True, False], ids=["plain", "terminal"])
def test_ctrl_c_at_a_prompt_keeps_every_answer_and_says_how_to_resume(project2, plain_prompts):
    root = project2[0]
    t = Terminal("interview", str(root), *(["--plain"] if plain_prompts else []))
    t.expect("Who is submitting the comment?")
    t.send("1\r" if plain_prompts else "\r")
    t.expect("Name of the organization")
    t.send("Acme Tools, Inc.\r")
    t.expect("Address for the letterhead")
    t.send("half-typed addr")
    t.send(CTRL_C)
    code, screen = t.finish()
    assert code == 130
    assert (f"Interrupted. Every answer given so far is saved in {root / 'profile.yaml'} (2 in this session); "
            f"run 'commentkit interview {root}' to resume where you left off.") in " ".join(screen.split())
    assert load(root / "profile.yaml") == {"commenter_type": "company", "commenter_name": "Acme Tools, Inc."}


def test_terminal_review_keeps_every_answer_on_enter(run, project2):
    root = project2[0]
    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "profiles" / "us-vc-lp-ai.yaml"
    assert run("interview", root, "--answers", fixture).exit_code == 0
    before = (root / "profile.yaml").read_text()
    multiline = {"Address for the letterhead", "interest in this rulemaking?", "describe your diligence"}
    prompts = ["Who is submitting the comment?", "What kind of investor are you?", "Name of the organization",
               "Address for the letterhead", "U.S. person?", "interest in this rulemaking?", "Contact person",
               "Contact e-mail", "Contact telephone", "Who signs the letter?", "Signatory's title",
               "technology categories", "Which AI activities are involved?", "links with a country of concern?",
               "What kind of links?", "Which kinds of transactions", "how many such transactions", "Typical size",
               "compliance programs", "describe your diligence", "themes do you most want to raise?"]
    t = Terminal("interview", str(root), "--review")
    for prompt in prompts:
        t.expect(prompt)
        t.send(ESC_ENTER if prompt in multiline else "\r")
    code, screen = t.finish()
    assert code == 0, screen
    assert "Saved 0 answers in this session" in screen
    assert (root / "profile.yaml").read_text() == before


def test_harness_times_out_on_a_child_that_waits_forever():
    t = Terminal("-c", "import time; time.sleep(600)", exe=Path(sys.executable))
    start = time.monotonic()
    with pytest.raises(pytest.fail.Exception, match="did not exit within 1"):
        t.finish(timeout=1)
    assert time.monotonic() - start < 10
    with pytest.raises(ChildProcessError):  # killed and reaped: nothing left behind
        os.waitpid(t.pid, os.WNOHANG)
