"""``commentkit answer`` and ``commentkit mark``: what lands in the answer files, and what never
gets lost (editor failures, empty or unchanged edits, files changed by someone else)."""

from __future__ import annotations

import sys
import textwrap

import pytest
from answers_pack import make_project

from commentkit.files import editor
from commentkit.project import answerfile

FAKE_EDITOR = textwrap.dedent('''
    import os, shutil, sys
    path = sys.argv[1]
    mode = os.environ.get("FAKE_MODE", "write")
    if os.environ.get("FAKE_CAPTURE"):
        shutil.copy(path, os.environ["FAKE_CAPTURE"])
    if os.environ.get("FAKE_OTHER_FILE"):  # someone else saves the answer meanwhile
        with open(os.environ["FAKE_OTHER_FILE"], "a", encoding="utf-8") as fh:
            fh.write("\\nAdded by a colleague.\\n")
    if mode in ("write", "fail"):
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(os.environ.get("FAKE_TEXT", "Typed in the editor."))
    elif mode == "replace":
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(os.environ.get("FAKE_TEXT", ""))
    sys.exit(3 if mode == "fail" else 0)
''')


@pytest.fixture
def proj(tmp_path, run):
    return make_project(run, tmp_path / "proj")


@pytest.fixture
def fake_editor(tmp_path, monkeypatch):
    script = tmp_path / "fake_editor.py"
    script.write_text(FAKE_EDITOR, encoding="utf-8")
    monkeypatch.setenv("VISUAL", f"{sys.executable} {script}")
    return monkeypatch


def read(proj, key="def-a", folder="answers"):
    return answerfile.read(proj / folder / f"{key}.md")


def edits(proj):
    d = proj / ".commentkit" / "edits"
    return sorted(d.glob("*.md")) if d.is_dir() else []


def test_text_option_writes_answer_with_status_owner_and_time(run, proj, monkeypatch):
    monkeypatch.setenv("COMMENTKIT_NOW", "2023-09-12T10:00:00-04:00")
    res = run("answer", "def-a", proj, "--text", "We support a *revenue* test.\n\n- one\n- two")
    assert res.exit_code == 0, res.output
    assert "Saved answers/def-a.md (draft, 7 words)" in res.output
    a = read(proj)
    assert a.meta.question == "def-a" and a.meta.status == "draft" and a.meta.owner == "JD"
    assert a.meta.updated.isoformat() == "2023-09-12T14:00:00+00:00"
    assert a.body == "We support a *revenue* test.\n\n- one\n- two\n"


def test_second_write_keeps_backup_of_previous_version(run, proj):
    run("answer", "def-a", proj, "--text", "First version.")
    res = run("answer", "def-a", proj, "--text", "Second version.", "--owner", "AB")
    assert res.exit_code == 0
    assert read(proj).body.strip() == "Second version." and read(proj).meta.owner == "AB"
    backups = list((proj / ".commentkit" / "backups" / "answers").glob("def-a.md.*"))
    assert len(backups) == 1 and "First version." in backups[0].read_text()


def test_stdin_and_file_inputs(run, proj, tmp_path):
    res = run("answer", "notif-a", proj, input="From standard input.\n")
    assert res.exit_code == 0, res.output
    assert read(proj, "notif-a").body.strip() == "From standard input."
    src = tmp_path / "memo.md"
    # A kept editor file can be fed back with --file: its instruction block is dropped.
    src.write_text(editor.instructions(["Question text here"]) + "From a file.\n", encoding="utf-8")
    res = run("answer", "notif-b", proj, "--file", src)
    assert res.exit_code == 0, res.output
    assert read(proj, "notif-b").body == "From a file.\n"
    res = run("answer", "notif-b", proj, "--file", tmp_path / "missing.md")
    assert res.exit_code == 2 and "missing.md" in res.stderr
    (tmp_path / "memo.docx").write_bytes(b"PK\x03\x04 not text")
    res = run("answer", "notif-b", proj, "--file", tmp_path / "memo.docx")
    assert res.exit_code == 2 and "pandoc memo.docx -t markdown" in res.stderr
    assert read(proj, "notif-b").body == "From a file.\n"


