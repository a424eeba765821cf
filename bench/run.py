"""commentkit benchmarks: whole processes, warm-up then median of N runs, ratios taken in the
same run (these machines are shared; absolute times drift).

    pip install -e '.[bench]'      # matplotlib for the chart
    python bench/run.py            # writes docs/benchmarks.md and docs/img/collect-per-member.png
    python bench/run.py --runs 9 --quick   # fewer collect sizes, no report written

Measures (issue 15): build (DOCX+MD+TXT) against pandoc's DOCX alone and the import floor;
start-up of `--help` and `status` against bare Python; `collect` at 100/300/1,000 members
(time, peak memory, per-member cost) and 100 returned Word forms; `check` and `plan`; the
interview's per-answer save (fsync included). Installs pandoc from Debian when missing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

PY = sys.executable
BIN = Path(PY).parent / "commentkit"


def ck() -> list[str]:
    return [str(BIN)] if BIN.exists() else [PY, "-m", "commentkit"]


# ---- timing ------------------------------------------------------------------------------------
class Stat:
    def __init__(self, name: str, times: list[float], rss_kb: list[int] | None = None):
        self.name, self.times, self.rss_kb = name, times, rss_kb or []

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    def row(self) -> dict:
        return {"name": self.name, "median_s": round(self.median, 4), "min_s": round(min(self.times), 4),
                "max_s": round(max(self.times), 4), "runs": len(self.times),
                "peak_rss_mb": round(max(self.rss_kb) / 1024, 1) if self.rss_kb else None}


_RSS = ("import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
        "e = time.perf_counter() - t\n"
        "sys.stderr.write(r.stderr.decode()[-2000:] if r.returncode else '')\n"
        "print(e, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)\n")


def measure(name: str, cmd: list[str], runs: int, env: dict | None = None, ok=(0,)) -> Stat:
    """Warm-up once, then ``runs`` timed runs of the whole process (with its peak memory)."""
    times, rss = [], []
    for i in range(runs + 1):
        out = subprocess.run([PY, "-c", _RSS, *cmd], capture_output=True, text=True, env=env)
        parts = out.stdout.split()
        if len(parts) != 3 or int(parts[2]) not in ok:
            raise SystemExit(f"benchmark command failed: {' '.join(cmd)}\n{out.stderr[-2000:]}")
        if i:  # the first run is the warm-up
            times.append(float(parts[0]))
            rss.append(int(parts[1]))
    return Stat(name, times, rss)


def ensure_pandoc() -> str | None:
    if shutil.which("pandoc"):
        return shutil.which("pandoc")
    if shutil.which("apt-get"):
        subprocess.run("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pandoc",
                       shell=True, capture_output=True)
    return shutil.which("pandoc")


def version_of(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()[0].strip()
    except (OSError, IndexError):
        return "not installed"


# ---- the parts -----------------------------------------------------------------------------
def bench_build(work: Path, runs: int, env: dict) -> tuple[list[Stat], dict]:
    import synth

    root = synth.make_project(work)
    env = dict(env, COMMENTKIT_DATA_DIR=str(work / "data"))
    out = work / "out"
    build = measure("commentkit build (docx+md+txt)",
                    [*ck(), "build", str(root), "--format", "docx,md,txt", "--out", str(out)], runs, env)
    check_build_output(out)
    md = next(out.glob("*.md"))
    nocache = measure("commentkit build, compiled-template cache off",
                      [*ck(), "build", str(root), "--format", "docx,md,txt", "--out", str(work / "out2")], runs,
                      dict(env, COMMENTKIT_NO_TEMPLATE_CACHE="1"))
    stats = [build, nocache]
    pandoc = ensure_pandoc()
    if pandoc:
        stats.append(measure("pandoc letter.md -> docx", [pandoc, str(md), "-o", str(work / "pandoc.docx")], runs, env))
    stats += bench_sample_build(work, runs, env, pandoc)
    stats.append(measure("floor: python -c 'import docx, jinja2, pydantic, click'",
                         [PY, "-c", "import docx, jinja2, pydantic, click"], runs, env))
    stats.append(measure("floor with pydantic's models: ... from pydantic import BaseModel, Field",
                         [PY, "-c", "import docx, jinja2, click; from pydantic import BaseModel, Field"], runs, env))
    stats.append(measure("bare python -c pass", [PY, "-c", "pass"], runs, env))
    words = len(md.read_text(encoding="utf-8").split())
    return stats, {"root": root, "env": env, "words": words}


SAMPLE = "semiconductor-jv"


def bench_sample_build(work: Path, runs: int, env: dict, pandoc: str | None) -> list[Stat]:
    """The shipped sample (17 answers), built as a user builds it, against pandoc on its own Markdown."""
    root = work / SAMPLE
    shutil.copytree(REPO / "samples" / SAMPLE, root, ignore=shutil.ignore_patterns("build", ".commentkit"))
    out = work / "sample-out"
    stats = [measure("commentkit build, shipped sample (docx+md+txt)",
                     [*ck(), "build", str(root), "--out", str(out), "--today", "2023-09-25"], runs, env)]
    md = next(out.glob("*.md"))
    if pandoc:
        stats.append(measure("pandoc sample.md -> docx", [pandoc, str(md), "-o", str(work / "sample-pandoc.docx")],
                             runs, env))
    return stats


def check_build_output(out: Path) -> None:
    """The measured build must do the real work: all 83 responses in the DOCX, text complete."""
    import docx

    d = docx.Document(str(next(out.glob("*.docx"))))
    body = "\n".join(p.text for p in d.paragraphs)
    missing = [i for i in range(1, 84) if f"Recommendation {i}." not in body]
    if missing:
        raise SystemExit(f"benchmark build lost responses {missing[:5]}...")
    md = next(out.glob("*.md")).read_text(encoding="utf-8")
    if md.count("Recommendation ") < 83:
        raise SystemExit("benchmark Markdown is incomplete")
    txt = next(out.glob("*.txt")).read_text(encoding="utf-8")
    if len(txt) < 500:
        raise SystemExit("benchmark comment-box text is incomplete")


def bench_startup(root: Path, runs: int, env: dict) -> list[Stat]:
    return [
        measure("commentkit --help", [*ck(), "--help"], runs, env),
        measure("commentkit status (full project)", [*ck(), "status", str(root), "--today", "2023-09-21"], runs, env),
        measure("commentkit plan (full project)", [*ck(), "plan", str(root)], runs, env),
        measure("commentkit check --json (full project)", [*ck(), "check", str(root), "--json", "--today", "2023-09-21"],
                runs, env, ok=(0, 1)),
    ]


def bench_interview_save(work: Path, env: dict, n: int = 50) -> Stat:
    """Time from an answer given to profile.yaml on disk (fsync included), in-process."""
    code = f"""
