"""Options people can rely on: one meaning per short option, --today and the project folder the
same everywhere, the table in docs/cli.md the real one, shell completion of ids."""

from __future__ import annotations

import shutil
from collections import defaultdict

import click
import pytest
from click.shell_completion import ShellComplete

from commentkit.cli import cli, reference
from tests.conftest import REPO, SAMPLES


def _visible_options(cmd: click.Command) -> list[click.Option]:
    return [p for p in cmd.params if isinstance(p, click.Option) and not p.hidden and p.name != "help"]


def test_docs_cli_table_is_generated_from_the_commands():
    text = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert f"{reference.BEGIN}\n{reference.table()}\n{reference.END}" in text, \
        "docs/cli.md is stale: python -m commentkit.cli.reference docs/cli.md"


def test_one_meaning_per_short_option():
    shorts: dict[str, set[str]] = defaultdict(set)
    for _name, cmd in reference.leaf_commands():
        for p in _visible_options(cmd):
            longs = [o for o in p.opts if o.startswith("--")]
            for o in p.opts:
                if not o.startswith("--"):
                    shorts[o].update(longs)
    clashes = {s: sorted(longs) for s, longs in shorts.items() if len(longs) > 1}
    assert not clashes, f"short options with more than one meaning: {clashes}"
    assert shorts["-o"] == {"--out"}


def test_today_and_a_positional_project_folder_everywhere():
    for name, cmd in reference.leaf_commands():
        opts = {o for p in _visible_options(cmd) for o in p.opts}
        assert "--today" in opts, f"{name} has no --today"
        assert "--date" not in opts and "--project" not in opts, f"{name}: an older option is not hidden"
        folder = [p for p in cmd.params if p.name == "directory"]
        assert all(isinstance(p, click.Argument) for p in folder), f"{name}: the project folder is not positional"


def test_older_spellings_still_work(run, tmp_path):
    sample = tmp_path / "s"
    shutil.copytree(SAMPLES / "semiconductor-jv", sample, ignore=shutil.ignore_patterns("build", ".commentkit"))
    a = run("build", sample, "--format", "md", "--out", tmp_path / "a", "--date", "2023-09-27")
    b = run("build", sample, "--format", "md", "--out", tmp_path / "b", "--today", "2023-09-27")
    assert a.exit_code == 0 and b.exit_code == 0, a.output + b.output
    (ma,), (mb,) = (tmp_path / "a").glob("*.md"), (tmp_path / "b").glob("*.md")
    assert ma.read_text() == mb.read_text() and "September 27, 2023" in ma.read_text()
    assert run("questions", "--project", sample).output == run("questions", sample).output
    assert run("show", "cov-tx-3", sample).output.startswith("Greenfield investments")


def _complete(args: list[str], incomplete: str) -> list[str]:
    return [c.value for c in ShellComplete(cli, {}, "commentkit", "_COMMENTKIT_COMPLETE")
            .get_completions(args, incomplete)]


@pytest.mark.parametrize("args, incomplete, expected", [
    ([], "ma", ["mark"]),
    (["answer"], "def-", ["def-1", "def-2", "def-3"]),
    (["answer"], "exec", ["executive-summary"]),
    (["mark"], "cov-tx-1", ["cov-tx-1"]),
    (["init", "x", "--docket"], "TREAS", ["TREAS-DO-2023-0009"]),
    (["docket", "update"], "FR-", ["FR-2024-13923"]),
    (["show", "--docket", "TREAS-DO-2023-0009"], "def-1", ["def-1"]),
])
def test_completion_of_commands_and_ids(tmp_path, monkeypatch, args, incomplete, expected):
    sample = tmp_path / "s"
    shutil.copytree(SAMPLES / "semiconductor-jv", sample, ignore=shutil.ignore_patterns("build", ".commentkit"))
    monkeypatch.chdir(sample)
    got = _complete(args, incomplete)
    assert got[:len(expected)] == expected or set(expected) <= set(got), got


def test_completion_outside_a_project_completes_nothing_and_does_not_fail(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert _complete(["answer"], "def") == []
