"""The letter's Background section, drafted from the questionnaire.

``background_markdown(pack, profile, commenter_name)`` returns Markdown paragraphs (no heading:
the letter supplies "Background") that describe the commenter and its exposure in the notice's
terms, using only what the commenter answered: an unanswered item is left out, never guessed,
and free-text answers (the diligence description) are quoted as given. The interest statement is
not repeated: the letter's introduction prints it.

The prose knows the TREAS-DO-2023-0009 questionnaire's item ids (``commenter_type``,
``sectors``, ``coc_links`` ...) and uses the pack's own choice labels for the details; items it
does not know (another docket's questionnaire) are listed as "question: answer" lines, so
nothing the commenter said is dropped.
"""

from __future__ import annotations

import re
from typing import Any

from commentkit.questionnaire import engine

_KNOWN = {
    "commenter_type", "investor_kinds", "commenter_name", "client_description", "commenter_address",
    "us_person", "interest_statement", "contact_name", "contact_email", "contact_phone", "signatory_name",
    "signatory_title", "sectors", "semi_activities", "quantum_activities", "ai_activities", "coc_countries",
    "coc_links", "transaction_types", "annual_transactions", "typical_size", "compliance_practices",
    "diligence_description", "themes",
}
"""Items the prose below handles (contact, signatory, address and themes belong elsewhere in the letter)."""

_INVESTOR_PHRASES = {
    "venture_capital": "a venture capital investor",
    "private_equity": "a private equity investor",
    "limited_partner": "a limited partner in pooled investment funds",
    "corporate_venture": "the corporate venture arm of an operating company",
    "asset_manager": "an asset manager",
}

_PRACTICE_PHRASES = {
    "export_controls": "export controls (EAR/ITAR)",
    "cfius": "CFIUS filings",
    "sanctions": "sanctions screening (OFAC)",
    "investment_diligence": "a written investment due diligence process",
}

_SECTOR_ACTIVITIES = {"semiconductors": "semi_activities", "quantum": "quantum_activities", "ai": "ai_activities"}


def background_markdown(pack, profile: dict[str, Any], commenter_name: str) -> str:
    """Markdown prose for the Background section ('' when the questionnaire gives nothing to say)."""
    iv = pack.interview
    if iv is None:
        return ""
    answers = engine.effective(iv, profile or {})
    name = _md(str(answers.get("commenter_name") or commenter_name).strip())
    items = {it.id: it for it in iv.items}

    def label(item_id: str, value: str) -> str:
        it = items.get(item_id)
        for c in (it.choices if it else []):
            if c.value == value:
                return c.label
        return value

    def labels(item_id: str, exclude: tuple[str, ...] = ("none",)) -> list[str]:
        return [_lower_first(label(item_id, v)) for v in answers.get(item_id) or [] if v not in exclude]

    paras: list[str] = []
    kind = answers.get("commenter_type")
    if kind == "law_firm":
        client = answers.get("client_description")
        paras.append(f"{name} submits these comments on behalf of "
                     f"{_md(_lower_first(client)) if client else 'a client'}.")
        who = _Subject("the client")
    else:
        first = _who(kind, name, [_INVESTOR_PHRASES.get(k, _lower_first(label("investor_kinds", k)))
                                  for k in answers.get("investor_kinds") or []])
        if first:
            paras.append(first)
        who = _Subject(name)
    # exposure: an association answers for its members
    exposed = _Subject(f"{name}'s members", plural=True) if kind == "trade_association" else who

    us = answers.get("us_person")
    if us is not None:
        pronoun = "It" if paras and kind in ("company", "investor", "trade_association", "other") else who.cap
        paras.append(f"{pronoun} {'is' if us else 'is not'} a U.S. person as the ANPRM describes that term.")
    _join_first_two(paras)
    # the interest statement is not repeated here: the letter's introduction prints it already

    sectors = [s for s in answers.get("sectors") or [] if s != "none"]
    if sectors:
        parts = []
        for s in sectors:
            acts = labels(_SECTOR_ACTIVITIES.get(s, ""), exclude=())
            text = _lower_first(label("sectors", s))
            if acts:
                text += f" (specifically, {_and(acts)})"
            parts.append(text)
        activity = "investments" if kind == "investor" else "activities"
        paras.append(f"The {activity} of {exposed.plain} involve the following categories of technology "
                     f"identified in the ANPRM: {_and(parts, sep=';')}.")
    elif answers.get("sectors") == ["none"]:
        paras.append(f"{exposed.cap} {exposed.verb('is', 'are')} not active in the categories of technology "
                     f"identified in the ANPRM (semiconductors and microelectronics, quantum information "
                     f"technologies, and artificial intelligence); {exposed.their} interest is in the design "
                     f"of the program.")

    countries = answers.get("coc_countries") or []
    if countries == ["none"]:
        paras.append(f"{exposed.cap} {exposed.verb('has', 'have')} no business or investment links with a "
                     f"country of concern.")
    elif countries:
        names = _and([_country(label("coc_countries", c)) for c in countries])
        links = labels("coc_links")
        if links:
            paras.append(f"{exposed.cap} {exposed.verb('has', 'have')} links with {names}, in the form of "
                         f"{_and(links, sep=';')}.")
        else:
            paras.append(f"{exposed.cap} {exposed.verb('has', 'have')} business or investment links with {names}.")

    tx = labels("transaction_types")
    if tx:
        text = (f"In transactions involving these countries or technologies, {exposed.plain} "
                f"{exposed.verb('engages', 'engage')} in, or {exposed.verb('plans', 'plan')}, {_and(tx, sep=';')}.")
        n = answers.get("annual_transactions")
        size = answers.get("typical_size")
        if n is not None:
            count = f"{n:,}" if isinstance(n, int) else str(n)
            text += (f" {exposed.pronoun} {exposed.verb('undertakes', 'undertake')} roughly {count} such "
                     f"transaction{'' if n == 1 else 's'} a year")
            text += f", typically {_lower_first(label('typical_size', size))} in size." if size else "."
        elif size:
            text += f" A typical transaction is {_lower_first(label('typical_size', size))} in size."
        paras.append(text)

    practices = [_PRACTICE_PHRASES.get(v, _lower_first(label("compliance_practices", v)))
                 for v in answers.get("compliance_practices") or [] if v != "none"]
    if practices:
        paras.append(f"{exposed.cap} currently {exposed.verb('maintains', 'maintain')} compliance programs "
                     f"covering {_and(practices, sep=';')}.")
    elif answers.get("compliance_practices") == ["none"]:
        paras.append(f"{exposed.cap} {exposed.verb('does', 'do')} not currently maintain export-control, CFIUS, "
                     f"sanctions or investment diligence programs.")
    if answers.get("diligence_description"):
        paras.append(_md(answers["diligence_description"]))

    other = [(items[k], v) for k, v in answers.items() if k not in _KNOWN]
    if other:
        paras.append("\n".join(f"- {_md(it.prompt.rstrip('?:. '))}: {_md(engine.display(it, v))}"
                               for it, v in other))
    return "\n\n".join(p.strip() for p in paras if p.strip()) + ("\n" if paras else "")


