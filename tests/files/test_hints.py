"""Commands suggested in messages work when pasted where the user is."""

from __future__ import annotations

import os

from commentkit.files import hints


def test_project_folder_is_added_unless_inside_it(tmp_path, monkeypatch):
    root = tmp_path / "acme comment"
    (root / "answers").mkdir(parents=True)
    monkeypatch.chdir(tmp_path)
    assert hints.command(root, "mark", "def-3", "final") == "commentkit mark def-3 final 'acme comment'"
    monkeypatch.chdir(root / "answers")
    assert hints.command(root, "mark", "def-3", "final") == "commentkit mark def-3 final"
    assert hints.command(root, "mark", "def-3", "skip", options=("--reason", "...")) == \
        "commentkit mark def-3 skip --reason ..."


def test_a_suggested_command_from_a_real_message_runs(project, run, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    res = run("mark", "def-3", "final", project)
    assert res.exit_code == 2
    suggestion = res.stderr.split("skip it (", 1)[1].split(")", 1)[0]
    assert os.path.relpath(project, tmp_path) in suggestion
    import shlex

    args = shlex.split(suggestion.replace("...", "'Outside our business'"))[1:]
    res = run(*args)
    assert res.exit_code == 0, res.output
    assert "status: skipped" in (project / "answers" / "def-3.md").read_text()
