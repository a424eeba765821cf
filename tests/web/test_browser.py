"""The browser app in a real browser (Chromium through Playwright): the whole journey, a conflict
with the command line, keyboard use and axe-core accessibility checks on every page.

One server and one browser for the module. Screenshots of each page go to tests/screenshots/
(git-ignored)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import docx
import pytest
from conftest import SAMPLES
from webutil import Server, axe_serious, axe_source, launch, need_chromium, shot

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
TODAY = "2023-09-21"  # 5 business days before the ANPRM's deadline (Thursday 28 September 2023)


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return tmp_path_factory.mktemp("served")


@pytest.fixture(scope="module")
def browser(folder):
    need_chromium()
    from playwright.sync_api import sync_playwright

    with Server(folder) as srv, sync_playwright() as p:
        b = launch(p)
        ctx = b.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
        page = ctx.new_page()
        page.set_default_timeout(15000)
        page.goto(srv.login_url)
        yield srv, page, axe_source()
        ctx.close()
        b.close()


@pytest.fixture(autouse=True)
def _today(monkeypatch):
    monkeypatch.setenv("COMMENTKIT_TODAY", TODAY)  # the server thread reads the clock per request


def _accessible(page, axe, name):
    shot(page, name)
    problems = axe_serious(page, axe)
    assert not problems, f"{name}: " + "; ".join(problems)


def _path(page) -> str:
    return urlsplit(page.url).path


def _answer_group(page):
    """Fill every empty field of the questionnaire page with a valid answer."""
    for fs in page.locator("form.questionnaire fieldset").all():
        boxes = fs.locator("input[type=radio], input[type=checkbox]")
        if boxes.count() and not fs.locator("input:checked").count():
            boxes.first.check()
    for inp in page.locator("form.questionnaire input:not([type]), form.questionnaire input[type=text]").all():
        if not inp.input_value():
            name = inp.get_attribute("id") or ""
            if inp.get_attribute("inputmode") == "decimal":
                inp.fill("3")
                continue
            inp.fill("counsel@example.com" if "email" in name else "(202) 555-0100" if "phone" in name
                     else "Acme Corp. compliance team")
    for ta in page.locator("form.questionnaire textarea").all():
        if not ta.input_value():
            ta.fill("We review every transaction with counsel.")


def test_journey(browser, folder, tmp_path):
    srv, page, axe = browser
    # Projects: create one, with the docket picker
    page.goto(srv.origin + "/")
    assert "Start a new comment" in page.content()
    assert page.locator("text=TREAS-DO-2023-0009").first.is_visible()
    _accessible(page, axe, "01-projects")
    page.fill("#name", "acme")
    page.check("input[value='TREAS-DO-2023-0009']")
    page.fill("#commenter", "Acme Corp.")
    page.fill("#owner", "J. Doe")
    page.click("text=Create project")
    page.wait_for_load_state()
    assert not page.locator("p.error").count(), page.locator("p.error").inner_text()
    page.wait_for_url(re.compile(r"/questionnaire/1$"))
    assert (folder / "acme" / "commentkit.yaml").is_file()

    # Questionnaire: one group per page, saved on every page, back works, then the review page
    _accessible(page, axe, "02-questionnaire")
    page.locator("input[name=i_commenter_type]").first.check()  # saved at once, before any button
    page.wait_for_selector(".autosave:has-text('Saved')")
    assert "commenter_type:" in (folder / "acme" / "profile.yaml").read_text()
    _answer_group(page)
    page.click("text=Save and continue")
    page.wait_for_selector(".flash")
    assert (folder / "acme" / "profile.yaml").is_file()  # saved after the first page
    while _path(page).endswith("/questionnaire/1"):  # an answer may open more items on the same page
        _answer_group(page)
        page.click("text=Save and continue")
        page.wait_for_selector(".flash")
    page.click("text=Save and go back")
    page.wait_for_url(re.compile(r"/questionnaire/1$"))
    assert page.locator("#i_commenter_name").input_value() == "Acme Corp. compliance team"
    for _ in range(20):
        if _path(page).endswith("/review"):
            break
        _answer_group(page)
        page.click("text=Save and continue")
        page.wait_for_selector(".flash, p.error")
        assert not page.locator("p.error").count(), page.locator("main").inner_text()
    assert _path(page).endswith("/questionnaire/review")
    _accessible(page, axe, "03-questionnaire-review")
    assert "Every item that applies is answered" in page.content()
    profile = (folder / "acme" / "profile.yaml").read_text()
    assert "commenter_type:" in profile and "sectors:" in profile

    # Plan: levels with reasons, filters
    page.click("nav[aria-label=Project] >> text=Plan")
    _accessible(page, axe, "04-plan")
    assert page.locator(".badge.core").count() > 0
    page.select_option("#f-level", "core")
    page.click("text=Filter")
    assert page.locator("tbody .badge.optional").count() == 0
    core_id = page.locator("tbody tr input[name=q]").first.get_attribute("value")
    # bulk skip of two optional questions, with one reason kept in each answer file
    page.select_option("#f-level", "optional")
    page.click("text=Filter")
    skipped = [b.get_attribute("value") for b in page.locator("tbody input[name=q]").all()[:2]]
    for key in skipped:
        page.check(f"#sel-{key}")
    page.fill("#reason", "Outside our business")
    page.click("text=Skip ticked questions")
    page.wait_for_selector("text=Skipped 2 question(s)")
    for key in skipped:
        text = (folder / "acme" / "answers" / f"{key}.md").read_text()
        assert "status: skipped" in text and "reason: Outside our business" in text

    # Answer editor: live preview from the letter's Markdown pipeline; save; approve with who and when
    for key, text in (("executive-summary", "Acme supports a **narrow** rule."),
                      (core_id, "We recommend a clear *knowledge* standard.")):
        page.goto(f"{srv.origin}/p/acme/answer/{key}")
        page.fill("#text", text)
        page.wait_for_selector("#preview strong, #preview em")  # the live preview, rendered by the server
        page.click("button[value=save]")
        page.wait_for_selector(".flash")
        page.fill("#approver", "A. Partner")
        page.click("button[value=approve]")
        page.wait_for_selector("text=approved")
        assert "A. Partner" in page.content()
    _accessible(page, axe, "05-answer")
    assert "Summary by commentkit" in page.content() or "Official text" in page.content()
    saved = (folder / "acme" / "answers" / f"{core_id}.md").read_text()
    assert "status: final" in saved and "knowledge" in saved
    assert re.search(r"approved:\s*\n\s+by: A\. Partner", saved), saved  # who approved, with when and a fingerprint
    assert "owner: J. Doe" in saved
    # the background section starts as commentkit's draft from the questionnaire, marked as such
    page.goto(f"{srv.origin}/p/acme/answer/background")
    assert "Drafted by commentkit from your questionnaire answers" in page.content()
    assert "Acme Corp. compliance team" in page.locator("#text").input_value()
    page.click("button[value=save]")
    page.wait_for_selector(".flash")
    assert "origin: questionnaire" in (folder / "acme" / "general" / "background.md").read_text()

    # Dashboard: the deadline in business days, in the docket's zone
    page.click("nav[aria-label=Project] >> text=Dashboard")
    _accessible(page, axe, "06-dashboard")
    assert "5 business days" in page.content()
    assert "America/New_York" in page.content()
    with page.expect_download() as dl:
        page.click("text=Download calendar")
    assert dl.value.path().read_bytes().startswith(b"BEGIN:VCALENDAR")

    # Letter: preview with draft marks, build final, download the DOCX and open it
    page.click("nav[aria-label=Project] >> text=Letter")
    _accessible(page, axe, "07-letter")
    assert "narrow" in page.locator("article.letter").inner_text()
    # check's findings on the letter page too, each linked to the answer to fix
    assert "NOT READY to file" in page.locator("section[aria-labelledby=chk-h]").inner_text()
    assert page.locator("section[aria-labelledby=chk-h] td a[href*='/answer/']").count() > 0
    page.select_option("#draft", "0")
    page.click("text=Show")
    page.click("text=Build the letter")
    page.wait_for_selector("text=Built")
    link = page.locator("ul.files a", has_text=".docx").first
    with page.expect_download() as dl:
        link.click()
    built = tmp_path / "letter.docx"
    dl.value.save_as(built)
    text = "\n".join(p.text for p in docx.Document(str(built)).paragraphs)
    assert "Acme supports a narrow rule." in text and "knowledge standard" in text
    assert "Comment box text" in page.content()

    # Check: findings, each linked to what to fix
    page.click("text=Run the preflight check")
    _accessible(page, axe, "08-check")
    assert "to file" in page.locator("p.big").inner_text()
    assert page.locator("td a[href*='/answer/']").count() > 0

    # Word edits: upload an edited letter, see the diff, apply it
    d = docx.Document(str(built))
    for para in d.paragraphs:
        for run in para.runs:
            if "narrow" in run.text:
                run.text = run.text.replace("narrow", "carefully targeted")
    edited = tmp_path / "edited.docx"
    d.save(str(edited))
    page.click("nav[aria-label=Project] >> text=Word edits")
    page.set_input_files("#docx", str(edited))
    page.click("text=Upload and compare")
    page.wait_for_selector("pre.udiff")
    _accessible(page, axe, "09-word")
    assert "carefully targeted" in page.locator("pre.udiff").inner_text()
    page.click("text=Apply the ticked changes")
    page.wait_for_selector("text=Wrote 1 answer file")
    summary = (folder / "acme" / "general" / "executive-summary.md").read_text()
    assert "carefully targeted" in summary and "status: review" in summary  # changed final -> review

    # Package: a zip with the checklist
    page.click("nav[aria-label=Project] >> text=Package")
    _accessible(page, axe, "10-package")
    with page.expect_download() as dl:
        page.click("text=Download the submission folder")
    import zipfile

    names = zipfile.ZipFile(dl.value.path()).namelist()
    assert "submission/CHECKLIST.md" in names and any(n.endswith(".docx") for n in names)


def test_conflict_with_the_command_line_loses_nothing(browser, folder, run):
    srv, page, axe = browser
    if not (folder / "acme").is_dir():
        run("init", folder / "acme", "--docket", "TREAS-DO-2023-0009", "--commenter", "Acme Corp.")
    run("answer", "conclusion", folder / "acme", "--text", "First version.")
    page.goto(f"{srv.origin}/p/acme/answer/conclusion")
    page.fill("#text", "My browser version of the conclusion.")
    # meanwhile, someone changes the same answer from the command line
    res = run("answer", "conclusion", folder / "acme", "--text", "The command line's version.")
    assert res.exit_code == 0
    page.click("button[value=save]")
    page.wait_for_selector("text=changed meanwhile")
    _accessible(page, axe, "11-conflict")
    disk = (folder / "acme" / "general" / "conclusion.md").read_text()
    assert "The command line's version." in disk  # not overwritten
    content = page.content()
    assert "The command line&#39;s version." in content or "The command line's version." in content
    assert page.locator("#text").input_value() == "My browser version of the conclusion."
    kept = list((folder / "acme" / ".commentkit" / "edits").glob("conclusion-*.md"))
    assert kept and "My browser version" in kept[0].read_text()
    # the user decides: keep theirs over the command line's
    page.click("text=Save my text over the version on disk")
    page.wait_for_selector(".flash")
    assert "My browser version" in (folder / "acme" / "general" / "conclusion.md").read_text()
    assert not list((folder / "acme" / ".commentkit" / "edits").glob("conclusion-*.md"))
    # approved, then changed in a text editor: the dashboard says it is not final any more
    page.fill("#approver", "A. Partner")
    page.click("button[value=approve]")
    page.wait_for_selector("text=approved")
    path = folder / "acme" / "general" / "conclusion.md"
    path.write_text(path.read_text().replace("My browser version", "An editor's version"))
    page.goto(f"{srv.origin}/p/acme/dashboard")
    changed = page.locator("h3:has-text('Changed since approved') + p + ul").inner_text()
    assert "conclusion" in changed and "A. Partner" in changed


def test_keyboard_only_and_visible_focus(browser, folder):
    srv, page, axe = browser
    page.goto(srv.origin + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"  # visible focus

    def tab_to(selector: str) -> None:
        for _ in range(60):
            if page.evaluate(f"document.activeElement === document.querySelector({selector!r})"):
                assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
                return
            page.keyboard.press("Tab")
        raise AssertionError(f"{selector} cannot be reached with the Tab key")

    # create a project with the keyboard alone: arrow keys in the docket list, typing, Enter
    tab_to("input[name=docket]:checked")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.value") == "TREAS-DO-2023-0009"
    tab_to("#name")
    page.keyboard.type("kbd")
    tab_to("#commenter")
    page.keyboard.type("Keyboard Co.")
    tab_to("button[type=submit]")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/p/kbd/questionnaire/1"))
    assert "TREAS-DO-2023-0009" in (folder / "kbd" / "commentkit.yaml").read_text()


def test_association_collects_uploaded_member_files(browser, folder):
    srv, page, axe = browser
    import shutil

    shutil.copytree(SAMPLES / "association" / "assoc", folder / "cati",
                    ignore=shutil.ignore_patterns("collected", ".commentkit"))
    page.goto(f"{srv.origin}/p/cati/association")
    members = SAMPLES / "association" / "members"
    page.set_input_files("#files", [str(members / "fulcrum-ai-labs-response.yaml"),
                                    str(members / "harbinger-robotics-form.docx")])
    page.click("text=Upload")
    page.wait_for_selector("text=Uploaded 2 file(s)")
    assert len(list((folder / "cati" / "member-responses").iterdir())) == 2
    page.click("text=Collect member responses")
    page.wait_for_selector("#tr-h")
    _accessible(page, axe, "12-association")
    main = page.locator("main").inner_text()
    assert "Fulcrum" in main and "Harbinger" in main
    assert (folder / "cati" / "collected" / "tracker.md").is_file()
    page.click("text=Open the consolidated draft")
    page.wait_for_selector("article.letter")
    assert "Council for Advanced Technology Investment" in page.locator("article.letter").inner_text()


def test_questionnaire_in_simplified_chinese_stores_the_same_answers(browser, folder, run):
    srv, page, axe = browser
    run("init", folder / "zh", "--docket", "TREAS-DO-2023-0009", "--commenter", "Acme Corp.")
    page.goto(f"{srv.origin}/p/zh/questionnaire/1?lang=zh-CN")
    assert page.locator("legend", has_text="由谁提交意见？").count() == 1
    _accessible(page, axe, "13-questionnaire-zh")
    page.locator("input[name=i_commenter_type][value=company]").check()
    page.click("text=Save and continue")
    page.wait_for_selector(".flash, p.error")
    assert "lang=zh-CN" in page.url  # the language follows the person through the pages
    assert "commenter_type: company" in (folder / "zh" / "profile.yaml").read_text()  # stored as in English
    page.fill("#i_commenter_name", "")
    page.click("text=Save and continue")
    page.wait_for_selector("p.error")
    assert page.locator(".item.invalid").count() >= 1  # a required item left empty, said on the page