class _Subject:
    """Who a sentence is about, with the verb forms and pronouns that go with it."""

    def __init__(self, plain: str, plural: bool = False):
        self.plain = plain
        self.plural = plural

    @property
    def cap(self) -> str:
        return _cap(self.plain)

    @property
    def pronoun(self) -> str:
        return "They" if self.plural else "It"

    @property
    def their(self) -> str:
        return "their" if self.plural else "its"

    def verb(self, singular: str, plural: str) -> str:
        return plural if self.plural else singular


def _who(kind: str | None, name: str, investor: list[str]) -> str:
    if kind == "company":
        return f"{name} is an operating company."
    if kind == "investor":
        return f"{name} is {_and(investor)}." if investor else f"{name} is an investor."
    if kind == "trade_association":
        return f"{name} is a trade association and submits these comments on behalf of its members."
    if kind == "individual":
        return f"{name} submits these comments in an individual capacity."
    if kind == "other":
        return f"{name} submits these comments as an organization with an interest in the program."
    return ""


def _join_first_two(paras: list[str]) -> None:
    """'X is an operating company.' + 'It is a U.S. person ...' read as one opening paragraph."""
    if len(paras) == 2:
        paras[:] = [paras[0] + " " + paras[1]]


def _and(parts: list[str], sep: str | None = None) -> str:
    """'a', 'a and b', 'a, b, and c'; semicolons when a part holds a comma or an 'and' of its own."""
    parts = [p for p in parts if p]
    if sep is None or sep.strip() == ";":
        sep = ";" if any("," in p or " and " in p for p in parts) else ","
    if len(parts) <= 1:
        return "".join(parts)
    if len(parts) == 2:
        return f"{parts[0]}; and {parts[1]}" if sep == ";" else f"{parts[0]} and {parts[1]}"
    return f"{sep} ".join(parts[:-1]) + f"{sep} and {parts[-1]}"


def _lower_first(text: str) -> str:
    """'Advanced packaging' -> 'advanced packaging'; 'CFIUS filings', 'EDA' and 'U.S.' stay."""
    text = str(text).strip()
    first = text.split(" ", 1)[0]
    letters = first.replace("-", "")
    if letters.isalpha() and first[0].isupper() and (first[1:].replace("-", "").islower() or first in ("A", "An")):
        return text[0].lower() + text[1:]
    return text


def _country(label: str) -> str:
    return "the " + label if label.startswith("People") else label


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def _md(text: str) -> str:
    """The commenter's own words as Markdown text: paragraphs kept, markup characters escaped."""
    text = str(text).strip()
    lines = [_MD_SPECIAL.sub(r"\\\1", line) for line in text.splitlines()]
    out = "\n".join(lines)
    out = re.sub(r"^(\s*)(\d+)\.(\s)", r"\1\2\\.\3", out, flags=re.M)
    return re.sub(r"^(\s*)([-+])(\s)", r"\1\\\2\3", out, flags=re.M)
