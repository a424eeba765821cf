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
    "employees", "annual_revenue", "us_person", "interest_statement", "contact_name", "contact_email",
    "contact_phone", "signatory_name", "signatory_title", "sectors", "semi_activities", "quantum_activities",
    "ai_activities", "product_end_uses", "coc_countries", "coc_links", "transaction_types", "annual_transactions",
    "typical_size", "compliance_practices", "diligence_description", "themes",
}
"""Items the prose below handles (contact, signatory, address and themes belong elsewhere in the letter);
the places and stages of links (``link_*``) and transactions (``tx_*_stage``) are handled with them."""

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

PLACES = {"prc": "the People's Republic of China (mainland)", "hong_kong": "Hong Kong", "macau": "Macau"}
"""Place values of the ``link_*_places`` items, as the letter names them."""

STAGES = ("existing", "planned", "considering")

LINK_PHRASES: dict[str, dict[str, tuple[str, str]]] = {
    # link kind -> stage -> (singular-subject verb phrase, plural-subject verb phrase); "{places}" follows
    "subsidiaries": {"existing": ("has subsidiaries or branches in", "have subsidiaries or branches in"),
                     "planned": ("plans to establish a subsidiary or branch in", "plan to establish subsidiaries or branches in"),
                     "considering": ("is considering establishing a subsidiary or branch in",
                                     "are considering establishing subsidiaries or branches in")},
    "joint_ventures": {"existing": ("has joint ventures with local partners in", "have joint ventures with local partners in"),
                       "planned": ("plans a joint venture with a local partner in", "plan joint ventures with local partners in"),
                       "considering": ("is considering a joint venture with a local partner in",
                                       "are considering joint ventures with local partners in")},
    "investee_companies": {"existing": ("holds investments in companies in", "hold investments in companies in"),
                           "planned": ("plans to invest in companies in", "plan to invest in companies in"),
                           "considering": ("is considering investments in companies in",
                                           "are considering investments in companies in")},
    "suppliers": {"existing": ("buys from suppliers in", "buy from suppliers in"),
                  "planned": ("plans to buy from suppliers in", "plan to buy from suppliers in"),
                  "considering": ("is considering suppliers in", "are considering suppliers in")},
    "customers": {"existing": ("sells to customers or distributors in", "sell to customers or distributors in"),
                  "planned": ("plans to sell to customers or distributors in", "plan to sell to customers or distributors in"),
                  "considering": ("is considering sales to customers or distributors in",
                                  "are considering sales to customers or distributors in")},
    "research_collaborations": {"existing": ("has research collaborations with institutions in",
                                             "have research collaborations with institutions in"),
                                "planned": ("plans research collaborations with institutions in",
                                            "plan research collaborations with institutions in"),
                                "considering": ("is considering research collaborations with institutions in",
                                                "are considering research collaborations with institutions in")},
    "lp_non_us_funds": {"existing": ("holds limited partner interests in non-U.S. funds that invest in",
                                     "hold limited partner interests in non-U.S. funds that invest in"),
                        "planned": ("plans limited partner investments in non-U.S. funds that invest in",
                                    "plan limited partner investments in non-U.S. funds that invest in"),
                        "considering": ("is considering limited partner investments in non-U.S. funds that invest in",
                                        "are considering limited partner investments in non-U.S. funds that invest in")},
}

TX_VERBS = {"existing": ("engages in", "engage in"), "planned": ("plans", "plan"),
            "considering": ("is considering", "are considering")}


class Sentence(str):
    """A sentence of the Background, with the profile fields (item ids) it says something about."""

    fields: tuple[str, ...]

    def __new__(cls, text: str, fields):
        obj = super().__new__(cls, text)
        obj.fields = tuple(dict.fromkeys(fields))
        return obj


def background_markdown(pack, profile: dict[str, Any], commenter_name: str) -> str:
    """Markdown prose for the Background section ('' when the questionnaire gives nothing to say)."""
    paras = [p for p in background_paragraphs(pack, profile, commenter_name) if p]
    out = "\n\n".join(" ".join(p) if not p[0].startswith("- ") else "\n".join(p) for p in paras)
    return out + ("\n" if paras else "")


