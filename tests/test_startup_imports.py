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


def loaded_modules(args, tmp_path) -> set[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMENTKIT_")}
    env["COMMENTKIT_DATA_DIR"] = str(tmp_path / "data")
    env["PYTHONPATH"] = str(REPO)
    out = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env,
                         cwd=tmp_path, timeout=60)
    marker = out.stderr.rsplit("@@MODULES@@", 1)
    assert len(marker) == 2, out.stderr[-2000:]
    return {m.split(".")[0] for m in json.loads(marker[1])}


@pytest.fixture(scope="module")
def full_project(tmp_path_factory):
    src = SAMPLES / "semiconductor-jv"
    if not (src / "commentkit.yaml").is_file():
        pytest.skip("sample project samples/semiconductor-jv is not there yet")
    dest = tmp_path_factory.mktemp("startup") / "proj"
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns("build", ".commentkit"))
    return dest


@pytest.mark.parametrize("args", [
    ["--help"],
    ["status", "{p}", "--today", "2023-09-21"],
    ["plan", "{p}"],
    ["check", "{p}", "--json", "--today", "2023-09-21"],
], ids=["help", "status", "plan", "check-json"])
def test_light_commands_import_nothing_heavy(args, full_project, tmp_path):
    mods = loaded_modules([a.format(p=full_project) for a in args], tmp_path)
    assert "commentkit" in mods
    heavy = sorted(set(HEAVY) & mods)
    assert not heavy, f"'commentkit {args[0]}' imported {heavy}"
