"""Commands that write no document start fast: they must not import python-docx, the Markdown
parser or an HTTP client (measured in a real subprocess through sys.modules)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import REPO, SAMPLES

HEAVY = ("docx", "markdown_it", "mdit_py_plugins", "httpx", "httpcore", "lxml", "icalendar", "questionary",
         "prompt_toolkit")

PROBE = """
import json, sys
from commentkit.cli import cli
try:
    cli.main(args=sys.argv[1:], prog_name="commentkit", standalone_mode=False)
except SystemExit:
    pass
sys.stdout.flush()
sys.stderr.write("\\n@@MODULES@@" + json.dumps(sorted(m for m in sys.modules)) + "\\n")
"""


def run_probe(probe: str, args, tmp_path, **extra_env):
    """Run ``probe`` in a fresh interpreter; returns the process and every module it imported."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMENTKIT_")}
    env.update(COMMENTKIT_DATA_DIR=str(tmp_path / "data"), PYTHONPATH=str(REPO), **extra_env)
    out = subprocess.run([sys.executable, "-c", probe, *args], capture_output=True, text=True, env=env,
                         cwd=tmp_path, timeout=60)
    marker = out.stderr.rsplit("@@MODULES@@", 1)
    assert len(marker) == 2, out.stderr[-2000:]
    return out, set(json.loads(marker[1]))


def loaded_modules(args, tmp_path) -> set[str]:
    return {m.split(".")[0] for m in run_probe(PROBE, args, tmp_path)[1]}


@pytest.fixture(scope="module")
def full_project(tmp_path_factory):
    src = SAMPLES / "semiconductor-jv"
    if not (src / "commentkit.yaml").is_file():
        pytest.skip("sample project samples/semiconductor-jv is not there yet")
    dest = tmp_path_factory.mktemp("startup") / "proj"
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("build", ".commentkit"))
    return dest


@pytest.mark.parametrize("args,allowed", [
    (["--help"], ()),
    (["status", "{p}", "--today", "2023-09-21"], ()),
    (["plan", "{p}"], ()),
    # check builds the letter with the build's code (one comment-box count): the Markdown parser
    (["check", "{p}", "--json", "--today", "2023-09-21"], ("markdown_it", "mdit_py_plugins")),
], ids=["help", "status", "plan", "check-json"])
def test_light_commands_import_nothing_heavy(args, allowed, full_project, tmp_path):
    mods = loaded_modules([a.format(p=full_project) for a in args], tmp_path)
    assert "commentkit" in mods
    heavy = sorted(set(HEAVY) - set(allowed) & mods)
    assert not heavy, f"'commentkit {args[0]}' imported {heavy}"


ENTRY_PROBE = """
import atexit, json, sys
atexit.register(lambda: sys.stderr.write("\\n@@MODULES@@" + json.dumps(sorted(sys.modules)) + "\\n"))
from commentkit.cli import main
main(sys.argv[1:])
"""


def entry_point_run(args, tmp_path, **extra_env):
    """Run the console entry point (``commentkit.cli.main``, with its process settings)."""
    return run_probe(ENTRY_PROBE, args, tmp_path, **extra_env)


def test_entry_point_runs_status_and_reports_bad_files(full_project, tmp_path):
    # the console entry point (with its garbage-collector settings) runs a light command
    out, mods = entry_point_run(["status", str(full_project), "--today", "2023-09-21"], tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "Deadline:  Thursday 28 September 2023" in out.stdout
    assert "pydantic" in mods
    # validation still happens: a broken project file is still a one-line error with its line
    bad = tmp_path / "bad"
    shutil.copytree(full_project, bad)
    (bad / "commentkit.yaml").write_text("docket: TREAS-DO-2023-0009\ncommenter:\n  name: 42x\nmilestones: 7\n",
                                         encoding="utf-8")
    out, _ = entry_point_run(["status", str(bad)], tmp_path)
    assert out.returncode == 2 and "commentkit.yaml:4" in out.stderr and "Traceback" not in out.stderr