def background_paragraphs(pack, profile: dict[str, Any], commenter_name: str) -> list[list[Sentence]]:
    """The Background as paragraphs of :class:`Sentence` (each knows the fields it is drawn from).

    Only what the commenter answered, for items that apply: an unanswered item is left out, never
    guessed. Links are attributed to their place and kind and worded by their stage (has / plans /
    is considering); activities are described as the questionnaire asked them (the commenter's or
    its investees', joint ventures' or counterparties'), never attributed to one entity.
    """
    iv = pack.interview
    if iv is None:
        return []
    answers = engine.effective(iv, profile or {})
    name = _md(str(answers.get("commenter_name") or commenter_name).strip())
    name_fields = ("commenter_name",) if answers.get("commenter_name") else ()
    items = {it.id: it for it in iv.items}

    def label(item_id: str, value: str) -> str:
        it = items.get(item_id)
        for c in (it.choices if it else []):
            if c.value == value:
                return c.label
        return value

    def labels(item_id: str, exclude: tuple[str, ...] = ("none",)) -> list[str]:
        return [_lower_first(label(item_id, v)) for v in answers.get(item_id) or [] if v not in exclude]

    paras: list[list[Sentence]] = []
    kind = answers.get("commenter_type")
    opening: list[Sentence] = []
    if kind == "law_firm":
        client = answers.get("client_description")
        opening.append(Sentence(f"{name} submits these comments on behalf of "
                                f"{_md(_lower_first(client)) if client else 'a client'}.",
                                ("commenter_type", *name_fields, *(("client_description",) if client else ()))))
        who = _Subject("the client")
    else:
        first = _who(kind, name, [_INVESTOR_PHRASES.get(k, _lower_first(label("investor_kinds", k)))
                                  for k in answers.get("investor_kinds") or []])
        if first:
            opening.append(Sentence(first, ("commenter_type", *name_fields,
                                            *(("investor_kinds",) if answers.get("investor_kinds") else ()))))
        who = _Subject(name)
    # exposure: an association answers for its members
    exposed = _Subject(f"{name}'s members", plural=True) if kind == "trade_association" else who
    pronoun = "It" if opening and kind != "law_firm" else who.cap

    us = answers.get("us_person")
    if us is not None:
        opening.append(Sentence(f"{pronoun} {'is' if us else 'is not'} a U.S. person as the ANPRM describes that "
                                f"term.", ("us_person",)))
    size = _size(answers, label)
    if size and kind not in ("trade_association", "individual"):
        subject = pronoun if opening else who.cap
        opening.append(Sentence(f"{subject} {size[0]}.", size[1]))
    if opening:
        paras.append(opening)
    # the interest statement is not repeated here: the letter's introduction prints it already

    sectors = [s for s in answers.get("sectors") or [] if s != "none"]
    if sectors:
        parts, fields = [], ["sectors"]
        for s in sectors:
            acts_item = _SECTOR_ACTIVITIES.get(s, "")
            acts = labels(acts_item, exclude=())
            text = _lower_first(label("sectors", s))
            if acts:
                text += f" (specifically, {_and(acts)})"
                fields.append(acts_item)
            parts.append(text)
        sector_para = [Sentence(f"{exposed.cap} reported that {exposed.their} business, investments or dealings "
                                f"involve the following categories of technology identified in the ANPRM: "
                                f"{_and(parts, sep=';')}.", fields)]
        uses = answers.get("product_end_uses") or []
        if uses == ["none"]:
            sector_para.append(Sentence(f"{exposed.pronoun} reported no products or services in these categories "
                                        f"yet.", ("product_end_uses",)))
        elif uses:
            sector_para.append(Sentence(f"The products or services in these categories are used by "
                                        f"{_and(labels('product_end_uses'))}.", ("product_end_uses",)))
        paras.append(sector_para)
    elif answers.get("sectors") == ["none"]:
        paras.append([Sentence(f"{exposed.cap} {exposed.verb('is', 'are')} not active in the categories of "
                               f"technology identified in the ANPRM (semiconductors and microelectronics, quantum "
                               f"information technologies, and artificial intelligence); {exposed.their} interest "
                               f"is in the design of the program.", ("sectors",))])

    countries = answers.get("coc_countries") or []
    if countries == ["none"]:
        paras.append([Sentence(f"{exposed.cap} {exposed.verb('has', 'have')} no business or investment links "
                               f"with a country of concern.", ("coc_countries",))])
    elif countries:
        paras.append(_links(answers, exposed, countries, label, labels))  # never empty

    tx_para = _transactions(answers, exposed, label)
    if tx_para:
        paras.append(tx_para)

    practices = [_PRACTICE_PHRASES.get(v, _lower_first(label("compliance_practices", v)))
                 for v in answers.get("compliance_practices") or [] if v != "none"]
    if practices:
        paras.append([Sentence(f"{exposed.cap} currently {exposed.verb('maintains', 'maintain')} compliance "
                               f"programs covering {_and(practices, sep=';')}.", ("compliance_practices",))])
    elif answers.get("compliance_practices") == ["none"]:
        paras.append([Sentence(f"{exposed.cap} {exposed.verb('does', 'do')} not currently maintain export-control, "
                               f"CFIUS, sanctions or investment diligence programs.", ("compliance_practices",))])
    if answers.get("diligence_description"):
        paras.append([Sentence(_md(answers["diligence_description"]), ("diligence_description",))])

    other = [(items[k], v) for k, v in answers.items() if k not in _KNOWN and not _handled(k)]
    if other:
        paras.append([Sentence(f"- {_md(it.prompt.rstrip('?:. '))}: {_md(engine.display(it, v))}", (it.id,))
                      for it, v in other])
    return [p for p in paras if p]


