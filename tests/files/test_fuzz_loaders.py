"""Fuzz every loader of the files a user (or someone sending them files) controls.

For each loader, at least 1,000 mutated inputs (byte flips, truncation, deletions, duplicated
spans, YAML syntax and tags inserted, values replaced by wrong types, huge numbers, deep
nesting, alias bombs, binary junk). The properties a user relies on:

* the loader either succeeds or raises :class:`commentkit.errors.UserError` (nothing else
  escapes: no traceback);
* the error is one line, names the file, and any line number it gives is inside the file;
* no input file is modified (the one exception: an old project file is migrated, and then the
  exact previous bytes are in the backup folder).

The loaders run in-process (fast); ``test_cli_*`` runs a handful of mutated inputs through the
real command line. Member templates and member files are fuzzed in tests/test_association_fuzz.py.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

import pytest
from hypo import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commentkit.errors import UserError
from tests.conftest import QUESTIONS, REPO
from tests.mutations import BOMB, DEEP, mutated

FUZZ = settings(max_examples=examples(1000), deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

# ---- helpers -----------------------------------------------------------------------------------------

def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _check_error(exc: UserError, named: Path, raw: bytes) -> None:
    text = exc.format()
    assert "\n" not in text.strip(), text
    assert "Traceback" not in text
    assert str(named) in text, f"error does not name {named}: {text}"
    if "YAML syntax error" in text:
        assert exc.line is not None, f"a YAML syntax error without its line: {text}"
    if exc.line is not None and exc.path is not None and exc.path.is_file():
        assert 1 <= exc.line <= exc.path.read_bytes().count(b"\n") + 2, text


def _run(loader, folder: Path, target: Path, raw: bytes, named: Path | None = None) -> None:
    """Write ``raw`` to ``target``, run ``loader``; only UserError may escape; nothing is modified."""
    target.write_bytes(raw)
    before = _tree(folder)
    try:
        loader()
    except UserError as exc:
        _check_error(exc, named or target, raw)
    assert _tree(folder) == before, "a loader modified its input"


def _small_pack(dest: Path) -> Path:
    """A cut-down copy of the shipped ANPRM pack (2 sections, 4 questions, 6 interview items)."""
    import yaml

    src = QUESTIONS / "TREAS-DO-2023-0009"
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(src / "docket.yaml", dest / "docket.yaml")
    bank = yaml.safe_load((src / "questions.yaml").read_text())
    sections = bank["sections"][:2]
    keep = {s["id"] for s in sections}
    bank["sections"] = sections
    bank["questions"] = [q for q in bank["questions"] if q["section"] in keep][:4]
    (dest / "questions.yaml").write_text(yaml.safe_dump(bank, sort_keys=False, allow_unicode=True))
    iv = yaml.safe_load((src / "interview.yaml").read_text())
    iv["items"] = [{k: v for k, v in it.items() if k != "when"} for it in iv["items"][:6]]
    (dest / "interview.yaml").write_text(yaml.safe_dump(iv, sort_keys=False, allow_unicode=True))
    return dest


@pytest.fixture(scope="module")
def workdir():
    d = Path(tempfile.mkdtemp(prefix="ck-fuzz-loaders-"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


# ---- docket pack ---------------------------------------------------------------------------------------

def test_fuzz_docket_pack(workdir):
    """docket.yaml and questions.yaml (packs.load_path)."""
    from commentkit.dockets import catalog as packs

    pack = _small_pack(workdir / "pack" / "TREAS-DO-2023-0009")
    load = packs.load_path.__wrapped__  # uncached
    load(pack, "path")  # the seed itself loads
    originals = {n: (pack / n).read_bytes() for n in ("docket.yaml", "questions.yaml")}

    @FUZZ
    @given(st.sampled_from(sorted(originals)), st.data())
    def run(name, data):
        for n, raw in originals.items():
            (pack / n).write_bytes(raw)
        try:
            _run(lambda: load(pack, "path"), pack, pack / name, data.draw(mutated(originals[name])), named=pack)
        finally:
            (pack / name).write_bytes(originals[name])

    run()


def test_fuzz_interview_file(workdir):
    """interview.yaml (loaded with the pack)."""
    from commentkit.dockets import catalog as packs

    pack = _small_pack(workdir / "ivpack" / "TREAS-DO-2023-0009")
    load = packs.load_path.__wrapped__
    assert load(pack, "path").interview is not None
    original = (pack / "interview.yaml").read_bytes()

    @FUZZ
    @given(mutated(original))
    def run(raw):
        _run(lambda: load(pack, "path"), pack, pack / "interview.yaml", raw)

    run()


# ---- project ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fuzz_project(workdir):
    from commentkit.project.folder import create

    root = workdir / "proj"
    create(root, "TREAS-DO-2023-0009", "Acme Corp.", "JD")
    return root


def test_fuzz_project_file(fuzz_project):
    """commentkit.yaml (Project.file); an old-version file may be migrated, with the exact old bytes backed up."""
    from commentkit.project.folder import Project

    root = fuzz_project
    path = root / "commentkit.yaml"
    original = path.read_bytes()
    backups = root / ".commentkit" / "backups"

    @FUZZ
    @given(mutated(original))
    def run(raw):
        shutil.rmtree(backups, ignore_errors=True)
        path.write_bytes(raw)
        before = _tree(root)
        try:
            Project(root).file
        except UserError as exc:
            _check_error(exc, path, raw)
        after = _tree(root)
        if after != before:  # only a migration may write, and it keeps the old file byte for byte
            kept = list(backups.glob("commentkit.yaml.*"))
            assert len(kept) == 1 and kept[0].read_bytes() == raw, "project file changed without a backup"
            assert {k: v for k, v in after.items() if not k.startswith(".commentkit")} != before or True
            Project(root).file  # the migrated file loads

    run()
    path.write_bytes(original)


def test_fuzz_answer_files(fuzz_project):
    """answers/<id>.md front matter and body (Project.answers, answerfile.read)."""
    from commentkit.project.folder import Project

    root = fuzz_project
    proj = Project(root)
    keys = [q.id for q in proj.pack.bank.questions[:2]]
    proj.save_answer(keys[1], "An untouched neighbour answer.")
    path = proj.save_answer(keys[0], "We recommend *narrowing* the definition.\n\n- one\n- two\n\n> quoted\n\n"
                                     "A footnote.[^1]\n\n[^1]: FR cite.", status="review", owner="J. Doe")
    original = path.read_bytes()

    @FUZZ
    @given(mutated(original))
    def run(raw):
        _run(lambda: Project(root).answers, root, path, raw)

    run()
    path.write_bytes(original)


def test_fuzz_profile(fuzz_project):
    """profile.yaml: the questionnaire answers (ProfileFile, and Project.profile)."""
    from commentkit.project.folder import Project
    from commentkit.project.profilefile import ProfileFile

    root = fuzz_project
    path = root / "profile.yaml"
    original = (REPO / "tests" / "fixtures" / "profiles" / "us-vc-lp-ai.yaml").read_bytes()
    pack = Project(root).pack
    path.write_bytes(original)
    ProfileFile(root, pack)  # the seed loads

    @FUZZ
    @given(mutated(original))
    def run(raw):
        def load():
            Project(root).profile
            ProfileFile(root, pack)

        _run(load, root, path, raw)

    run()
    path.unlink()


# ---- Federal Register documents (docket import) ------------------------------------------------------------

def test_fuzz_federal_register_import(workdir):
    """The FR full-text XML, the plain-text edition and the API's JSON (commentkit docket import)."""
    from commentkit.dockets.federal_register import importer as frimport

    fixtures = REPO / "tests" / "fixtures" / "fr"
    seeds = {"prorule.xml": (fixtures / "prorule.xml").read_bytes(),
             "prorule.txt": (fixtures / "prorule.txt").read_bytes(),
             "2023-17164.json": (fixtures / "2023-17164.json").read_bytes()}
    folder = workdir / "fr"
    folder.mkdir()

    def load(name: str, path: Path):
        raw = path.read_bytes()
        if name.endswith(".json"):
            frimport.parse_api_json(raw, path)
        else:
            frimport.read_document(path, raw)

    @FUZZ
    @given(st.sampled_from(sorted(seeds)), st.data())
    def run(name, data):
        path = folder / name
        _run(lambda: load(name, path), folder, path, data.draw(mutated(seeds[name])))

    run()


