"""``collect --xlsx FILE``: the members' raw answers as an Excel workbook, for staff who work in Excel.

One sheet per question (every member's answer, stance, note and changed wording), one per
counted questionnaire item, and the tracker. Members are named: the file is internal, and its
first row says so on every sheet. Nothing in it goes through the disclosure rules, so it must
never be filed or sent outside the association. A member's text that starts with "=" is stored as
text, never as a formula.
"""

from __future__ import annotations

import io
import re

from commentkit.association.responses import MemberResponse

INTERNAL = ("INTERNAL - names members and holds their confidential answers as written. "
            "Do not file, publish or send outside the association.")
_BAD = re.compile(r"[\[\]:*?/\\]")


def _sheet_name(text: str, used: set[str]) -> str:
    base = _BAD.sub("-", text)[:28] or "sheet"
    name, n = base, 2
    while name.casefold() in used:
        name = f"{base[:25]}-{n}"
        n += 1
    used.add(name.casefold())
    return name


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return str(value)


def workbook(col, track, template, interview) -> bytes:
    from openpyxl import Workbook  # lazy: openpyxl is only needed for --xlsx
    from openpyxl.styles import Alignment, Font  # lazy: as above

    wb = Workbook()
    used: set[str] = set()
    bold = Font(bold=True)

    def sheet(title: str, header: list[str], rows: list[list]):
        ws = wb.create_sheet(_sheet_name(title, used))
        ws.append([INTERNAL])
        ws["A1"].font = Font(bold=True, color="C00000")
        ws.append(header)
        for c in ws[2]:
            c.font = bold
        for row in rows:
            ws.append([_cell(v) for v in row])
            for c in ws[ws.max_row]:
                if c.data_type == "f":  # a member's text that starts with "=" stays text, never a formula
                    c.data_type = "s"
        for col_cells in ws.iter_cols(min_row=2):
            width = max((len(str(c.value or "")) for c in col_cells), default=10)
            ws.column_dimensions[col_cells[0].column_letter].width = min(max(12, width + 2), 80)
        for row in ws.iter_rows(min_row=3):
            for c in row:
                c.alignment = Alignment(wrap_text=True, vertical="top")
        return ws

    wb.remove(wb.active)
    sheet("Tracker", ["member", "kind", "source", "submitted", "late", "required filled", "questions answered",
                      "disagreements", "problems", "on roster", "returned empty"],
          [[r.name, r.kind, r.source, r.submitted.isoformat() if r.submitted else "", r.late,
            f"{r.required_filled}/{r.required_total}", f"{r.answered}/{r.asked}", r.disagreements,
            "\n".join(r.problems), r.on_roster, r.empty] for r in track.rows]
          + [[r.name, "missing", "", "", "", "", "", "", "", True, ""] for r in track.missing])
    members: list[MemberResponse] = list(col.members)
    for q in template.questions:
        rows = []
        for m in members:
            st = m.stances.get(q.id)
            answer = m.answers.get(q.id)
            if answer is None and st is None:
                continue
            agree = None if st is None else ("not marked" if st.agree is None else st.agree)
            changed = (st.position if st is not None and st.position is not None
                       and " ".join(st.position.split()) != " ".join((q.position or "").split()) else None)
            rows.append([m.name, m.member_id, agree, st.note if st else None, changed, answer,
                         m.respondent.may_quote, m.respondent.may_name])
        sheet(q.id, ["member", "roster id", "joins the position", "note", "changed wording", "answer",
                     "may quote", "may name"], rows)
    items = {it.id: it for it in interview.items} if interview is not None else {}
    for iid in template.required_items + [i.id for i in template.items if i.id not in template.required_items]:
        if iid not in items:
            continue
        sheet(iid, ["member", "roster id", items[iid].prompt],
              [[m.name, m.member_id, m.profile.get(iid)] for m in members])
    sheet("Respondents", ["member", "roster id", "contact", "title", "e-mail", "telephone", "other names",
                          "may quote", "may name"],
          [[m.name, m.member_id, m.respondent.contact_name, m.respondent.contact_title, m.respondent.contact_email,
            m.respondent.contact_phone, m.respondent.aliases, m.respondent.may_quote, m.respondent.may_name]
           for m in members])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