import os, sys, time, json, shutil
os.environ['COMMENTKIT_DATA_DIR'] = {str(env['COMMENTKIT_DATA_DIR'])!r}
from commentkit.project.folder import create
from commentkit.project.profilefile import ProfileFile
root = {str(work / 'interview')!r}
shutil.rmtree(root, ignore_errors=True)
p = create(__import__('pathlib').Path(root), 'TREAS-DO-2023-0009', 'Acme')
pf = ProfileFile.of(p)
times = []
for i in range({n}):
    t = time.perf_counter()
    pf.set('commenter_name', f'Acme {{i}}')
    times.append(time.perf_counter() - t)
print(json.dumps(times))
"""
    out = subprocess.run([PY, "-c", code], capture_output=True, text=True, env=env)
    if out.returncode:
        raise SystemExit(f"interview save benchmark failed:\n{out.stderr[-2000:]}")
    times = json.loads(out.stdout)
    return Stat(f"interview: one answer saved (fsync), {n} answers", times[1:])


def bench_collect(work: Path, sizes: list[int], runs: int, env: dict, forms: int) -> tuple[list[Stat], list[dict]]:
    import synth_members

    stats, per = [], []
    for n in sizes:
        assoc, members = synth_members.make(work / f"collect-{n}", n, env)
        s = measure(f"commentkit collect, {n} member projects",
                    [*ck(), "collect", str(assoc), str(members), "--today", "2023-09-20"], runs, env)
        stats.append(s)
        per.append({"members": n, "median_s": s.median, "per_member_ms": 1000 * s.median / n,
                    "peak_rss_mb": max(s.rss_kb) / 1024})
    if forms:
        assoc, members = synth_members.make_forms(work / f"forms-{forms}", forms, env)
        stats.append(measure(f"commentkit collect, {forms} returned Word forms",
                             [*ck(), "collect", str(assoc), str(members), "--today", "2023-09-20"], runs, env))
    return stats, per


def bench_web_pages(root: Path, runs: int, env: dict) -> dict:
    """Server-side render time of every page of `commentkit serve` (bench/web_pages.py)."""
    out = subprocess.run([PY, str(HERE / "web_pages.py"), str(root), "--runs", str(max(runs, 15))],
                         capture_output=True, text=True, env=dict(env, COMMENTKIT_TODAY="2023-09-21"))
    if out.returncode:
        raise SystemExit(f"web page benchmark failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout)


# ---- report ------------------------------------------------------------------------------------
def chart(per: list[dict], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    xs = [p["members"] for p in per]
    ys = [p["per_member_ms"] for p in per]
    # marginal: extra time per extra member from the size before (flat = linear growth)
    mx = [b["members"] for a, b in zip(per, per[1:])]
    my = [1000 * (b["median_s"] - a["median_s"]) / (b["members"] - a["members"]) for a, b in zip(per, per[1:])]
    fig, ax = plt.subplots(figsize=(6, 3.2), dpi=100)
    ax.plot(xs, ys, marker="o", label="whole run / members (start-up shared)")
    if mx:
        ax.plot(mx, my, marker="s", label="marginal: per extra member")
    ax.set_xlabel("member projects collected")
    ax.set_ylabel("ms per member (median run)")
    ax.set_ylim(0, max(ys + my) * 1.4)
    ax.set_title("commentkit collect: per-member cost")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    return True


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7, help="timed runs per figure after one warm-up (default 7)")
    ap.add_argument("--quick", action="store_true", help="collect at 100 members only; do not write the report")
    ap.add_argument("--keep", action="store_true", help="keep the generated inputs (printed)")
    ap.add_argument("--json", action="store_true", help="print all figures as JSON")
    args = ap.parse_args()
    if args.runs < 7 and not args.quick:
        ap.error("the report needs at least 7 runs per figure")

    # An installed commentkit runs from compiled bytecode (pip compiles it); a source checkout under
    # PYTHONDONTWRITEBYTECODE would recompile ~35 modules every run, which no user pays.
    import compileall

    compileall.compile_dir(str(REPO / "commentkit"), quiet=1)
    work = Path(tempfile.mkdtemp(prefix="commentkit-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMENTKIT_")}
    env["COMMENTKIT_DATA_DIR"] = str(work / "data")
    try:
        build_stats, info = bench_build(work, args.runs, env)
        env = info["env"]
        startup = bench_startup(info["root"], args.runs, env)
        save = bench_interview_save(work, env)
        web = bench_web_pages(info["root"], args.runs, env)
        sizes = [100] if args.quick else [100, 300, 1000]
        collect_stats, per = bench_collect(work, sizes, args.runs, env, forms=0 if args.quick else 100)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"inputs kept in {work}")

    by = {s.name: s for s in build_stats + startup}
    build, floor, bare = (by["commentkit build (docx+md+txt)"],
                          by["floor: python -c 'import docx, jinja2, pydantic, click'"], by["bare python -c pass"])
    pandoc = by.get("pandoc letter.md -> docx")
    sample, sample_pandoc = by["commentkit build, shipped sample (docx+md+txt)"], by.get("pandoc sample.md -> docx")
    ratios = {
        "sample build / pandoc": round(sample.median / sample_pandoc.median, 2) if sample_pandoc else None,
        "build / pandoc": round(build.median / pandoc.median, 2) if pandoc else None,
        "status / bare python": round(by["commentkit status (full project)"].median / bare.median, 1),
        "--help / bare python": round(by["commentkit --help"].median / bare.median, 1),
        "build - floor (ms)": round(1000 * (build.median - floor.median)),
        "build - floor with pydantic's models (ms)": round(1000 * (
            build.median - by["floor with pydantic's models: ... from pydantic import BaseModel, Field"].median)),
        "--help - bare (ms)": round(1000 * (by["commentkit --help"].median - bare.median)),
        "status - bare (ms)": round(1000 * (by["commentkit status (full project)"].median - bare.median)),
        "plan - bare (ms)": round(1000 * (by["commentkit plan (full project)"].median - bare.median)),
        "check --json - bare (ms)": round(1000 * (by["commentkit check --json (full project)"].median - bare.median)),
    }
    everything = [s.row() for s in build_stats + startup + [save] + collect_stats]
    result = {"figures": everything, "ratios": ratios, "collect_per_member": per, "words": info["words"],
              "web_pages": web}
    if args.json or args.quick:
        print(json.dumps(result, indent=2))
    if not args.quick:
        write_report(result, args.runs)
    return 0


def write_report(result: dict, runs: int) -> None:
    import commentkit

    png = REPO / "docs" / "img" / "collect-per-member.png"
    has_chart = chart(result["collect_per_member"], png)
    lines = [
        "# Benchmarks",
        "",
        "Made by `python bench/run.py` (see its docstring). Every figure is a whole process: one",
        f"warm-up run, then the median of {runs} runs, with min and max; ratios are taken within the",
        "same run because these machines are shared and absolute times drift.",
        "",
        f"- Date: {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}",
        f"- Python {platform.python_version()}, commentkit {commentkit.__version__}, "
        f"{version_of(['pandoc', '--version'])}",
        f"- Build input: a synthetic project of 83 final answers of about 250 words each, every general "
        f"section filled, with lists, quotes and footnotes ({result['words']:,} words of Markdown out). "
        "commentkit's modules are compiled to bytecode first, as pip does on install. "
        "commentkit keeps no cache of outputs: every run parses every answer and writes every file, and "
        "the script checks once that the DOCX holds all 83 responses and the text version is complete. "
        "The only cache is of compiled Jinja templates (like .pyc files); the build is also timed with it "
        "off (COMMENTKIT_NO_TEMPLATE_CACHE=1).",
        "- commentkit runs through its console script, as users run it, so the process settings of "
        "`commentkit/cli/runtime.py` apply (garbage-collector threshold, heap frozen at exit).",
        "",
        "| what | median (s) | min (s) | max (s) | runs | peak memory (MB) |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in result["figures"]:
        mem = "" if r["peak_rss_mb"] is None else f"{r['peak_rss_mb']:.0f}"
        lines.append(f"| {r['name']} | {r['median_s']:.3f} | {r['min_s']:.3f} | {r['max_s']:.3f} | {r['runs']} | {mem} |")
    lines += ["", "## Ratios and targets", "", "| ratio | value | target |", "| --- | ---: | --- |"]
    targets = {"sample build / pandoc": "< 1.0 (issue 25)", "status / bare python": "<= 8 (issue 25)",
               "--help / bare python": "<= 3 (issue 25)", "build / pandoc": "< 0.5 (issue 25; < 1.0 in issue 15)", "build - floor (ms)": "<= 60", "build - floor with pydantic's models (ms)": "(for reference)", "--help - bare (ms)": "<= 150",
               "status - bare (ms)": "<= 150", "plan - bare (ms)": "(not set)", "check --json - bare (ms)": "(not set)"}
    for k, v in result["ratios"].items():
        lines.append(f"| {k} | {v} | {targets.get(k, '')} |")
    lines += ["", "## collect: per-member cost", "",
              "The whole-run cost per member falls as the fixed start-up (about 0.2 s) is shared by more "
              "members; the marginal cost (extra time per extra member, from the size before) is what must "
              "stay flat for growth to be linear.", "",
              "| members | median (s) | ms per member | marginal ms per member | peak memory (MB) |",
              "| ---: | ---: | ---: | ---: | ---: |"]
    prev = None
    for p in result["collect_per_member"]:
        marginal = "" if prev is None else \
            f"{1000 * (p['median_s'] - prev['median_s']) / (p['members'] - prev['members']):.2f}"
        lines.append(f"| {p['members']} | {p['median_s']:.3f} | {p['per_member_ms']:.2f} | {marginal} | "
                     f"{p['peak_rss_mb']:.0f} |")
        prev = p
    if has_chart:
        lines += ["", "![collect per-member cost](img/collect-per-member.png)"]
    lines += web_report(result.get("web_pages") or {})
    lines += ["", "## Commands", "", "```", "python bench/run.py            # this report",
              "python bench/run.py --quick    # a fast look, nothing written", "```", ""]
    notes = REPO / "bench" / "NOTES.md"
    if notes.exists():
        lines += [notes.read_text(encoding="utf-8").strip(), ""]
    (REPO / "docs" / "benchmarks.md").write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {REPO / 'docs' / 'benchmarks.md'}", file=sys.stderr)  # stdout may be --json


def web_report(pages: dict) -> list[str]:
    if not pages:
        return []
    lines = ["", "## Web pages (`commentkit serve`)", "",
             "Server-side time from request to the last byte, in-process through the ASGI interface, on the "
             "same 83-answer project (`bench/web_pages.py`). Warm: the project unchanged since the last page "
             "(what the app read and derived is reused; every file's size and time stamp is still checked). "
             "Cold: an answer file changed just before (as after a save): everything is read, validated and "
             "computed again. Target: under 50 ms median.", "",
             "| page | warm median (ms) | min | max | cold median (ms) | size (KB) |",
             "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for name, r in pages.items():
        lines.append(f"| {name} | {r['median_ms']:.1f} | {r['min_ms']:.1f} | {r['max_ms']:.1f} | "
                     f"{r['cold_median_ms']:.1f} | {r['bytes'] / 1024:.0f} |")
    warm = [n for n, r in pages.items() if r["median_ms"] >= 50]
    cold = [n for n, r in pages.items() if r["cold_median_ms"] >= 50]
    lines += ["", "Warm: " + ("every page is under 50 ms." if not warm else f"over 50 ms: {', '.join(warm)}.")]
    if cold:
        lines.append(f"Cold, over 50 ms: {', '.join(cold)}. What remains there is the core work the page shows, "
                     "done by the same functions as the commands: the letter preview builds the whole letter "
                     "(`commentkit.build.build_letter`, every answer through the Markdown pipeline and the "
                     "templates), Check runs every preflight rule including that build, and the pages that rank "
                     "questions (Dashboard, Plan, Projects, Answer editor) re-read and re-validate the 83 answer "
                     "files and evaluate every relevance rule. The app does not keep a second, incremental "
                     "version of those rules; it reuses their results until a file of the project changes.")
    return lines


if __name__ == "__main__":
    raise SystemExit(main())
