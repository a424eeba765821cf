"""Shared fixtures. Tests never touch the internet."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, settings

# Hypothesis profiles: a fast default for every run, a thorough one for a long fuzzing session
# (COMMENTKIT_HYPOTHESIS=thorough python -m pytest). Fuzz tests scale their example counts by the
# profile through ``examples(n)``.
settings.register_profile("default", deadline=None, derandomize=True, database=None,
                          suppress_health_check=list(HealthCheck))
settings.register_profile("thorough", deadline=None, derandomize=False,
                          suppress_health_check=list(HealthCheck))
PROFILE = os.environ.get("COMMENTKIT_HYPOTHESIS", "default")
settings.load_profile(PROFILE)

REPO = Path(__file__).resolve().parent.parent
QUESTIONS = REPO / "questions"
SAMPLES = REPO / "samples"


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path_factory, monkeypatch):
    """No test sees the user's real data folder, clock overrides or editor."""
    data = tmp_path_factory.mktemp("userdata")
    monkeypatch.setenv("COMMENTKIT_DATA_DIR", str(data))
    for var in ("COMMENTKIT_TODAY", "COMMENTKIT_NOW", "VISUAL", "EDITOR"):
        monkeypatch.delenv(var, raising=False)
    from commentkit.dockets import catalog as packs

    packs.load_path.cache_clear()
    yield


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def run(runner):
    """Invoke the CLI; returns click's Result (exit_code, stdout, stderr)."""
    from commentkit.cli import cli

    def _run(*args, input=None, env=None):
        return runner.invoke(cli, [str(a) for a in args], input=input, env=env, catch_exceptions=False)

    return _run


@pytest.fixture
def project(tmp_path, run):
    """A fresh project for TREAS-DO-2023-0009."""
    root = tmp_path / "proj"
    res = run("init", root, "--docket", "TREAS-DO-2023-0009", "--commenter", "Acme Corp.")
    assert res.exit_code == 0, res.output
    return root


@pytest.fixture
def pack_copy(tmp_path):
    """A writable copy of the shipped ANPRM pack, for damaging."""
    dest = tmp_path / "pack" / "TREAS-DO-2023-0009"
    shutil.copytree(QUESTIONS / "TREAS-DO-2023-0009", dest)
    return dest


def reapprove(path: Path) -> None:
    """After a test edits a final answer on disk, record the new text as approved (what
    `commentkit mark ID final` would do), so the test exercises what it is about rather than
    the change-since-approval check (tests/test_approval.py covers that)."""
    import re

    from commentkit.project import answerfile

    ans = answerfile.read(path)
    if ans.changed is None:
        return
    sha = answerfile.fingerprint(ans.body)
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^(  sha256: )[0-9a-f]{64}$", lambda m: m.group(1) + sha, text, count=1),
                    encoding="utf-8")


def user_pack_dir() -> Path:
    return Path(os.environ["COMMENTKIT_DATA_DIR"]) / "dockets"
