"""Surveys sent to families ("will your child return on 11 May?"), and their answers:
one response per household, editable until the questionnaire closes."""

import datetime

from django.db import models

from tenant_apps.audiences.models import AudienceFields


class QuestionnaireState(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SCHEDULED = "scheduled", "Programmé"
    OPEN = "open", "Ouvert"
    CLOSED = "closed", "Clos"


class Questionnaire(AudienceFields):
    title = models.CharField("titre", max_length=150)
    intro = models.TextField("introduction", blank=True)
    # Both set when an agent opens it; answers are accepted from opens_on to closes_on,
    # both included, unless an agent closes it early.
    opens_on = models.DateField("ouvert à partir du", null=True, blank=True)
    closes_on = models.DateField("clos après le", null=True, blank=True)
    closed_early_at = models.DateTimeField("clos manuellement le", null=True, blank=True)
    notify_families = models.BooleanField("familles prévenues par courriel", default=False)
    created_by_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(opens_on__isnull=True, closes_on__isnull=True)
                | models.Q(opens_on__isnull=False, closes_on__gte=models.F("opens_on")),
                name="questionnaire_dates_ordered",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def state_on(self, day: datetime.date) -> QuestionnaireState:
        if self.opens_on is None or self.closes_on is None:
            return QuestionnaireState.DRAFT
        if self.closed_early_at is not None or day > self.closes_on:
            return QuestionnaireState.CLOSED
        if day < self.opens_on:
            return QuestionnaireState.SCHEDULED
        return QuestionnaireState.OPEN


class QuestionKind(models.TextChoices):
    YES_NO = "yes_no", "Oui / non"
    SINGLE = "single", "Choix unique"
    MULTIPLE = "multiple", "Choix multiple"
    TEXT = "text", "Texte libre"
    DATE = "date", "Date"


CHOICE_KINDS = frozenset({QuestionKind.SINGLE, QuestionKind.MULTIPLE})


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField("ordre")
    kind = models.CharField("type", max_length=10, choices=QuestionKind.choices)
    label = models.CharField("question", max_length=300)
    required = models.BooleanField("réponse obligatoire", default=True)
    choices = models.JSONField("choix proposés", default=list, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "position"], name="question_position_unique",
                deferrable=models.Deferrable.DEFERRED,
            )
        ]

    def __str__(self) -> str:
        return self.label


class Response(models.Model):
    """A household's answers: question id (as a string) -> value (bool for yes/no, str
    for a single choice, free text or ISO date, list of str for a multiple choice)."""

    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.CASCADE, related_name="responses"
    )
    household = models.ForeignKey(
        "families.Household", on_delete=models.CASCADE, related_name="questionnaire_responses"
    )
    answers = models.JSONField(default=dict)
    answered_by = models.ForeignKey(
        "families.Guardian", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_by_name = models.CharField(max_length=200, blank=True)
    submitted_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "household"], name="one_response_per_household"
            )
        ]

    def __str__(self) -> str:
        return f"{self.questionnaire} — {self.household}"