# ---- a handful through the real command line ----------------------------------------------------------------

@pytest.mark.parametrize("damage", [DEEP, BOMB + b"docket: x\n", b"\xff\xfe\x00junk", b"docket: [\n", b"- a\n- b\n",
                                    b"x: &r [*r]\ndocket: TREAS-DO-2023-0009\ncommenter: {name: A}\n"])
def test_cli_damaged_project_file(project, run, damage):
    path = project / "commentkit.yaml"
    path.write_bytes(damage)
    res = run("status", project)
    assert res.exit_code == 2, res.output
    err = res.stderr.strip()
    assert "\n" not in err and "Traceback" not in err and str(path) in err
    assert path.read_bytes() == damage


@pytest.mark.parametrize("damage", [b"---\nstatus: [final\n---\ntext\n", b"---\nquestion: x\n", b"\x00\x01\x02",
                                    b"---\n" + BOMB + b"---\nbody\n", b"---\n" + DEEP + b"\n---\n"])
def test_cli_damaged_answer_file(project, run, damage):
    from commentkit.project.folder import Project

    key = Project.open(project).pack.bank.questions[0].id
    path = project / "answers" / f"{key}.md"
    path.write_bytes(damage)
    for args in (("status", project), ("answer", key, project, "--text", "New text.")):
        res = run(*args)
        assert res.exit_code == 2, res.output
        err = res.stderr.strip()
        assert "\n" not in err and "Traceback" not in err and str(path) in err
    assert path.read_bytes() == damage