def test_general_sections_are_answered_the_same_way(run, proj):
    res = run("answer", "executive-summary", proj, "--text", "Acme asks Treasury to narrow the rule.")
    assert res.exit_code == 0, res.output
    a = read(proj, "executive-summary", "general")
    assert a.meta.section == "executive-summary" and a.meta.question is None
    res = run("mark", "executive-summary", "final", proj)
    assert res.exit_code == 0 and read(proj, "executive-summary", "general").meta.status == "final"


def test_confidential_markers_are_kept_verbatim(run, proj):
    body = "Public point.\n\n[[BCI]]Our 2022 revenue was $12.3 million.[[/BCI]]\n\nMore."
    run("answer", "def-a", proj, "--text", body)
    assert read(proj).body.strip() == body


def test_unknown_question_and_unconfirmed_number(run, proj):
    res = run("answer", "nope", proj, "--text", "x")
    assert res.exit_code == 2 and "no question 'nope'" in res.stderr
    res = run("answer", "12", proj, "--text", "x")
    assert res.exit_code == 2 and "does not confirm that number" in res.stderr
    res = run("answer", "Q7", proj, "--text", "Answer to the confirmed question 7.")
    assert res.exit_code == 0 and read(proj, "def-b").body.strip() == "Answer to the confirmed question 7."
    assert not (proj / "answers" / "nope.md").exists()


def test_editor_shows_question_and_provenance_but_does_not_store_them(run, proj, fake_editor, tmp_path):
    cap = tmp_path / "seen.md"
    fake_editor.setenv("FAKE_CAPTURE", str(cap))
    fake_editor.setenv("FAKE_TEXT", "Our answer from the editor.")
    res = run("answer", "7", proj, "--edit")
    assert res.exit_code == 0, res.output
    seen = cap.read_text()
    assert "Question 7 \N{EM DASH} Meaning of person of a country of concern" in seen
    assert "88 FR 54966-54967" in seen and "official (the agency's own words)" in seen
    stored = (proj / "answers" / "def-b.md").read_text()
    assert "Our answer from the editor." in stored
    assert "88 FR" not in stored and "commentkit:" not in stored
    assert edits(proj) == []  # the working file is removed once saved

    fake_editor.setenv("FAKE_TEXT", "Summary answer.")
    run("answer", "def-a", proj, "--edit")
    seen = cap.read_text()
    assert "SUMMARY by commentkit, NOT the agency's words" in seen and "88 FR 54961-54972" in seen


def test_editor_failure_keeps_old_text_and_what_was_typed(run, proj, fake_editor):
    run("answer", "def-a", proj, "--text", "The old, good answer.")
    before = (proj / "answers" / "def-a.md").read_bytes()
    fake_editor.setenv("FAKE_MODE", "fail")
    fake_editor.setenv("FAKE_TEXT", "Half-typed new text")
    res = run("answer", "def-a", proj, "--edit")
    assert res.exit_code == 2
    assert "exited with status 3" in res.stderr and "was not changed" in res.stderr
    assert (proj / "answers" / "def-a.md").read_bytes() == before
    kept = edits(proj)
    assert len(kept) == 1 and "Half-typed new text" in kept[0].read_text()
    assert str(kept[0]) in res.stderr
    # status reminds the user of it
    res = run("status", proj)
    assert "Unsaved editor text (1 file(s))" in res.output and kept[0].name in res.output
    # and it can be saved from there
    res = run("answer", "def-a", proj, "--file", kept[0])
    assert res.exit_code == 0
    assert "The old, good answer.\nHalf-typed new text" in read(proj).body
    assert not kept[0].exists() and "Unsaved editor text" not in run("status", proj).output


def test_unchanged_or_empty_edit_writes_nothing(run, proj, fake_editor):
    run("answer", "def-a", proj, "--text", "Keep me.")
    before = (proj / "answers" / "def-a.md").read_bytes()
    fake_editor.setenv("FAKE_MODE", "noop")
    res = run("answer", "def-a", proj, "--edit")
    assert res.exit_code == 0 and "No change" in res.output
    assert "code --wait" in res.stderr  # returned at once: maybe a GUI editor that does not wait
    fake_editor.setenv("FAKE_MODE", "replace")
    fake_editor.setenv("FAKE_TEXT", "   \n")
    res = run("answer", "def-a", proj, "--edit")
    assert res.exit_code == 1 and "empty: nothing was written" in res.stderr
    assert (proj / "answers" / "def-a.md").read_bytes() == before
    assert edits(proj) == []
    res = run("answer", "notif-a", proj, input="")
    assert res.exit_code == 1 and not (proj / "answers" / "notif-a.md").exists()


