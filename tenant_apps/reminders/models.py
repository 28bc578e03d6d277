"""A commune's booking reminders: weekly emails such as "book next week before Thursday"."""

from datetime import time

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

DEFAULT_SUBJECT = "Pensez à réserver la semaine prochaine"
DEFAULT_BODY = (
    "Bonjour,\n\n"
    "Pensez à réserver la semaine prochaine avant jeudi : repas de la cantine et accueil "
    "périscolaire de vos enfants se réservent sur le portail des familles.\n\n"
    "Si vous avez déjà réservé, ne tenez pas compte de ce message."
)


class ReminderAudience(models.TextChoices):
    UNBOOKED = "unbooked", "Familles inscrites sans aucune réservation la semaine suivante"
    REGISTERED = "registered", "Toutes les familles inscrites à une prestation de la semaine"


WEEKDAY_CHOICES = [
    (1, "lundi"), (2, "mardi"), (3, "mercredi"), (4, "jeudi"), (5, "vendredi"),
    (6, "samedi"), (7, "dimanche"),
]


class BookingReminder(models.Model):
    """Sent every week on `weekday` at `at` (Europe/Paris) about the following week."""

    weekday = models.PositiveSmallIntegerField(
        "jour d'envoi", choices=WEEKDAY_CHOICES, default=3,
        validators=[MinValueValidator(1), MaxValueValidator(7)],
    )
    at = models.TimeField("heure d'envoi", default=time(18, 0))
    active = models.BooleanField("actif", default=True)
    audience = models.CharField(
        "destinataires", max_length=20, choices=ReminderAudience.choices,
        default=ReminderAudience.UNBOOKED,
    )
    subject = models.CharField("objet", max_length=200, default=DEFAULT_SUBJECT)
    body = models.TextField("message", default=DEFAULT_BODY)
    # When the schedule (day, time, active) last changed: earlier due times never run,
    # so moving a reminder to an earlier day does not send it at once.
    schedule_set_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["weekday", "at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekday__gte=1, weekday__lte=7), name="reminder_weekday_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(audience__in=[a.value for a in ReminderAudience]),
                name="reminder_audience_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.at:%H:%M} · {self.subject}"
