"""Checking and displaying a household's answers: pure functions over plain values.

`answers_clean` takes what the portal form posted (a list of strings per question)
and returns the values to store, or French error messages per question."""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from tenant_apps.questionnaires.models import QuestionKind

MAX_TEXT_LENGTH = 2000
YES, NO = "oui", "non"


@dataclass(frozen=True)
class QuestionSpec:
    id: int
    kind: str
    label: str
    required: bool
    choices: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return str(self.id)


Value = bool | str | list[str]


def _parse_date(raw: str) -> datetime.date | None:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(raw, pattern).date()  # noqa: DTZ007 (a date)
        except ValueError:
            continue
    return None


def _clean_one(spec: QuestionSpec, raw: list[str]) -> tuple[Value | None, str]:
    """(value or None when unanswered, error message or "")."""
    values = [v.strip() for v in raw if v.strip()]
    if spec.kind == QuestionKind.MULTIPLE:
        unknown = [v for v in values if v not in spec.choices]
        if unknown:
            return None, f"Choix inconnu : « {unknown[0][:60]} »."
        chosen = [c for c in spec.choices if c in values]  # the agent's order, no repeats
        return (chosen or None), ""
    if len(values) > 1:
        return None, "Une seule réponse est possible."
    value = values[0] if values else ""
    if not value:
        return None, ""
    if spec.kind == QuestionKind.YES_NO:
        if value not in (YES, NO):
            return None, "Répondez par oui ou par non."
        return value == YES, ""
    if spec.kind == QuestionKind.SINGLE:
        if value not in spec.choices:
            return None, f"Choix inconnu : « {value[:60]} »."
        return value, ""
    if spec.kind == QuestionKind.DATE:
        day = _parse_date(value)
        if day is None:
            return None, "Date invalide : indiquez-la au format JJ/MM/AAAA."
        return day.isoformat(), ""
    if len(value) > MAX_TEXT_LENGTH:
        return None, f"Réponse trop longue : {MAX_TEXT_LENGTH} caractères au plus."
    return value, ""


def answers_clean(
    specs: Sequence[QuestionSpec], raw: Mapping[str, list[str]]
) -> tuple[dict[str, Value], dict[str, str]]:
    """(answers to store keyed by question id, errors keyed by question id).

    Unanswered optional questions are left out of the answers; an unanswered required
    question is an error, as is a choice not offered, a date that does not parse or a
    text over 2,000 characters. Keys of `raw` that are not questions are ignored."""
    answers: dict[str, Value] = {}
    errors: dict[str, str] = {}
    for spec in specs:
        value, error = _clean_one(spec, list(raw.get(spec.key, [])))
        if error:
            errors[spec.key] = error
        elif value is None:
            if spec.required:
                errors[spec.key] = "Cette question est obligatoire."
        else:
            answers[spec.key] = value
    return answers, errors


def answer_display(kind: str, value: Value | None) -> str:
    """An answer as a French cell: "Oui", "Non", "a, b", "13/05/2019", text, or ""."""
    if value is None or value == "" or value == []:
        return ""
    if kind == QuestionKind.YES_NO:
        return "Oui" if value is True else "Non"
    if isinstance(value, list):
        return ", ".join(value)
    if kind == QuestionKind.DATE and isinstance(value, str):
        day = _parse_date(value)
        return day.strftime("%d/%m/%Y") if day else value
    return str(value)


def answer_form_values(kind: str, value: Value | None) -> list[str]:
    """A stored value back as the strings the portal form posts (to refill it)."""
    if value is None:
        return []
    if kind == QuestionKind.YES_NO:
        return [YES if value is True else NO]
    if isinstance(value, list):
        return list(value)
    return [str(value)]
