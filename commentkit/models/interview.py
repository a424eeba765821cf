"""Schema of a docket pack's ``interview.yaml``: the guided exposure questionnaire."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from commentkit.models.docket import Strict

ItemType = Literal["text", "yesno", "choice", "multichoice", "number", "date"]


class Choice(Strict):
    value: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    label: str
    help: str | None = Field(None, description="What choosing this means, in the notice's terms")
    fact: str | None = Field(None, description="This answer as a fact quoted back in reasons ('customers in a "
                                               "country of concern'); default: the label")


class Validation(Strict):
    required: bool = False
    min: float | None = None
    max: float | None = None
    pattern: str | None = Field(None, description="Regular expression a text answer must match")
    message: str | None = Field(None, description="Shown when the pattern does not match")
    min_choices: int | None = None
    max_choices: int | None = None


class Item(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Also the variable name in conditions")
    prompt: str
    help: str | None = None
    type: ItemType
    choices: list[Choice] = Field(default=[])
    when: str | None = Field(None, description="Sandboxed Jinja expression over earlier answers")
    default: str | int | float | bool | list[str] | None = None
    validation: Validation = Field(default_factory=Validation)
    group: str | None = Field(None, description="Heading the item is shown under")
    multiline: bool = False
    fact: str | None = Field(None, description="The answer as a fact quoted back in reasons; '{value}' is replaced "
                                               "by the answer (labels for choices)")
    fact_no: str | None = Field(None, description="yesno items: the fact when the answer is no ('fact' is for yes)")

    @model_validator(mode="after")
    def _choices(self):
        if self.type in ("choice", "multichoice"):
            if not self.choices:
                raise ValueError(f"item {self.id!r} of type {self.type} needs choices")
            values = [c.value for c in self.choices]
            if len(set(values)) != len(values):
                raise ValueError(f"item {self.id!r} has a repeated choice value")
        elif self.choices:
            raise ValueError(f"item {self.id!r} of type {self.type} cannot have choices")
        return self


class Interview(Strict):
    schema_version: int = 1
    title: str = "Exposure questionnaire"
    intro: str | None = None
    items: list[Item] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self):
        seen: set[str] = set()
        for it in self.items:
            if it.id in seen:
                raise ValueError(f"interview item id {it.id!r} is used twice")
            seen.add(it.id)
        return self

    def item(self, item_id: str) -> Item:
        for it in self.items:
            if it.id == item_id:
                return it
        raise KeyError(item_id)
