"""`commentkit interview`: scripted and interactive runs, resume, review, back, --item, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.conftest import QUESTIONS, user_pack_dir

PROFILES = Path(__file__).resolve().parents[1] / "fixtures" / "profiles"
SEMI = PROFILES / "semiconductor-equipment-prc-jv.yaml"


def load(path: Path) -> dict:
    data = YAML(typ="safe").load(path.read_text())
    data.pop("schema_version", None)
    return data


def fixture_answers(path: Path) -> dict:
    """A fixture's answers as the interview stores them (an empty list is a blank answer)."""
    return {k: (None if v == [] else v) for k, v in load(path).items()}


# Typed at the plain prompts, item by item, to give the same answers as SEMI.
SEMI_TYPED = [
    "1",  # commenter_type: A company
    "Meridian Deposition Systems, Inc.",  # commenter_name
    "2100 Mission College Boulevard", "Santa Clara, CA 95054", "",  # commenter_address (two lines)
    "3",  # employees: 500 to 4,999
    "3",  # annual_revenue: $100 million to $1 billion
    "yes",  # us_person
    "Meridian designs and manufactures deposition and etch equipment used in wafer fabrication and "
    "operates an advanced-packaging joint venture in Suzhou with a Chinese partner.", "",  # interest_statement
    "Dana Whitfield",  # contact_name
    "dwhitfield@meridian-deposition.example",  # contact_email
    "(408) 555-0142",  # contact_phone
    "Dana Whitfield",  # signatory_name
    "General Counsel",  # signatory_title
    "1",  # sectors: semiconductors
    "2, 5",  # semi_activities: front-end equipment, advanced packaging
    "1",  # product_end_uses: businesses
    "1",  # coc_countries: PRC
    "5,2",  # coc_links: customers, joint ventures (any order)
    "1",  # link_joint_ventures_places: PRC
    "existing",  # link_joint_ventures_prc, by value
    "1",  # link_customers_places: PRC
    "Existing",  # link_customers_prc, by label
    "equity, joint_venture",  # transaction_types, by value
    "2",  # tx_equity_stage: planned
    "1",  # tx_joint_venture_stage: existing
    "3",  # annual_transactions
    "3",  # typical_size: $10 million to $100 million
    "1 2",  # compliance_practices: export controls, CFIUS
    "6",  # themes: knowledge standard
]


def typed(lines: list[str]) -> str:
    return "\n".join(lines) + "\n"


def test_scripted_and_interactive_interviews_store_the_same_profile(run, tmp_path):
    a, b = tmp_path / "scripted", tmp_path / "interactive"
    for root in (a, b):
        assert run("init", root, "--docket", "TREAS-DO-2023-0009", "--commenter", "Meridian").exit_code == 0
    res = run("interview", a, "--answers", SEMI)
    assert res.exit_code == 0, res.output
    assert "Stored 28 answers" in res.output
    res = run("interview", b, input=typed(SEMI_TYPED))
    assert res.exit_code == 0, res.output
    assert "[item 1 of about" in res.output and "[item 28 of about 28]" in res.output
    assert load(a / "profile.yaml") == load(b / "profile.yaml") == fixture_answers(SEMI)
    assert (a / "profile.yaml").read_text() == (b / "profile.yaml").read_text()
    assert (b / "profile.yaml").read_text().startswith("# Exposure profile: answers to the questionnaire")
    # everything is answered: a third run asks nothing
    res = run("interview", b, input="")
    assert res.exit_code == 0 and "Every item of the questionnaire is answered" in res.output


