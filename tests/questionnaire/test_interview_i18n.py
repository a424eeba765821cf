"""The questionnaire in Simplified Chinese: translation files, language choice, stored answers."""

from __future__ import annotations

import re
import shutil

import pytest

from commentkit.dockets import catalog as packs
from commentkit.errors import UserError
from commentkit.questionnaire import engine, i18n
from tests.conftest import QUESTIONS, user_pack_dir

SHIPPED = ["TREAS-DO-2023-0009", "FR-2024-13923"]
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("name", SHIPPED)
def test_every_text_of_the_shipped_questionnaires_is_translated(name):
    pack = packs.load_path(QUESTIONS / name, "shipped")
    zh = i18n.localize(pack, "zh-CN")
    assert CJK.search(zh.title) and CJK.search(zh.intro)
    for en, it in zip(pack.interview.items, zh.items):
        # ids, types, conditions and choice values are the English ones: answers are language-neutral
        assert (it.id, it.type, it.when, [c.value for c in it.choices]) == \
            (en.id, en.type, en.when, [c.value for c in en.choices])
        assert CJK.search(it.prompt), it.id
        assert bool(it.help) == bool(en.help) and (not it.help or CJK.search(it.help)), it.id
        assert not it.group or CJK.search(it.group), it.id
        for c, ce in zip(it.choices, en.choices):
            assert CJK.search(c.label), (it.id, c.value)
            assert bool(c.help) == bool(ce.help), (it.id, c.value)
        if en.validation.message:
            assert CJK.search(it.validation.message), it.id
    # the legal terms of the glossary are the ones used
    text = (QUESTIONS / name / "interview.zh-CN.yaml").read_text(encoding="utf-8")
    for term in ("受关注国家", "美国人士", "涵盖交易", "受控外国实体", "有限合伙人"):
        assert term in text, term


def test_glossary_lists_each_term_used_with_its_english():
    glossary = (QUESTIONS.parent / "docs" / "glossary-zh-CN.md").read_text(encoding="utf-8")
    for zh, en in [("受关注国家", "country of concern"), ("涵盖交易", "covered transaction"),
                   ("美国人士", "U.S. person"), ("涵盖外国人士", "covered foreign person")]:
        assert re.search(rf"\|\s*{re.escape(en)}\s*\|\s*{zh}\s*\|", glossary), en


def test_a_chinese_answer_is_stored_as_the_same_id():
    pack = packs.load_path(QUESTIONS / "TREAS-DO-2023-0009", "shipped")
    zh = i18n.localize(pack, "zh-CN")
    assert engine.coerce(zh.item("commenter_type"), "投资者") == "investor"
    assert engine.coerce(zh.item("coc_countries"), "香港, 澳门") == ["hong_kong", "macau"]
    assert engine.coerce(zh.item("us_person"), "是") is True
    assert engine.coerce(zh.item("us_person"), "否") is False
    with pytest.raises(engine.AnswerError) as exc:
        engine.coerce(zh.item("contact_email"), "不是邮箱")
    assert i18n.message("zh-CN", str(exc.value)) == "应输入电子邮箱地址，例如 name@example.com"
    assert i18n.message("zh-CN", "9 is not in the list (1-7)") == "9 不在列表中（1-7）"


@pytest.mark.parametrize("option, env, want", [
    ("zh-CN", {}, "zh-CN"), ("zh_cn", {}, "zh-CN"), ("en", {"LANG": "zh_CN.UTF-8"}, "en"),
    (None, {"LANG": "zh_CN.UTF-8"}, "zh-CN"), (None, {"LC_ALL": "zh_Hans"}, "zh-CN"),
    (None, {"COMMENTKIT_LANG": "en", "LANG": "zh_CN.UTF-8"}, "en"), (None, {"LANG": "C.UTF-8"}, "en"),
    (None, {}, "en"),
])
def test_language_from_option_setting_or_locale(option, env, want):
    assert i18n.language(option, env) == want


def test_unknown_language_is_a_clear_error(run, project):
    with pytest.raises(UserError, match="the interview speaks en, zh-CN"):
        i18n.language("fr", {})
    res = run("interview", project, "--lang", "fr")
    assert res.exit_code == 2 and "the interview speaks en, zh-CN" in res.stderr


def test_a_translation_naming_an_unknown_item_names_the_file(run, project):
    dest = user_pack_dir() / "TREAS-DO-2023-0009"
    shutil.copytree(QUESTIONS / "TREAS-DO-2023-0009", dest)
    path = dest / "interview.zh-CN.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  commenter_type:\n", "  commenter_kind:\n", 1),
                    encoding="utf-8")
    packs.load_path.cache_clear()
    res = run("interview", project, "--lang", "zh-CN", input="1\n")
    assert res.exit_code == 2
    assert str(path) in res.stderr and "'commenter_kind' is not an item of interview.yaml" in res.stderr


def test_plain_interview_in_chinese_stores_what_the_english_one_stores(run, tmp_path):
    roots = []
    for lang in ("en", "zh-CN"):
        root = tmp_path / lang
        assert run("init", root, "--docket", "TREAS-DO-2023-0009", "--commenter", "Acme").exit_code == 0
        # type, name (Enter keeps Acme), address (blank), employees, revenue, U.S. person
        yes = "yes" if lang == "en" else "是"
        res = run("interview", root, "--lang", lang, input="1\n\n-\n2\n-\n" + yes + "\n")
        assert res.exit_code == 1  # input ended
        roots.append(root)
    assert (roots[0] / "profile.yaml").read_text() == (roots[1] / "profile.yaml").read_text()
    res = run("interview", roots[1], "--lang", "zh-CN", input="")
    assert "从第一个未回答的项目继续（已保存 6 个答案）" in res.output
    assert "输入已结束" in res.stderr
