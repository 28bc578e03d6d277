"""Reads of questionnaires for agents (list, answers table) and families (open ones).

For families, "missing", "not for your household" and "not open" all answer None,
which the views turn into a 404."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from tenant_apps.audiences.selectors import audience_households, audience_q_for_household
from tenant_apps.families.models import Household
from tenant_apps.questionnaires.answers import QuestionSpec, answer_display
from tenant_apps.questionnaires.models import Question, Questionnaire, Response


def questionnaire_list() -> QuerySet[Questionnaire]:
    return Questionnaire.objects.select_related(
        "target_school", "target_class", "target_service"
    ).annotate(question_count=Count("questions", distinct=True),
               response_count=Count("responses", distinct=True))


def questionnaire_get(*, questionnaire_id: int) -> Questionnaire | None:
    return questionnaire_list().filter(pk=questionnaire_id).first()


def question_get(*, questionnaire: Questionnaire, question_id: int) -> Question | None:
    return questionnaire.questions.filter(pk=question_id).first()


def question_specs(*, questionnaire: Questionnaire) -> list[QuestionSpec]:
    return [
        QuestionSpec(id=q.pk, kind=q.kind, label=q.label, required=q.required,
                     choices=tuple(q.choices or ()))
        for q in questionnaire.questions.order_by("position", "id")
    ]


def questionnaire_households(*, questionnaire: Questionnaire) -> QuerySet[Household]:
    """The households the questionnaire is for (both households of a shared child)."""
    return audience_households(
        school_id=questionnaire.target_school_id, class_id=questionnaire.target_class_id,
        service_id=questionnaire.target_service_id,
    )


def _open_on(today: datetime.date) -> Q:
    return Q(opens_on__lte=today, closes_on__gte=today, closed_early_at__isnull=True)


def questionnaires_for_household(
    *, household: Household, today: datetime.date
) -> list[tuple[Questionnaire, Response | None]]:
    """Questionnaires open today for the household, each with its response if any."""
    rows = list(
        Questionnaire.objects.filter(_open_on(today) & audience_q_for_household(
            household=household)).order_by("closes_on", "id")
    )
    responses = {
        r.questionnaire_id: r
        for r in Response.objects.filter(household=household, questionnaire__in=rows)
    }
    return [(q, responses.get(q.pk)) for q in rows]


def questionnaire_get_for_household(
    *, household: Household, questionnaire_id: int, today: datetime.date
) -> Questionnaire | None:
    return Questionnaire.objects.filter(
        _open_on(today) & audience_q_for_household(household=household), pk=questionnaire_id
    ).first()


def response_get(*, questionnaire: Questionnaire, household: Household) -> Response | None:
    return Response.objects.filter(questionnaire=questionnaire, household=household).first()


@dataclass(frozen=True)
class AnswersTable:
    """One row per responding household, one column per question, and the rate."""

    questions: list[QuestionSpec]
    rows: list[dict[str, Any]]  # household, answered_by, updated_at, cells (list[str])
    targeted: int
    answered: int

    @property
    def header(self) -> list[str]:
        return ["Foyer", "Répondu par", "Date de réponse", *(q.label for q in self.questions)]

    @property
    def rate_percent(self) -> int:
        return round(100 * self.answered / self.targeted) if self.targeted else 0


def answers_table(*, questionnaire: Questionnaire) -> AnswersTable:
    """The answers of every household, by household name (three queries)."""
    specs = question_specs(questionnaire=questionnaire)
    responses = Response.objects.filter(questionnaire=questionnaire).select_related(
        "household"
    ).order_by("household__name", "household_id")
    rows = [
        {
            "household": r.household,
            "answered_by": r.answered_by_name,
            "updated_at": r.updated_at,
            "cells": [answer_display(s.kind, r.answers.get(s.key)) for s in specs],
        }
        for r in responses
    ]
    return AnswersTable(
        questions=specs, rows=rows,
        targeted=questionnaire_households(questionnaire=questionnaire).count(),
        answered=len(rows),
    )
