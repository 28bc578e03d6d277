"""Reads of caterer orders: the rows an order counts, the schedule's rules, the pages."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from tenant_apps.bookings.models import PLACE_HOLDING_STATES, Booking
from tenant_apps.bookings.selectors import school_holiday_zone
from tenant_apps.catalog.models import Service
from tenant_apps.catering import order_rules
from tenant_apps.catering.models import (
    Caterer,
    CatererOrder,
    CatererOrderDispatch,
    CatererOrderLine,
    CatererOrderVersion,
    CatererSite,
)
from tenant_apps.catering.order_rules import BookingRow, Counts, LineKey
from tenant_apps.catering.schedule_rules import CutoffRule, ServiceDays, delivers_on
from tenant_apps.schooling.models import Enrolment, School


def caterers_list() -> QuerySet[Caterer]:
    return Caterer.objects.prefetch_related(
        Prefetch("site_links", queryset=CatererSite.objects.select_related("school")),
        Prefetch("services", queryset=Service.objects.order_by("name")),
    ).order_by("name")


def caterer_get(*, pk: int) -> Caterer:
    caterer = caterers_list().filter(pk=pk).first()
    if caterer is None:
        raise Http404("Prestataire inconnu.")
    return caterer


def site_choices() -> QuerySet[School]:
    return School.objects.filter(active=True).order_by("name")


def meal_service_choices() -> QuerySet[Service]:
    return Service.objects.filter(active=True).order_by("kind", "name")


def _school_of_child_on_day() -> Coalesce:
    """The child's school the day of the booking: the enrolment of the school year that
    covers the day, else the enrolment of the current year (holiday centres in July)."""
    def enrolment(condition: Q) -> Subquery:
        return Subquery(
            Enrolment.objects.filter(condition, child=OuterRef("child_id"))
            .order_by("-school_year__starts_on")
            .values("school_class__school_id")[:1]
        )

    return Coalesce(
        enrolment(Q(school_year__starts_on__lte=OuterRef("day"),
                    school_year__ends_on__gte=OuterRef("day"))),
        enrolment(Q(school_year__is_current=True)),
    )


def order_rows(*, caterer: Caterer, days: list[date]) -> list[BookingRow]:
    """The place-holding bookings the caterer feeds on `days`: its services, at its sites.
    One query."""
    sites = {link.school_id: link.school.name for link in caterer.site_links.all()}
    service_ids = [s.pk for s in caterer.services.all()]
    if not sites or not service_ids or not days:
        return []
    rows = (
        Booking.objects.filter(day__in=days, service_id__in=service_ids,
                               state__in=PLACE_HOLDING_STATES)
        .annotate(site_id=_school_of_child_on_day())
        .filter(site_id__in=list(sites))
        .values_list("site_id", "day", "service__name", "child__diet", "child__has_pai", "state")
    )
    return [
        BookingRow(site=sites[site_id], day=day, meal=meal, diet=diet, has_pai=pai, state=state)
        for site_id, day, meal, diet, pai, state in rows
    ]


def adult_meals(*, caterer: Caterer, days: list[date]) -> dict[tuple[str, date], int]:
    return {
        (link.school.name, day): link.adult_meals
        for link in caterer.site_links.all() if link.adult_meals
        for day in days
    }


def order_counts_now(*, caterer: Caterer, day: date) -> Counts:
    """What the order for `day` holds according to the bookings right now."""
    return order_rules.order_counts(
        order_rows(caterer=caterer, days=[day]), adult_meals(caterer=caterer, days=[day])
    )


def version_counts(version: CatererOrderVersion) -> Counts:
    day = version.order.day
    return {
        LineKey(line.site, day, line.meal, line.diet): line.quantity
        for line in version.lines.all()
    }


def rule_of(caterer: Caterer, zone: str | None = None) -> CutoffRule:
    """A caterer's cut-off and delivery days as plain values (its active services)."""
    return CutoffRule(
        caterer_id=caterer.pk, until=caterer.cutoff_time, days_before=caterer.cutoff_days_before,
        day_count=caterer.cutoff_day_count, zone=zone or school_holiday_zone(),
        not_before=caterer.created_at,
        services=tuple(ServiceDays(tuple(s.weekdays), s.calendar)
                       for s in caterer.services.all() if s.active),
    )


def cutoff_rules() -> list[CutoffRule]:
    """The active caterers' cut-offs and delivery days, as plain values. Three queries."""
    zone = school_holiday_zone()
    caterers = Caterer.objects.filter(active=True).prefetch_related("services")
    return [rule_of(c, zone) for c in caterers]


# --- pages ----------------------------------------------------------------------------------

def _versions_prefetch() -> Prefetch:
    return Prefetch(
        "versions",
        queryset=CatererOrderVersion.objects.order_by("number").prefetch_related(
            Prefetch("lines", queryset=CatererOrderLine.objects.all()),
            Prefetch("dispatches",
                     queryset=CatererOrderDispatch.objects.select_related("outbox_message")),
        ),
    )


def orders_list(*, start: date, end: date, caterer_id: int | None = None
                ) -> list[CatererOrder]:
    """Orders delivered from `start` to `end`, with their versions and emails. Five queries."""
    orders = CatererOrder.objects.filter(day__gte=start, day__lte=end).select_related("caterer")
    if caterer_id:
        orders = orders.filter(caterer_id=caterer_id)
    return list(orders.prefetch_related(_versions_prefetch()).order_by("day", "caterer__name"))


