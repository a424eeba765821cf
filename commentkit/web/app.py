"""The browser app: routes and pages over :mod:`commentkit.web.actions` (the CLI's core).

Every page is rendered on the server from Jinja2 templates shipped in the package; the only
script is ``static/app.js`` (live Markdown preview, select-all, local time). Forms post back to
the same URL with the session's CSRF token; a refused action (any :class:`UserError`) is shown
as one line on the page it came from, with nothing written.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import jinja2
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from commentkit.calendar import deadlines
from commentkit.dockets import catalog as packs
from commentkit.errors import ConflictError, UserError
from commentkit.files import clock, paths
from commentkit.models.project import GENERAL_SECTIONS
from commentkit.project import status as tracking
from commentkit.project.folder import create as create_project
from commentkit.project.profilefile import ProfileFile
from commentkit.questionnaire import engine
from commentkit.questionnaire import priorities as relevance
from commentkit.questionnaire.conditions import interview_file
from commentkit.questionnaire.i18n import ENGLISH, LANGUAGES, chrome, language, localize, message
from commentkit.web import actions, html
from commentkit.web.security import MAX_BODY, CsrfError, Guard, SecurityMiddleware, TooLarge, check_csrf
from commentkit.web.workspace import NotFound, Workspace

HERE = Path(__file__).resolve().parent
MAX_UPLOAD = 20 * 1024 * 1024
MAX_PREVIEW = 512 * 1024
"""Longest answer previewed as it is typed (a long answer is still saved and built)."""
STATES = ("unanswered", "draft", "review", "final", "skipped")

GENERAL_HELP = {
    "executive-summary": "A short summary of your main points and recommendations, for the first page.",
    "background": "Who you are and why this rule affects you.",
    "general-comments": "Comments that do not answer one of the agency's questions.",
    "conclusion": "Closing paragraph: your main requests, and an offer to discuss.",
}


def _env() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, auto_reload=False)
    env.filters["day"] = deadlines.format_day
    env.filters["instant"] = deadlines.format_instant
    env.filters["q"] = lambda s: quote(str(s), safe="")
    return env


class App:
    def __init__(self, folder: Path, guard: Guard):
        self.ws = Workspace(folder)
        self.guard = guard
        self.env = _env()

    # ---- helpers -------------------------------------------------------------------------
    def render(self, request: Request, name: str, status: int = 200, **ctx) -> HTMLResponse:
        ctx.setdefault("project", None)
        ctx.setdefault("key", None)
        ctx.setdefault("error", None)
        ctx.setdefault("message", request.query_params.get("msg") if request.method == "GET" else None)
        text = self.env.get_template(name).render(csrf=self.guard.csrf, path=request.url.path, **ctx)
        return HTMLResponse(text, status_code=status)

    async def form(self, request: Request):
        form = await request.form(max_files=20, max_fields=2000, max_part_size=MAX_UPLOAD)
        check_csrf(self.guard, form.get("csrf"))
        return form

    def open(self, key: str):
        return self.ws.open(key)

    def view(self, key: str):
        return self.ws.view(key)

    @staticmethod
    def memo(memo: dict, name, fn):
        if name not in memo:
            memo[name] = fn()
        return memo[name]

    def priorities(self, proj, memo):
        return self.memo(memo, "plan", lambda: relevance.plan(proj.pack, proj.profile))

    def base(self, key: str) -> str:
        return f"/p/{quote(key, safe='')}"

    def back(self, url: str, msg: str | None = None) -> RedirectResponse:
        if msg:
            url += ("&" if "?" in url else "?") + urlencode({"msg": msg})
        return RedirectResponse(url, status_code=303)

    # ---- projects --------------------------------------------------------------------------
    async def projects(self, request: Request, error: str | None = None, status: int = 200, values=None):
        rows = []
        now = clock.now()
        for e in self.ws.projects():
            row: dict[str, Any] = {"key": e.key, "rel": e.rel, "error": None}
            try:
                proj, memo = self.ws.view(e.key)
                report = actions.status_report(proj, self.priorities(proj, memo))
                row.update(commenter=proj.commenter_name, docket=proj.pack.docket, time=report.time,
                           totals=report.totals, association=actions.is_association(proj),
                           member=proj.file.member is not None)
            except UserError as exc:
                row["error"] = exc.format()
            rows.append(row)
        dockets = []
        for ref in packs.installed():
            pack = packs.load_path(ref.path, ref.source)
            d = pack.docket
            official = sum(1 for q in pack.bank.questions if q.wording == "official")
            dockets.append({"id": d.id, "title": d.title, "citation": d.citation, "type": d.document_type,
                            "deadline": d.deadline.instant(), "open": now <= d.deadline.instant(),
                            "questions": len(pack.bank.questions), "official": official,
                            "source": ref.source, "origin": d.origin})
        can_create = not (self.ws.folder / "commentkit.yaml").is_file()
        return self.render(request, "projects.html", status, rows=rows, dockets=dockets, folder=self.ws.folder,
                           can_create=can_create, error=error, values=values or {})

    async def create(self, request: Request):
        form = await self.form(request)
        values = {k: str(form.get(k) or "") for k in ("name", "docket", "commenter", "owner")}
        try:
            name, path = self.ws.new_project_path(values["name"])
            if not values["commenter"].strip():
                raise UserError("say who submits the comment (the organisation or person)")
            create_project(path, values["docket"], values["commenter"], values["owner"].strip() or None)
        except UserError as exc:
            return await self.projects(request, error=exc.format(), status=400, values=values)
        return self.back(f"{self.base(name)}/questionnaire", "Project created. Start with the questionnaire.")

    # ---- dashboard --------------------------------------------------------------------------
    async def dashboard(self, request: Request):
        key = request.path_params["key"]
        proj, memo = self.view(key)
        report = actions.status_report(proj, self.priorities(proj, memo))
        local = report.deadline_local
        return self.render(request, "dashboard.html", project=proj, key=key, base=self.base(key), r=report,
                           local_differs=(local.utcoffset() != report.time.deadline.utcoffset()),
                           bar=tracking.bar, section="dashboard")

    async def calendar(self, request: Request):
        key = request.path_params["key"]
        proj, memo = self.view(key)
        data = actions.calendar_bytes(proj, self.priorities(proj, memo))
        name = f"{proj.pack.docket.id}-deadline.ics"
        return Response(data, media_type="text/calendar; charset=utf-8",
                        headers={"content-disposition": f'attachment; filename="{name}"'})

    # ---- plan -----------------------------------------------------------------------------
    async def plan(self, request: Request, error: str | None = None, status: int = 200):
        key = request.path_params["key"]
        proj, memo = self.view(key)
        pack = proj.pack
        priorities = self.priorities(proj, memo)
        want = {k: request.query_params.get(k, "") for k in ("level", "section", "status")}
        rows = []
        for p in priorities:
            q = pack.question(p.question_id)
            ans = proj.answers.get(q.id)
            state = tracking.answer_state(ans)
            if (want["level"] and p.level != want["level"]) or (want["section"] and q.section != want["section"]) \
                    or (want["status"] and state != want["status"]):
                continue
            rows.append({"q": q, "heading": pack.heading(q), "cite": pack.cite(q), "level": p.level,
                         "reasons": p.reasons, "state": state, "owner": ans.meta.owner if ans else None,
                         "reason": ans.meta.reason if ans else None})
        counts = {lv: sum(1 for p in priorities if p.level == lv) for lv in relevance.LEVELS}
        return self.render(request, "plan.html", status, project=proj, key=key, base=self.base(key), rows=rows,
                           counts=counts, want=want, levels=relevance.LEVELS, states=STATES,
                           sections=pack.bank.sections, interviewed=bool(proj.profile),
                           has_interview=pack.interview is not None, error=error, section_nav="plan")

    async def skip(self, request: Request):
        key = request.path_params["key"]
        form = await self.form(request)
        proj = self.open(key)
        keys = [k for k in form.getlist("q") if isinstance(k, str)]
        known = {q.id for q in proj.pack.bank.questions}
        bad = [k for k in keys if k not in known]
        try:
            if bad or not keys:
                raise UserError("choose the questions to skip (tick their boxes)")
            done = actions.skip_many(proj, keys, str(form.get("reason") or ""))
        except UserError as exc:
            return await self.plan(request, error=exc.format(), status=409 if isinstance(exc, ConflictError) else 400)
        return self.back(f"{self.base(key)}/plan", f"Skipped {len(done)} question(s).")

    # ---- answer editor --------------------------------------------------------------------------
    def _question(self, proj, qkey: str):
        if qkey in GENERAL_SECTIONS:
            return None
        try:
            return proj.pack.question(qkey)
        except KeyError:
            raise NotFound(qkey) from None

    async def answer(self, request: Request, error: str | None = None, status: int = 200, text: str | None = None,
                     prefilled: bool = False):
        key, qkey = request.path_params["key"], request.path_params["qid"]
        proj, memo = self.view(key)
        q = self._question(proj, qkey)
        ans = proj.answers.get(qkey)
        body = text if text is not None else (ans.body if ans else "")
        prefilled = prefilled or (text is None and not body.strip() and bool(body := actions.prefill(proj, qkey)))
        ctx = self._answer_ctx(proj, key, qkey, q, ans, self.priorities(proj, memo))
        return self.render(request, "answer.html", status, body=body, preview=html.markdown_html(body),
                           fingerprint=actions.fingerprint(ans), error=error, kept="", prefilled=prefilled, **ctx)

    def _answer_ctx(self, proj, key, qkey, q, ans, priorities=None) -> dict:
        pack = proj.pack
        level = reasons = None
        if q is not None:
            for p in priorities if priorities is not None else relevance.plan(pack, proj.profile):
                if p.question_id == q.id:
                    level, reasons = p.level, p.reasons
        return dict(project=proj, key=key, base=self.base(key), qkey=qkey, q=q, ans=ans,
                    heading=pack.heading(q) if q else GENERAL_SECTIONS[qkey],
                    cite=pack.cite(q) if q else None, docket=pack.docket,
                    section_title=pack.bank.section(q.section).title if q else None,
                    general_help=GENERAL_HELP.get(qkey), level=level, reasons=reasons,
                    state=tracking.answer_state(ans),
                    owner=(ans.meta.owner if ans else None) or proj.file.owner or "")

    async def save(self, request: Request):
        key, qkey = request.path_params["key"], request.path_params["qid"]
        form = await self.form(request)
        proj = self.open(key)
        q = self._question(proj, qkey)
        text = str(form.get("text") or "")
        action = str(form.get("action") or "save")
        owner = str(form.get("owner") or "").strip() or None
        status = {"review": "review", "draft": "draft"}.get(action)
        prefilled = form.get("prefilled") == "1"
        approver = None
        if action == "approve":
            approver = str(form.get("approver") or "").strip() or None
            if not approver:
                return await self.answer(request, error="say who approves the answer (a name or initials)",
                                         status=400, text=text, prefilled=prefilled)
        try:
            result = actions.save_answer(proj, qkey, text, seen=str(form.get("fingerprint") or ""), owner=owner,
                                         status=status, approver=approver, prefilled=prefilled)
        except UserError as exc:
            return await self.answer(request, error=exc.format(), status=400, text=text, prefilled=prefilled)
        if isinstance(result, actions.Conflict):
            ctx = self._answer_ctx(proj, key, qkey, q, result.current)
            return self.render(request, "conflict.html", 409, conflict=result, body=text,
                               fingerprint=actions.fingerprint(result.current),
                               kept_rel=result.kept.relative_to(proj.root), kept=result.kept.name,
                               rows=_side_by_side(result.current.body if result.current is not None else "", text),
                               **ctx)
        actions.drop_kept(proj, str(form.get("kept") or ""))
        msg = "No change: nothing was written." if result is None else {
            "approve": "Approved: the answer is final.", "review": "Saved and marked for review.",
        }.get(action, f"Saved ({result.meta.status}).")
        return self.back(f"{self.base(key)}/answer/{quote(qkey)}", msg)

    async def preview(self, request: Request):
        if not self.guard.valid_csrf(request.headers.get("x-csrf-token")):
            raise CsrfError("missing CSRF header")
        self.ws.entry(request.path_params["key"])
        data = await request.body()
        if len(data) > MAX_PREVIEW:
            return HTMLResponse("<p>(The answer is too long to preview as you type; save it to see it in the "
                                "letter.)</p>", status_code=413)
        text = data.decode("utf-8", errors="replace")
        return HTMLResponse(str(html.markdown_html(text)))

    # ---- questionnaire ---------------------------------------------------------------------------
    def _groups(self, iv) -> list[str]:
        names: list[str] = []
        for it in iv.items:
            g = it.group or "Questions"
            if g not in names:
                names.append(g)
        return names

    def _pf(self, proj):
        return ProfileFile.of(proj, lenient=True)

    async def questionnaire(self, request: Request):
        key = request.path_params["key"]
        proj, _ = self.view(key)
        lang = self._lang(request)
        iv = self._interview(proj, lang)
        pf = self._pf(proj)
        nxt = engine.next_unanswered(iv, pf.answers, self._ifile(proj))
        if nxt is None:
            return self.back(f"{self.base(key)}/questionnaire/review{_lq(lang)}")
        n = self._groups(iv).index(nxt.group or "Questions") + 1
        return self.back(f"{self.base(key)}/questionnaire/{n}{_lq(lang)}")

    def _interview(self, proj, lang: str = ENGLISH):
        """The questionnaire in ``lang`` (same items, conditions and values; see questionnaire.i18n)."""
        if proj.pack.interview is None:
            raise UserError(f"docket {proj.pack.docket.id} has no questionnaire; every question is optional")
        return localize(proj.pack, lang)

    @staticmethod
    def _lang(request: Request, form=None) -> str:
        """The questionnaire's language: the page's choice, else COMMENTKIT_LANG or the locale."""
        raw = (form.get("lang") if form is not None else None) or request.query_params.get("lang")
        return raw if isinstance(raw, str) and raw in LANGUAGES else language(None)

    def _ifile(self, proj):
        return interview_file(proj.pack)

    def _group_items(self, iv, answers, ifile, name: str):
        return [it for it in engine.applicable(iv, answers, ifile) if (it.group or "Questions") == name]

    def _nonempty(self, iv, answers, ifile, start: int, step: int) -> int | None:
        groups = self._groups(iv)
        i = start + step
        while 0 <= i < len(groups):
            if self._group_items(iv, answers, ifile, groups[i]):
                return i + 1
            i += step
        return None

    async def group(self, request: Request, errors=None, given=None, status: int = 200, error=None, form=None):
        key = request.path_params["key"]
        n = int(request.path_params["n"])
        proj, _ = self.view(key)
        lang = self._lang(request, form)
        iv = self._interview(proj, lang)
        ifile = self._ifile(proj)
        pf = self._pf(proj)
        groups = self._groups(iv)
        if not 1 <= n <= len(groups):
            raise NotFound(str(n))
        answers = pf.answers
        items = self._group_items(iv, answers, ifile, groups[n - 1])
        fields = []
        for it in items:
            stored = answers.get(it.id, actions.ABSENT)
            raw = (given or {}).get(it.id)
            fields.append({"item": it, "stored": stored, "raw": raw, "error": (errors or {}).get(it.id),
                           "value": _form_value(it, stored, raw)})
        applicable = engine.applicable(iv, answers, ifile)
        done = sum(1 for it in applicable if it.id in answers)
        return self.render(request, "group.html", status, project=proj, key=key, base=self.base(key), iv=iv,
                           n=n, title=groups[n - 1], fields=fields, total_groups=len(groups),
                           prev=self._nonempty(iv, answers, ifile, n - 1, -1),
                           done=done, asked=len(applicable), error=error, lang=lang, languages=LANGUAGES,
                           t=lambda k, english: chrome(lang, k, english),
                           lq=_lq(lang), invalid=[p.format(pf.path.name) for p in pf.invalid])

    async def save_group(self, request: Request):
        key = request.path_params["key"]
        n = int(request.path_params["n"])
        form = await self.form(request)
        proj = self.open(key)
        lang = self._lang(request, form)
        iv = self._interview(proj, lang)
        ifile = self._ifile(proj)
        pf = self._pf(proj)
        groups = self._groups(iv)
        if not 1 <= n <= len(groups):
            raise NotFound(str(n))
        items = self._group_items(iv, pf.answers, ifile, groups[n - 1])
        go = form.get("go")
        # Continuing stores every item shown (a blank one as "left blank", as the terminal does);
        # going back, and the page's own save after each answer, store only what was answered.
        partial = go in ("back", "autosave")
        values, errors, given = {}, {}, {}
        for it in items:
            raw = _raw_from_form(it, form)
            given[it.id] = raw
            try:
                value = engine.coerce(it, raw)
                if partial and value is None:
                    continue
                engine.check_required(it, value)
            except engine.AnswerError as exc:
                errors[it.id] = message(lang, str(exc))
                continue
            if pf.answers.get(it.id, actions.ABSENT) != value:
                values[it.id] = value
        try:
            if values:
                pf.update(values)  # saved at once, even when another item on the page needs fixing
        except UserError as exc:
            if go == "autosave":
                return JSONResponse({"saved": [], "error": exc.format()}, status_code=409)
            return await self.group(request, errors=errors, given=given, status=409, error=exc.format(), form=form)
        if go == "autosave":
            return JSONResponse({"saved": sorted(values), "errors": errors})
        if errors:
            return await self.group(request, errors=errors, given=given, status=400, form=form,
                                    error=f"{len(errors)} answer(s) need attention; the others are saved.")
        answers = pf.answers
        if form.get("go") == "back":
            prev = self._nonempty(iv, answers, ifile, n - 1, -1)
            return self.back(f"{self.base(key)}/questionnaire/{prev or n}{_lq(lang)}")
        now_items = self._group_items(iv, answers, ifile, groups[n - 1])
        if any(it.id not in answers for it in now_items):  # an answer here opened more items on this page
            return self.back(f"{self.base(key)}/questionnaire/{n}{_lq(lang)}",
                             "Saved. Your answers open more items below.")
        nxt = self._nonempty(iv, answers, ifile, n - 1, +1)
        if nxt is None:
            return self.back(f"{self.base(key)}/questionnaire/review{_lq(lang)}", "Saved. Review your answers.")
        return self.back(f"{self.base(key)}/questionnaire/{nxt}{_lq(lang)}", "Saved.")

    async def review(self, request: Request):
        key = request.path_params["key"]
        proj, _ = self.view(key)
        lang = self._lang(request)
        iv = self._interview(proj, lang)
        ifile = self._ifile(proj)
        pf = self._pf(proj)
        answers = pf.answers
        groups = self._groups(iv)
        rows = []
        for it in engine.applicable(iv, answers, ifile):
            value = answers.get(it.id, actions.ABSENT)
            rows.append({"item": it, "n": groups.index(it.group or "Questions") + 1,
                         "shown": "(not answered yet)" if value is actions.ABSENT else engine.display(it, value)})
        open_ids = engine.unanswered_ids(iv, answers, ifile)
        return self.render(request, "review.html", project=proj, key=key, base=self.base(key), iv=iv, rows=rows,
                           open_ids=open_ids, required=engine.missing_required(iv, answers, ifile), lang=lang,
                           languages=LANGUAGES, lq=_lq(lang))

    # ---- letter ----------------------------------------------------------------------------
    async def letter(self, request: Request, built=None, error=None, status: int = 200):
        key = request.path_params["key"]
        proj, memo = self.view(key)
        versions = actions.versions(proj)
        version = request.query_params.get("version") or versions[0]
        if version not in versions:
            version = versions[0]
        draft = request.query_params.get("draft", "1") != "0"
        today = clock.today()
        letter = self.memo(memo, ("letter", draft, version, today),
                           lambda: actions.letter_document(proj, draft, version))
        body = self.memo(memo, ("letter-html", draft, version, today),
                         lambda: html.document_html(letter.document, link_answers=f"{self.base(key)}/answer/"))
        box = self.memo(memo, ("box", draft, today), lambda: actions.comment_box_count(proj, draft))
        files = actions.built_files(proj)
        result, rows = self._findings(proj, key, memo)
        return self.render(request, "letter.html", status, project=proj, key=key, base=self.base(key), body=body,
                           letter=letter, versions=versions, version=version, draft=draft, box=box, files=files,
                           built=built, error=error, result=result, rows=rows)

    def _findings(self, proj, key: str, memo: dict):
        """``commentkit check``'s result, each finding with a link to the page that fixes it."""
        now = clock.now().replace(second=0, microsecond=0)
        result = self.memo(memo, ("check", now), lambda: actions.check(proj))
        return result, [{"f": f, "link": self._fix_link(proj, key, f)} for f in result.findings]

    async def build(self, request: Request):
        key = request.path_params["key"]
        form = await self.form(request)
        proj = self.open(key)
        draft = form.get("draft") == "1"
        try:
            built = await run_in_threadpool(actions.build, proj, draft)
        except UserError as exc:
            return await self.letter(request, error=exc.format(), status=400)
        return await self.letter(request, built=built)

    async def download(self, request: Request):
        key, name = request.path_params["key"], request.path_params["name"]
        proj = self.open(key)
        try:
            path = actions.built_file(proj, name)
            data = paths.read_regular(path, "built file")  # the path policy: no link out of the project
        except (FileNotFoundError, UserError):
            raise NotFound(name) from None
        return Response(data, media_type=actions.DOWNLOAD_TYPES[path.suffix],
                        headers={"content-disposition": f'attachment; filename="{path.name}"'})

    async def check(self, request: Request):
        key = request.path_params["key"]
        proj, memo = self.view(key)
        result, rows = self._findings(proj, key, memo)
        return self.render(request, "check.html", project=proj, key=key, base=self.base(key), result=result,
                           rows=rows)

    def _fix_link(self, proj, key: str, f) -> str | None:
        where = f.where or ""
        if where.startswith("general/"):
            where = where.split("/", 1)[1]
        path = f.path or ""
        if not where and path.startswith(("answers/", "general/")) and path.endswith(".md"):
            where = Path(path).stem
        if where in GENERAL_SECTIONS or where in {q.id for q in proj.pack.bank.questions}:
            return f"{self.base(key)}/answer/{quote(where)}"
        if where == "profile" or (f.path or "").startswith("profile"):
            return f"{self.base(key)}/questionnaire/review"
        if where in ("deadline", "milestones"):
            return f"{self.base(key)}/dashboard"
        return None

    # ---- Word edits -------------------------------------------------------------------------------
    async def word(self, request: Request, plan=None, upload: str = "", accept: bool = False, error=None,
                   status: int = 200, written=None):
        key = request.path_params["key"]
        proj, _ = self.view(key)
        return self.render(request, "word.html", status, project=proj, key=key, base=self.base(key), plan=plan,
                           upload=upload, accept=accept, error=error, written=written)

    async def word_upload(self, request: Request):
        key = request.path_params["key"]
        form = await self.form(request)
        proj = self.open(key)
        file = form.get("docx")
        accept = form.get("accept") == "1"
        if not isinstance(file, UploadFile) or not file.filename:
            return await self.word(request, error="choose the edited Word file (.docx) to upload", status=400)
        data = await file.read()
        try:
            if not data.startswith(b"PK"):
                raise UserError(f"{file.filename} is not a Word (.docx) file")
            name = actions.store_upload(proj, data)
            plan = actions.import_plan(proj, name, accept)
        except UserError as exc:
            return await self.word(request, error=exc.format().replace(str(proj.root) + "/", ""), status=400)
        return await self.word(request, plan=plan, upload=name, accept=accept)

    async def word_apply(self, request: Request):
        key = request.path_params["key"]
        form = await self.form(request)
        proj = self.open(key)
        keys = [k for k in form.getlist("q") if isinstance(k, str)]
        name, accept = str(form.get("upload") or ""), form.get("accept") == "1"
        try:
            if not keys:
                raise UserError("tick the answers to import")
            written = actions.apply_some(proj, name, accept, keys)
        except UserError as exc:
            plan = None
            try:
                plan = actions.import_plan(self.open(key), name, accept)
            except UserError:
                name = ""
            return await self.word(request, plan=plan, upload=name, accept=accept, error=exc.format(), status=409)
        return await self.word(request, written=written)

    # ---- association --------------------------------------------------------------------------
    async def association(self, request: Request, result=None, error=None, status: int = 200):
        key = request.path_params["key"]
        proj, _ = self.view(key)
        if not actions.is_association(proj):
            return self.render(request, "association.html", status, project=proj, key=key, base=self.base(key),
                               not_assoc=True)
        inbox = proj.root / actions.MEMBER_INBOX
        uploaded = sorted(p.name for p in inbox.iterdir() if p.is_file()) if inbox.is_dir() else []
        inputs = [p.relative_to(self.ws.folder).as_posix() if self.ws.folder in p.parents else p.name
                  for p in actions.member_inputs(proj, self.ws)]
        consolidated = None
        if result is not None:
            cons = result.out_dir / "consolidated"
            for e in self.ws.projects():
                if e.path == cons.resolve():
                    consolidated = e.key
        return self.render(request, "association.html", status, project=proj, key=key, base=self.base(key),
                           uploaded=uploaded, inputs=inputs, result=result, error=error, not_assoc=False,
                           consolidated=consolidated)

    async def association_upload(self, request: Request):
        key = request.path_params["key"]
        form = await self.form(request)
        proj = self.open(key)
        files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
        try:
            if not files:
                raise UserError("choose member files (.yaml) or returned Word forms (.docx) to upload")
            for f in files:
                actions.store_member_file(proj, f.filename or "", await f.read())
        except UserError as exc:
            return await self.association(request, error=exc.format(), status=400)
        return self.back(f"{self.base(key)}/association", f"Uploaded {len(files)} file(s).")

    async def association_collect(self, request: Request):
        key = request.path_params["key"]
        await self.form(request)
        proj = self.open(key)
        try:
            result = await run_in_threadpool(actions.collect, proj, self.ws)
        except UserError as exc:
            return await self.association(request, error=exc.format(), status=400)
        return await self.association(request, result=result)

    # ---- package --------------------------------------------------------------------------------
    async def package_page(self, request: Request, error=None, status: int = 200):
        key = request.path_params["key"]
        proj, _ = self.view(key)
        return self.render(request, "package.html", status, project=proj, key=key, base=self.base(key),
                           error=error)

    async def package(self, request: Request):
        key = request.path_params["key"]
        form = await self.form(request)
        proj = self.open(key)
        try:
            result, data = await run_in_threadpool(actions.package_zip, proj, form.get("pdf") == "1")
        except UserError as exc:
            return await self.package_page(request, error=exc.format(), status=400)
        name = f"{proj.pack.docket.id}-submission.zip"
        return Response(data, media_type="application/zip",
                        headers={"content-disposition": f'attachment; filename="{name}"',
                                 "x-commentkit-ready": "no" if result.check.blocks() else "yes"})

    # ---- errors ---------------------------------------------------------------------------------
    async def on_error(self, request: Request, exc: Exception) -> HTMLResponse:
        if isinstance(exc, TooLarge):
            return self.render(request, "error.html", 413, title="Refused",
                               error=f"The upload is larger than {MAX_BODY // (1024 * 1024)} MB; nothing was written.")
        if isinstance(exc, CsrfError):
            return self.render(request, "error.html", 403, title="Refused",
                               error="This form has expired or did not come from this app (CSRF check). "
                                     "Reload the page and try again; nothing was written.")
        if isinstance(exc, NotFound):
            return self.render(request, "error.html", 404, title="Not found",
                               error="No such page or project in the served folder.")
        message = exc.format() if isinstance(exc, UserError) else str(exc)
        return self.render(request, "error.html", 409 if isinstance(exc, ConflictError) else 400,
                           title="Cannot do that", error=message)


