"""Regenerate the sample association's member template and member responses.

Run from the repository root:  python samples/association/make_members.py

The association project (assoc/) is hand-written. This script writes member-template.yaml
from it and, from that template, the members in members/: six member projects (one with a
malformed profile, one late, one disagreeing with a locked position), one exported response
file, and (when the Word form exists) returned Word forms. Timestamps are fixed so the sample
is reproducible.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
MEMBERS = HERE / "members"


def ck(*args, now="2023-09-01T10:00:00-04:00"):
    env = dict(os.environ, COMMENTKIT_NOW=now)
    subprocess.run([sys.executable, "-m", "commentkit", *map(str, args)], check=True, env=env, cwd=HERE)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.lstrip("\n"), encoding="utf-8")


def answer(root: Path, qid: str, body: str, updated: str, status: str = "final") -> None:
    write(root / "answers" / f"{qid}.md",
          f"---\nquestion: {qid}\nstatus: {status}\nupdated: '{updated}'\n---\n{body.strip()}\n")


def profile(root: Path, text: str) -> None:
    write(root / "profile.yaml", "schema_version: 1\n" + text)


def stance(root: Path, qid: str, *, agree: bool, note: str | None = None, position: str | None = None) -> None:
    """Edit one entry of positions.yaml the way a member would by hand."""
    from ruamel.yaml import YAML

    y = YAML()
    y.width = 100
    path = root / "positions.yaml"
    data = y.load(path.read_text(encoding="utf-8"))
    data[qid]["agree"] = agree
    if note is not None:
        data[qid]["note"] = note
    if position is not None:
        data[qid]["position"] = position
    with open(path, "w", encoding="utf-8") as fh:
        y.dump(data, fh)


def consent(root: Path, *, quote: bool | None, name: bool | None = None, contact: str | None = None,
            aliases: list[str] | None = None) -> None:
    """Answer "May we quote you? May we name you?" in respondent.yaml, as a member would."""
    path = root / "respondent.yaml"
    text = path.read_text(encoding="utf-8")

    def v(x):
        return "null" if x is None else str(x).lower()

    text = text.replace("may_quote: null", f"may_quote: {v(quote)}").replace("may_name: null", f"may_name: {v(name)}")
    if contact:
        text = text.replace("contact_name: null", f'contact_name: "{contact}"')
    if aliases:
        text = text.replace("aliases: []", "aliases: [" + ", ".join(f'"{a}"' for a in aliases) + "]")
    path.write_text(text, encoding="utf-8")


MEMBERS_SPEC = {
    "acme-semiconductor": ("Acme Semiconductor Equipment Inc.", "M-001"),
    "blue-harbor-ventures": ("Blue Harbor Ventures LP", "M-002"),
    "corvid-quantum": ("Corvid Quantum Systems", "M-003"),
    "delmar-capital": ("Delmar Capital Partners", "M-004"),
    "eastline-microdevices": ("Eastline Microdevices", "M-005"),
    "granite-peak-pension": ("Granite Peak Pension Fund", "M-007"),
}


def main() -> None:
    ck("template", "create", "assoc", "--out", "member-template.yaml", now="2023-09-01T10:00:00-04:00")
    if MEMBERS.exists():
        shutil.rmtree(MEMBERS)
    MEMBERS.mkdir()
    for folder, (name, mid) in MEMBERS_SPEC.items():
        ck("init", MEMBERS / folder, "--from-template", "member-template.yaml", "--commenter", name,
           "--member-id", mid)

    # 1. Acme: semiconductor equipment maker with a PRC joint venture; on time, complete.
    acme = MEMBERS / "acme-semiconductor"
    consent(acme, quote=True, name=False, contact="Dana Whitfield, Associate General Counsel", aliases=["ACME"])
    profile(acme, """\