def test_end_of_input_after_n_answers_keeps_them_and_resumes(run, project):
    res = run("interview", project, input=typed(SEMI_TYPED[:5]))  # 3 items: type, name, address
    assert res.exit_code == 1
    assert "Input ended. Every answer given so far is saved" in res.stderr
    assert f"run 'commentkit interview {project}' to resume where you left off" in res.stderr
    assert load(project / "profile.yaml") == {
        "commenter_type": "company", "commenter_name": "Meridian Deposition Systems, Inc.",
        "commenter_address": "2100 Mission College Boulevard\nSanta Clara, CA 95054"}
    res = run("interview", project, input=typed(SEMI_TYPED[5:]))
    assert res.exit_code == 0, res.output
    assert "Resuming at the first unanswered item (3 answers already saved)" in res.output
    first_prompt = res.output.split("[item ")[1]
    assert first_prompt.startswith("4 of about") and "How many employees" in first_prompt
    assert load(project / "profile.yaml") == fixture_answers(SEMI)


def test_invalid_answer_is_asked_again_and_required_items_cannot_be_blank(run, project):
    res = run("interview", project, input=typed(["8", "investor", "1,9", "1,2", "-", "", "x", ""]))
    assert "Not accepted: 8 is not in the list (1-7)" in res.output
    assert "Not accepted: 9 is not in the list (1-5)" in res.output  # investor_kinds
    # commenter_name is required: '-' is refused; Enter keeps the name given to 'commentkit init'
    assert res.output.count("An answer is required.") == 1
    assert "Enter keeps: Acme Corp." in res.output
    assert load(project / "profile.yaml") == {"commenter_type": "investor",
                                              "investor_kinds": ["venture_capital", "private_equity"],
                                              "commenter_name": "Acme Corp.",
                                              "commenter_address": "x"}


def test_back_returns_to_the_previous_item_and_conditions_follow(run, project):
    # company, then back: change to investor, which brings in the investor_kinds item
    res = run("interview", project, input=typed(["1", "back", "2", "3", "back", "back", "2", "1,3", "Fund"]))
    assert "This is the first item" not in res.output
    assert load(project / "profile.yaml") == {"commenter_type": "investor",
                                              "investor_kinds": ["venture_capital", "limited_partner"],
                                              "commenter_name": "Fund"}
    asked = [chunk.split("\n")[1] for chunk in res.output.split("[item ")[1:]]
    kind, name, kinds = ("Who is submitting the comment?", "Name of the organization (or person) submitting the "
                         "comment", "What kind of investor are you?")
    assert asked == [kind, name, kind, kinds, name, kinds, kind, kinds, name, "Address for the letterhead"]
    res = run("interview", project, input=typed(["back"]))
    assert "there is nothing to go back to" in res.output


def test_review_keeps_answers_on_enter_and_changes_only_what_is_typed(run, project):
    assert run("interview", project, "--answers", SEMI).exit_code == 0
    path = project / "profile.yaml"
    path.write_text(path.read_text().replace("us_person: true", "# confirmed by tax, 2023-09-01\nus_person: true"))
    lines = [""] * 28
    lines[11] = "Chief Legal Officer"  # signatory_title (12th item)
    res = run("interview", project, "--review", input=typed(lines))
    assert res.exit_code == 0, res.output
    assert "Enter keeps: Meridian Deposition Systems, Inc." in res.output
    assert "Enter keeps: Semiconductors and microelectronics" in res.output
    expected = fixture_answers(SEMI) | {"signatory_title": "Chief Legal Officer"}
    assert load(path) == expected
    assert "# confirmed by tax, 2023-09-01\nus_person: true" in path.read_text()
    assert "Saved 1 answer in this session" in res.output


def test_item_reasks_one_item(run, project):
    assert run("interview", project, "--answers", SEMI).exit_code == 0
    res = run("interview", project, "--item", "coc_links", input=typed(["2"]))
    assert res.exit_code == 0, res.output
    assert (res.output.count("[item ") == 1
            and "Enter keeps: Joint ventures with local partners; Customers or distributors" in res.output)
    assert load(project / "profile.yaml")["coc_links"] == ["joint_ventures"]
    # changing the commenter type opens a new item; the command says so
    res = run("interview", project, "--item", "commenter_type", input=typed(["2"]))
    assert "1 item is still unanswered (investor_kinds)" in res.output
    assert run("interview", project, "--item", "investor_kinds", input=typed(["1"])).exit_code == 0
    # back to "a company": the investor answer is kept but ignored, and the command says so
    f = project / "a.yaml"
    f.write_text("commenter_type: company\n")
    res = run("interview", project, "--answers", f)
    assert ("Your answers to investor_kinds, link_customers_places, link_customers_prc no longer apply to your "
            "other answers; they stay in profile.yaml but are ignored.") in res.output


