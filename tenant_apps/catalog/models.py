"""Services (prestations) families book, and children's registrations to them."""

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from tenant_apps.catalog.deadlines import describe_deadline
from tenant_apps.catalog.weekdays import weekdays_label
from tenant_apps.sorting import FRENCH


class ServiceKind(models.TextChoices):
    MEAL = "repas", "Restauration (repas)"
    PERISCOLAIRE = "periscolaire", "Accueil périscolaire"
    ALSH = "alsh", "ALSH (centre de loisirs)"


class ServiceCalendar(models.TextChoices):
    SCHOOL_DAYS = "school_days", "Jours d'école"
    WEDNESDAYS = "wednesdays", "Mercredis"
    HOLIDAYS = "holidays", "Vacances scolaires"


class DayCount(models.TextChoices):
    CALENDAR = "calendar", "jours calendaires"
    WORKING = "working", "jours ouvrés"


class Service(models.Model):
    """A bookable unit. The deadline rules read "until HH:MM, N days before, counting
    calendar or working days"; booking and cancelling each have their own."""

    name = models.CharField("nom", max_length=120, unique=True, db_collation=FRENCH)
    kind = models.CharField("type", max_length=20, choices=ServiceKind.choices)
    # ISO weekdays, 1 = Monday ... 7 = Sunday.
    weekdays = ArrayField(
        models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(7)]),
        verbose_name="jours",
        default=list,
    )
    calendar = models.CharField(
        "calendrier", max_length=20, choices=ServiceCalendar.choices,
        default=ServiceCalendar.SCHOOL_DAYS,
    )
    capacity = models.PositiveIntegerField("capacité", null=True, blank=True)
    schools = models.ManyToManyField(
        "schooling.School", blank=True, related_name="services", verbose_name="écoles"
    )
    book_until = models.TimeField("réservation jusqu'à")
    book_days_before = models.PositiveSmallIntegerField("jours avant (réservation)", default=0)
    book_day_count = models.CharField(
        "décompte (réservation)", max_length=10, choices=DayCount.choices, default=DayCount.CALENDAR
    )
    cancel_until = models.TimeField("annulation jusqu'à")
    cancel_days_before = models.PositiveSmallIntegerField("jours avant (annulation)", default=0)
    cancel_day_count = models.CharField(
        "décompte (annulation)", max_length=10, choices=DayCount.choices, default=DayCount.CALENDAR
    )
    tariff_code = models.CharField("référence tarifaire", max_length=40, blank=True)
    active = models.BooleanField("active", default=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def booking_deadline_label(self) -> str:
        return describe_deadline(self.book_until, self.book_days_before, self.book_day_count)

    @property
    def cancel_deadline_label(self) -> str:
        return describe_deadline(
            self.cancel_until, self.cancel_days_before, self.cancel_day_count,
            action="annulation",
        )

    @property
    def weekdays_label(self) -> str:
        return weekdays_label(self.weekdays)


class Registration(models.Model):
    """A child may book a service only when registered to it for the school year.
    `household` is the one that registered (and pays), which matters in shared custody."""

    child = models.ForeignKey(
        "families.Child", on_delete=models.CASCADE, related_name="registrations"
    )
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="registrations")
    school_year = models.ForeignKey(
        "schooling.SchoolYear", on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        "families.Household", on_delete=models.PROTECT, related_name="registrations"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["child__last_name", "child__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["child", "service", "school_year", "household"], name="registration_unique"
            )
        ]
        indexes = [models.Index(fields=["service", "school_year"], name="registration_service_idx")]

    def __str__(self) -> str:
        return f"{self.child} → {self.service}"