def test_damaged_instruction_block_refused_and_kept(run, proj, fake_editor):
    fake_editor.setenv("FAKE_MODE", "replace")
    fake_editor.setenv("FAKE_TEXT", "<!-- commentkit: this block\nI deleted the end line. My answer.\n")
    res = run("answer", "def-a", proj, "--edit")
    assert res.exit_code == 2 and "lost its last line" in res.stderr
    assert not (proj / "answers" / "def-a.md").exists()
    assert "My answer." in edits(proj)[0].read_text()


def test_file_changed_during_edit_is_refused_and_both_versions_survive(run, proj, fake_editor):
    run("answer", "def-a", proj, "--text", "Version read by the editor session.")
    target = proj / "answers" / "def-a.md"
    fake_editor.setenv("FAKE_OTHER_FILE", str(target))
    fake_editor.setenv("FAKE_TEXT", "My competing edit.")
    res = run("answer", "def-a", proj, "--edit")
    assert res.exit_code == 2
    assert "changed on disk" in res.stderr and "kept in" in res.stderr
    on_disk = target.read_text()
    assert "Added by a colleague." in on_disk and "My competing edit." not in on_disk
    kept = edits(proj)
    assert len(kept) == 1 and "My competing edit." in kept[0].read_text()


def test_mark_statuses_reasons_and_refusals(run, proj):
    res = run("mark", "def-a", "review", proj)
    assert res.exit_code == 2 and "no text yet" in res.stderr
    assert not (proj / "answers" / "def-a.md").exists()
    res = run("mark", "notif-b", "skip", proj)
    assert res.exit_code == 2 and "--reason" in res.stderr
    res = run("mark", "notif-b", "skip", proj, "--reason", "Not relevant to our members")
    assert res.exit_code == 0, res.output
    a = read(proj, "notif-b")
    assert a.meta.status == "skipped" and a.meta.reason == "Not relevant to our members"

    run("answer", "def-a", proj, "--text", "Text.")
    res = run("mark", "def-a", "final", proj, "--owner", "Partner")
    assert res.exit_code == 0 and "draft -> final" in res.output
    a = read(proj)
    assert a.meta.status == "final" and a.meta.owner == "Partner"
    assert set(a.meta.reached) == {"draft", "review", "final"}
    res = run("mark", "def-a", "final", proj)
    assert "already final" in res.output
    res = run("mark", "def-a", "review", proj, "--reason", "x")
    assert res.exit_code == 2


def test_changing_final_text_returns_to_review_unless_kept(run, proj):
    run("answer", "def-a", proj, "--text", "Approved text.")
    run("mark", "def-a", "final", proj)
    res = run("answer", "def-a", proj, "--text", "Approved text, amended.")
    assert "back to review" in res.output and read(proj).meta.status == "review"
    run("mark", "def-a", "final", proj)
    run("answer", "def-a", proj, "--text", "Typo fixed.", "--keep-status")
    assert read(proj).meta.status == "final"


def test_answering_a_skipped_question_makes_it_a_draft(run, proj):
    run("mark", "def-a", "skip", proj, "--reason", "Later")
    res = run("answer", "def-a", proj, "--text", "Changed our mind.")
    assert res.exit_code == 0 and "now that it has an answer its status is draft" in res.output
    a = read(proj)
    assert a.meta.status == "draft" and a.meta.reason is None


def test_reached_times_follow_status_changes(run, proj, monkeypatch):
    monkeypatch.setenv("COMMENTKIT_NOW", "2023-09-10T10:00:00-04:00")
    run("answer", "def-a", proj, "--text", "Draft.")
    monkeypatch.setenv("COMMENTKIT_NOW", "2023-09-15T10:00:00-04:00")
    run("mark", "def-a", "final", proj)
    monkeypatch.setenv("COMMENTKIT_NOW", "2023-09-20T10:00:00-04:00")
    run("answer", "def-a", proj, "--text", "Draft, amended.")  # final -> review
    r = {k: v.isoformat() for k, v in read(proj).meta.reached.items()}
    assert r == {"draft": "2023-09-10T14:00:00+00:00", "review": "2023-09-15T14:00:00+00:00"}


