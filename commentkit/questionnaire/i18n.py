"""The questionnaire in another language: per-item translation files beside each pack.

A pack may ship ``interview.<lang>.yaml`` (``interview.zh-CN.yaml``) beside ``interview.yaml``,
keyed by item id and choice value::

    language: zh-CN
    title: 您在对外投资审查机制下的风险敞口
    groups: {The commenter: 提交意见者}
    items:
      commenter_type:
        prompt: 由谁提交意见？
        choices:
          company: {label: 公司, help: 运营公司……}

:func:`localize` returns the pack's questionnaire with those texts in place of the English ones.
Ids and choice values are untouched, so what is stored in ``profile.yaml`` is the same whatever
language the questions were asked in, and the letter (always English) is built from it alike.
A text the file does not give stays English; a key that names no item or choice is an error
naming the file, never silently ignored.

The interview's own words (progress line, hints, "Not accepted: ...") are in :data:`CHROME`;
:func:`message` translates the engine's validation messages.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from pydantic import Field

from commentkit.errors import DocketPackError, UserError
from commentkit.files.yamlio import load_model
from commentkit.models.docket import Strict

ENGLISH = "en"
LANGUAGES = {"en": "English", "zh-CN": "简体中文 (Simplified Chinese)"}
"""Languages the interview speaks (the letter is always English)."""


class ChoiceText(Strict):
    label: str | None = None
    help: str | None = None


class ItemText(Strict):
    prompt: str | None = None
    help: str | None = None
    message: str | None = Field(None, description="The validation message (validation.message)")
    choices: dict[str, ChoiceText] = Field(default_factory=dict)


class Translation(Strict):
    """``interview.<lang>.yaml``: the questionnaire's texts in one language, keyed by item id."""

    schema_version: int = 1
    language: str
    title: str | None = None
    intro: str | None = None
    groups: dict[str, str] = Field(default_factory=dict, description="English group heading -> translation")
    items: dict[str, ItemText] = Field(default_factory=dict)


