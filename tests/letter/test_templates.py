"""Letter templates are untrusted: sandbox, strict variables, bounded output, overrides (issues 5, 9)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

DATE = "2023-09-27"


@pytest.fixture
def proj(project):
    (project / "answers" / "def-1.md").write_text("---\nquestion: def-1\nstatus: final\n---\nWe agree.\n")
    (project / "templates").mkdir()
    return project


def override(project: Path, name: str, text: str) -> Path:
    p = project / "templates" / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


def build(run, project, tmp_path):
    return run("build", project, "--out", tmp_path / "out", "--date", DATE)


def one_line_error(res) -> str:
    assert res.exit_code == 2, res.output
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in res.output, res.stderr
    return lines[0]


HOSTILE = [
    ("{{ ''.__class__.__mro__ }}", "unsafe"),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "unsafe"),
    ("{{ commenter.__class__.__init__.__globals__ }}", "unsafe"),
    ("{{ cycler.__init__.__globals__.os.popen('id').read() }}", "undefined"),
    ("{{ self.__init__.__globals__ }}", "unsafe"),
    ("{{ lipsum.__globals__['os'] }}", "undefined"),
    ("{% include '/etc/passwd' %}", "not found"),
    ("{% include '../../../../etc/passwd' %}", "not found"),
    ("{{ 'x' * 1000000000 }}", "limit"),
    ("{{ 'x'|center(1000000000) }}", "limit"),
    ("{{ '%999999999d' % 1 }}", "limit"),
    ("{{ 9 ** 9 ** 9 }}", "limit"),
    ("{% for i in range(100000) %}{% for j in range(100000) %}xxxxxxxxxx{% endfor %}{% endfor %}", "limit"),
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "recursion"),
    ("{% for i in range(2000) %}{{ 'y' * 1999 }}{% endfor %}", "output exceeds"),
    ("{% set ns = namespace(s='x') %}", "undefined"),
]


@pytest.mark.parametrize("source,kind", HOSTILE, ids=[h[0][:40] for h in HOSTILE])
def test_hostile_template_is_refused_with_file_and_line(run, proj, tmp_path, source, kind):
    path = override(proj, "partials/conclusion.md.j2", "# Conclusion\n\nfine line\n" + source + "\n")
    t0 = time.monotonic()
    res = build(run, proj, tmp_path)
    assert time.monotonic() - t0 < 15
    line = one_line_error(res)
    assert str(path) in line, line
    assert kind in line.lower(), line
    if kind != "not found":
        assert f"{path}:4:" in line, line
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_undefined_variable_names_template_and_line(run, proj, tmp_path):
    path = override(proj, "partials/signature.md.j2", "ok\n\n{{ commenter.nmae }}\n")
    line = one_line_error(build(run, proj, tmp_path))
    assert line.startswith(f"Error: {path}:3: undefined variable")
    assert "nmae" in line


def test_syntax_error_names_template_and_line(run, proj, tmp_path):
    path = override(proj, "letter.md.j2", "line one\n{% if %}\n")
    line = one_line_error(build(run, proj, tmp_path))
    assert f"{path}:2: template syntax error" in line


def test_project_override_replaces_a_partial(run, proj, tmp_path):
    override(proj, "partials/conclusion.md.j2",
             "# Closing Thoughts\n\n::: general conclusion\n{{ commenter.name }} thanks Treasury.\n:::\n")
    res = build(run, proj, tmp_path)
    assert res.exit_code == 0, res.output
    md = next((tmp_path / "out").glob("*.md")).read_text()
    assert "# Closing Thoughts" in md and "Acme Corp. thanks Treasury." in md
    assert "# Conclusion" not in md


def test_data_is_escaped_for_markdown(run, proj, tmp_path):
    (proj / "profile.yaml").write_text('commenter_name: "A*B [Holdings] <x> #1"\n')
    res = build(run, proj, tmp_path)
    assert res.exit_code == 0, res.output
    import docx

    d = docx.Document(str(next((tmp_path / "out").glob("*.docx"))))
    assert d.paragraphs[0].text == "A*B [Holdings] <x> #1"


def test_answer_text_never_runs_as_template(run, proj, tmp_path):
    (proj / "answers" / "def-1.md").write_text(
        "---\nquestion: def-1\nstatus: final\n---\nLiteral {{ seven }} and {% if x %} stay text.\n")
    res = build(run, proj, tmp_path)
    assert res.exit_code == 0, res.output
    md = next((tmp_path / "out").glob("*.md")).read_text()
    assert "Literal {{ seven }} and {% if x %} stay text." in md


def test_answers_may_not_use_template_directives(run, proj, tmp_path):
    (proj / "answers" / "def-1.md").write_text(
        "---\nquestion: def-1\nstatus: final\n---\n::: answer def-2\n:::\n")
    res = build(run, proj, tmp_path)
    # the directive syntax is not active in answers: it stays literal text
    assert res.exit_code == 0
    md = next((tmp_path / "out").glob("*.md")).read_text()
    assert re.search(r"\\?::: answer def-2", md)


def test_unknown_answer_in_template_is_an_error(run, proj, tmp_path):
    path = override(proj, "partials/conclusion.md.j2", "::: answer no-such-question\n:::\n")
    line = one_line_error(build(run, proj, tmp_path))
    assert "no such question" in line and "letter.md.j2" in line or str(path.parent.parent) in line


def test_md_escape_roundtrips_through_the_parser():
    from commentkit.letter.markdown_in import parse_blocks
    from commentkit.letter.templating import md_escape
    from commentkit.models.document import plain_text

    for s in ["A*B_C", "[x](y)", "<b>", "# not a heading", "1. not a list", "- nor this", "a|b", "x\\y",
              "::: answer q", "&amp;", "`code`", "> no quote"]:
        blocks, _ = parse_blocks(md_escape(s))
        assert len(blocks) == 1 and plain_text(blocks[0].inlines) == s, s
