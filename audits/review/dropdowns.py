"""What a person typed in a dropdown column of a returned workbook, read against the dropdown:
the one validator for decisions, action statuses, grades, answers and flags.

Excel keeps whatever is typed or pasted over a list validation: a grade typed `2`, a flag typed
TRUE (a boolean cell), a decision with a hyphen for the dash, a date. Every cell becomes the text
a person sees (`TRUE`, `2`, `01/10/2026`), which is matched to an option ignoring case, spaces
and the kind of dash, or through a few aliases the dropdown declares (`Y` and TRUE for Yes).
Anything else is outside the dropdown: listed with its row by the reader, never guessed, never
a crash.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from audits.ingest.values import by_unique
from audits.model.grades import GRADES
from audits.output.reviewed import ACTION_STATUSES, MODERATOR_DECISIONS

_DASHES = str.maketrans({"-": "—", "–": "—", "‒": "—", "―": "—"})


def _key(text: str) -> str:
    return " ".join(text.translate(_DASHES).casefold().split())


def shown_text(value: object) -> str | None:
    """A cell's value as the text a person sees in it (None for a blank cell)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y") + ("" if value.time() == dt.time() else f" {value:%H:%M}")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    text = str(value).strip()
    return text or None


@dataclass(frozen=True)
class Dropdown:
    """A dropdown's options, and the other spellings that mean one of them."""

    name: str
    options: tuple[str, ...]
    aliases: dict[str, str] = field(default_factory=dict)

    def read(self, cells: pd.Series) -> tuple[pd.Series, pd.Series]:
        """(the option each cell means, None where blank or outside; the cells typed outside
        the dropdown), indexed like `cells`; each distinct value looked up once (an import's
        pre-filled decisions repeat four spellings over thousands of rows)."""
        chosen, outside = by_unique(self._meant)(cells)
        return chosen.astype(object).where(chosen.notna(), None), outside

    def _meant(self, distinct: pd.Series) -> tuple[pd.Series, pd.Series]:
        lookup = {_key(o): o for o in self.options} | {_key(a): o for a, o in self.aliases.items()}
        text = distinct.map(shown_text, na_action="ignore").astype(object)
        chosen = text.map(lambda t: lookup.get(_key(t)) if isinstance(t, str) else None)
        outside = text.notna() & chosen.isna()
        return chosen.astype(object), outside.astype(bool)

    def describe(self) -> str:
        return "; ".join(self.options)


_YES = {"Y": "Yes", "TRUE": "Yes", "1": "Yes"}
_NO = {"N": "No", "FALSE": "No", "0": "No"}

DECISION = Dropdown("decision", MODERATOR_DECISIONS)  # the manager's and the QA moderator's
ACTION_STATUS = Dropdown("Action status", ACTION_STATUSES)
GRADE = Dropdown("grade", GRADES)
ANSWER = Dropdown(
    "answer", ("Yes", "No", "Partly", "N/A"), {**_YES, **_NO, "NA": "N/A", "Not applicable": "N/A"}
)
FLAG = Dropdown("flag", ("Yes", "No"), {**_YES, **_NO})