def _lq(lang: str) -> str:
    """The query string that keeps the questionnaire's language across pages."""
    return "" if lang == ENGLISH else f"?lang={quote(lang)}"


def _form_value(it, stored, raw):
    """What a field shows: what was just typed (after an error), else the stored answer."""
    if raw is not None:
        return raw
    if stored is actions.ABSENT or stored is None:
        return [] if it.type == "multichoice" else ""
    if it.type == "yesno":
        return "yes" if stored else "no"
    if it.type == "date":
        return stored.isoformat()
    return stored if it.type == "multichoice" else str(stored)


def _raw_from_form(it, form):
    name = f"i_{it.id}"
    if it.type == "multichoice":
        return [v for v in form.getlist(name) if isinstance(v, str)]
    value = form.get(name)
    return value if isinstance(value, str) else None


def _side_by_side(theirs: str, mine: str) -> list[tuple[str, str, str]]:
    """Rows (kind, on disk, yours) of a line diff, for the conflict page."""
    a, b = theirs.splitlines(), mine.replace("\r\n", "\n").splitlines()
    rows = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        for k in range(max(i2 - i1, j2 - j1)):
            left = a[i1 + k] if i1 + k < i2 else ""
            right = b[j1 + k] if j1 + k < j2 else ""
            rows.append(("same" if tag == "equal" else "changed", left, right))
    return rows