def _questionnaire(proj):
    import shutil
    from pathlib import Path

    shutil.copy(Path(__file__).resolve().parents[1] / "fixtures" / "profiles" / "semiconductor-equipment-prc-jv.yaml",
                proj / "profile.yaml")
    from commentkit.project.folder import Project
    from commentkit.questionnaire.background import background_markdown

    p = Project.open(proj)
    text = background_markdown(p.pack, p.profile, p.commenter_name).strip()
    assert text
    return text


def test_background_prefilled_from_questionnaire_in_the_editor(run, proj, fake_editor, tmp_path):
    drafted = _questionnaire(proj)
    cap = tmp_path / "seen.md"
    fake_editor.setenv("FAKE_CAPTURE", str(cap))
    fake_editor.setenv("FAKE_MODE", "noop")
    res = run("answer", "background", proj, "--edit")
    assert res.exit_code == 0 and "left as it was: nothing was written" in res.output
    assert drafted in cap.read_text()
    assert not (proj / "general" / "background.md").exists()
    fake_editor.setenv("FAKE_MODE", "write")
    fake_editor.setenv("FAKE_TEXT", "\nWe also make widgets.\n")
    res = run("answer", "background", proj, "--edit")
    assert res.exit_code == 0, res.output
    body = read(proj, "background", "general").body
    assert body.startswith(drafted) and body.rstrip().endswith("We also make widgets.")


def test_background_from_questionnaire_option(run, proj):
    (proj / "profile.yaml").unlink()  # questionnaire not answered
    res = run("answer", "background", proj, "--from-questionnaire")
    assert res.exit_code == 2 and "commentkit interview" in res.stderr
    assert not (proj / "general" / "background.md").exists()
    drafted = _questionnaire(proj)
    res = run("answer", "background", proj, "--from-questionnaire")
    assert res.exit_code == 0, res.output
    assert read(proj, "background", "general").body.strip() == drafted
    res = run("answer", "def-a", proj, "--from-questionnaire")
    assert res.exit_code == 2 and "for the background section" in res.stderr