commenter_type: company
commenter_name: Acme Semiconductor Equipment Inc.
us_person: true
sectors: [semiconductors]
semi_activities: [fe_equipment, advanced_packaging]
coc_countries: [prc]
coc_links: [joint_ventures, customers, suppliers]
transaction_types: [joint_venture, greenfield, intracompany]
annual_transactions: 3
typical_size: 10m_100m
""")
    answer(acme, "cov-tx-4", """
Acme formed a joint venture with a Suzhou partner in 2016 to refurbish and service deposition
tools installed at mature-node fabs in the PRC. Acme contributed 49 percent of the capital and
licensed its service procedures; the partner contributed facilities and local staff.

A prohibition would force an unwind of a venture that serves only legacy nodes; a notification
requirement for capital calls would be workable if it applied once a year rather than per call.
""", "2023-09-11T18:20:00+00:00")
    answer(acme, "notif-4", "We would expect two or three notifications a year, each requiring about "
                            "40 hours of staff time and $25,000 to $40,000 in outside counsel fees.",
           "2023-09-11T18:30:00+00:00")
    answer(acme, "burden-1", "Roughly $400,000 a year, driven by diligence on customers and partners and by "
                             "monitoring the joint venture's activities.", "2023-09-12T14:00:00+00:00")

    # 2. Blue Harbor: VC firm, AI start-ups, LP positions; on time.
    bh = MEMBERS / "blue-harbor-ventures"
    consent(bh, quote=True, name=True, contact="Priya Raman, General Counsel", aliases=["Blue Harbor", "BHV"])
    profile(bh, """\
commenter_type: investor
investor_kinds: [venture_capital, limited_partner]
commenter_name: Blue Harbor Ventures LP
us_person: true
sectors: [ai, semiconductors]
semi_activities: [advanced_ic_design]
ai_activities: [ai_other]
coc_countries: [prc, hong_kong]
coc_links: [investee_companies, lp_non_us_funds]
transaction_types: [equity, contingent_equity, lp_investment]
annual_transactions: 12
typical_size: 1m_10m
""")
    answer(bh, "exc-3", """
Blue Harbor is a limited partner in four non-U.S. funds, two of which have invested in the PRC.
The managers report portfolio companies **quarterly, after closing**; we receive no notice
before an investment is made and have no right to object to one.

- Fund A (Cayman): 3 PRC portfolio companies, none in covered sectors.
- Fund B (Singapore): 1 Hong Kong portfolio company in enterprise software.
""", "2023-09-13T20:00:00+00:00")
    answer(bh, "know-2", "Our diligence today is a two-week legal and commercial review; adding a covered-"
                         "activity inquiry would add one to two weeks and about $15,000 per deal.",
           "2023-09-13T20:10:00+00:00")
    stance(bh, "know-2", agree=True, position=(
        "The diligence expected of U.S. persons should be a reasonable, risk-based inquiry, with a safe "
        "harbour for investors who obtain written representations from the investee and its principal "
        "shareholders."))

    # 3. Corvid: quantum developer; disagrees with the locked LP position (and rewrote it).
    corvid = MEMBERS / "corvid-quantum"
    consent(corvid, quote=True)
    profile(corvid, """\
commenter_type: company
commenter_name: Corvid Quantum Systems
us_person: true
sectors: [quantum]
quantum_activities: [quantum_sensors, quantum_computers]
coc_countries: [none]
transaction_types: [equity]
annual_transactions: 1
typical_size: under_1m
""")
    stance(corvid, "exc-3", agree=False,
           note="We compete with PRC quantum-sensing firms funded through offshore funds; a blanket LP exception "
                "would leave that channel open.",
           position=("Treasury should except limited partner investments in pooled investment funds only below a "
                     "de minimis threshold. A limited partner has no control over the fund's investment decisions, "
                     "but large commitments to funds focused on the PRC should be notified."))
    answer(corvid, "exc-3", "Any exception for limited partners should be capped, for example at commitments "
                            "below $1 million or 5 percent of a fund.", "2023-09-14T12:00:00+00:00")
    answer(corvid, "burden-1", "We expect modest costs (under $50,000 a year): we have no operations in a "
                               "country of concern.", "2023-09-14T12:05:00+00:00")

    # 4. Delmar: private equity; responded after the member due date (late).
    delmar = MEMBERS / "delmar-capital"
    consent(delmar, quote=False, name=False)  # answers are compiled for CATI, never quoted
    profile(delmar, """\
