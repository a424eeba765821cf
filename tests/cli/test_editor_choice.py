"""`answer` says which editor it opens when neither $VISUAL nor $EDITOR is set."""

from __future__ import annotations

import os
import sys

NANO = f"""#!{sys.executable}
import sys
with open(sys.argv[1], "a", encoding="utf-8") as fh:
    fh.write("Typed in the fallback editor.\\n")
"""


def test_without_visual_or_editor_it_says_which_editor_opens(run, project, tmp_path):
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "nano").write_text(NANO)
    (bindir / "nano").chmod(0o755)
    res = run("answer", "def-3", project, "--edit", env={"PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}"})
    assert res.exit_code == 0, res.output
    assert "Opening nano ($VISUAL and $EDITOR are not set" in res.stderr and "export EDITOR=" in res.stderr
    assert "Typed in the fallback editor." in (project / "answers" / "def-3.md").read_text()


def test_with_editor_set_nothing_is_said(run, project, tmp_path):
    script = tmp_path / "ed.py"
    script.write_text(NANO.split("\n", 1)[1])
    res = run("answer", "def-3", project, "--edit", env={"EDITOR": f"{sys.executable} {script}"})
    assert res.exit_code == 0, res.output
    assert "Opening" not in res.stderr