def test_ctrl_c_in_the_editor_does_not_abort_commentkit(proj, tmp_path):
    """The terminal sends Ctrl-C to the whole foreground group: commentkit must leave it to the
    editor (vi uses it) and still save what the editor wrote."""
    import os
    import subprocess

    script = tmp_path / "vi_like.py"
    script.write_text(textwrap.dedent('''
        import os, signal, sys, time
        signal.signal(signal.SIGINT, signal.SIG_IGN)   # like vi
        os.killpg(os.getpgrp(), signal.SIGINT)         # the user presses Ctrl-C
        time.sleep(0.2)
        with open(sys.argv[1], "a", encoding="utf-8") as fh:
            fh.write("Written after Ctrl-C.")
    '''), encoding="utf-8")
    env = {**os.environ, "VISUAL": f"{sys.executable} {script}"}
    out = subprocess.run([sys.executable, "-m", "commentkit", "answer", "def-a", str(proj), "--edit"],
                         env=env, capture_output=True, text=True, start_new_session=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert read(proj).body.strip() == "Written after Ctrl-C."


def test_on_a_terminal_the_editor_opens_by_default(proj, tmp_path):
    """No --text/--file/--edit and standard input is a terminal: the editor is used."""
    import os
    import subprocess

    script = tmp_path / "ed.py"
    script.write_text("import sys\nopen(sys.argv[1], 'a').write('Typed at a terminal.')\n", encoding="utf-8")
    master, slave = os.openpty()
    try:
        env = {**os.environ, "EDITOR": f"{sys.executable} {script}"}
        env.pop("VISUAL", None)
        out = subprocess.run([sys.executable, "-m", "commentkit", "answer", "notif-a", str(proj)],
                             stdin=slave, env=env, capture_output=True, text=True, timeout=60)
    finally:
        os.close(slave)
        os.close(master)
    assert out.returncode == 0, out.stderr
    assert read(proj, "notif-a").body.strip() == "Typed at a terminal."


def test_mark_several_ids_with_one_confirmation(run, proj):
    run("answer", "def-a", proj, "--text", "A.")
    run("answer", "def-b", proj, "--text", "B.")
    # the changes are listed and asked once; 'n' changes nothing
    res = run("mark", "def-a", "def-b", "final", proj, input="n\n")
    assert res.exit_code == 0
    assert "2 answers will change:\n  def-a: draft -> final\n  def-b: draft -> final\n" in res.output
    assert "Nothing was changed." in res.output
    assert read(proj, "def-a").meta.status == "draft"
    res = run("mark", "def-a", "def-b", "final", proj, "--owner", "Partner", input="y\n")
    assert res.exit_code == 0, res.output
    assert {read(proj, k).meta.status for k in ("def-a", "def-b")} == {"final"}
    assert "def-b: draft -> final; owner Partner; approved by Partner." in res.output
    # an answer without text cannot be final: nothing is written, every such answer is named
    res = run("mark", "def-a", "notif-a", "notif-b", "review", proj, "--yes")
    assert res.exit_code == 2
    assert "2 of the selected answers have no text yet" in res.stderr and "notif-a, notif-b" in res.stderr
    assert read(proj, "def-a").meta.status == "final"
    # the status word may not be missing or repeated; ids go before the status
    assert run("mark", "def-a", "def-b", proj).exit_code == 2
    assert run("mark", "def-a", "final", "review", proj).exit_code == 2
    res = run("mark", "final", "def-a", proj)
    assert res.exit_code == 2 and "put the question ids before the status" in res.stderr


def test_mark_a_selection_by_level_section_and_unanswered_with_json(run, proj):
    import json

    run("answer", "other-b", proj, "--text", "Already written.")
    # other-b is optional but answered: --unanswered leaves it alone; other-a (recommended) too
    res = run("mark", "skip", proj, "--level", "optional", "--unanswered", "--reason", "Outside our business",
              "--yes", "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["changed"] is False and data["answers"] == [] and data["selected"] == 0
    res = run("mark", "skip", proj, "--level", "recommended", "--reason", "Not for us", "--yes", "--json")
    data = json.loads(res.stdout)
    assert [(a["question_id"], a["status_before"], a["status"]) for a in data["answers"]] == [
        ("other-a", "unanswered", "skipped")]
    assert read(proj, "other-a").meta.reason == "Not for us"
    # a section, confirmed on stdin; with --json the question goes to stderr and stdout stays JSON
    res = run("mark", "skip", proj, "--section", "notification", "--reason", "Later", "--json", input="y\n")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [a["question_id"] for a in data["answers"]] == ["notif-a", "notif-b"]
    assert "2 answers will change" in res.stderr
    assert run("mark", "skip", proj, "--section", "nope", "--reason", "x", "--yes").exit_code == 2


def test_plan_skip_writes_the_decisions_in_one_step(run, proj):
    res = run("plan", proj, "--skip", "optional", "--reason", "Outside our business", "--yes")
    assert res.exit_code == 0, res.output
    assert read(proj, "other-b").meta.status == "skipped"
    assert read(proj, "other-b").meta.reason == "Outside our business"
    assert not (proj / "answers" / "def-a.md").exists()  # core questions untouched
    assert run("plan", proj, "--skip", "optional").exit_code == 2  # a reason is required


def test_plan_promote_is_stored_and_makes_the_question_core(run, proj):
    import json

    res = run("plan", proj, "--promote", "other-b")
    assert res.exit_code == 0 and "Promoted to core in profile.yaml: def-a, def-b, notif-a, notif-b, other-b." \
        in res.output
    data = json.loads(run("plan", proj, "--json").output)
    q = next(q for q in data["questions"] if q["question_id"] == "other-b")
    assert q["level"] == "core" and q["reasons"] == ["you promoted this question to core yourself"]
    run("plan", proj, "--unpromote", "other-b")
    data = json.loads(run("plan", proj, "--json").output)
    assert next(q for q in data["questions"] if q["question_id"] == "other-b")["level"] == "optional"
    assert run("plan", proj, "--promote", "nope").exit_code == 2
