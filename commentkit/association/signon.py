"""The member's sign-on letter: "X joins the comments of the Association and adds ...".

``commentkit build`` on a member project (one with a ``member:`` block) renders
``association/letter.md.j2`` and ``association/comment-box.md.j2`` instead of the ordinary
letter, with one more template variable, ``member`` (see docs/association.md):

* ``member.association`` / ``member.short_name`` - who the member joins;
* ``member.joined`` - positions the member joins (id, heading, cite, position);
* ``member.not_joined`` - positions it does not join, with its note and, where it reworded a
  locked position, its own wording (``wording``);
* ``member.proposed`` - editable positions the member reworded (``wording``).

The rest of the pipeline (partials, answers, writers) is the ordinary build's. An association
can ship its own ``association/letter.md.j2`` in the templates it distributes.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from commentkit.association import disclosure
from commentkit.association.member_project import member_template
from commentkit.association.responses import POSITIONS_FILE, load_stances

LETTER_TEMPLATE = "association/letter.md.j2"
COMMENT_BOX_TEMPLATE = "association/comment-box.md.j2"


def _norm(text: str | None) -> str:
    return " ".join((text or "").split())


def sign_on(project) -> tuple[str, str, dict[str, Any]]:
    """Template names and the ``member`` context for a member project."""
    tpl = member_template(project)
    stances = load_stances(project.root / POSITIONS_FILE)
    joined, not_joined, proposed = [], [], []
    for q in tpl.questions:
        if not q.position:
            continue
        st = stances.get(q.id)
        entry = {"id": q.id, "heading": q.heading, "cite": q.cite, "locked": q.locked,
                 "position": Markup(q.position), "note": (disclosure.public_text(st.note) or None) if st else None,
                 "wording": None}
        changed = st is not None and st.position is not None and _norm(st.position) != _norm(q.position)
        if changed and st is not None and st.position is not None:
            entry["wording"] = Markup(disclosure.public_text(st.position.strip()))
        if st is not None and (st.agree is not True or (changed and q.locked)):
            not_joined.append(entry)
        elif changed:
            proposed.append(entry)
        else:
            joined.append(entry)
    member = {
        "association": tpl.association.name,
        "short_name": tpl.association.short_name or tpl.association.name,
        "template": tpl.template.id, "template_version": tpl.template.version,
        "joined": joined, "not_joined": not_joined, "proposed": proposed,
    }
    return LETTER_TEMPLATE, COMMENT_BOX_TEMPLATE, member
