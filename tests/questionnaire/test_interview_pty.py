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

    def expect(self, text: str, timeout: float = 30) -> None:
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

    def finish(self, timeout: float = 30) -> tuple[int, str]:
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


# The Harbor Point interview, step by step: what the prompt says (English, Chinese) and the keys
# pressed there. Both languages take the same keys, so they must store the same profile.
HPV_STEPS = [
    ("Who is submitting the comment?", "由谁提交意见", DOWN + "\r"),  # An investor
    ("What kind of investor are you?", "您属于哪一类投资者", " " + DOWN + DOWN + " \r"),  # VC, LP
    # the name given to init is offered; Ctrl-U clears it
    ("Name of the organization", "提交意见的组织", "\x15Harbor Point Ventures, L.P.\r"),
    ("Address for the letterhead", "信头地址", "1 Main Street\rPalo Alto, CA 94301" + ESC_ENTER),  # Esc, Enter
    ("How many employees", "有多少名员工", "\r"),  # fewer than 50
    ("Annual revenue", "年收入", DOWN * 2 + "\r"),  # $100 million to $1 billion
    ("U.S. person?", "是否为美国人士", "\r"),  # Yes
    ("interest in this rulemaking?", "利害关系", ESC_ENTER),  # left blank
    ("Contact person", "后续问询的联系人", "\r"),
    ("Contact e-mail", "联系人电子邮箱", "not-an-email\r"),
    # refused, with the message under the prompt (in the interview's language), and asked again
    ("expected an e-mail address like name@example.com", "应输入电子邮箱地址，例如", ""),
    ("Contact e-mail", "联系人电子邮箱", "\x15legal@harborpoint.example\r"),  # asked again; Ctrl-U clears it
    # '-' leaves an optional item blank here too, even one with a pattern (the telephone)
    ("Contact telephone", "联系电话", "-\r"),
    ("Who signs the letter?", "信函由谁签署", "\r"),
    ("Signatory's title", "签署人职务", "\r"),
    ("technology categories", "三类技术", DOWN + DOWN + " \r"),  # AI
    ("Which AI activities are involved?", "涉及哪些人工智能活动", DOWN + DOWN + " \r"),  # civilian AI
    ("Chosen: AI systems for commercial", "已选择：用于商业", ""),  # the labels chosen are echoed
    ("Who uses the products", "由谁使用", " " + DOWN + " \r"),  # businesses, consumers
    ("links with a country of concern?", "受关注国家有业务", " " + DOWN + " \r"),  # PRC, Hong Kong
    ("What kind of links?", "往来属于哪种类型", DOWN * 6 + " \r"),  # LP positions in non-U.S. funds
    ("Where do the non-U.S. funds", "投资于何处", " " + DOWN + " \r"),  # PRC, Hong Kong
    ("in the PRC (mainland): existing", "中国大陆的非美国基金", "\r"),  # existing
    ("in Hong Kong: existing", "香港的非美国基金", DOWN + "\r"),  # planned
    ("Which kinds of transactions", "从事、计划或考虑哪些类型", DOWN + " " + DOWN * 3 + " \r"),  # CE, LP
    ("Contingent equity or convertible debt: ", "或有股权或可转换债务：", "\r"),  # existing
    ("Limited partner investments: ", "有限合伙人投资：", DOWN * 2 + "\r"),  # under consideration
    ("how many such transactions", "每年大约有多少笔", "25\r"),
    ("Typical size", "单笔交易的典型规模", DOWN + "\r"),  # $1 million to $10 million
    ("compliance programs", "实施哪些合规项目", DOWN * 2 + " " + DOWN + " \r"),  # sanctions, diligence
    ("describe your diligence", "请简要说明", "We screen every investee." + ESC_ENTER),
    ("themes do you most want to raise?", "最希望提出哪些主题", DOWN * 3 + " \r"),  # LP and fund investments
]
HPV_ANSWERS = """\
commenter_type: investor
investor_kinds: [venture_capital, limited_partner]
commenter_name: Harbor Point Ventures, L.P.
commenter_address: "1 Main Street\\nPalo Alto, CA 94301"
employees: under_50
annual_revenue: 100m_1b
us_person: yes
interest_statement: null
contact_name: null
contact_email: legal@harborpoint.example
contact_phone: null
signatory_name: null
signatory_title: null
sectors: [ai]
ai_activities: [ai_other]
product_end_uses: [commercial, consumer]
coc_countries: [prc, hong_kong]
coc_links: [lp_non_us_funds]
link_lp_non_us_funds_places: [prc, hong_kong]
link_lp_non_us_funds_prc: existing
link_lp_non_us_funds_hong_kong: planned
transaction_types: [contingent_equity, lp_investment]
tx_contingent_equity_stage: existing
tx_lp_investment_stage: considering
annual_transactions: 25
typical_size: 1m_10m
compliance_practices: [sanctions, investment_diligence]
diligence_description: We screen every investee.
themes: [lp-investments]
"""


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_terminal_prompts_store_the_same_profile_as_an_answers_file(run, project2, tmp_path, lang):
    """The whole ANPRM questionnaire through the arrow-key prompts, in English and in Chinese: the
    profile saved is the answers file's, byte for byte, whatever language the questions were in."""
    term_root, script_root = project2
    t = Terminal("interview", str(term_root), "--lang", lang)
    for english, chinese, keys in HPV_STEPS:
        t.expect(english if lang == "en" else chinese)
        if keys:
            t.send(keys)
    code, screen = t.finish()
    assert code == 0, screen
    assert ("Saved 29 answers in this session" if lang == "en" else "本次共保存 29 个答案") in screen
    if lang == "zh-CN":
        assert "[第 1 项，共约" in screen and "Who is submitting" not in screen

    f = tmp_path / "same.yaml"
    f.write_text(HPV_ANSWERS)
    assert run("interview", script_root, "--answers", f).exit_code == 0
    assert load(term_root / "profile.yaml") == load(script_root / "profile.yaml")
    assert (term_root / "profile.yaml").read_text() == (script_root / "profile.yaml").read_text()
    # the same profile builds the same (English) Background
    for root in (term_root, script_root):
        assert run("answer", "background", root, "--from-questionnaire").exit_code == 0
    assert ((term_root / "general" / "background.md").read_text().split("---", 2)[2]
            == (script_root / "general" / "background.md").read_text().split("---", 2)[2])


@pytest.mark.parametrize("plain_prompts", [True, False], ids=["plain", "terminal"])
def test_ctrl_c_at_a_prompt_keeps_every_answer_and_says_how_to_resume(project2, plain_prompts):
    root = project2[0]
    t = Terminal("interview", str(root), *(["--plain"] if plain_prompts else []))
    t.expect("Who is submitting the comment?")
    t.send("1\r" if plain_prompts else "\r")
    t.expect("Name of the organization")
    t.send("\x15Acme Tools, Inc.\r")  # Ctrl-U clears the offered name (the terminal's kill key in --plain)
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
               "Address for the letterhead", "How many employees", "Annual revenue", "U.S. person?",
               "interest in this rulemaking?", "Contact person", "Contact e-mail", "Contact telephone",
               "Who signs the letter?", "Signatory's title", "technology categories",
               "Which AI activities are involved?", "Who uses the products", "links with a country of concern?",
               "What kind of links?", "Where do the non-U.S. funds", "in the PRC (mainland): existing",
               "in Hong Kong: existing", "Which kinds of transactions", "Contingent equity or convertible debt: ",
               "Limited partner investments: ", "how many such transactions", "Typical size",
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
