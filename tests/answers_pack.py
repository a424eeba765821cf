"""A small, stable question bank for the answer and tracking tests.

Installed as a *user* pack with the ANPRM's id, so it takes precedence over the shipped bank
(which other work keeps changing) while keeping the ANPRM's real docket.yaml (deadline
2023-09-28 23:59 America/New_York) and questionnaire. With the profile below, the four
definitions and notification questions are core (promoted; their themes alone would make them
recommended), ``other-a`` is recommended and ``other-b``
optional. ``def-b`` carries a confirmed agency number (7) and official wording.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "questions" / "TREAS-DO-2023-0009"
DOCKET = "TREAS-DO-2023-0009"

QUESTIONS_YAML = """\
schema_version: 1
sections:
  - id: definitions
    title: Definitions
    wording: summary
  - id: notification
    title: Notifications
    wording: summary
  - id: other
    title: Other comments
    wording: summary
questions:
  - id: def-a
    section: definitions
    title: Revenue test for covered foreign persons
    text: Whether the revenue tests are workable.
    wording: summary
    tags: [definitions]
  - id: def-b
    number: 7
    section: definitions
    title: Meaning of person of a country of concern
    text: How should the term person of a country of concern be defined?
    wording: official
    pages: {first: 54966, last: 54967}
    tags: [definitions]
  - id: notif-a
    section: notification
    title: Timing of notifications
    text: Whether 30 days after closing is the right time to notify.
    wording: summary
    tags: [notification]
  - id: notif-b
    section: notification
    title: Content of notifications
    text: What information a notification should contain.
    wording: summary
    tags: [notification]
  - id: other-a
    section: other
    title: Costs of compliance
    text: The costs of complying with the program.
    wording: summary
    relevance:
      - when: "true"
        level: recommended
        reason: every commenter bears compliance costs
  - id: other-b
    section: other
    title: Anything else
    text: Any other comment.
    wording: summary
"""

PROFILE_YAML = """\
commenter_name: Acme Corp.
themes: [definitions, notification]
promote: [def-a, def-b, notif-a, notif-b]
"""

CORE = ("def-a", "def-b", "notif-a", "notif-b")


def install_pack() -> Path:
    """Install the test bank as the user's pack (the conftest points the data dir at tmp)."""
    dest = Path(os.environ["COMMENTKIT_DATA_DIR"]) / "dockets" / DOCKET
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(SHIPPED / "docket.yaml", dest / "docket.yaml")
    shutil.copy(SHIPPED / "interview.yaml", dest / "interview.yaml")
    (dest / "questions.yaml").write_text(QUESTIONS_YAML, encoding="utf-8")
    from commentkit.dockets import catalog as packs

    packs.load_path.cache_clear()
    return dest


def make_project(run, root: Path, profile: bool = True) -> Path:
    install_pack()
    res = run("init", root, "--docket", DOCKET, "--commenter", "Acme Corp.", "--owner", "JD")
    assert res.exit_code == 0, res.output
    if profile:
        (root / "profile.yaml").write_text(PROFILE_YAML, encoding="utf-8")
    return root