def create_app(folder: Path | str, guard: Guard) -> SecurityMiddleware:
    """The ASGI app serving ``folder``, behind the security layer."""
    a = App(Path(folder), guard)
    P = "/p/{key}"
    routes = [
        Route("/", a.projects),
        Route("/projects", a.create, methods=["POST"]),
        Route(P, lambda r: RedirectResponse(f"{a.base(r.path_params['key'])}/dashboard", 303)),
        Route(P + "/dashboard", a.dashboard),
        Route(P + "/calendar.ics", a.calendar),
        Route(P + "/plan", a.plan),
        Route(P + "/plan/skip", a.skip, methods=["POST"]),
        Route(P + "/answer/{qid}", a.answer),
        Route(P + "/answer/{qid}", a.save, methods=["POST"]),
        Route(P + "/preview", a.preview, methods=["POST"]),
        Route(P + "/questionnaire", a.questionnaire),
        Route(P + "/questionnaire/review", a.review),
        Route(P + "/questionnaire/{n:int}", a.group),
        Route(P + "/questionnaire/{n:int}", a.save_group, methods=["POST"]),
        Route(P + "/letter", a.letter),
        Route(P + "/build", a.build, methods=["POST"]),
        Route(P + "/download/{name}", a.download),
        Route(P + "/check", a.check),
        Route(P + "/word", a.word),
        Route(P + "/word", a.word_upload, methods=["POST"]),
        Route(P + "/word/apply", a.word_apply, methods=["POST"]),
        Route(P + "/association", a.association),
        Route(P + "/association/upload", a.association_upload, methods=["POST"]),
        Route(P + "/association/collect", a.association_collect, methods=["POST"]),
        Route(P + "/package", a.package_page),
        Route(P + "/package", a.package, methods=["POST"]),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    handlers = {UserError: a.on_error, CsrfError: a.on_error, NotFound: a.on_error, TooLarge: a.on_error}
    app = Starlette(routes=routes, exception_handlers=handlers)
    app.state.commentkit = a
    return SecurityMiddleware(app, guard)

