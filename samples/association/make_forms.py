"""Fill the sample association's Word member form as Word stores filled values.

    python samples/association/make_forms.py      (run by make_members.py)

Writes members/*.docx: two returned forms (one of them edits a locked position). The
functions here are also what the tests use to fill forms: :func:`fill` takes the form's bytes
and a mapping of field -> value and changes the XML the way Word does when a user types into a
box (runs of text, paragraphs, bold / italic runs, list paragraphs, hyperlinks), ticks a check
box (``w14:checked`` = 1 and the ☒ glyph) or picks a date (``w:fullDate``).
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

from lxml import etree

HERE = Path(__file__).resolve().parent
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
W = f"{{{W_NS}}}"
W14 = f"{{{W14_NS}}}"


def _el(tag, **attrs):
    ns, _, name = tag.partition(":")
    el = etree.Element({"w": W, "w14": W14}[ns] + name)
    for k, v in attrs.items():
        el.set(W + k, v)
    return el


def _run(text: str, bold=False, italic=False):
    r = _el("w:r")
    if bold or italic:
        rpr = etree.SubElement(r, W + "rPr")
        if bold:
            etree.SubElement(rpr, W + "b")
        if italic:
            etree.SubElement(rpr, W + "i")
    t = etree.SubElement(r, W + "t")
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return r


def _inline(p, spec, links):
    """spec: a string, or a list of strings / (text, 'b'|'i'|'bi') / ('link', text, url)."""
    parts = [spec] if isinstance(spec, str) else spec
    for part in parts:
        if isinstance(part, str):
            p.append(_run(part))
        elif part[0] == "link":
            rid = links(part[2])
            h = etree.SubElement(p, W + "hyperlink")
            h.set(f"{{{R_NS}}}id", rid)
            h.append(_run(part[1]))
        else:
            p.append(_run(part[0], bold="b" in part[1], italic="i" in part[1]))


def _bookmarks(root):
    return {b.get(W + "name"): b for b in root.iter(W + "bookmarkStart")}


def _up(el, tag):
    while el is not None and el.tag != W + tag:
        el = el.getparent()
    return el


def fill(form: bytes, values: dict, *, position_edits: dict | None = None, stray: list[str] | None = None) -> bytes:
    """A filled copy of ``form``.

    ``values`` maps bookmark names to: a string (text typed into the box); a list of paragraphs
    for a rich-text box (each a string, a list of inline parts, or ("bullet"|"number", inline));
    True (tick the check box); "X" (type an X in front of a check box, leaving it unticked);
    "strike" (strike through a check box's label). ``position_edits`` maps position bookmarks to new text (a member
    editing a locked position); ``stray`` paragraphs are typed outside any field.
    """
    zin = zipfile.ZipFile(io.BytesIO(form))
    parts = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    root = etree.fromstring(parts["word/document.xml"])
    rels = etree.fromstring(parts["word/_rels/document.xml.rels"])
    bullet_num = next((n.get(W + "val") for n in root.iter(W + "numId")), None)
    counter = [100]

    def links(url):
        counter[0] += 1
        rid = f"rIdCk{counter[0]}"
        r = etree.SubElement(rels, "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship")
        r.set("Id", rid)
        r.set("Type", "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink")
        r.set("Target", url)
        r.set("TargetMode", "External")
        return rid

    marks = _bookmarks(root)
    for name, value in values.items():
        if name.startswith("__"):
            continue
        bm = marks[name]
        p = _up(bm, "p")
        if value == "X" and next(p.iter(W14 + "checkbox"), None) is not None:  # type an X in front of it
            sdt = next(p.iter(W + "sdt"))
            sdt.addprevious(_run("X "))
            continue
        if value == "strike" and next(p.iter(W14 + "checkbox"), None) is not None:  # cross the choice out
            for r in p:
                if r.tag == W + "r" and "".join(t.text or "" for t in r.iter(W + "t")).strip():
                    rpr = r.find(W + "rPr")
                    if rpr is None:
                        rpr = etree.Element(W + "rPr")
                        r.insert(0, rpr)
                    etree.SubElement(rpr, W + "strike")
            continue
        if value is True:  # tick a check box
            for c in p.iter(W14 + "checked"):
                c.set(W14 + "val", "1")
            for t in p.iter(W + "t"):
                if t.text == "\u2610":
                    t.text = "\u2612"
            continue
        date = next(iter(p.iter(W + "date")), None)
        if date is not None and isinstance(value, str):  # a date picked in Word's calendar
            date.set(W + "fullDate", value + "T00:00:00Z")
            for ph in p.iter(W + "showingPlcHdr"):
                ph.getparent().remove(ph)
            t = next(p.iter(W + "t"))
            t.text = value
            continue
        paras = [value] if isinstance(value, str) else value
        cell = _up(bm, "tc")
        first = True
        for spec in paras:
            if first:
                target = p
                first = False
            else:
                target = _el("w:p")
                cell.append(target)
            if isinstance(spec, tuple) and spec[0] in ("bullet", "number"):
                ppr = target.find(W + "pPr")
                if ppr is None:
                    ppr = etree.SubElement(target, W + "pPr")
                    target.insert(0, ppr)
                if spec[0] == "bullet" and bullet_num:
                    numpr = etree.SubElement(ppr, W + "numPr")
                    etree.SubElement(numpr, W + "ilvl").set(W + "val", "0")
                    etree.SubElement(numpr, W + "numId").set(W + "val", bullet_num)
                else:
                    ps = ppr.find(W + "pStyle")
                    if ps is None:
                        ps = etree.SubElement(ppr, W + "pStyle")
                    ps.set(W + "val", "ListNumber")
                spec = spec[1]
            # Word types after the bookmark start, before its end
            end = next((e for e in target if e.tag == W + "bookmarkEnd"), None)
            holder = etree.Element("tmp")
            _inline(holder, spec, links)
            for r in list(holder):
                if end is not None:
                    end.addprevious(r)
                else:
                    target.append(r)
    for name, text in (position_edits or {}).items():
        cell = _up(marks[name], "tc")
        ps = list(cell.iter(W + "p"))
        runs = [r for r in ps[0] if r.tag == W + "r"]
        for r in runs:
            ps[0].remove(r)
        end = next((e for e in ps[0] if e.tag == W + "bookmarkEnd"), None)
        r = _run(text, italic=True)
        if end is not None:
            end.addprevious(r)
        else:
            ps[0].append(r)
    body = root.find(W + "body")
    for text in stray or []:
        p = _el("w:p")
        p.append(_run(text))
        body.find(W + "sectPr").addprevious(p)
    parts["word/document.xml"] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    parts["word/_rels/document.xml.rels"] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8",
                                                           standalone=True)
    core = parts["docProps/core.xml"].decode()
    parts["docProps/core.xml"] = re.sub(r"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                                        r"\g<1>" + values.get("__modified__", "2023-09-14T16:00:00Z") + r"\2",
                                        core).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name, date_time=zin.getinfo(name).date_time if name in zin.namelist()
                                   else (2023, 9, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()


def main() -> None:
    form = HERE / "member-form.docx"
    subprocess.run([sys.executable, "-m", "commentkit", "template", "create", "assoc", "--out", form.name],
                   check=True, cwd=HERE, env={**__import__("os").environ, "COMMENTKIT_NOW": "2023-09-01T10:00:00-04:00"})
    raw = form.read_bytes()
    members = HERE / "members"
    # Harbinger Robotics: joins every position, answers in rich text (paragraphs, bold, a list, a link).
    harbinger = fill(raw, {
        "ck_m_name": "Harbinger Robotics", "ck_m_id": "M-008",
        "ck_c_us_person_1": True, "ck_c_sectors_3": True, "ck_c_sectors_1": True,
        "ck_c_coc_countries_1": True, "ck_c_transaction_types_1": True, "ck_c_transaction_types_4": True,
        "ck_c_coc_links_2": True, "ck_c_semi_activities_7": True, "ck_c_ai_activities_2": True,
        "ck_j_cov_tx_4_1": True, "ck_j_exc_3_1": True, "ck_j_know_2_1": True,
        "ck_k_quote_1": True, "ck_k_name_2": True, "ck_r_name": "Lee Okafor, Counsel",
        "ck_r_email": "legal@harbinger.example.com",
        "ck_a_cov_tx_4": [
            ["Harbinger has ", ("one", "b"), " joint venture in Shenzhen making warehouse robots."],
            ["Our partner contributes ", ("manufacturing capacity", "i"), "; we contribute:"],
            ("bullet", "control software licences (no source code)"),
            ("bullet", "quality-assurance staff on secondment"),
            ["Background: ", ("link", "our 2022 annual report", "https://harbinger.example.com/ar2022")],
        ],
        "ck_a_burden_1": "We estimate $250,000 a year, mostly for diligence on our joint venture partner.",
        "__modified__": "2023-09-13T19:45:00Z",
    })
    (members / "harbinger-robotics-form.docx").write_bytes(harbinger)
    # Ironwood Analytics: edited CATI's locked position on limited partner investments, and typed a
    # note outside any box.
    ironwood = fill(raw, {
        "ck_m_name": "Ironwood Analytics", "ck_m_id": "M-009",
        "ck_c_us_person_1": True, "ck_c_sectors_3": True, "ck_c_ai_activities_3": True,
        "ck_c_coc_countries_2": True, "ck_c_coc_links_5": True, "ck_c_transaction_types_1": True,
        "ck_c_transaction_types_2": True,
        "ck_j_exc_3_2": True, "ck_j_cov_tx_4_1": True, "ck_j_know_2_1": True, "ck_k_quote_2": True,
        "ck_a_exc_3": "Ironwood has no limited partner positions, but we think large commitments should be notified.",
        "ck_a_notif_4": "One or two notifications a year at most.",
        "__modified__": "2023-09-15T21:10:00Z",
    }, position_edits={
        "ck_p_exc_3": ("Treasury should except limited partner investments in pooled investment funds below "
                       "$5 million. A limited partner has no control over the fund's investment decisions."),
    }, stray=["Note from Ironwood's GC: please call me before quoting us."])
    (members / "ironwood-analytics-form.docx").write_bytes(ironwood)


if __name__ == "__main__":
    main()
