"""commentkit's default reference document (``templates/reference.docx``).

The letter's look — Times New Roman 12 pt, black bold headings, one-inch margins, and the
letter styles of :data:`commentkit.letter.writers.docx.STYLE_DEFS` — lives in this Word file, so a
user can open it in Word, change the styles, and pass the result as ``--reference-docx``.

Regenerate it with ``python -m commentkit.letter.writers.reference templates/reference.docx``; a
test checks that the committed file equals what this module produces.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from commentkit.letter.writers import docx as w

REPLACED = {"normal", "title", "subtitle", "quote", "list paragraph", "list bullet", "list number", "header",
            "footer", *(f"heading {n}" for n in range(1, 7))}
FIXED_DATE = (2023, 1, 1, 0, 0, 0)


def reference_bytes() -> bytes:
    import docx  # lazy: python-docx is slow to import; only Word commands need it
    from docx.oxml import parse_xml  # lazy: python-docx is slow to import; only Word commands need it
    from docx.oxml.ns import nsdecls  # lazy: python-docx is slow to import; only Word commands need it

    d = docx.Document()
    styles = d.styles.element
    for s in list(styles.findall(f"{{{w.W_NS}}}style")):
        name = s.find(f"{{{w.W_NS}}}name")
        if name is not None and name.get(f"{{{w.W_NS}}}val").lower() in REPLACED:
            styles.remove(s)
    # python-docx's template carries 100 table styles (~300 KB, Word builds them on demand from its
    # latent styles anyway) and a Word 2010 copy of every style (stylesWithEffects.xml, ~440 KB):
    # every build would parse and compress both. Keep the table styles the letter uses.
    wanted = {name.lower() for _, name, *_ in w.STYLE_DEFS}
    for s in list(styles.findall(f"{{{w.W_NS}}}style")):
        name = s.find(f"{{{w.W_NS}}}name")
        if s.get(f"{{{w.W_NS}}}type") == "table" and s.get(f"{{{w.W_NS}}}default") != "1" \
                and (name is None or name.get(f"{{{w.W_NS}}}val").lower() not in wanted):
            styles.remove(s)
    for rid, rel in list(d.part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            d.part.rels.pop(rid)
    defaults = styles.find(f"{{{w.W_NS}}}docDefaults")
    if defaults is not None:
        styles.remove(defaults)
    styles.insert(0, parse_xml(
        f'<w:docDefaults {nsdecls("w")}><w:rPrDefault><w:rPr>'
        '<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman" w:eastAsia="SimSun" w:cs="Times New Roman"/>'
        '<w:sz w:val="24"/><w:szCs w:val="24"/><w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'
        '</w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:widowControl/></w:pPr></w:pPrDefault></w:docDefaults>'))
    w._ensure_styles(d)
    # the default style of each type must be marked as such
    for s in styles.findall(f"{{{w.W_NS}}}style"):
        if s.get(f"{{{w.W_NS}}}styleId") == "Normal":
            s.set(f"{{{w.W_NS}}}default", "1")
    sec = d.sections[0]
    from docx.shared import Inches  # lazy: python-docx is slow to import; only Word commands need it

    sec.left_margin = sec.right_margin = Inches(1)
    sec.top_margin = sec.bottom_margin = Inches(1)
    sec.header_distance = sec.footer_distance = Inches(0.5)
    cp = d.core_properties
    stamp = dt.datetime(*FIXED_DATE)
    cp.title = "commentkit reference document"
    cp.author = "commentkit"
    cp.last_modified_by = "commentkit"
    cp.created = cp.modified = cp.last_printed = stamp
    cp.revision = 1
    cp.subject = cp.keywords = cp.comments = cp.category = ""
    pkg = d.part.package
    for rid, rel in list(pkg.rels.items()):
        if rel.reltype == w.RT_THUMBNAIL:
            pkg.rels.pop(rid)
    return w._save_deterministic(d, FIXED_DATE)


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "templates/reference.docx")
    out.write_bytes(reference_bytes())
    print(out)
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main(sys.argv[1:]))
