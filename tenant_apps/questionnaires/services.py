"""Writes on questionnaires: building, opening, closing, answering, notifying."""

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from tenant_apps.catalog.models import Service
from tenant_apps.families.models import Guardian, Household
from tenant_apps.history.models import ChangeAction
from tenant_apps.history.services import change_record
from tenant_apps.outbox.services import outbox_email_enqueue
from tenant_apps.questionnaires.answers import answers_clean
from tenant_apps.questionnaires.models import (
    CHOICE_KINDS,
    Question,
    Questionnaire,
    QuestionnaireState,
    Response,
)
from tenant_apps.questionnaires.selectors import (
    question_specs,
    questionnaire_households,
)
from tenant_apps.schooling.models import School, SchoolClass

MAX_CHOICES = 30


def _record(actor: Any, questionnaire: Questionnaire, action: str, summary: str,
            before: dict[str, str] | None = None, after: dict[str, str] | None = None) -> None:
    change_record(actor=actor, entity="questionnaire", entity_id=questionnaire.pk,
                  action=action, summary=summary, before=before, after=after)


@transaction.atomic
def questionnaire_create(
    *,
    title: str,
    intro: str,
    target_school: School | None,
    target_class: SchoolClass | None,
    target_service: Service | None,
    acting_user: Any,
) -> Questionnaire:
    """A new questionnaire, as a draft without questions."""
    if target_school and target_class and target_class.school_id != target_school.pk:
        raise ValidationError({"target_class": "Cette classe n'appartient pas à l'école choisie."})
    questionnaire = Questionnaire(
        title=title.strip(), intro=intro.strip(), target_school=target_school,
        target_class=target_class, target_service=target_service,
        created_by_email=getattr(acting_user, "email", ""),
    )
    questionnaire.full_clean()
    questionnaire.save()
    _record(acting_user, questionnaire, ChangeAction.CREATE, f"Questionnaire créé : {title}")
    return questionnaire


def _ensure_draft(questionnaire: Questionnaire) -> None:
    if questionnaire.state_on(timezone.localdate()) != QuestionnaireState.DRAFT:
        raise ValidationError(
            "Les questions ne se modifient plus une fois le questionnaire ouvert."
        )


def _clean_choices(kind: str, choices: list[str]) -> list[str]:
    cleaned: list[str] = []
    for choice in (c.strip() for c in choices):
        if choice and choice not in cleaned:
            cleaned.append(choice[:150])
    if kind not in CHOICE_KINDS:
        return []
    if len(cleaned) < 2:
        raise ValidationError({"choices": "Proposez au moins deux choix, un par ligne."})
    if len(cleaned) > MAX_CHOICES:
        raise ValidationError({"choices": f"{MAX_CHOICES} choix au plus."})
    return cleaned


@transaction.atomic
def question_add(
    *, questionnaire: Questionnaire, kind: str, label: str, required: bool,
    choices: list[str], acting_user: Any,
) -> Question:
    """Append a question to a draft; choice questions need two distinct choices or more."""
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    _ensure_draft(questionnaire)
    last = questionnaire.questions.aggregate(last=Max("position"))["last"] or 0
    question = Question(
        questionnaire=questionnaire, position=last + 1, kind=kind, label=label.strip(),
        required=required, choices=_clean_choices(kind, choices),
    )
    question.full_clean()
    question.save()
    _record(acting_user, questionnaire, ChangeAction.UPDATE, f"Question ajoutée : {label}")
    return question


@transaction.atomic
def question_delete(*, question: Question, acting_user: Any) -> None:
    questionnaire = Questionnaire.objects.select_for_update().get(pk=question.questionnaire_id)
    _ensure_draft(questionnaire)
    question.delete()
    _record(acting_user, questionnaire, ChangeAction.UPDATE,
            f"Question supprimée : {question.label}")


@transaction.atomic
def question_move(*, question: Question, up: bool, acting_user: Any) -> None:
    """Swap the question with its neighbour above (up) or below; nothing at either end."""
    questionnaire = Questionnaire.objects.select_for_update().get(pk=question.questionnaire_id)
    _ensure_draft(questionnaire)
    siblings = questionnaire.questions.order_by("position", "id")
    neighbour = (
        siblings.filter(position__lt=question.position).last()
        if up
        else siblings.filter(position__gt=question.position).first()
    )
    if neighbour is None:
        return
    question.position, neighbour.position = neighbour.position, question.position
    question.save(update_fields=["position"])
    neighbour.save(update_fields=["position"])  # the unique constraint is deferred


