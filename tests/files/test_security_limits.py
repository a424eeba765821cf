"""Issue 27, limits: every accepted write stays readable. Input is refused at the door (too large,
not UTF-8, NUL and other characters files cannot hold) with one line and exit 2; anything accepted
is read back by every later command. The limit is lowered in-process so sizes around it are cheap."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commentkit.files import limits
from tests.hypo import examples

LIMIT = 200_000
"""The text-file limit during these tests (the real one is 20 MiB; every check reads it at call time)."""

PROPERTY = settings(max_examples=examples(80))  # the profile (conftest.py) sets the rest


@pytest.fixture
def small_limit(monkeypatch):
    monkeypatch.setattr(limits, "TEXT_FILE_BYTES", LIMIT)
    return limits.answer_text_limit()


def _no_refusal(res, *names):
    assert res.exit_code != 2, res.output
    assert "Traceback" not in res.output
    for name in names:
        assert name not in res.stderr, res.stderr


tricky = st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x10FFFF, blacklist_categories=()),
                 max_size=12)
plain = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x10FFFF, blacklist_categories=("Cs",)),
               max_size=12)
raw_bytes = st.one_of(plain.map(str.encode), plain.map(str.encode),
                      tricky.map(lambda t: t.encode("utf-8", "surrogatepass")), st.binary(max_size=12))


@PROPERTY
@given(how=st.sampled_from(["stdin", "file-", "file", "text"]),
       pad=st.sampled_from([0, 2_000, -200, -1, 0, 1, 200]), tail=raw_bytes)
def test_no_accepted_answer_makes_a_file_a_later_command_refuses(project, run, tmp_path, small_limit, how, pad, tail):
    from commentkit.project.folder import Project

    key = Project.open(project).pack.bank.questions[0].id
    size = pad if pad >= 2_000 or pad == 0 else small_limit + pad
    raw = b"w" * max(0, size - len(tail)) + tail
    if how in ("stdin", "file-"):
        args, stdin = (["answer", key, project] + (["--file", "-"] if how == "file-" else [])), raw
    elif how == "file":
        src = tmp_path / "in.md"
        src.write_bytes(raw)
        args, stdin = ["answer", key, project, "--file", src], None
    else:
        args, stdin = ["answer", key, project, "--text", raw.decode("utf-8", "surrogateescape")], None
    res = run(*args, input=stdin)
    assert "Traceback" not in res.output
    if res.exit_code == 2:
        err = res.stderr.strip()
        assert "\n" not in err and ("not UTF-8 at byte" in err or "cannot hold" in err or "too large" in err), err
        return
    if res.exit_code == 1:  # empty answer: nothing written
        return
    assert res.exit_code == 0, res.output
    path = project / "answers" / f"{key}.md"
    assert path.stat().st_size <= LIMIT
    _no_refusal(run("status", project), str(path))
    _no_refusal(run("check", project), str(path))
    _no_refusal(run("build", project, "--draft", "--format", "md,txt,docx"), str(path))


@PROPERTY
@given(value=st.one_of(tricky, tricky.map(lambda t: "x" * 19_990 + t)))
def test_no_accepted_interview_answer_makes_the_profile_unreadable(project, run, tmp_path, small_limit, value):
    src = tmp_path / "answers.yaml"
    src.write_text("commenter_name: " + json.dumps(value) + "\n")
    res = run("interview", project, "--answers", src)
    assert "Traceback" not in res.output
    if res.exit_code != 0:
        assert res.exit_code == 2
        return
    prof = project / "profile.yaml"
    _no_refusal(run("status", project), str(prof))
    _no_refusal(run("plan", project), str(prof))
    res = run("interview", project, "--answers", src)  # the interview itself reads it again
    _no_refusal(res, str(prof))


def test_an_answer_at_the_limit_is_accepted_and_one_byte_more_is_refused(project, run, small_limit):
    from commentkit.project.folder import Project

    key = Project.open(project).pack.bank.questions[0].id
    res = run("answer", key, project, input=b"w" * (small_limit + 1))
    assert res.exit_code == 2 and "too large" in res.stderr and "\n" not in res.stderr.strip()
    assert not (project / "answers" / f"{key}.md").exists()
    res = run("answer", key, project, input=b"w" * small_limit)
    assert res.exit_code == 0, res.output
    assert (project / "answers" / f"{key}.md").stat().st_size <= LIMIT
    assert run("status", project).exit_code == 0


@pytest.mark.parametrize("how", ["stdin", "text", "file"])
def test_invalid_utf8_is_one_line_with_the_byte(project, run, tmp_path, how):
    from commentkit.project.folder import Project

    key = Project.open(project).pack.bank.questions[0].id
    raw = "Résumé ".encode() + b"\xff\xfe tail"
    if how == "stdin":
        res = run("answer", key, project, input=raw)
        name = "standard input"
    elif how == "text":
        res = run("answer", key, project, "--text", raw.decode("utf-8", "surrogateescape"))
        name = "--text"
    else:
        src = tmp_path / "latin.md"
        src.write_bytes(raw)
        res = run("answer", key, project, "--file", src)
        name = str(src)
    assert res.exit_code == 2
    err = res.stderr.strip()
    assert "\n" not in err and name in err and "not UTF-8 at byte 9" in err, err
    assert not (project / "answers" / f"{key}.md").exists()


@pytest.mark.parametrize("char", ["\x00", "\x07"])
@pytest.mark.parametrize("how", ["stdin", "text", "file"])
def test_characters_files_cannot_hold_are_refused_at_the_door(project, run, tmp_path, how, char):
    """NUL is refused with its line; other control characters are kept, read back, and left out of
    the Word letter by the build."""
    from commentkit.project.folder import Project

    key = Project.open(project).pack.bank.questions[0].id
    text = f"First line.\nSecond{char}line.\n"
    if how == "stdin":
        res = run("answer", key, project, input=text.encode())
    elif how == "text":
        res = run("answer", key, project, "--text", text)
    else:
        src = tmp_path / "in.md"
        src.write_bytes(text.encode())
        res = run("answer", key, project, "--file", src)
    if char != "\x00":
        assert res.exit_code == 0, res.output
        assert run("status", project).exit_code == 0
        assert run("build", project, "--draft", "--format", "docx,md,txt").exit_code in (0, 1)
        return
    assert res.exit_code == 2 and "NUL" in res.stderr and "(line 2)" in res.stderr, res.output
    assert "\n" not in res.stderr.strip()
    assert not (project / "answers" / f"{key}.md").exists()


def test_import_docx_of_an_oversized_answer_writes_nothing(project, run, tmp_path, small_limit):
    """A Word file whose text expands past the limit: refused before any answer is written."""
    import docx

    from commentkit.project.folder import Project

    keys = [q.id for q in Project.open(project).pack.bank.questions[:2]]
    for k in keys:
        assert run("answer", k, project, "--text", f"Old text of {k}.").exit_code == 0
    before = {p.name: p.read_bytes() for p in (project / "answers").iterdir()}
    assert run("build", project, "--format", "docx", "--draft").exit_code == 0
    d = docx.Document(str(next((project / "build").glob("*.docx"))))
    for p in d.paragraphs:
        if p.text.startswith("Old text of"):
            big = p.text.startswith(f"Old text of {keys[1]}")
            for r in list(p.runs)[1:]:
                r._r.getparent().remove(r._r)
            p.runs[0].text = "New " + ("long words " * (LIMIT // 10) if big else "text.")
    edited = tmp_path / "edited.docx"
    d.save(str(edited))
    res = run("import-docx", edited, project, "--apply")
    assert res.exit_code == 2, res.output
    err = res.stderr.strip()
    assert "\n" not in err and "nothing was written" in err and f"{keys[1]}.md" in err, err
    assert {p.name: p.read_bytes() for p in (project / "answers").iterdir()} == before


def test_collect_refuses_more_members_than_the_limit(tmp_path, run, monkeypatch):
    import shutil

    from tests.conftest import SAMPLES

    monkeypatch.setitem(limits.TABLE, "members", limits.Limit("members", 2, "", "test"))
    assoc = tmp_path / "assoc"
    shutil.copytree(SAMPLES / "association" / "assoc", assoc)
    res = run("collect", assoc, SAMPLES / "association" / "members")
    assert res.exit_code == 2 and "too many" in res.stderr and "\n" not in res.stderr.strip(), res.output
    assert not (assoc / "collected").exists()


def test_a_30_mb_answer_on_standard_input_is_refused_at_the_real_limit(project, run):
    """The case from the issue, at the real 20 MiB limit: refused, nothing written."""
    from commentkit.project.folder import Project

    key = Project.open(project).pack.bank.questions[0].id
    res = run("answer", key, project, input=b"word " * (6 * 1024 * 1024))
    assert res.exit_code == 2 and "too large" in res.stderr and "\n" not in res.stderr.strip()
    assert not (project / "answers" / f"{key}.md").exists()


def test_collect_skips_a_member_response_with_characters_no_file_can_hold(tmp_path, run):
    """A sealed response whose answer holds a NUL: that member is skipped with one line naming it;
    collect writes its files for the others."""
    import shutil

    from commentkit.association.responses import seal, unseal
    from commentkit.files.yamlio import dump_yaml, parse_yaml
    from tests.conftest import SAMPLES

    assoc = tmp_path / "assoc"
    shutil.copytree(SAMPLES / "association" / "assoc", assoc)
    src = SAMPLES / "association" / "members" / "fulcrum-ai-labs-response.yaml"
    data = parse_yaml(unseal(src.read_text(), src, "member response file"))
    qid = next(iter(data["answers"]))
    data["answers"][qid] = "We agree.\x00With a NUL."
    members = tmp_path / "members"
    members.mkdir()
    bad = members / "fulcrum-response.yaml"
    bad.write_text(seal("# response\n" + dump_yaml(data)))
    shutil.copytree(SAMPLES / "association" / "members" / "acme-semiconductor", members / "acme-semiconductor")
    res = run("collect", assoc, members)
    assert "Traceback" not in res.output
    assert "NUL" in res.output + res.stderr and "fulcrum-response.yaml" in res.output + res.stderr
    for p in (assoc / "collected").rglob("*"):
        if p.is_file():
            assert "\x00" not in p.read_text(errors="replace")
