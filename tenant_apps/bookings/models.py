"""Bookings (child × service × day), their audit trail, closure periods, and the days an
agent assigns to each household of a child in agreed custody."""

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class BookingState(models.TextChoices):
    BOOKED = "booked", "Réservé"
    CANCELLED = "cancelled", "Annulé"
    WAITING = "waiting", "Liste d'attente"
    ATTENDED = "attended", "Présent"
    ABSENT_JUSTIFIED = "absent_justified", "Absent justifié"
    ABSENT_UNJUSTIFIED = "absent_unjustified", "Absent non justifié"
    UNBOOKED_PRESENCE = "unbooked_presence", "Présent sans réservation"


# States that hold a place against the service's capacity on that day.
PLACE_HOLDING_STATES = (
    BookingState.BOOKED,
    BookingState.ATTENDED,
    BookingState.ABSENT_JUSTIFIED,
    BookingState.ABSENT_UNJUSTIFIED,
    BookingState.UNBOOKED_PRESENCE,
)


class Booking(models.Model):
    """One row per child, service and day; its state changes, it is never duplicated.
    `household` is the household the day belongs to (shared custody) and is billed."""

    child = models.ForeignKey("families.Child", on_delete=models.PROTECT, related_name="bookings")
    service = models.ForeignKey(
        "catalog.Service", on_delete=models.PROTECT, related_name="bookings"
    )
    household = models.ForeignKey(
        "families.Household", on_delete=models.PROTECT, related_name="bookings"
    )
    day = models.DateField("jour")
    state = models.CharField("état", max_length=20, choices=BookingState.choices)
    # Order on the waiting list (set while state is "waiting").
    waiting_since = models.DateTimeField(null=True, blank=True)
    # Set by billing when an invoice line covers this booking; then it never changes.
    invoiced = models.BooleanField("facturé", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["child", "service", "day"], name="booking_unique"),
            models.CheckConstraint(
                condition=models.Q(state__in=[s.value for s in BookingState]),
                name="booking_state_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["service", "day", "state"], name="booking_service_day"),
            models.Index(fields=["household", "day"], name="booking_household_day"),
        ]

    def __str__(self) -> str:
        return f"{self.child_id} {self.service_id} {self.day} {self.state}"


class BookingEvent(models.Model):
    """Append-only trail: who changed which booking, when, and whether past the deadline."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_email = models.EmailField(blank=True)
    actor_is_agent = models.BooleanField(default=False)
    past_deadline = models.BooleanField(default=False)
    reason = models.CharField(max_length=200, blank=True)  # "closure:12", "mass:5", ...
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.booking_id} {self.from_state}→{self.to_state}"


class ClosurePeriod(models.Model):
    """Administration > Périodes > Fermeture: services and classes closed on dates."""

    label = models.CharField("libellé", max_length=150)
    starts_on = models.DateField("du")
    ends_on = models.DateField("au")
    services = models.ManyToManyField("catalog.Service", related_name="closures")
    classes = models.ManyToManyField("schooling.SchoolClass", related_name="closures")
    created_by_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="closure_dates_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.label


class ClosureRemoval(models.Model):
    """What a closure removed, so editing or deleting it can restore exactly that."""

    closure = models.ForeignKey(ClosurePeriod, on_delete=models.CASCADE, related_name="removals")
    child = models.ForeignKey("families.Child", on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey("catalog.Service", on_delete=models.CASCADE, related_name="+")
    household = models.ForeignKey("families.Household", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    previous_state = models.CharField(max_length=20)
    # Place on the waiting list when the closure removed a waiting entry: restoring keeps it.
    previous_waiting_since = models.DateTimeField(null=True, blank=True)
    restored_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.closure_id}: {self.child_id} {self.service_id} {self.day}"


class MassBooking(models.Model):
    """A mass booking request and what it did (Réserver en masse)."""

    created_by_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    parameters = models.JSONField(default=dict)
    summary = models.JSONField(default=dict)

    def __str__(self) -> str:
        return f"mass {self.pk}"


class CustodyAssignment(models.Model):
    """Agreed custody (garde selon accord): an agent assigns a child's days from `starts_on`
    to `ends_on` to one of the child's households, every day or only on `weekdays` (ISO,
    1 = Monday). Where assignments overlap, the latest one wins (an exception such as a
    holiday fortnight is simply added on top of the year's pattern)."""

    child = models.ForeignKey(
        "families.Child", on_delete=models.CASCADE, related_name="custody_assignments"
    )
    household = models.ForeignKey(
        "families.Household", on_delete=models.CASCADE, related_name="+"
    )
    starts_on = models.DateField("du")
    ends_on = models.DateField("au")
    weekdays = ArrayField(
        models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(7)]),
        verbose_name="jours", default=list, blank=True,
    )
    created_by_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="custody_dates_ordered",
            )
        ]
        indexes = [models.Index(fields=["child", "starts_on"], name="custody_child_start")]

    def __str__(self) -> str:
        return f"{self.child_id}: {self.household_id} {self.starts_on}..{self.ends_on}"