def order_get(*, pk: int) -> CatererOrder:
    order = (
        CatererOrder.objects.select_related("caterer")
        .prefetch_related(_versions_prefetch()).filter(pk=pk).first()
    )
    if order is None:
        raise Http404("Commande inconnue.")
    return order


@dataclass
class ForecastDay:
    day: date
    by_diet: list[int] = field(default_factory=list)  # in the order of DIETS
    total: int = 0
    ordered: int | None = None  # what was sent already, when the cut-off passed
    # History: the mean of the meals finally ordered on the same weekday over the last
    # HISTORY_WEEKS weeks; a baseline while families can still book.
    usual: int | None = None


@dataclass
class Forecast:
    caterer: Caterer
    days: list[ForecastDay]


HISTORY_WEEKS = 4


def usual_totals(*, caterer_ids: list[int], before: date) -> dict[tuple[int, int], int]:
    """Per (caterer id, ISO weekday), the rounded mean of the last version's total of the
    orders of the HISTORY_WEEKS weeks before `before`. One query."""
    latest: dict[int, tuple[int, date, int]] = {}
    for order_id, caterer_id, day, total in (
        CatererOrderVersion.objects.filter(
            order__caterer_id__in=caterer_ids,
            order__day__gte=before - timedelta(weeks=HISTORY_WEEKS), order__day__lt=before)
        .order_by("order_id", "-number")
        .values_list("order_id", "order__caterer_id", "order__day", "total")
    ):
        latest.setdefault(order_id, (caterer_id, day, total))
    sums: dict[tuple[int, int], list[int]] = defaultdict(list)
    for caterer_id, day, total in latest.values():
        sums[(caterer_id, day.isoweekday())].append(total)
    return {key: round(sum(totals) / len(totals)) for key, totals in sums.items()}


def forecast(*, start: date, days: int = 7, now: datetime) -> list[Forecast]:
    """Per active caterer, the meals the bookings announce for its next delivery days
    (from `start`, `days` calendar days), per diet, with what was already ordered and
    what is usually ordered that weekday (history)."""
    zone = school_holiday_zone()
    caterers = list(caterers_list().filter(active=True))
    window = [start + timedelta(days=n) for n in range(days)]
    sent: dict[tuple[int, date], int] = {}
    for _order_id, caterer_id, day, total in (
        CatererOrderVersion.objects.filter(order__day__in=window)
        .order_by("order_id", "-number")
        .values_list("order_id", "order__caterer_id", "order__day", "total")
    ):
        sent.setdefault((caterer_id, day), total)
    usual = usual_totals(caterer_ids=[c.pk for c in caterers], before=start)
    result = []
    for caterer in caterers:
        rule = rule_of(caterer, zone)
        delivery = [d for d in window if delivers_on(rule, d)]
        counts = order_rules.order_counts(
            order_rows(caterer=caterer, days=delivery), adult_meals(caterer=caterer, days=delivery)
        )
        per_day: dict[date, ForecastDay] = {d: ForecastDay(day=d) for d in delivery}
        totals: dict[date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(
            order_rules.DIETS, 0))
        for key, n in counts.items():
            totals[key.day][key.diet] += n
        for d, item in per_day.items():
            item.by_diet = [totals[d][diet] for diet in order_rules.DIETS]
            item.total = sum(item.by_diet)
            item.ordered = sent.get((caterer.pk, d))
            item.usual = usual.get((caterer.pk, d.isoweekday()))
        result.append(Forecast(caterer=caterer, days=list(per_day.values())))
    return result



@dataclass(frozen=True)
class UnorderedMeal:
    """A booked meal that no caterer order counts (see `unordered_meals`)."""

    child_id: int
    child_name: str
    day: date
    service: str
    has_class: bool


def unordered_meals(*, start: date, days: int = 7, limit: int = 50
                    ) -> tuple[int, list[UnorderedMeal]]:
    """Booked meals of the window that no active caterer delivers: the child has no class
    that day (no school, so no site), or its school is not a site of any caterer counting
    that service. Orders cannot guess where to send them, so agents must see them.
    Returns (how many, the first `limit`). One query besides the caterers'."""
    served: dict[int, set[int]] = defaultdict(set)
    for caterer in caterers_list().filter(active=True).prefetch_related("services"):
        schools = {link.school_id for link in caterer.site_links.all()}
        for service in caterer.services.all():
            served[service.pk] |= schools
    if not served:
        return 0, []
    rows = (
        Booking.objects.filter(day__gte=start, day__lt=start + timedelta(days=days),
                               service_id__in=list(served), state__in=PLACE_HOLDING_STATES)
        .annotate(site_id=_school_of_child_on_day())
        .values_list("child_id", "child__first_name", "child__last_name", "day",
                     "service_id", "service__name", "site_id")
        .order_by("day", "child__last_name", "child__first_name")
    )
    missing = [
        UnorderedMeal(child_id=child_id, child_name=f"{first} {last}", day=day,
                      service=service_name, has_class=site_id is not None)
        for child_id, first, last, day, service_id, service_name, site_id in rows
        if site_id not in served[service_id]
    ]
    return len(missing), missing[:limit]
