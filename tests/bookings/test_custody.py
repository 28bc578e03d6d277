"""Agreed custody: the pure rule (hypothesis), the services that use it, and the custody
screen reached from the child's page."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from tenant_apps.bookings.custody import custody_assign, custody_assignment_delete, custody_month
from tenant_apps.bookings.mass import mass_booking_apply, mass_booking_plan
from tenant_apps.bookings.models import Booking, BookingEvent, BookingState, CustodyAssignment
from tenant_apps.bookings.rules import AgreedRange, agreed_household, household_for_day
from tenant_apps.bookings.services import booking_book
from tenant_apps.families.models import ChildHousehold, CustodyPattern, Household
from tests.bookings.support import BEFORE, MONDAY, registered_child, service
from tests.conftest import inside, logged_in_client, make_user

# --- The rule -------------------------------------------------------------------------------

PATTERNS = ["full", "even_weeks", "odd_weeks", "agreed"]
days = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))
households = st.integers(min_value=1, max_value=6)


@st.composite
def agreed_lists(draw: st.DrawFn) -> list[AgreedRange]:
    result = []
    for _ in range(draw(st.integers(0, 5))):
        start = draw(days)
        result.append(AgreedRange(
            household_id=draw(households), starts_on=start,
            ends_on=start + timedelta(days=draw(st.integers(0, 400))),
            weekdays=frozenset(draw(st.sets(st.integers(1, 7), max_size=7))),
        ))
    return result


memberships_ = st.lists(st.tuples(households, st.sampled_from(PATTERNS)), min_size=1,
                        max_size=3, unique_by=lambda m: m[0])


@given(memberships_, days, households, agreed_lists())
def test_the_day_goes_to_a_member_or_to_the_registering_household(memberships, day,
                                                                   registering, agreed):
    home = household_for_day(memberships, day, registering, agreed)
    assert home in {h for h, _ in memberships} | {registering}


@given(memberships_, days, households, agreed_lists())
def test_the_latest_covering_assignment_of_a_member_wins(memberships, day, registering, agreed):
    members = {h for h, _ in memberships}
    home = household_for_day(memberships, day, registering, agreed)
    covering = [a for a in agreed if a.covers(day) and a.household_id in members]
    if covering:
        assert home == covering[-1].household_id
    else:
        # Days no assignment covers follow the patterns exactly as without assignments.
        assert home == household_for_day(memberships, day, registering)


@given(memberships_, days, households, agreed_lists(), households)
def test_an_assignment_to_a_former_household_never_decides(memberships, day, registering,
                                                           agreed, stranger):
    members = {h for h, _ in memberships}
    if stranger in members:
        return
    extra = [*agreed, AgreedRange(stranger, day - timedelta(days=3), day + timedelta(days=3))]
    assert household_for_day(memberships, day, registering, extra) == household_for_day(
        memberships, day, registering, agreed)
    assert agreed_household(extra, day, members) != stranger


@given(memberships_, days, households, agreed_lists())
def test_the_order_of_memberships_does_not_matter(memberships, day, registering, agreed):
    assert household_for_day(memberships, day, registering, agreed) == household_for_day(
        list(reversed(memberships)), day, registering, agreed)


@given(days, st.sets(st.integers(1, 7), min_size=1))
def test_weekday_pattern_covers_exactly_those_weekdays(start, weekdays):
    assignment = AgreedRange(7, start, start + timedelta(days=13), frozenset(weekdays))
    covered = {start + timedelta(days=i) for i in range(14)
               if assignment.covers(start + timedelta(days=i))}
    assert {d.isoweekday() for d in covered} == weekdays
    assert not assignment.covers(start - timedelta(days=1))
    assert not assignment.covers(start + timedelta(days=14))


# --- Services -------------------------------------------------------------------------------


def shared(child, name="Foyer Papa"):
    """A second household in agreed custody with the registering one."""
    other = Household.objects.create(name=name)
    ChildHousehold.objects.filter(child=child).update(custody=CustodyPattern.AGREED)
    ChildHousehold.objects.create(child=child, household=other, custody=CustodyPattern.AGREED)
    return other


@pytest.mark.django_db
def test_booking_and_mass_booking_bill_the_assigned_household(commune_alpha):
    agent = make_user(commune_alpha, role="agent")
    with inside(commune_alpha):
        meal = service()
        home, child = registered_child(meal)
        dad = shared(child)
        # Tuesdays and Thursdays of the school year go to the second household.
        custody_assign(child=child, household=dad, starts_on=MONDAY,
                       ends_on=MONDAY + timedelta(days=60), weekdays=[2, 4], acting_user=agent)
        monday = booking_book(child=child, service=meal, day=MONDAY, actor=agent, now=BEFORE)
        tuesday = booking_book(child=child, service=meal, day=MONDAY + timedelta(days=1),
                               actor=agent, now=BEFORE)
        assert (monday.household_id, tuesday.household_id) == (home.pk, dad.pk)
        plan = mass_booking_plan(service=meal, children=[child],
                                 weekdays_per_child={child.pk: [1, 2, 4, 5]},
                                 starts_on=MONDAY + timedelta(days=7),
                                 ends_on=MONDAY + timedelta(days=11), action="add",
                                 school_weeks_only=False)
        mass_booking_apply(plan=plan, actor=agent)
        week2 = {b.day.isoweekday(): b.household_id for b in Booking.objects.filter(
            child=child, day__gte=MONDAY + timedelta(days=7))}
        assert week2 == {1: home.pk, 2: dad.pk, 4: dad.pk, 5: home.pk}


@pytest.mark.django_db
def test_assigning_moves_non_invoiced_bookings_and_deleting_moves_them_back(commune_alpha):
    agent = make_user(commune_alpha, role="agent")
    with inside(commune_alpha):
        meal = service()
        home, child = registered_child(meal)
        dad = shared(child)
        mon, tue = MONDAY, MONDAY + timedelta(days=1)
        booked = booking_book(child=child, service=meal, day=mon, actor=agent, now=BEFORE)
        invoiced = booking_book(child=child, service=meal, day=tue, actor=agent, now=BEFORE)
        Booking.objects.filter(pk=invoiced.pk).update(invoiced=True)

        change = custody_assign(child=child, household=dad, starts_on=mon, ends_on=tue,
                                acting_user=agent)

        assert (change.moved, change.invoiced) == (1, 1)
        booked.refresh_from_db()
        invoiced.refresh_from_db()
        assert booked.household_id == dad.pk and invoiced.household_id == home.pk
        assert BookingEvent.objects.filter(
            booking=booked, reason=f"custody:{change.assignment.pk}").count() == 1

        back = custody_assignment_delete(assignment=change.assignment, acting_user=agent)
        assert back.moved == 1
        booked.refresh_from_db()
        assert booked.household_id == home.pk
        assert not CustodyAssignment.objects.exists()


@pytest.mark.django_db
def test_bad_assignment_is_refused_in_french(commune_alpha):
    with inside(commune_alpha):
        meal = service()
        _home, child = registered_child(meal)
        stranger = Household.objects.create(name="Foyer étranger")
        with pytest.raises(ValidationError) as error:
            custody_assign(child=child, household=stranger, starts_on=MONDAY,
                           ends_on=MONDAY - timedelta(days=1), acting_user=None)
        assert error.value.message_dict == {
            "household": ["Choisissez un des foyers de l'enfant."],
            "ends_on": ["La date de fin doit être postérieure ou égale à la date de début."],
        }
        with pytest.raises(ValidationError, match="dépasser un an"):
            custody_assign(child=child, household=_home, starts_on=MONDAY,
                           ends_on=MONDAY + timedelta(days=400), acting_user=None)
        assert not CustodyAssignment.objects.exists()


@pytest.mark.django_db
def test_month_calendar_says_which_household_each_day_belongs_to(commune_alpha):
    with inside(commune_alpha):
        meal = service()
        home, child = registered_child(meal)
        dad = shared(child)
        custody_assign(child=child, household=dad, starts_on=date(2026, 12, 14),
                       ends_on=date(2026, 12, 20), acting_user=None)
        month = custody_month(child=child, month=date(2026, 12, 9))
        cells = {c.day: c for week in month.weeks for c in week if c}
        assert len(cells) == 31 and all(len(w) == 7 for w in month.weeks)
        assert month.weeks[0][0] is None and month.weeks[0][1].day == date(2026, 12, 1)
        assert cells[date(2026, 12, 15)].household_id == dad.pk
        assert cells[date(2026, 12, 15)].assigned
        assert cells[date(2026, 12, 21)].household_id == home.pk
        assert not cells[date(2026, 12, 21)].assigned


# --- The screen -----------------------------------------------------------------------------

URL = "/gestion/reservations/garde/{}/"


@pytest.mark.django_db
def test_screen_from_child_page_assign_then_remove(commune_alpha):
    agent = make_user(commune_alpha, role="agent")
    with inside(commune_alpha):
        meal = service()
        home, child = registered_child(meal)
        dad = shared(child, "Foyer Martin")
        booking_book(child=child, service=meal, day=MONDAY, actor=agent, now=BEFORE)
    client = logged_in_client(commune_alpha, agent)
    detail = client.get(f"/gestion/familles/enfants/{child.pk}/").content.decode()
    assert URL.format(child.pk) in detail
    assert f"/gestion/reservations/enfant/{child.pk}/historique/" in detail

    page = client.get(URL.format(child.pk) + "?mois=2026-11")
    body = page.content.decode()
    assert page.status_code == 200 and "novembre 2026" in body and "Foyer Martin" in body

    response = client.post(URL.format(child.pk), {
        "household": dad.pk, "starts_on": "2026-11-30", "ends_on": "2026-12-04",
        "weekdays": ["1", "2"]})
    assert response.status_code == 302 and response["Location"].endswith("?mois=2026-11")
    after = client.get(response["Location"]).content.decode()
    assert "1 réservation rattachée au foyer du jour" in after
    assert f'data-day="2026-11-30" data-household="{dad.pk}"' in after
    with inside(commune_alpha):
        assignment = CustodyAssignment.objects.get()
        assert assignment.weekdays == [1, 2]
        assert Booking.objects.get(child=child).household_id == dad.pk
    removed = client.post(URL.format(child.pk) + f"{assignment.pk}/retirer/")
    assert removed.status_code == 302
    with inside(commune_alpha):
        assert Booking.objects.get(child=child).household_id == home.pk
        assert Booking.objects.get(child=child).state == BookingState.BOOKED


@pytest.mark.django_db
def test_screen_bad_input_is_400_in_french_and_readers_cannot_write(commune_alpha):
    agent = make_user(commune_alpha, role="agent")
    reader = make_user(commune_alpha, role="read_only")
    with inside(commune_alpha):
        meal = service()
        _home, child = registered_child(meal)
        dad = shared(child)
    client = logged_in_client(commune_alpha, agent)
    response = client.post(URL.format(child.pk), {
        "household": dad.pk, "starts_on": "2026-12-04", "ends_on": "2026-11-30"})
    assert response.status_code == 400
    assert "La date de fin doit être postérieure" in response.content.decode()
    response = client.post(URL.format(child.pk), {"household": "", "starts_on": "x"})
    assert response.status_code == 400
    assert "Choisissez un des foyers de l" in response.content.decode()
    reading = logged_in_client(commune_alpha, reader)
    assert reading.get(URL.format(child.pk)).status_code == 200
    assert reading.post(URL.format(child.pk), {
        "household": dad.pk, "starts_on": "2026-11-30", "ends_on": "2026-12-04"}
    ).status_code == 403
    with inside(commune_alpha):
        assert not CustodyAssignment.objects.exists()
    assert client.get(URL.format(999999)).status_code == 404


@pytest.mark.django_db
def test_both_households_are_told_of_an_assignment_and_of_its_removal(commune_alpha):
    from tenant_apps.families.models import Guardian
    from tenant_apps.outbox.models import OutboxMessage

    agent = make_user(commune_alpha, role="agent")
    with inside(commune_alpha):
        meal = service()
        home, child = registered_child(meal)
        dad = shared(child)
        Guardian.objects.create(household=home, first_name="Anne", last_name="M",
                                email="maman@famille.example")
        Guardian.objects.create(household=dad, first_name="Paul", last_name="P",
                                email="papa@famille.example")
        booking_book(child=child, service=meal, day=MONDAY + timedelta(days=1), actor=agent,
                     now=BEFORE)
        change = custody_assign(child=child, household=dad, starts_on=MONDAY,
                                ends_on=MONDAY + timedelta(days=13), weekdays=[2, 4],
                                acting_user=agent)
        assert change.notified == 2
        sent = OutboxMessage.objects.filter(
            idempotency_key__startswith=f"custody:{change.assignment.pk}:assigned:")
        assert sorted(m.recipients[0] for m in sent) == ["maman@famille.example",
                                                         "papa@famille.example"]
        body = sent[0].body_text
        assert f"{child.first_name} {child.last_name}" in body
        assert "les mardis et jeudis" in body and "« Foyer Papa »" in body
        assert "1 réservation déjà faite sur ces jours a été rattachée" in body
        assert sent[0].subject == f"Garde de {child.first_name} : jours attribués"

        custody_assignment_delete(assignment=change.assignment, acting_user=agent)
        removed = OutboxMessage.objects.filter(
            idempotency_key__startswith=f"custody:{change.assignment.pk}:removed:")
        assert removed.count() == 2
        assert "suivent de nouveau le mode de garde habituel" in removed[0].body_text
