"""Synthetic inputs for the benchmarks: an 83-question docket, a fully answered project, and
member projects for `collect`. Deterministic (seeded), written with commentkit's own code.

    python bench/synth.py project OUT_DIR      # the full project (and its pack in OUT_DIR/data)
"""

from __future__ import annotations

import os
import random
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ANPRM = REPO / "questions" / "TREAS-DO-2023-0009"
PROFILE = REPO / "tests" / "fixtures" / "profiles" / "semiconductor-equipment-prc-jv.yaml"
BENCH_DOCKET = "TREAS-DO-2023-0009"
N_QUESTIONS = 83

WORDS = ("covered transaction notification Treasury investment diligence semiconductor equipment "
         "limited partner fund exception threshold definition knowledge standard compliance burden "
         "joint venture subsidiary export control national security person country concern revenue "
         "expense majority controlled foreign entity greenfield convertible contingent equity "
         "publicly traded index program regulation guidance clarity certainty capital allies").split()


def sentence(rng: random.Random, n: int) -> str:
    words = [rng.choice(WORDS) for _ in range(n)]
    return words[0].capitalize() + " " + " ".join(words[1:]) + "."


def paragraph(rng: random.Random, words: int) -> str:
    out, count = [], 0
    while count < words:
        n = rng.randint(12, 24)
        out.append(sentence(rng, n))
        count += n
    return " ".join(out)


def answer_body(rng: random.Random, i: int) -> str:
    """About 250 words: prose, and in turn a list, a block quote, a footnote, emphasis, a link."""
    parts = [f"**Recommendation {i}.** " + paragraph(rng, 90)]
    if i % 3 == 0:
        parts.append("\n".join(f"- {sentence(rng, 10)}" for _ in range(3)))
    elif i % 3 == 1:
        parts.append("> " + paragraph(rng, 35))
    else:
        parts.append("1. " + sentence(rng, 10) + "\n2. " + sentence(rng, 10) + "\n3. " + sentence(rng, 10))
    parts.append(paragraph(rng, 70) + f" See the *Federal Register* notice.[^n{i}]")
    parts.append(f"[^n{i}]: {sentence(rng, 12)} <https://www.federalregister.gov/d/2023-17164>")
    return "\n\n".join(parts) + "\n"


def make_pack(data_dir: Path) -> Path:
    """A user pack with the ANPRM's id and 83 questions (the 60 shipped plus 23 added)."""
    from commentkit.files.yamlio import dump_yaml, load_yaml

    dest = data_dir / "dockets" / BENCH_DOCKET
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(ANPRM, dest)
    bank = load_yaml(dest / "questions.yaml")
    sections = [s["id"] for s in bank["sections"]]
    k = 0
    while len(bank["questions"]) < N_QUESTIONS:
        k += 1
        bank["questions"].append({
            "id": f"bench-{k}", "section": sections[k % len(sections)],
            "title": f"Additional benchmark question {k}",
            "text": f"Whether the program should address benchmark topic {k}.",
            "wording": "summary", "tags": ["definitions"],
        })
    (dest / "questions.yaml").write_text(dump_yaml(bank), encoding="utf-8")
    return dest


def make_project(out: Path) -> Path:
    """The full project: 83 final answers of ~250 words and every general section."""
    from commentkit.dockets import catalog as packs
    from commentkit.models.project import GENERAL_SECTIONS
    from commentkit.project.folder import create

    out = Path(out)
    data_dir = out / "data"
    os.environ["COMMENTKIT_DATA_DIR"] = str(data_dir)
    packs.load_path.cache_clear()
    make_pack(data_dir)
    root = out / "project"
    if root.exists():
        shutil.rmtree(root)
    proj = create(root, BENCH_DOCKET, "Meridian Deposition Systems, Inc.", owner="bench")
    shutil.copy(PROFILE, root / "profile.yaml")
    rng = random.Random(83)
    for i, q in enumerate(proj.pack.bank.ordered(), 1):
        proj.save_answer(q.id, answer_body(rng, i), status="final")
    for name in GENERAL_SECTIONS:
        proj.save_answer(name, paragraph(rng, 120) + "\n\n" + paragraph(rng, 80), status="final")
    return root


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[1] != "project":
        sys.exit(__doc__)
    print(make_project(Path(sys.argv[2])))