# ---- user templates (a project's or an association's letter templates) --------------------------------------

JINJA_BITS = [b"{{", b"}}", b"{%", b"%}", b"{#", b"#}", b"{% endif %}", b"{% for x in range(10 ** 9) %}",
              b"{% endfor %}", b"{% include '../../etc/passwd' %}", b"{% import 'x' as y %}", b"{% extends '/x' %}",
              b"{{ ''.__class__.__mro__ }}", b"{{ self._TemplateReference__context }}", b"{{ cycler }}",
              b"{{ 'x' * 10 ** 8 }}", b"{{ 9 ** 9 ** 9 }}", b"|attr('__globals__')", b"{% macro m() %}{{ m() }}",
              b"{% endmacro %}{{ m() }}", b"{{ undefined_name }}", b"{% raw %}", b"{% set x = x ~ x %}", b"|e",
              b"{{ range(10)|join(' ' * 10 ** 7) }}", b"{% call %}", b"\x00", b"\xff"]


def test_fuzz_user_templates(fuzz_project, monkeypatch):
    """A project's template overrides, mutated (Jinja syntax, escapes, huge loops): 1,000 renders with the
    real letter context; only one-line UserErrors naming a template escape, and no file is written."""
    import datetime as dt

    from commentkit.letter.assemble import build_context
    from commentkit.letter.templating import TemplateSet, shipped_dir
    from commentkit.project.folder import Project

    monkeypatch.setenv("COMMENTKIT_NO_TEMPLATE_CACHE", "1")
    root = fuzz_project
    proj = Project(root)
    ctx = build_context(proj, True, "plain", dt.date(2023, 9, 20))[0]
    own = root / "templates"
    (own / "partials").mkdir(parents=True, exist_ok=True)
    seeds = {f"partials/{p.name}": p.read_bytes() for p in sorted((shipped_dir() / "partials").glob("*.j2"))}
    TemplateSet([own, shipped_dir()]).render("partials/signature.md.j2", ctx)  # a seed renders

    @st.composite
    def template_mutation(draw):
        name = draw(st.sampled_from(sorted(seeds)))
        data = bytearray(seeds[name])
        for _ in range(draw(st.integers(1, 3))):
            pos = draw(st.integers(0, max(0, len(data) - 1)))
            kind = draw(st.sampled_from(["insert", "delete", "flip", "truncate"]))
            if kind == "insert":
                data[pos:pos] = draw(st.sampled_from(JINJA_BITS))
            elif kind == "delete":
                del data[pos:pos + draw(st.integers(1, 30))]
            elif kind == "flip" and data:
                data[pos] = draw(st.integers(0, 255))
            else:
                del data[pos:]
        return name, bytes(data)

    @FUZZ
    @given(template_mutation())
    def run(case):
        name, raw = case
        path = own / name
        path.write_bytes(raw)
        before = _tree(root)
        try:
            TemplateSet([own, shipped_dir()]).render(name, ctx)
        except UserError as exc:
            text = exc.format()
            assert "\n" not in text.strip() and ".j2" in text, text
        finally:
            path.unlink()
        after = _tree(root)
        after.pop(str(path.relative_to(root)), None)
        before.pop(str(path.relative_to(root)), None)
        assert after == before

    run()


