"""Starting a member project from an association's template (``init --from-template``).

The member project is an ordinary comment project (so ``interview``, ``answer``, ``status``
and ``build`` work unchanged) plus:

* a ``member:`` block in ``commentkit.yaml`` (association, template id and version, member due date);
* ``association-template.yaml``: the template file exactly as received (verified by checksum);
* ``positions.yaml``: the member's stance on each association position (agree / note / text);
* ``MEMBER-GUIDE.md``: what the association asks, question by question, and the commands to use;
* the association's letter templates and letterhead, where the template carries them.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from commentkit.association import form as memberform
from commentkit.association import template as association_template
from commentkit.association.responses import (
    POSITIONS_FILE,
    RESPONDENT_FILE,
    TEMPLATE_COPY,
    Respondent,
    validate_profile,
)
from commentkit.dockets import catalog as packs
from commentkit.errors import UserError
from commentkit.files import limits, paths, storage
from commentkit.files.yamlio import dump_yaml, read_text
from commentkit.models.project import PROJECT_FILE, AnswerMeta
from commentkit.project import answerfile
from commentkit.project import folder as projects
from commentkit.project.folder import Project

MEMBER_BLOCK = """
# This project is a member's response to a trade association's template (docs/association.md).
# `commentkit status` shows the member due date; `commentkit build` writes your sign-on letter;
# `commentkit export-response` writes the one file to send back to the association.
member:
  association: {association}
  template: {template}
  version: {version}
  due: {due}
  member_id: {member_id}
