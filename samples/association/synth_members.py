"""Generate N synthetic member projects answering the sample template (for tests and benchmarks).

    python samples/association/synth_members.py OUT_DIR N [--seed S] [--forms]

With ``--forms`` it writes N returned Word forms instead (the sample's form, filled the way
Word stores values, by make_forms.fill).

One real member project is created with ``init --from-template`` semantics; the others are
copies of it with their own name, profile, positions and answers, so every generated member
has exactly the files a real one has. Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "member-template.yaml"

SECTORS = ["semiconductors", "quantum", "ai"]
SEMI = ["eda_software", "fe_equipment", "advanced_ic_design", "advanced_ic_fabrication", "advanced_packaging",
        "legacy_chips"]
QUANTUM = ["quantum_computers", "quantum_sensors", "quantum_networking"]
AI = ["ai_dual_use", "ai_other"]
TX = ["equity", "contingent_equity", "greenfield", "joint_venture", "lp_investment", "public_securities",
      "intracompany"]
LINKS = ["subsidiaries", "joint_ventures", "investee_companies", "suppliers", "customers", "lp_non_us_funds"]
SENTENCES = [
    "Our limited partner commitments are made years before the fund selects any investment.",
    "We learn of portfolio companies only from quarterly reports after closing.",
    "A notification for every capital call would be unworkable for a fund of our size.",
    "Diligence on a target's covered activities would add two weeks to each transaction.",
    "Our joint venture serves only mature-node customers and has no access to our technology.",
    "Compliance staff time would be the largest cost, followed by outside counsel fees.",
]


def _pick(rng: random.Random, pool: list[str], lo: int = 1, hi: int = 3) -> list[str]:
    k = rng.randint(lo, min(hi, len(pool)))
    chosen = set(rng.sample(pool, k))
    return [v for v in pool if v in chosen]


def _profile(rng: random.Random, name: str) -> str:
    sectors = _pick(rng, SECTORS)
    lines = ["schema_version: 1", "commenter_type: company", f"commenter_name: {name!r}", "us_person: true",
             f"sectors: [{', '.join(sectors)}]"]
    if "semiconductors" in sectors:
        lines.append(f"semi_activities: [{', '.join(_pick(rng, SEMI))}]")
    if "quantum" in sectors:
        lines.append(f"quantum_activities: [{', '.join(_pick(rng, QUANTUM))}]")
    if "ai" in sectors:
        lines.append(f"ai_activities: [{', '.join(_pick(rng, AI, 1, 2))}]")
    lines.append(f"coc_countries: [{', '.join(_pick(rng, ['prc', 'hong_kong', 'macau'], 1, 2))}]")
    lines.append(f"coc_links: [{', '.join(_pick(rng, LINKS))}]")
    lines.append(f"transaction_types: [{', '.join(_pick(rng, TX))}]")
    lines.append(f"annual_transactions: {rng.randint(0, 40)}")
    return "\n".join(lines) + "\n"


def _answer(rng: random.Random, qid: str, day: int) -> str:
    body = " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(2, 6)))
    return (f"---\nquestion: {qid}\nstatus: final\nupdated: '2023-09-{day:02d}T15:00:00+00:00'\n---\n"
            f"{body}\n")


def generate(dest: Path, n: int, seed: int = 7, template: Path = TEMPLATE) -> list[Path]:
    from commentkit.association import member_project as members_project

    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    proto = dest / ".prototype"
    if proto.exists():
        shutil.rmtree(proto)
    _, tpl = members_project.create(proto, template, "Prototype Member")
    project_text = (proto / "commentkit.yaml").read_text(encoding="utf-8")
    rng = random.Random(seed)
    qids = [q.id for q in tpl.questions]
    out = []
    for i in range(1, n + 1):
        name = f"Member Company {i:05d} Inc."
        root = dest / f"member-{i:05d}"
        shutil.copytree(proto, root, ignore=shutil.ignore_patterns(".commentkit"))
        (root / "commentkit.yaml").write_text(
            project_text.replace('"Prototype Member"', f'"{name}"'), encoding="utf-8")
        (root / "profile.yaml").write_text(_profile(rng, name), encoding="utf-8")
        day = rng.randint(5, 17)  # some after the 15 September member due date
        for qid in rng.sample(qids, rng.randint(1, 3)):
            (root / "answers" / f"{qid}.md").write_text(_answer(rng, qid, day), encoding="utf-8")
        if rng.random() < 0.1:
            text = (root / "positions.yaml").read_text(encoding="utf-8")
            (root / "positions.yaml").write_text(text.replace("agree: true", "agree: false", 1), encoding="utf-8")
        out.append(root)
    shutil.rmtree(proto)
    return out


def generate_forms(dest: Path, n: int, seed: int = 7, form: Path = HERE / "member-form.docx") -> list[Path]:
    """N returned Word forms with varied answers (choices ticked, rich-text answers)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_forms", HERE / "make_forms.py")
    mf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mf)
    from commentkit.association import form as memberform

    blank = Path(form).read_bytes()
    tpl = memberform.embedded_template(Path(form))
    rng = random.Random(seed)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(1, n + 1):
        values: dict = {"ck_m_name": f"Form Member {i:05d} LLC", "ck_c_us_person_1": True,
                        "__modified__": f"2023-09-{rng.randint(5, 17):02d}T15:00:00Z"}
        for it in tpl.items:
            if it.type == "multichoice":
                for n_ in rng.sample(range(1, len(it.choices) + 1), rng.randint(1, min(3, len(it.choices)))):
                    if it.choices[n_ - 1].value != "none":
                        values[memberform.Names.choice(it.id, n_)] = True
        for q in rng.sample(tpl.questions, rng.randint(1, 3)):
            values[memberform.Names.answer(q.id)] = [" ".join(rng.choice(SENTENCES) for _ in range(3)),
                                                     ("bullet", rng.choice(SENTENCES))]
        path = dest / f"form-{i:05d}.docx"
        path.write_bytes(mf.fill(blank, values))
        out.append(path)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--forms", action="store_true", help="returned Word forms instead of member projects")
    args = ap.parse_args()
    if args.forms:
        generate_forms(Path(args.out), args.n, args.seed)
    else:
        generate(Path(args.out), args.n, args.seed)


if __name__ == "__main__":
    main()