def language(option: str | None, environ: dict[str, str] | None = None) -> str:
    """The interview language: ``--lang``, else COMMENTKIT_LANG, else the locale (LC_ALL,
    LC_MESSAGES, LANG: ``zh_CN.UTF-8`` and ``zh_Hans`` mean zh-CN), else English."""
    env = os.environ if environ is None else environ
    if option:
        want = option.strip().replace("_", "-")
        for code in LANGUAGES:
            if want.casefold() == code.casefold():
                return code
        raise UserError(f"--lang {option}: the interview speaks {', '.join(LANGUAGES)}")
    for var in ("COMMENTKIT_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = (env.get(var) or "").strip()
        if not value:
            continue
        low = value.split(".", 1)[0].replace("-", "_").casefold()
        if low in ("zh_cn", "zh_hans", "zh_hans_cn", "zh_sg", "zh"):
            return "zh-CN"
        return ENGLISH
    return ENGLISH


def translation_file(pack, lang: str) -> Path | None:
    if lang == ENGLISH or not getattr(pack, "path", None):
        return None
    return Path(pack.path) / f"interview.{lang}.yaml"


def localize(pack, lang: str):
    """The pack's questionnaire with the texts of ``lang`` (the English one when there are none)."""
    interview = pack.interview
    path = translation_file(pack, lang)
    if interview is None or path is None or not path.is_file():
        return interview
    tr = load_model(path, Translation, "interview translation")
    if tr.language != lang:
        raise DocketPackError(f"language is {tr.language!r}, but the file name says {lang!r}", path)
    known = {it.id: it for it in interview.items}
    for item_id, given in tr.items.items():
        if item_id not in known:
            raise DocketPackError(f"items: {item_id!r} is not an item of interview.yaml", path)
        values = {c.value for c in known[item_id].choices}
        for value in given.choices:
            if value not in values:
                raise DocketPackError(f"items: {item_id}: {value!r} is not a choice of that item", path)
    groups = {it.group for it in interview.items if it.group}
    for group in tr.groups:
        if group not in groups:
            raise DocketPackError(f"groups: {group!r} is not a group of interview.yaml", path)
    items = []
    for it in interview.items:
        text = tr.items.get(it.id)
        update: dict[str, Any] = {}
        if it.group and it.group in tr.groups:
            update["group"] = tr.groups[it.group]
        if text is not None:
            if text.prompt:
                update["prompt"] = text.prompt
            if text.help:
                update["help"] = text.help
            if text.message and it.validation.message:
                update["validation"] = it.validation.model_copy(update={"message": text.message})
            if text.choices:
                update["choices"] = [c.model_copy(update={k: v for k, v in (("label", text.choices[c.value].label),
                                                                             ("help", text.choices[c.value].help))
                                                           if v})
                                     if c.value in text.choices else c for c in it.choices]
        items.append(it.model_copy(update=update) if update else it)
    top = {k: v for k, v in (("title", tr.title), ("intro", tr.intro)) if v}
    return interview.model_copy(update={"items": items, **top})


CHROME: dict[str, dict[str, str]] = {
    "zh-CN": {
        "progress": "第 {n} 项，共约 {about} 项",
        "hint.text": "请输入答案",
        "hint.text.multiline": "请输入答案；以空行结束",
        "hint.yesno": "是或否",
        "hint.choice": "输入 1 至 {n} 之间的数字",
        "hint.multichoice": "输入所有适用选项的数字，用逗号分隔，例如 1,3",
        "hint.number": "输入一个数字",
        "hint.date": "按 YYYY-MM-DD 格式输入日期",
        "hint.blank": "输入“{blank}”可留空",
        "hint.back": "输入“back”或“返回”可回到上一项",
        "enter_keeps": "按回车保留：{value}",
        "required": "此项必须回答。",
        "not_accepted": "未接受：{message}。请重新输入。",
        "chosen": "已选择：{labels}",
        "leave_blank": "（留空）",
        "go_back": "\N{LEFTWARDS ARROW} 返回上一项",
        "yes": "是",
        "no": "否",
        "blank": "（留空）",
        "checkbox": "（空格键勾选，回车键确认）",
        "first_item": "这是本次的第一项，无法再返回。",
        "all_answered": "问卷的所有项目均已回答（{path}）。",
        "change_hint": "修改某一项请用“{one}”，逐项检查请用“{all}”。",
        "resuming": "从第一个未回答的项目继续（已保存 {n} 个答案）。",
        "saved": "本次共保存 {n} 个答案至 {path}。",
        "still_open": "仍有 {n} 项未回答（{ids}）；运行“{cmd}”即可回答。",
        "stale": "您对 {ids} 的回答已不适用于您的其他回答；这些回答仍保留在 profile.yaml 中，但不会被使用。",
        "next": "下一步：运行“{cmd}”，为您排列该通知中各问题的优先次序。",
        "interrupted": "已中断。到目前为止的所有答案均已保存在 {path}（本次 {n} 个）；运行“{cmd}”即可{where}。",
        "input_ended": "输入已结束。到目前为止的所有答案均已保存在 {path}（本次 {n} 个）；运行“{cmd}”即可{where}。",
        "resume": "从中断处继续",
        "continue": "继续",
    },
}
"""The interview's own words in each language other than English (the English is in the CLI)."""

_MESSAGES: dict[str, list[tuple[str, str]]] = {
    "zh-CN": [
        (r"an answer is required", "此项必须回答"),
        (r"(\d+) is not in the list \((\d+)-(\d+)\)", r"\1 不在列表中（\2-\3）"),
        (r"'(.*)' is not one of the choices \((.*)\)", r"“\1”不是可选项之一（\2）"),
        (r"'(.*)' cannot be combined with other choices", r"“\1”不能与其他选项同时选择"),
        (r"choose at least (\d+)", r"至少选择 \1 项"),
        (r"choose at most (\d+)", r"最多选择 \1 项"),
        (r"expected yes or no, got (.*)", r"应回答“是”或“否”，收到的是 \1"),
        (r"expected a number, got (.*)", r"应输入数字，收到的是 \1"),
        (r"must be at least (.*)", r"不得小于 \1"),
        (r"must be at most (.*)", r"不得大于 \1"),
        (r"expected a date as YYYY-MM-DD, got (.*)", r"应按 YYYY-MM-DD 格式输入日期，收到的是 \1"),
        (r"empty choice", "未选择任何选项"),
        (r"expected (.*)", r"应输入\1"),
    ],
}


def chrome(lang: str, key: str, english: str, **values: Any) -> str:
    """The interview's phrase ``key`` in ``lang``; ``english`` (a format string) otherwise."""
    template = CHROME.get(lang, {}).get(key, english)
    return template.format(**values)


def message(lang: str, text: str) -> str:
    """An engine validation message in ``lang`` (unchanged when there is no translation for it)."""
    for pattern, replacement in _MESSAGES.get(lang, []):
        if re.fullmatch(pattern, text):
            return re.sub(pattern, replacement, text)
    return text