"""

POSITIONS_HEADER = """\
# Your response to the positions of {association} (template {template} version {version}).
# For each question:
#   agree: true    you join the association's position (the default)
#   agree: false   you do not; say why in `note`
#   agree: null    not decided (the association asks you to decide before it counts you)
#   note:          anything you want to add about the position (optional)
#   position:      the text. A LOCKED position is the association's own wording: if you change
#                  it, the association sees a disagreement, with the difference. An EDITABLE
#                  position you may reword; the association sees your proposed wording.
# Your substantive input goes in answers/<question>.md (`commentkit answer <question>`).
schema_version: 1
"""


def _q(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _block(text: str, indent: int) -> str:
    pad = " " * indent
    return "\n".join(pad + line if line.strip() else "" for line in text.splitlines())


def _long(d) -> str:
    return f"{d:%B} {d.day}, {d.year}"


def positions_text(template, stances: dict | None = None) -> str:
    """``positions.yaml`` for a new member project (``stances``: what a returned form said)."""
    out = [POSITIONS_HEADER.format(association=template.association.name, template=template.template.id,
                                   version=template.template.version)]
    for q in template.questions:
        if not q.position:
            continue
        st = (stances or {}).get(q.id)
        agree = "true" if st is None or st.agree is True else "false" if st.agree is False else "null"
        note = _q(st.note) if st is not None and st.note else "null"
        text = st.position if st is not None and st.position else q.position
        kind = "LOCKED position" if q.locked else "Editable position"
        out.append(f"\n# {q.heading} ({q.cite}) -- {kind}\n{q.id}:\n  agree: {agree}\n  note: {note}\n"
                   f"  position: |2-\n{_block(text, 4)}\n")
    return "".join(out)


RESPONDENT_TEXT = """\
# Who answers for your company, and what {short} may do with your answers.
# {short}'s comment is public once filed. It quotes members only with their consent and names
# them only if they agree AND {short} attributes member input. No answer means no.
schema_version: 1
contact_name: {contact_name}       # the person {short} may contact about this response
contact_title: {contact_title}
contact_email: {contact_email}
contact_phone: {contact_phone}
# Other names your company is known by (short name, ticker): {short} keeps every one of them,
# like your legal name, out of its public comment.
aliases: {aliases}
may_quote: {may_quote}            # May we quote you? true / false (quotes are anonymous unless may_name)
may_name: {may_name}             # May we name you? true / false
"""


def respondent_text(template, respondent=None) -> str:
    r = respondent or Respondent()

    def v(x):
        return "null" if x is None else ("true" if x is True else "false" if x is False else _q(x))

    return RESPONDENT_TEXT.format(short=template.association.short_name or template.association.name,
                                  contact_name=v(r.contact_name), contact_title=v(r.contact_title),
                                  contact_email=v(r.contact_email), contact_phone=v(r.contact_phone),
                                  aliases=_q(list(r.aliases)), may_quote=v(r.may_quote), may_name=v(r.may_name))


def guide_text(template) -> str:
    a = template.association
    d = template.docket
    lines = [f"# Responding to {a.name}: {d.title}", "",
             f"- Docket: {d.docket_id or d.id} ({d.citation}), {d.agency}",
             f"- **Your due date (to {a.short_name or a.name}): {_long(template.member_due)}**",
             f"- Agency deadline: {_long(d.deadline)}, {d.deadline:%H:%M} ({d.deadline_zone})",
             f"- Template: {template.template.id}, version {template.template.version}", ""]
    if a.return_to:
        lines += [f"Return your response to {a.return_to}.", ""]
    if a.confidentiality:
        lines += ["## Confidentiality", "", a.confidentiality, ""]
    lines += ["## Steps", "",
              "1. `commentkit interview .` - the questionnaire (items the association needs: "
              + (", ".join(template.required_items) or "none") + ").",
              "2. `commentkit answer <question> .` - your input on each question below.",
              "3. Edit `positions.yaml` if you do not join a position (`agree: false` and a note).",
              "4. Answer `respondent.yaml`: your contact person, other names your company is known by, and "
              "\"May we quote you? May we name you?\" (no answer means no). Mark confidential text "
              "`[[BCI]] ... [[/BCI]]` or begin its paragraph with `CONFIDENTIAL:`; it is never quoted.",
              "5. `commentkit build .` - your sign-on letter, if you file one yourself.",
              "6. `commentkit export-response . --out response.yaml` - the file to send back.", ""]
    lines += ["## Questions", ""]
    for q in template.questions:
        lines += [f"### {q.heading} (`{q.id}`)", ""]
        intro = ("The notice asks:" if q.wording == "official"
                 else f"In substance (a summary, not the notice's words), the notice asks ({q.cite}):")
        lines += [intro, "", "> " + q.text.replace("\n", "\n> "), ""]
        if q.position:
            lines += [f"**{a.short_name or a.name} position ({'locked' if q.locked else 'editable'}):**", "",
                      q.position, ""]
        if q.prompt:
            lines += [f"**Asked of members:** {q.prompt}", ""]
    return "\n".join(lines).rstrip() + "\n"


def create(root: Path, template_path: Path, commenter: str, owner: str | None = None,
           member_id: str | None = None, docket: str | None = None):
    """Create a member project in ``root`` from the template file at ``template_path``."""
    template = association_template.load(template_path)
    return create_from(root, template, paths.read_regular(template_path, "member template"), commenter, owner,
                       member_id, docket)


def create_from(root: Path, template, sealed: bytes, commenter: str, owner: str | None = None,
                member_id: str | None = None, docket: str | None = None, stances: dict | None = None,
                respondent=None):
    """Create a member project from a loaded template (``sealed``: the template file's bytes)."""
    if docket and docket.lower() != template.docket.id.lower():
        raise UserError(f"--docket {docket} does not match the template's docket {template.docket.id}")
    root = Path(root)
    if (root / PROJECT_FILE).exists():
        raise UserError("a commentkit project already exists here; nothing was changed", root / PROJECT_FILE)
    proj = projects.create(root, template.docket.id, commenter, owner)
    text = read_text(proj.project_path, "project file")
    if template.reference_docx is not None:
        ref_name = "letterhead-" + Path(template.reference_docx.name).name
        storage.atomic_write(root / ref_name, template.reference_docx.content())
        text = text.replace("reference_docx: null", f"reference_docx: {_q(ref_name)}", 1)
    text += MEMBER_BLOCK.format(association=_q(template.association.name), template=_q(template.template.id),
                                version=template.template.version, due=template.member_due.isoformat(),
                                member_id=_q(member_id) if member_id else "null")
    storage.atomic_write(proj.project_path, text)
    storage.atomic_write(root / TEMPLATE_COPY, sealed)
    storage.atomic_write(root / POSITIONS_FILE, positions_text(template, stances))
    storage.atomic_write(root / RESPONDENT_FILE, respondent_text(template, respondent))
    storage.atomic_write(root / "MEMBER-GUIDE.md", guide_text(template))
    for f in template.templates:
        dest = (root / "templates" / f.name).resolve()
        if not str(dest).startswith(str((root / "templates").resolve()) + "/"):
            raise UserError(f"embedded template {f.name!r} points outside the project")
        content = f.content()
        if dest.suffix == ".j2":  # the build reads templates only up to this size: refuse now, not then
            limits.check_size(len(content), "letter_template", f"embedded template {f.name!r}")
        storage.atomic_write(dest, content)
    return projects.Project.open(root), template


def create_from_form(root: Path, form: Path, commenter: str | None = None, owner: str | None = None,
                     template_path: Path | None = None):
    """A member project from a returned Word form: its answers, stances and questionnaire answers.

    The template is the one the form carries (verified by checksum), or ``template_path``.
    Returns the project and the problems found in the form (reported, not fatal).
    """
    form = Path(form)
    if template_path is not None:
        template = association_template.load(template_path)
        sealed = paths.read_regular(template_path, "member template")
    else:
        fc = memberform.open_form(form)
        if fc.identity.get("commentkit.form") != memberform.FORM_KIND:
            raise UserError("not a commentkit member form (no form identity in its properties or cover page)", form)
        template = memberform.embedded_template(form)
        if template is None:
            raise UserError("the form does not carry its template (an editor removed it); give the association's "
                            "template with --from-template FILE", form)
        sealed = association_template.render(template, "member-template.yaml").encode("utf-8")
    member = memberform.read(form, template)
    pack = packs.load(template.docket.id)
    values, problems = validate_profile(member.profile, pack.interview, template.required_items)
    proj, _ = create_from(Path(root), template, sealed, commenter or member.name, owner, member.member_id,
                          stances=member.stances, respondent=member.respondent)
    def plain(v):
        if isinstance(v, (dt.date, dt.datetime)):
            return v.isoformat()
        return v

    header = (f"# Exposure profile: answers to the questionnaire of docket {template.docket.id}, read from the "
              f"member form {form.name}.\nschema_version: 1\n")
    storage.atomic_write(proj.root / "profile.yaml", header + (dump_yaml({k: plain(v) for k, v in values.items()})
                                                               if values else ""))
    when = (member.submitted or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc).replace(microsecond=0)
    for qid, text in member.answers.items():
        meta = AnswerMeta(question=qid, status="draft", updated=when)
        storage.atomic_write(proj.root / "answers" / f"{qid}.md", answerfile.render(meta, text))
    return Project.open(proj.root), member.problems + problems


def member_template(project):
    """The template a member project answers (its verified copy), or None for other projects."""
    if project.file.member is None:
        return None
    return association_template.load(project.root / TEMPLATE_COPY)