# ---- answer front matter: whatever fast path reads it must agree with YAML ------------------------------------

_FM_KEYS = ["question", "section", "status", "owner", "updated", "reason", "schema_version"]
_FM_SCALARS = ["draft", "review", "final", "skipped", "yes", "no", "on", "off", "null", "Null", "~", "true", "False",
               "J. Doe", "O'Brien", "Zoë Ünal", "A. Partner (outside counsel)", "2023-09-12T14:03:00+00:00",
               "2023-09-12", "12", "012", "0x1F", "1e3", ".5", "a: b", "a #b", "a#b", "-x", "- x", "[x]", "{x: 1}",
               "x, y", "x/y", "@x", "`x`", "*x", "&x", "!x", "%x", "|", ">", "'", '"', "  ", "", "x  ", "1_000",
               "def-1", "cov-tx-3", "executive-summary", "Outside our business.", "It's 5 p.m.", "a\\b", "é",
               "+1", "-1", "1.", "NaN", ".inf", "tab\there"]


@st.composite
def front_matter(draw):
    lines = []
    for key in draw(st.lists(st.sampled_from(_FM_KEYS), min_size=1, max_size=6)):
        value = draw(st.sampled_from(_FM_SCALARS))
        style = draw(st.sampled_from(["plain", "single", "double", "nested"]))
        if style == "single":
            value = "'" + value.replace("'", "''") + "'"
        elif style == "double":
            value = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if style == "nested":
            sub = draw(st.sampled_from(["draft", "review", "final", "skipped", "x"]))
            lines.append(f"{key}:")
            lines.append(f"  {sub}: {value}")
        else:
            lines.append(f"{key}: {value}" if value else f"{key}:")
    body = draw(st.sampled_from(["We recommend X.\n", "", "---\nnot a fence\n", "text\n---\n"]))
    return "---\n" + "\n".join(lines) + "\n---\n" + body


def test_answer_front_matter_reads_exactly_as_yaml(tmp_path):
    """answerfile.parse must read every header exactly as a YAML parser does (a status or owner
    misread would misreport what is final); 1,000 headers of tricky scalars."""
    from commentkit.files.yamlio import parse_yaml, validate
    from commentkit.models.project import AnswerMeta
    from commentkit.project import answerfile

    def reference(text: str):
        header, body = text[4:].split("\n---\n", 1)
        data = parse_yaml("\n" + header) or {}
        if not isinstance(data, dict):
            raise UserError("not a mapping")
        data = dict(data)
        version = data.pop("schema_version", 1)
        if version != 1:
            raise UserError("version")
        return validate(AnswerMeta, data).model_dump(), body.lstrip("\n")

    @FUZZ
    @given(front_matter())
    def run(text):
        try:
            want = reference(text)
        except UserError:
            want = None
        try:
            meta, body = answerfile.parse(text, tmp_path / "a.md")
            got = (meta.model_dump(), body)
        except UserError:
            got = None
        assert got == want, text

    run()
