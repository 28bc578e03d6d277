"""Headcounts (effectifs), the waiting list and a child's booking history."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import include, path

from config import urls_tenant
from tenant_apps.bookings import headcounts
from tenant_apps.bookings.models import Booking, BookingEvent, BookingState
from tenant_apps.catalog.models import Service
from tenant_apps.families.models import Child
from tenant_apps.schooling.models import Enrolment, SchoolClass, SchoolYear
from tests.conftest import inside, logged_in_client, make_user
from tests.schooling import support

urlpatterns = [
    path("gestion/reservations/", include("tenant_apps.bookings.urls_attendance")),
    *urls_tenant.urlpatterns,
]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

DAY = date(2026, 11, 30)  # a Monday
TUESDAY = DAY + timedelta(days=1)


def year() -> SchoolYear:
    return SchoolYear.objects.filter(label="2026-2027").first() or support.year("2026-2027")


def kid(school_class: SchoolClass | None) -> Child:
    _, (child,) = support.family()
    if school_class is not None:
        Enrolment.objects.create(child=child, school_year=year(), school_class=school_class)
    return child


def book(child: Child, service: Service, state: str, day: date = DAY, **fields) -> Booking:  # type: ignore[no-untyped-def]
    household = child.memberships.get().household
    return Booking.objects.create(child=child, service=service, household=household, day=day,
                                  state=state, **fields)


def build() -> dict[str, object]:
    y = year()
    north = support.school("École du Nord")
    south = support.school("École du Sud")
    cp = support.school_class(north, y, "CP")
    ce1 = support.school_class(south, y, "CE1")
    meal = support.service("Repas Enfant")
    evening = support.service("Accueil du soir")
    states = ["booked", "attended", "attended", "absent_justified", "absent_unjustified",
              "unbooked_presence", "waiting", "cancelled"]
    for state in states:
        book(kid(cp), meal, state)
    book(kid(ce1), meal, "attended")
    book(kid(None), meal, "booked")
    book(kid(cp), evening, "booked")
    tuesday_kid = kid(cp)
    book(tuesday_kid, meal, "attended", day=TUESDAY)
    return {"meal": meal, "evening": evening, "north": north, "south": south}


def figures(count: headcounts.Headcount) -> tuple[int, ...]:
    return (count.expected, count.present, count.attended, count.unbooked_presence,
            count.absent_justified, count.absent_unjustified, count.unmarked, count.waiting)


def test_daily_headcounts_are_exact(commune_alpha) -> None:
    with inside(commune_alpha):
        data = build()
        rows = headcounts.headcounts(start=DAY, end=DAY)
        by_key = {(r.service_name, r.school_name): r.total for r in rows}
        assert set(by_key) == {("Repas Enfant", "École du Nord"), ("Repas Enfant", "École du Sud"),
                               ("Repas Enfant", "Sans classe"),
                               ("Accueil du soir", "École du Nord")}
        #                              exp pres att unb aj au unm wait
        assert figures(by_key[("Repas Enfant", "École du Nord")]) == (5, 3, 2, 1, 1, 1, 1, 1)
        assert figures(by_key[("Repas Enfant", "École du Sud")]) == (1, 1, 1, 0, 0, 0, 0, 0)
        assert figures(by_key[("Repas Enfant", "Sans classe")]) == (1, 0, 0, 0, 0, 0, 1, 0)
        assert figures(by_key[("Accueil du soir", "École du Nord")]) == (1, 0, 0, 0, 0, 0, 1, 0)
        only_south = headcounts.headcounts(start=DAY, end=DAY, school_id=data["south"].pk)  # type: ignore[attr-defined]
        assert [(r.service_name, r.school_name) for r in only_south] == [
            ("Repas Enfant", "École du Sud")]
        only_evening = headcounts.headcounts(start=DAY, end=DAY,
                                             service_id=data["evening"].pk)  # type: ignore[attr-defined]
        assert len(only_evening) == 1


def test_weekly_headcounts_sum_the_days(commune_alpha) -> None:
    with inside(commune_alpha):
        build()
        days = headcounts.week_days(DAY)[:5]
        rows = headcounts.headcounts(start=DAY, end=days[-1])
        north_meal = next(r for r in rows
                          if (r.service_name, r.school_name) == ("Repas Enfant", "École du Nord"))
        assert north_meal.days[TUESDAY].attended == 1
        assert north_meal.total.present == 4
        assert north_meal.total.expected == 6
        totals = headcounts.headcount_totals(rows, days)
        assert [t.present for t in totals] == [4, 1, 0, 0, 0]
        assert [t.expected for t in totals] == [8, 1, 0, 0, 0]


def test_headcounts_page_day_and_week(commune_alpha) -> None:
    client = logged_in_client(commune_alpha, make_user(commune_alpha, role="read_only"))
    with inside(commune_alpha):
        build()
    day = client.get(f"/gestion/reservations/effectifs/?jour={DAY}")
    assert day.status_code == 200
    html = day.content.decode()
    assert "École du Nord" in html and "Sans classe" in html and "Liste d'attente</th>" in html
    week = client.get(f"/gestion/reservations/effectifs/?jour={TUESDAY}&vue=semaine")
    assert week.status_code == 200
    assert "Semaine du 30 novembre 2026" in week.content.decode()


def test_waiting_list_in_order(commune_alpha) -> None:
    client = logged_in_client(commune_alpha, make_user(commune_alpha, role="agent"))
    with inside(commune_alpha):
        meal = support.service("Repas Enfant")
        late, early = kid(None), kid(None)
        book(late, meal, "waiting", waiting_since=datetime(2026, 11, 20, 9, tzinfo=UTC))
        book(early, meal, "waiting", waiting_since=datetime(2026, 11, 19, 9, tzinfo=UTC))
        book(kid(None), meal, "booked")
        assert [b.child_id for b in headcounts.waiting_list(service=meal, day=DAY)] == [
            early.pk, late.pk]
    response = client.get(f"/gestion/reservations/attente/?jour={DAY}&prestation={meal.pk}")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(early.first_name) < html.index(late.first_name)
    assert f"/gestion/reservations/enfant/{early.pk}/historique/" in html


def test_child_history_shows_who_when_what_and_past_deadline(commune_alpha) -> None:
    client = logged_in_client(commune_alpha, make_user(commune_alpha, role="animateur"))
    with inside(commune_alpha):
        meal = support.service("Repas Enfant")
        child = kid(None)
        booking = book(child, meal, "attended")
        BookingEvent.objects.create(booking=booking, from_state="", to_state="booked",
                                    actor_email="parent@example.test")
        BookingEvent.objects.create(booking=booking, from_state="booked", to_state="attended",
                                    actor_email="anim@example.test", actor_is_agent=True,
                                    past_deadline=True, reason="attendance")
        other = book(child, meal, BookingState.CANCELLED, day=TUESDAY)
        BookingEvent.objects.create(booking=other, from_state="booked", to_state="cancelled",
                                    actor_email="parent@example.test")
    response = client.get(f"/gestion/reservations/enfant/{child.pk}/historique/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "anim@example.test (agent)" in html
    assert "Réservé → <strong>Présent</strong>" in html
    assert "(pointage)" in html
    assert html.count("hors délai</span>") == 1
    assert html.index("Annulé") < html.index("Présent")  # latest day first
    assert client.get("/gestion/reservations/enfant/999999/historique/").status_code == 404
