"""Fuzz the association loaders: mutated input gives a one-line UserError or a valid result,
never another exception, and the input file is never modified (issue 9's rule for every loader)."""

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
from tests.conftest import SAMPLES
from tests.mutations import mutated

SAMPLE = SAMPLES / "association"
FUZZ = settings(max_examples=examples(1000), deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _check(loader, path: Path, raw: bytes):
    path.write_bytes(raw)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    try:
        loader(path)
    except UserError as exc:
        text = exc.format()
        assert "\n" not in text.strip() and "Traceback" not in text
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def _small_template_text(tmp: Path) -> str:
    """A small but complete template (one locked position), for cheap parser runs."""
    from commentkit.association import template as association_template

    tpl = association_template.load(SAMPLE / "member-template.yaml")
    small = tpl.model_copy(update={"questions": tpl.questions[1:2], "items": tpl.items[:1],
                                   "required_items": [tpl.items[0].id]})
    small.positions_checksum = association_template.positions_checksum(small.questions)
    return association_template.render(small)


@pytest.fixture(scope="module")
def workdir():
    d = Path(tempfile.mkdtemp(prefix="ck-fuzz-"))
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_fuzz_template_file_as_received(workdir):
    """Any change to a template file, however small, is refused before parsing (checksum)."""
    from commentkit.association import template as association_template

    raw = _small_template_text(workdir).encode()
    path = workdir / "t.yaml"

    @FUZZ
    @given(mutated(raw))
    def run(data):
        _check(association_template.load, path, data)

    run()


def test_fuzz_template_parser_behind_a_valid_checksum(workdir):
    """A hostile association can produce a sealed but malformed template: the parser still only
    gives one-line errors."""
    from commentkit.association import template as association_template

    text = _small_template_text(workdir)
    body = association_template.unseal(text, Path("x"), "t").encode()
    path = workdir / "sealed.yaml"

    @FUZZ
    @given(mutated(body))
    def run(data):
        _check(association_template.load, path,
               association_template.seal(data.decode("utf-8", "replace")).encode("utf-8"))

    run()


def test_fuzz_exported_response(workdir):
    from commentkit.association import responses as members
    from commentkit.association import template as association_template

    text = members.export(SAMPLE / "members" / "acme-semiconductor")
    body = association_template.unseal(text, Path("x"), "r").encode()
    path = workdir / "r.yaml"

    @FUZZ
    @given(mutated(body), st.booleans())
    def run(data, reseal):
        raw = association_template.seal(data.decode("utf-8", "replace")).encode() if reseal else data
        _check(members.load_export, path, raw)

    run()


@pytest.mark.parametrize("name", ["positions.yaml", "profile.yaml", "commentkit.yaml"])
def test_fuzz_member_project_files(workdir, name):
    """1,000 mutations of each file of a member project, read as collect reads a member."""
    from commentkit.association import responses as members

    src = SAMPLE / "members" / "corvid-quantum"
    proj = workdir / f"member-{name}"
    shutil.copytree(src, proj, dirs_exist_ok=True)
    original = (src / name).read_bytes()
    load = (lambda p: members.load_stances(p)) if name == "positions.yaml" else (lambda p: members.load_project(proj))

    @FUZZ
    @given(mutated(original))
    def run(data):
        _check(load, proj / name, data)

    run()


@pytest.mark.parametrize("which", ["association.yaml", "roster.csv"])
def test_fuzz_association_settings_and_roster(workdir, which):
    from commentkit.association import settings as association
    from commentkit.association.collect import load_roster
    from commentkit.dockets import catalog as packs

    pack = packs.load("TREAS-DO-2023-0009")
    assoc = workdir / f"assoc-{which}"
    assoc.mkdir(exist_ok=True)
    raw = (SAMPLE / "assoc" / which).read_bytes()
    load = (lambda p: association.load(assoc, pack)) if which == "association.yaml" else load_roster

    @FUZZ
    @given(mutated(raw))
    def run(data):
        _check(load, assoc / which, data)

    run()
