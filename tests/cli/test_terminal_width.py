"""Terminal output fits 80 columns: long text is wrapped, never cut, and markers stay."""

from __future__ import annotations

import re
import shutil

import pytest

from commentkit.dockets import catalog
from tests.conftest import SAMPLES

COMMANDS = [("status", "--today", "2023-09-21"), ("check", "--today", "2023-09-21"), ("questions",), ("plan",),
            ("deadline", "--today", "2023-09-21"), ("dockets",), ("show", "def-1")]


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    root = tmp_path_factory.mktemp("samples")
    for name in ("semiconductor-jv", "vc-ai-lp"):
        shutil.copytree(SAMPLES / name, root / name, ignore=shutil.ignore_patterns("build", ".commentkit"))
    return root


@pytest.mark.parametrize("sample", ["semiconductor-jv", "vc-ai-lp"])
@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: a[0])
def test_fits_80_columns_without_cutting(run, samples, sample, args):
    cmd, *rest = args
    res = run(cmd, *rest, *([samples / sample] if cmd != "dockets" else []), env={"COLUMNS": "80"})
    assert res.exit_code in (0, 1), res.output
    long = [line for line in res.stdout.splitlines() if len(line) > 80]
    assert not long, f"{cmd}: {len(long)} line(s) over 80 columns:\n" + "\n".join(long[:5])
    assert "\N{HORIZONTAL ELLIPSIS}" not in res.stdout, "text was cut instead of wrapped"


@pytest.mark.parametrize("columns", ["80", "100"])
def test_plan_keeps_every_summary_marker_and_whole_titles(run, samples, columns):
    res = run("plan", samples / "semiconductor-jv", env={"COLUMNS": columns})
    pack = catalog.load("TREAS-DO-2023-0009")
    text = " ".join(re.sub(r"\d+ FR [\d-]+", " ", res.stdout).split())  # unwrapped, without the cite column
    for q in pack.bank.questions:
        marked = q.title + ("*" if q.wording == "summary" else "")
        assert marked in text, f"{q.id}: {marked!r} not shown whole"
    assert len(re.findall(r"\*(?=\s)", res.stdout)) >= sum(q.wording == "summary" for q in pack.bank.questions)


def test_status_wraps_the_long_lines_under_their_label(run, samples):
    res = run("status", samples / "semiconductor-jv", "--today", "2023-09-21", env={"COLUMNS": "80"})
    lines = res.stdout.splitlines()
    i = next(n for n, line in enumerate(lines) if line.startswith("Time left: "))
    assert lines[i + 1].startswith(" " * 11) and lines[i + 1].strip()