@transaction.atomic
def questionnaire_open(
    *,
    questionnaire: Questionnaire,
    opens_on: datetime.date,
    closes_on: datetime.date,
    notify_families: bool,
    portal_url: str,
    acting_user: Any,
) -> int:
    """Open a draft to its audience from `opens_on` to `closes_on` (both included).

    Needs at least one question and a closing date neither before the opening date nor
    in the past. With `notify_families`, every guardian with an email address in the
    audience gets one email through the outbox (idempotent per questionnaire and
    guardian). Returns how many emails were queued."""
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    today = timezone.localdate()
    if questionnaire.state_on(today) != QuestionnaireState.DRAFT:
        raise ValidationError("Ce questionnaire est déjà ouvert ou clos.")
    if not questionnaire.questions.exists():
        raise ValidationError("Ajoutez au moins une question avant d'ouvrir le questionnaire.")
    if closes_on < opens_on:
        raise ValidationError({"closes_on": "La date de clôture doit suivre la date d'ouverture."})
    if closes_on < today:
        raise ValidationError({"closes_on": "La date de clôture est déjà passée."})
    questionnaire.opens_on, questionnaire.closes_on = opens_on, closes_on
    questionnaire.notify_families = notify_families
    questionnaire.save(update_fields=["opens_on", "closes_on", "notify_families"])
    _record(acting_user, questionnaire, ChangeAction.UPDATE, "Questionnaire ouvert",
            before={"état": "brouillon"},
            after={"état": f"ouvert du {opens_on:%d/%m/%Y} au {closes_on:%d/%m/%Y}"})
    if not notify_families:
        return 0
    return _notify(questionnaire, portal_url)


def _notify(questionnaire: Questionnaire, portal_url: str) -> int:
    guardians = Guardian.objects.filter(
        household__in=questionnaire_households(questionnaire=questionnaire)
    ).exclude(email="")
    closes_on = questionnaire.closes_on
    assert closes_on is not None  # noqa: S101 (opened just before)
    sent = 0
    for guardian in guardians:
        outbox_email_enqueue(
            recipients=[guardian.email],
            subject=f"Questionnaire : {questionnaire.title}",
            body_text=(
                f"Bonjour {guardian.first_name} {guardian.last_name},\n\n"
                f"Votre commune vous invite à répondre au questionnaire "
                f"« {questionnaire.title} » avant le {closes_on:%d/%m/%Y} inclus.\n\n"
                f"Répondre sur le portail des familles : {portal_url}\n\n"
                "Une seule réponse par foyer ; vous pouvez la modifier jusqu'à la clôture.\n"
            ),
            idempotency_key=f"questionnaire:{questionnaire.pk}:{guardian.pk}",
        )
        sent += 1
    return sent


@transaction.atomic
def questionnaire_close(*, questionnaire: Questionnaire, acting_user: Any) -> Questionnaire:
    """Stop accepting answers now (those already given are kept)."""
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if questionnaire.state_on(timezone.localdate()) in (
        QuestionnaireState.DRAFT, QuestionnaireState.CLOSED
    ):
        raise ValidationError("Seul un questionnaire ouvert ou programmé peut être clos.")
    questionnaire.closed_early_at = timezone.now()
    questionnaire.save(update_fields=["closed_early_at"])
    _record(acting_user, questionnaire, ChangeAction.UPDATE, "Questionnaire clos",
            before={"état": "ouvert"}, after={"état": "clos"})
    return questionnaire


@transaction.atomic
def response_submit(
    *,
    questionnaire: Questionnaire,
    household: Household,
    guardian: Guardian | None,
    raw: Mapping[str, list[str]],
) -> Response:
    """Record (or replace) the household's answers while the questionnaire is open.

    Raises ValidationError with French messages keyed by question id when an answer is
    refused; nothing is saved then. One response per household: a second guardian of
    the same household edits the same response."""
    questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
    if questionnaire.state_on(timezone.localdate()) != QuestionnaireState.OPEN:
        raise ValidationError("Ce questionnaire n'accepte plus de réponses.")
    if not questionnaire_households(questionnaire=questionnaire).filter(pk=household.pk).exists():
        raise ValidationError("Ce questionnaire ne concerne pas votre foyer.")
    answers, errors = answers_clean(question_specs(questionnaire=questionnaire), raw)
    if errors:
        raise ValidationError(errors)
    response, _ = Response.objects.update_or_create(
        questionnaire=questionnaire, household=household,
        defaults={
            "answers": answers,
            "answered_by": guardian,
            "answered_by_name": str(guardian) if guardian else "",
        },
    )
    return response
