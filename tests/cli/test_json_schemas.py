"""Every ``--json`` output validates against its published JSON Schema (docs/json/), and the
published files are the ones generated from commentkit/cli/schemas.py."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema

from commentkit.cli import jsonout, schemas
from tests.conftest import REPO, SAMPLES
from tests.dockets.test_frfetch import FR, _anprm_meta, _new_rule, fr_api  # noqa: F401 - fixture
from tests.questionnaire.test_interview import SEMI

SCHEMAS = REPO / "docs" / "json"


def test_committed_schema_files_are_the_generated_ones():
    generated = schemas.schema_files()
    committed = {p.name: p.read_text(encoding="utf-8") for p in SCHEMAS.glob("*.schema.json")}
    assert sorted(committed) == sorted(generated), "run: python -m commentkit.cli.schemas docs/json"
    for name, text in generated.items():
        assert committed[name] == text, f"docs/json/{name} is stale: run python -m commentkit.cli.schemas docs/json"


def test_every_output_is_documented():
    text = (REPO / "docs" / "json.md").read_text(encoding="utf-8")
    for output in schemas.OUTPUTS:
        assert f"`{output.NAME}`" in text, f"docs/json.md does not name the output {output.NAME}"


class Seen:
    def __init__(self, run):
        self.run, self.names = run, set()

    def __call__(self, *args, ok=(0,), input=None) -> dict:
        res = self.run(*args, "--json", input=input)
        assert res.exit_code in ok, (args, res.output)
        data = json.loads(res.stdout)
        assert isinstance(data, dict) and next(iter(data)) == "schema", "schema must be the first key"
        name = data["schema"].split("/")[1]
        schema = json.loads((SCHEMAS / f"{name}.v1.schema.json").read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator(schema).validate(data)
        self.names.add(name)
        return data


def test_every_command_output_validates_against_its_schema(run, tmp_path, fr_api):  # noqa: F811
    j = Seen(run)
    # dockets and questions
    assert any(r["docket"]["id"] == "TREAS-DO-2023-0009" for r in j("dockets")["dockets"])
    j("dockets", "--check-updates", "--today", "2030-01-01")  # every period closed long ago: nothing asked
    qs = j("questions", "-d", "TREAS-DO-2023-0009")
    assert qs["docket"]["id"] == "TREAS-DO-2023-0009" and qs["questions"][0]["question_id"]
    assert j("show", "def-3", "-d", "TREAS-DO-2023-0009")["question_id"] == "def-3"

    # a project, from init to package
    p = tmp_path / "acme"
    init = j("init", p, "--docket", "TREAS-DO-2023-0009", "--commenter", "Acme Corp.")
    assert init["changed"] and str(p / "commentkit.yaml") in init["written"]
    answers = tmp_path / "answers.yaml"
    shutil.copy(SEMI, answers)
    iv = j("interview", p, "--answers", answers)
    assert iv["changed"] and "sectors" in iv["stored"] and iv["docket"]["id"] == "TREAS-DO-2023-0009"
    assert j("interview", p)["changed"] is False
    plan = j("plan", p)
    core = [q["question_id"] for q in plan["questions"] if q["level"] == "core"]
    ans = j("answer", core[0], p, "--text", "Our answer.")
    assert (ans["question_id"], ans["status_before"], ans["status"], ans["changed"]) == (core[0], "unanswered",
                                                                                          "draft", True)
    assert j("answer", core[0], p, "--text", "Our answer.")["changed"] is False
    gen = j("answer", "executive-summary", p, "--text", "Summary.")
    assert gen["general_section"] == "executive-summary" and gen["question_id"] is None
    assert gen["path"] == "general/executive-summary.md"
    mark = j("mark", core[0], "final", p, "--owner", "A. Partner")
    (row,) = mark["answers"]
    assert (row["question_id"], row["status_before"], row["status"], row["owner"]) == (core[0], "draft", "final",
                                                                                       "A. Partner")
    assert mark["changed"] and mark["written"] == [str(p / "answers" / f"{core[0]}.md")]
    skip = j("mark", core[1], "skip", p, "--reason", "Not our business")
    assert skip["skip_reason"] == "Not our business" and skip["answers"][0]["status"] == "skipped"
    assert j("mark", core[1], "skip", p, "--reason", "Not our business")["changed"] is False
    status = j("status", p, "--today", "2023-09-21")
    plan = j("plan", p)
    # plan and status: the same keys with the same values for the same question
    by_plan = {q["question_id"]: q for q in plan["questions"]}
    for q in status["questions"]:
        assert by_plan[q["question_id"]] == q
    assert by_plan[core[0]]["status"] == "final" and by_plan[core[1]]["status"] == "skipped"
    dl = j("deadline", p, "--ics", tmp_path / "d.ics", "--today", "2023-09-21")
    assert dl["changed"] and dl["written"] == [str(tmp_path / "d.ics")]
    build = j("build", p, "--draft")
    assert build["changed"] and all(Path(f).is_file() for f in build["written"])
    docx = next(f for f in build["written"] if f.endswith(".docx"))
    imp = j("import-docx", docx, p)
    assert imp["changed"] is False and imp["docket"]["id"] == "TREAS-DO-2023-0009"
    j("check", p, "--today", "2023-09-21", ok=(0, 1))
    pkg = j("package", p, "--out", tmp_path / "filing", "--no-pdf", "--today", "2023-09-21", ok=(0, 1))
    assert pkg["written"] == [str(tmp_path / "filing")]

    # a trade association
    assoc = tmp_path / "association"
    shutil.copytree(SAMPLES / "association", assoc, ignore=shutil.ignore_patterns("collected", "build"))
    tpl = j("template", "create", assoc / "assoc", "--out", tmp_path / "t.yaml")
    assert tpl["format"] == "yaml" and tpl["written"] == [str(tmp_path / "t.yaml")]
    assert j("template", "show", tmp_path / "t.yaml")["template"]
    member = tmp_path / "member"
    assert j("init", member, "--from-template", tmp_path / "t.yaml", "--commenter", "Beta Inc.")["kind"] == \
        "member-from-template"
    fresh = tmp_path / "fresh-assoc"
    j("init", fresh, "--docket", "TREAS-DO-2023-0009", "--commenter", "Council of Testers")
    assert j("template", "init", fresh)["written"] == [str(fresh / "association.yaml")]
    exp = j("export-response", member, "--out", tmp_path / "beta.yaml")
    assert exp["written"] == [str(tmp_path / "beta.yaml")]
    col = j("collect", assoc / "assoc", assoc / "members", "--out", tmp_path / "collected")
    assert col["responses"] >= 1 and col["changed"]

    # dockets from the Federal Register (a server on 127.0.0.1)
    meta, xml = _new_rule()
    fr_api.serve_document("2025-01234", meta, xml)
    fetched = j("docket", "fetch", "2025-01234")
    assert fetched["docket"]["id"] == "TREAS-DO-2025-0001" and fetched["changed"]
    (tmp_path / "n.xml").write_bytes(xml)
    (tmp_path / "n.json").write_text(json.dumps(dict(meta, document_number="2025-01234")))
    dry = j("docket", "import", tmp_path / "n.xml", "--meta", tmp_path / "n.json", "--out", f"{tmp_path}/packs/",
            "--dry-run")
    assert dry["changed"] is False and dry["written"] == [] and dry["pack"].endswith("TREAS-DO-2025-0001")
    fr_api.serve_document("2023-17164", _anprm_meta(), (FR / "prorule.xml").read_bytes())
    upd = j("docket", "update", "TREAS-DO-2023-0009", "--fetch", "--yes")
    assert upd["changed"] and upd["docket"]["id"] == "TREAS-DO-2023-0009"
    ext = j("docket", "import", FR / "notices" / "extension-anprm.xml")
    assert ext["docket"]["id"] == "TREAS-DO-2023-0009" and ext["kind"] == "extension" and ext["changed"]

    assert j.names == {o.NAME for o in schemas.OUTPUTS}, "outputs not exercised: " + ", ".join(
        sorted({o.NAME for o in schemas.OUTPUTS} - j.names))


def test_a_key_outside_the_schema_is_reported_and_the_data_still_printed(capsys):
    jsonout.emit("mark", {"project": "/p", "status": "final", "skip_reason": None, "answers": [], "unchanged": [],
                          "selected": 0, "changed": False, "written": [], "surprise": 1})
    out, err = capsys.readouterr()
    assert "does not match its schema commentkit/mark/v1" in err and "surprise" in err
    assert json.loads(out)["surprise"] == 1 and json.loads(out)["schema"] == "commentkit/mark/v1"


def test_the_models_are_loaded_only_for_json(tmp_path):
    from tests.architecture.test_startup_imports import PROBE, run_probe

    sample = tmp_path / "s"
    shutil.copytree(SAMPLES / "semiconductor-jv", sample, ignore=shutil.ignore_patterns("build", ".commentkit"))
    _, mods = run_probe(PROBE, ["status", str(sample), "--today", "2023-09-21"], tmp_path)
    assert "commentkit.cli.schemas" not in mods
    _, mods = run_probe(PROBE, ["status", str(sample), "--today", "2023-09-21", "--json"], tmp_path)
    assert "commentkit.cli.schemas" in mods