def _handled(item_id: str) -> bool:
    """Places and stages of links and transactions: part of the sentences about them."""
    return (item_id.startswith("link_") and (item_id.endswith("_places") or item_id.rsplit("_", 1)[-1] in
                                             {"prc", "kong", "macau"})) or \
        (item_id.startswith("tx_") and item_id.endswith("_stage"))


def _size(answers: dict[str, Any], label) -> tuple[str, tuple[str, ...]] | None:
    emp, rev = answers.get("employees"), answers.get("annual_revenue")
    parts, fields = [], []
    if emp:
        parts.append(f"has {_lower_first(label('employees', emp))} employees")
        fields.append("employees")
    if rev:
        parts.append(f"reported annual revenue (or assets under management) of "
                     f"{_lower_first(label('annual_revenue', rev))}")
        fields.append("annual_revenue")
    return (" and ".join(parts), tuple(fields)) if parts else None


def _links(answers, exposed, countries, label, labels) -> list[Sentence]:
    """One sentence per kind of link and stage, naming the places the commenter gave for it."""
    names = _and([_country(label("coc_countries", c)) for c in countries])
    out: list[Sentence] = []
    unplaced = []
    for link in answers.get("coc_links") or []:
        places = answers.get(f"link_{link}_places") or []
        phrases = LINK_PHRASES.get(link)
        if not places or phrases is None:
            unplaced.append(link)
            continue
        by_stage: dict[str | None, list[str]] = {}
        for place in places:
            by_stage.setdefault(answers.get(f"link_{link}_{place}"), []).append(place)
        for stage in (*STAGES, None):
            where = by_stage.get(stage)
            if not where:
                continue
            fields = ["coc_links", f"link_{link}_places", *(f"link_{link}_{p}" for p in where if stage)]
            place_words = _and([PLACES.get(p, p) for p in where])
            subject = exposed.cap if not out else exposed.pronoun
            if stage is None:
                kind_words = _lower_first(label("coc_links", link))
                out.append(Sentence(f"{subject} reported {kind_words} in {place_words}, without saying whether "
                                    f"they exist today or are planned.", fields))
                continue
            verb = phrases[stage][1 if exposed.plural else 0]
            out.append(Sentence(f"{subject} {verb} {place_words}.", fields))
    if unplaced or not out:
        kinds = _and([_lower_first(label("coc_links", k)) for k in unplaced], sep=";")
        subject = exposed.cap if not out else exposed.pronoun
        out.insert(0, Sentence(f"{subject} {exposed.verb('has', 'have')} business or investment links with "
                               f"{names}" + (f", which include {kinds}." if kinds else "."),
                               ("coc_countries", *(("coc_links",) if unplaced and kinds else ()))))
        if len(out) > 1:  # the subject of the first sentence is now the name
            first, rest = out[0], out[1:]
            out = [first] + [Sentence(_swap_subject(s, exposed), s.fields) for s in rest]
    return out


def _swap_subject(sentence: str, exposed) -> str:
    if sentence.startswith(exposed.cap + " "):
        return exposed.pronoun + sentence[len(exposed.cap):]
    return sentence


def _transactions(answers, exposed, label) -> list[Sentence]:
    kinds = [v for v in answers.get("transaction_types") or [] if v != "none"]
    if answers.get("transaction_types") == ["none"]:
        return [Sentence(f"{exposed.cap} reported no investments or other transactions of the kinds the ANPRM "
                         f"describes involving these countries or technologies.", ("transaction_types",))]
    if not kinds:
        return []
    by_stage: dict[str | None, list[str]] = {}
    for v in kinds:
        by_stage.setdefault(answers.get(f"tx_{v}_stage"), []).append(v)
    out: list[Sentence] = []
    for stage in (*STAGES, None):
        group = by_stage.get(stage)
        if not group:
            continue
        words = _and([_lower_first(label("transaction_types", v)) for v in group], sep=";")
        fields = ["transaction_types", *(f"tx_{v}_stage" for v in group if stage)]
        lead = "In transactions involving these countries or technologies, " if not out else ""
        subject = exposed.plain if not out else exposed.pronoun
        if stage is None:
            verb = f"{exposed.verb('engages', 'engage')} in, or {exposed.verb('plans', 'plan')},"
        else:
            verb = TX_VERBS[stage][1 if exposed.plural else 0]
        out.append(Sentence(_cap(f"{lead}{subject} {verb} {words}."), fields))
    n = answers.get("annual_transactions")
    size = answers.get("typical_size")
    if n is not None:
        count = f"{n:,}" if isinstance(n, int) else str(n)
        text = (f"{exposed.pronoun} {exposed.verb('undertakes', 'undertake')} roughly {count} such "
                f"transaction{'' if n == 1 else 's'} a year")
        text += f", typically {_lower_first(label('typical_size', size))} in size." if size else "."
        out.append(Sentence(text, ("annual_transactions", *(("typical_size",) if size else ()))))
    elif size:
        out.append(Sentence(f"A typical transaction is {_lower_first(label('typical_size', size))} in size.",
                            ("typical_size",)))
    return out


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
    if kind == "university":
        return f"{name} is a university or research institution."
    return ""


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