commenter_type: investor
investor_kinds: [private_equity]
commenter_name: Delmar Capital Partners
us_person: true
sectors: [semiconductors, ai]
semi_activities: [legacy_chips]
ai_activities: [ai_other]
coc_countries: [prc]
coc_links: [investee_companies]
transaction_types: [equity, joint_venture]
annual_transactions: 4
typical_size: over_100m
""")
    answer(delmar, "cov-tx-4", "Delmar's portfolio includes one joint venture in the PRC making legacy power "
                               "semiconductors for automotive customers.", "2023-09-19T15:00:00+00:00")
    answer(delmar, "notif-4", "Four to six notifications a year; each would cost about $60,000 with counsel.",
           "2023-09-19T15:30:00+00:00")

    # 5. Eastline: malformed profile (a YAML syntax error); collect reports and skips it.
    east = MEMBERS / "eastline-microdevices"
    write(east / "profile.yaml", "schema_version: 1\nsectors: [semiconductors\nus_person: true\n")
    answer(east, "burden-1", "About $200,000 a year.", "2023-09-10T10:00:00+00:00")

    # 6. Granite Peak: pension fund (LP); on time; one invalid value (reported by member and item).
    gp = MEMBERS / "granite-peak-pension"
    consent(gp, quote=True, name=False)
    profile(gp, """\
commenter_type: investor
investor_kinds: [limited_partner]
commenter_name: Granite Peak Pension Fund
us_person: true
sectors: [semiconductors, ai, quantum]
semi_activities: [advanced_ic_fabrication]
quantum_activities: [quantum_computers]
ai_activities: [ai_dual_use]
coc_countries: [prc]
coc_links: [lp_non_us_funds]
transaction_types: [lp_investment, public_securities]
annual_transactions: about forty
""")
    answer(gp, "exc-3", """
Granite Peak holds limited partner interests in 37 private equity and venture funds, eleven of
which may invest in the PRC. We learn of portfolio investments only from quarterly reports.
""", "2023-09-12T16:00:00+00:00")
    answer(gp, "burden-1", "Screening our fund commitments would cost about $150,000 a year in staff time.",
           "2023-09-12T16:10:00+00:00")

    # 7. Fulcrum AI Labs: a member project exported as one response file (the project is not kept).
    tmp = HERE / "members" / ".fulcrum-work"
    ck("init", tmp, "--from-template", "member-template.yaml", "--commenter", "Fulcrum AI Labs",
       "--member-id", "M-006")
    profile(tmp, """\
commenter_type: company
commenter_name: Fulcrum AI Labs
us_person: true
sectors: [ai]
ai_activities: [ai_dual_use, ai_other]
coc_countries: [hong_kong]
coc_links: [customers]
transaction_types: [equity, contingent_equity]
annual_transactions: 2
typical_size: 1m_10m
""")
    answer(tmp, "know-2", "Our diligence is a one-week review by in-house counsel.", "2023-09-14T21:00:00+00:00")
    answer(tmp, "burden-1", "About $120,000 a year.", "2023-09-14T21:05:00+00:00")
    consent(tmp, quote=True, name=False)
    ck("export-response", tmp, "--out", MEMBERS / "fulcrum-ai-labs-response.yaml", now="2023-09-14T17:30:00-04:00")
    shutil.rmtree(tmp)

    forms = HERE / "make_forms.py"
    if forms.exists():
        subprocess.run([sys.executable, str(forms)], check=True, cwd=HERE)


if __name__ == "__main__":
    main()
