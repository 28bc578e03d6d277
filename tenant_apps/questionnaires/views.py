"""Questionnaires: the agents' builder and answers table, the families' answer form."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from tenant_apps.accounts.access import (
    agent_required,
    can_edit,
    editor_required,
    guardian_required,
)
from tenant_apps.families.selectors import guardian_of_user
from tenant_apps.questionnaires.answers import answer_form_values
from tenant_apps.questionnaires.exports import answers_csv, answers_xlsx
from tenant_apps.questionnaires.forms import OpenForm, QuestionForm, QuestionnaireForm
from tenant_apps.questionnaires.models import Questionnaire, QuestionnaireState
from tenant_apps.questionnaires.selectors import (
    answers_table,
    question_get,
    question_specs,
    questionnaire_get,
    questionnaire_get_for_household,
    questionnaire_list,
    questionnaires_for_household,
    response_get,
)
from tenant_apps.questionnaires.services import (
    question_add,
    question_delete,
    question_move,
    questionnaire_close,
    questionnaire_create,
    questionnaire_open,
    response_submit,
)


def _get_or_404(pk: int) -> Questionnaire:
    questionnaire = questionnaire_get(questionnaire_id=pk)
    if questionnaire is None:
        raise Http404
    return questionnaire


def _errors_text(error: ValidationError) -> str:
    return " ".join(error.messages)


@agent_required
def questionnaire_index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = [(q, q.state_on(today)) for q in questionnaire_list()]
    return render(request, "questionnaires/list.html",
                  {"rows": rows, "can_edit": can_edit(request.user)})


@editor_required
def questionnaire_new(request: HttpRequest) -> HttpResponse:
    form = QuestionnaireForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            questionnaire = questionnaire_create(
                title=data["title"], intro=data["intro"], target_school=data["target_school"],
                target_class=data["target_class"], target_service=data["target_service"],
                acting_user=request.user,
            )
            messages.success(request, "Questionnaire créé : ajoutez maintenant ses questions.")
            return redirect("backoffice:questionnaires:detail", pk=questionnaire.pk)
        messages.error(request, "Certains champs sont à corriger : rien n'a été enregistré.")
    status = 400 if request.method == "POST" else 200
    return render(request, "questionnaires/new.html", {"form": form}, status=status)


def _detail(request: HttpRequest, questionnaire: Questionnaire, *, status: int = 200,
            question_form: QuestionForm | None = None,
            open_form: OpenForm | None = None) -> HttpResponse:
    table = answers_table(questionnaire=questionnaire)
    return render(request, "questionnaires/detail.html", {
        "questionnaire": questionnaire,
        "state": questionnaire.state_on(timezone.localdate()),
        "states": QuestionnaireState,
        "questions": list(questionnaire.questions.all()),
        "question_form": question_form or QuestionForm(),
        "open_form": open_form or OpenForm(),
        "table": table,
        "can_edit": can_edit(request.user),
    }, status=status)


@agent_required
def questionnaire_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _get_or_404(pk))


@editor_required
@require_POST
def question_new(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = _get_or_404(pk)
    form = QuestionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            question_add(questionnaire=questionnaire, kind=data["kind"], label=data["label"],
                         required=data["required"], choices=data["choice_list"],
                         acting_user=request.user)
        except ValidationError as error:
            messages.error(request, _errors_text(error))
            return _detail(request, questionnaire, status=400, question_form=form)
        messages.success(request, "Question ajoutée.")
        return redirect(reverse("backoffice:questionnaires:detail", args=[pk]) + "#questions")
    messages.error(request, "La question est à corriger : rien n'a été ajouté.")
    return _detail(request, questionnaire, status=400, question_form=form)


@editor_required
@require_POST
def question_change(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    """Move a question up or down, or delete it (`action` = monter, descendre, supprimer)."""
    questionnaire = _get_or_404(pk)
    question = question_get(questionnaire=questionnaire, question_id=question_pk)
    action = request.POST.get("action", "")
    if question is None:
        raise Http404
    if action not in ("monter", "descendre", "supprimer"):
        return HttpResponse("Action inconnue.", status=400)
    try:
        if action == "supprimer":
            question_delete(question=question, acting_user=request.user)
            messages.success(request, "Question supprimée.")
        else:
            question_move(question=question, up=action == "monter", acting_user=request.user)
    except ValidationError as error:
        messages.error(request, _errors_text(error))
        return _detail(request, questionnaire, status=400)
    return redirect(reverse("backoffice:questionnaires:detail", args=[pk]) + "#questions")


@editor_required
@require_POST
def questionnaire_open_view(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = _get_or_404(pk)
    form = OpenForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            queued = questionnaire_open(
                questionnaire=questionnaire, opens_on=data["opens_on"],
                closes_on=data["closes_on"], notify_families=data["notify_families"],
                portal_url=request.build_absolute_uri(
                    reverse("portal:questionnaire", args=[questionnaire.pk])
                ),
                acting_user=request.user,
            )
        except ValidationError as error:
            messages.error(request, _errors_text(error))
            return _detail(request, questionnaire, status=400, open_form=form)
        note = f" {queued} courriel(s) en cours d'envoi aux familles." if queued else ""
        messages.success(request, "Questionnaire ouvert aux familles." + note)
        return redirect("backoffice:questionnaires:detail", pk=pk)
    messages.error(request, "Les dates sont à corriger : le questionnaire n'est pas ouvert.")
    return _detail(request, questionnaire, status=400, open_form=form)


@editor_required
@require_POST
def questionnaire_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = _get_or_404(pk)
    try:
        questionnaire_close(questionnaire=questionnaire, acting_user=request.user)
    except ValidationError as error:
        messages.error(request, _errors_text(error))
        return _detail(request, questionnaire, status=400)
    messages.success(request, "Questionnaire clos : les familles ne peuvent plus répondre.")
    return redirect("backoffice:questionnaires:detail", pk=pk)


@agent_required
def answers_page(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = _get_or_404(pk)
    return render(request, "questionnaires/answers.html", {
        "questionnaire": questionnaire,
        "state": questionnaire.state_on(timezone.localdate()),
        "table": answers_table(questionnaire=questionnaire),
    })


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@agent_required
def answers_export_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = _get_or_404(pk)
    content = answers_xlsx(answers_table(questionnaire=questionnaire), title=questionnaire.title)
    return _download(
        content, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        f"questionnaire-{pk}-reponses.xlsx",
    )


@agent_required
def answers_export_csv(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = _get_or_404(pk)
    return _download(answers_csv(answers_table(questionnaire=questionnaire)),
                     "text/csv; charset=utf-8", f"questionnaire-{pk}-reponses.csv")


# Families' side ---------------------------------------------------------------------


@guardian_required
def portal_list(request: HttpRequest) -> HttpResponse:
    guardian = guardian_of_user(user=request.user)
    rows = (
        questionnaires_for_household(household=guardian.household, today=timezone.localdate())
        if guardian
        else []
    )
    return render(request, "questionnaires/portal_list.html", {"rows": rows})


def _portal_fields(questionnaire: Questionnaire, values: dict[str, list[str]],
                   errors: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {"spec": spec, "name": f"q{spec.id}", "values": values.get(spec.key, []),
         "error": errors.get(spec.key, "")}
        for spec in question_specs(questionnaire=questionnaire)
    ]


@guardian_required
def portal_answer(request: HttpRequest, pk: int) -> HttpResponse:
    guardian = guardian_of_user(user=request.user)
    if guardian is None:
        raise Http404
    questionnaire = questionnaire_get_for_household(
        household=guardian.household, questionnaire_id=pk, today=timezone.localdate()
    )
    if questionnaire is None:
        raise Http404
    response = response_get(questionnaire=questionnaire, household=guardian.household)
    errors: dict[str, str] = {}
    if request.method == "POST":
        raw = {spec.key: request.POST.getlist(f"q{spec.id}")
               for spec in question_specs(questionnaire=questionnaire)}
        try:
            response_submit(questionnaire=questionnaire, household=guardian.household,
                            guardian=guardian, raw=raw)
        except ValidationError as error:
            errors = {key: " ".join(msgs) for key, msgs in error.message_dict.items()} \
                if hasattr(error, "error_dict") else {"": " ".join(error.messages)}
            values = raw
        else:
            messages.success(request, "Merci, votre réponse est enregistrée. "
                                      "Vous pouvez la modifier jusqu'à la clôture.")
            return redirect("portal:questionnaires")
    else:
        values = {
            spec.key: answer_form_values(spec.kind, (response.answers if response else {})
                                         .get(spec.key))
            for spec in question_specs(questionnaire=questionnaire)
        }
    return render(request, "questionnaires/portal_answer.html", {
        "questionnaire": questionnaire,
        "response": response,
        "fields": _portal_fields(questionnaire, values, errors),
        "general_error": errors.get("", ""),
        "error_count": len(errors),
    }, status=400 if errors else 200)
