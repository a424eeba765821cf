"""The condition language as docs/docket-packs.md states it: |length works, Jinja's other tests
and filters are refused with a message that says what to write instead."""

from __future__ import annotations

import pytest

from commentkit.errors import UserError
from commentkit.questionnaire.conditions import Where, evaluate

WHERE = Where("interview.yaml", "item 'x'")
VARS = {"sectors": ["semiconductors", "ai"], "links": [], "n": None, "kind": "company"}


@pytest.mark.parametrize("source, expected", [
    ("sectors|length > 1", True),
    ("sectors | length == 2 and kind == 'company'", True),
    ("links|length > 0", False),
    ("n|length == 0", True),  # unanswered: length 0
    ("not sectors|length", False),
    ("1 <= sectors|length <= 3", True),
])
def test_length_filter(source, expected):
    assert evaluate(source, VARS, WHERE) is expected


@pytest.mark.parametrize("source, words", [
    ("sectors is defined", ["'is defined' is not supported", "is not none"]),
    ("n is not undefined", ["'is undefined' is not supported"]),
    ("kind is string", ["'is string' is not supported", "is none"]),
    ("kind|upper == 'X'", ["|upper is not supported", "|length"]),
    ("n + 1 > 2", ["arithmetic is not allowed", "|length"]),
])
def test_jinja_forms_outside_the_language_say_what_to_write(source, words):
    with pytest.raises(UserError) as err:
        evaluate(source, VARS, WHERE)
    message = err.value.format()
    assert message.startswith("interview.yaml: item 'x': invalid condition")
    for w in words:
        assert w in message


def test_a_filter_name_is_not_taken_for_an_unknown_item():
    with pytest.raises(UserError, match="unknown item 'secters'"):
        evaluate("secters|length > 1", VARS, WHERE)