@pytest.mark.parametrize("item, words", [
    ("sector", "no item 'sector' in the questionnaire (did you mean 'sectors'?)"),
    ("investor_kinds", "item 'investor_kinds' is not asked with your current answers (it is asked only when "
                       "commenter_type == 'investor')"),
])
def test_item_that_cannot_be_asked_is_a_clear_error(run, project, item, words):
    assert run("interview", project, "--answers", SEMI).exit_code == 0
    res = run("interview", project, "--item", item)
    assert res.exit_code == 2
    assert words in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_answers_file_reports_every_problem_at_once_and_stores_nothing(run, project, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("commenter_type: company\n"
                   "sectors: [semiconductors, chips]\n"
                   "contact_email: not-an-address\n"
                   "us_person: maybe\n"
                   "annual_transactions: -4\n"
                   "sector: [ai]\n"
                   "coc_countries: [prc, none]\n")
    res = run("interview", project, "--answers", bad)
    assert res.exit_code == 2
    err = res.stderr.splitlines()
    assert err[0] == f"Error: {bad}: 6 invalid answers; nothing was stored:"
    assert err[1:] == [
        f"  {bad}:2: sectors: 'chips' is not one of the choices (semiconductors, quantum, ai, none)",
        f"  {bad}:3: contact_email: expected an e-mail address like name@example.com",
        f"  {bad}:4: us_person: expected yes or no, got 'maybe'",
        f"  {bad}:5: annual_transactions: must be at least 0",
        f"  {bad}:6: sector: no such item in the questionnaire (did you mean 'sectors'?)",
        f"  {bad}:7: coc_countries: 'None' cannot be combined with other choices",
    ]
    assert not (project / "profile.yaml").exists()


def test_answers_for_items_that_do_not_apply_are_refused(run, project, tmp_path):
    f = tmp_path / "a.yaml"
    f.write_text("commenter_type: company\ninvestor_kinds: [venture_capital]\n")
    res = run("interview", project, "--answers", f)
    assert res.exit_code == 2
    assert "investor_kinds: does not apply to these answers (it is asked only when commenter_type == " \
           "'investor')" in res.stderr


@pytest.mark.parametrize("content, words", [
    ("- a\n- b\n", "answers file must be a mapping"),
    ("sectors: [ai\n", "YAML syntax error"),
])
def test_malformed_answers_file(run, project, tmp_path, content, words):
    f = tmp_path / "a.yaml"
    f.write_text(content)
    res = run("interview", project, "--answers", f)
    assert res.exit_code == 2 and words in res.stderr and str(f) in res.stderr


def test_hand_edited_profile_with_a_bad_value_is_one_line_error_with_line(run, project):
    from commentkit.files import hints

    assert run("interview", project, "--answers", SEMI).exit_code == 0
    path = project / "profile.yaml"
    text = path.read_text().replace("sectors: [semiconductors]", "sectors: [semiconductor]")
    path.write_text(text)
    line = text.splitlines().index("sectors: [semiconductor]") + 1
    for args in (["plan", project], ["status", project]):
        res = run(*args)
        assert res.exit_code == 2
        assert res.stderr.strip() == (f"Error: {path}:{line}: sectors: 'semiconductor' is not one of the choices "
                                      f"(semiconductors, quantum, ai, none); fix the file or run "
                                      f"'commentkit interview {hints.project_arg(project)} --item sectors'")
    assert path.read_text() == text
    # the interview itself reads on: the bad value is not used and is asked again (test_profile_repair.py)
    res = run("interview", project, "--json")
    assert res.exit_code == 0
    assert f"{path}:{line}: sectors: 'semiconductor' is not one of the choices" in res.stderr
    assert path.read_text() == text


def test_profile_from_a_newer_commentkit_is_refused(run, project):
    (project / "profile.yaml").write_text("schema_version: 9\ncommenter_type: company\n")
    res = run("plan", project)
    assert res.exit_code == 2 and "upgrade commentkit" in res.stderr and "profile.yaml:1" in res.stderr


def test_defaults_fill_unanswered_items_that_have_one(run, tmp_path):
    dest = user_pack_dir() / "TREAS-DO-2023-0009"
    shutil.copytree(QUESTIONS / "TREAS-DO-2023-0009", dest)
    iv = dest / "interview.yaml"
    iv.write_text(iv.read_text().replace("    prompt: Is the commenter a U.S. person?\n",
                                         "    prompt: Is the commenter a U.S. person?\n    default: true\n"))
    root = tmp_path / "p"
    assert run("init", root, "--docket", "TREAS-DO-2023-0009", "--commenter", "X").exit_code == 0
    res = run("interview", root, "--defaults")
    assert res.exit_code == 0, res.output
    assert load(root / "profile.yaml") == {"us_person": True}
    assert "Still unanswered: commenter_type, commenter_name" in res.output
    assert "(required: commenter_type, commenter_name, sectors, coc_countries)" in res.output
    # an answer from the file wins over the default
    f = tmp_path / "a.yaml"
    f.write_text("us_person: no\n")
    (root / "profile.yaml").unlink()
    assert run("interview", root, "--answers", f, "--defaults").exit_code == 0
    assert load(root / "profile.yaml") == {"us_person": False}
    # interactive: Enter takes the default
    (root / "profile.yaml").unlink()
    res = run("interview", root, input=typed(["1", "X", "-", "-", "-", ""]))  # type, name, address, size x2
    assert "Enter keeps: yes" in res.output
    assert load(root / "profile.yaml")["us_person"] is True


def test_json_lists_answers_and_what_is_missing(run, project):
    res = run("interview", project, "--json")
    data = json.loads(res.output)
    assert data["answers"] == {} and data["unanswered"][:2] == ["commenter_type", "commenter_name"]
    assert run("interview", project, "--answers", PROFILES / "us-vc-lp-ai.yaml").exit_code == 0
    data = json.loads(run("interview", project, "--json").output)
    assert data["answers"]["investor_kinds"] == ["venture_capital", "limited_partner"]
    assert data["answers"]["contact_phone"] is None
    assert data["unanswered"] == [] and data["required_unanswered"] == []
    assert data["not_applicable"] == []


def test_pack_without_questionnaire(run, tmp_path):
    dest = user_pack_dir() / "TREAS-DO-2023-0009"
    shutil.copytree(QUESTIONS / "TREAS-DO-2023-0009", dest)
    (dest / "interview.yaml").unlink()
    root = tmp_path / "p"
    assert run("init", root, "--docket", "TREAS-DO-2023-0009", "--commenter", "X").exit_code == 0
    res = run("interview", root)
    assert res.exit_code == 2 and "has no questionnaire" in res.stderr


def test_broken_condition_in_the_pack_names_file_and_item(run, tmp_path):
    dest = user_pack_dir() / "TREAS-DO-2023-0009"
    shutil.copytree(QUESTIONS / "TREAS-DO-2023-0009", dest)
    iv = dest / "interview.yaml"
    iv.write_text(iv.read_text().replace("when: \"'semiconductors' in sectors\"", "when: \"'semiconductors' in sector\""))
    root = tmp_path / "p"
    assert run("init", root, "--docket", "TREAS-DO-2023-0009", "--commenter", "X").exit_code == 0
    res = run("interview", root)
    assert res.exit_code == 2
    assert res.stderr.strip() == (f"Error: {iv}: item 'semi_activities': condition \"'semiconductors' in sector\" "
                                  f"names an unknown item 'sector' (not in the questionnaire)")
