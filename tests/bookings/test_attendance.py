"""Attendance (pointage): the service, the page, roles, and its query count."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import include, path

from config import urls_tenant
from tenant_apps.bookings.attendance import attendance_mark
from tenant_apps.bookings.models import Booking, BookingEvent, BookingState
from tenant_apps.catalog.models import Registration, Service
from tenant_apps.families.models import Child, Household
from tenant_apps.schooling.models import Enrolment, SchoolClass, SchoolYear
from tests.conftest import inside, logged_in_client, make_user
from tests.schooling import support

# Until tenant_apps.bookings.urls includes urls_attendance, these tests serve it themselves
# at the same place (/gestion/reservations/...), in front of the commune's real URLs.
urlpatterns = [
    path("gestion/reservations/", include("tenant_apps.bookings.urls_attendance")),
    *urls_tenant.urlpatterns,
]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

DAY = date(2026, 11, 30)  # a Monday
PAGE = "/gestion/reservations/pointage/"


def year() -> SchoolYear:
    return SchoolYear.objects.filter(label="2026-2027").first() or support.year("2026-2027")


def setup_service() -> tuple[Service, SchoolClass]:
    y = year()
    service = support.service(weekdays=[1, 2, 4, 5])
    school_class = support.school_class(support.school(), y, "CP de Mme Martin")
    return service, school_class


def child_registered(service: Service, school_class: SchoolClass | None = None,
                     *, state: str | None = BookingState.BOOKED,
                     invoiced: bool = False) -> tuple[Household, Child]:
    household, (child,) = support.family()
    Registration.objects.create(child=child, service=service, school_year=year(),
                                household=household)
    if school_class is not None:
        Enrolment.objects.create(child=child, school_year=year(), school_class=school_class)
    if state is not None:
        Booking.objects.create(child=child, service=service, household=household, day=DAY,
                               state=state, invoiced=invoiced)
    return household, child


def marker(commune: object, role: str = "animateur") -> object:
    return make_user(commune, role=role)  # type: ignore[arg-type]


def test_marking_states_writes_events(commune_alpha) -> None:
    user = marker(commune_alpha)
    with inside(commune_alpha):
        service, _ = setup_service()
        _, child = child_registered(service)
        for state in (BookingState.ATTENDED, BookingState.ABSENT_JUSTIFIED,
                      BookingState.ABSENT_UNJUSTIFIED, BookingState.ATTENDED):
            booking = attendance_mark(child=child, service=service, day=DAY, state=state,
                                      actor=user)
            assert booking.state == state
        attendance_mark(child=child, service=service, day=DAY, state=BookingState.ATTENDED,
                        actor=user)  # unchanged: no event
        events = list(BookingEvent.objects.filter(booking=booking).order_by("id"))
        assert [(e.from_state, e.to_state) for e in events] == [
            ("booked", "attended"), ("attended", "absent_justified"),
            ("absent_justified", "absent_unjustified"), ("absent_unjustified", "attended"),
        ]
        assert all(e.actor_email == user.email and e.actor_is_agent for e in events)  # type: ignore[attr-defined]
        assert Booking.objects.filter(child=child).count() == 1


def test_unbooked_presence_creates_a_row_billed_to_the_registering_household(
    commune_alpha,
) -> None:
    user = marker(commune_alpha, "agent")
    with inside(commune_alpha):
        service, _ = setup_service()
        household, child = child_registered(service, state=None)
        booking = attendance_mark(child=child, service=service, day=DAY,
                                  state=BookingState.UNBOOKED_PRESENCE, actor=user)
        assert booking.state == BookingState.UNBOOKED_PRESENCE
        assert booking.household_id == household.pk
        event = BookingEvent.objects.get(booking=booking)
        assert (event.from_state, event.to_state) == ("", "unbooked_presence")
        # "Present" on a row that was not booked stays an unbooked presence.
        again = attendance_mark(child=child, service=service, day=DAY,
                                state=BookingState.ATTENDED, actor=user)
        assert again.state == BookingState.UNBOOKED_PRESENCE


def test_present_on_a_cancelled_booking_is_an_unbooked_presence(commune_alpha) -> None:
    user = marker(commune_alpha)
    with inside(commune_alpha):
        service, _ = setup_service()
        _, child = child_registered(service, state=BookingState.CANCELLED)
        booking = attendance_mark(child=child, service=service, day=DAY,
                                  state=BookingState.ATTENDED, actor=user)
        assert booking.state == BookingState.UNBOOKED_PRESENCE


def test_absent_without_booking_and_unregistered_child_are_refused(commune_alpha) -> None:
    user = marker(commune_alpha)
    with inside(commune_alpha):
        service, _ = setup_service()
        _, child = child_registered(service, state=None)
        with pytest.raises(ValidationError, match="pas de réservation"):
            attendance_mark(child=child, service=service, day=DAY,
                            state=BookingState.ABSENT_UNJUSTIFIED, actor=user)
        _, (stranger,) = support.family()
        with pytest.raises(ValidationError, match="n'est pas inscrit"):
            attendance_mark(child=stranger, service=service, day=DAY,
                            state=BookingState.UNBOOKED_PRESENCE, actor=user)
        with pytest.raises(ValidationError, match="inconnu"):
            attendance_mark(child=child, service=service, day=DAY,
                            state=BookingState.CANCELLED, actor=user)
        assert not Booking.objects.filter(service=service).exists()


def test_invoiced_booking_is_refused(commune_alpha) -> None:
    user = marker(commune_alpha)
    with inside(commune_alpha):
        service, _ = setup_service()
        _, child = child_registered(service, invoiced=True)
        with pytest.raises(ValidationError, match="déjà facturée"):
            attendance_mark(child=child, service=service, day=DAY,
                            state=BookingState.ABSENT_UNJUSTIFIED, actor=user)
        assert Booking.objects.get(child=child).state == BookingState.BOOKED
        assert not BookingEvent.objects.exists()


@pytest.mark.parametrize("role", ["read_only", "regisseur"])
def test_roles_that_may_not_mark(commune_alpha, role) -> None:
    user = marker(commune_alpha, role)
    with inside(commune_alpha):
        service, _ = setup_service()
        _, child = child_registered(service)
        with pytest.raises(PermissionDenied):
            attendance_mark(child=child, service=service, day=DAY,
                            state=BookingState.ATTENDED, actor=user)


def _post(service: Service, child: Child, state: str) -> dict[str, str]:
    return {"prestation": str(service.pk), "enfant": str(child.pk), "jour": DAY.isoformat(),
            "etat": state}


def test_animateur_sees_the_list_and_marks_with_htmx_and_without_js(commune_alpha) -> None:
    user = marker(commune_alpha)
    client = logged_in_client(commune_alpha, user)
    with inside(commune_alpha):
        service, school_class = setup_service()
        _, first = child_registered(service, school_class)
        _, second = child_registered(service, school_class)
        _, walk_in = child_registered(service, school_class, state=None)
    page = client.get(f"{PAGE}?jour={DAY}&prestation={service.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert first.first_name in html and second.first_name in html
    assert "CP de Mme Martin" in html
    assert f'id="etat-{first.pk}-attended"' in html
    assert "Non pointé" in html
    assert f'<option value="{walk_in.pk}">' in html  # may be added as present

    response = client.post(PAGE, _post(service, first, "attended"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Enregistré : Présent" in response.content.decode()
    assert f'id="ligne-{first.pk}"' in response.content.decode()

    response = client.post(PAGE, _post(service, second, "absent_justified"))
    assert response.status_code == 302
    assert response["Location"].endswith(f"#ligne-{second.pk}")

    response = client.post(PAGE, _post(service, walk_in, "unbooked_presence"))
    assert response.status_code == 302
    with inside(commune_alpha):
        states = dict(Booking.objects.filter(service=service).values_list("child_id", "state"))
    assert states == {first.pk: "attended", second.pk: "absent_justified",
                      walk_in.pk: "unbooked_presence"}


def test_invoiced_row_shows_the_reason_in_french(commune_alpha) -> None:
    client = logged_in_client(commune_alpha, marker(commune_alpha, "agent"))
    with inside(commune_alpha):
        service, _ = setup_service()
        _, child = child_registered(service, invoiced=True)
    response = client.post(PAGE, _post(service, child, "absent_unjustified"),
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "déjà facturée" in response.content.decode()


def test_read_only_may_look_but_not_mark(commune_alpha) -> None:
    client = logged_in_client(commune_alpha, marker(commune_alpha, "read_only"))
    with inside(commune_alpha):
        service, _ = setup_service()
        _, child = child_registered(service)
    page = client.get(f"{PAGE}?jour={DAY}&prestation={service.pk}")
    assert page.status_code == 200
    assert "présent sans réservation</h2>" not in page.content.decode().lower()
    response = client.post(PAGE, _post(service, child, "attended"), HTTP_HX_REQUEST="true")
    assert response.status_code == 403
    with inside(commune_alpha):
        assert Booking.objects.get(child=child).state == BookingState.BOOKED


def test_guardian_and_anonymous_are_kept_out(commune_alpha) -> None:
    client = logged_in_client(commune_alpha, marker(commune_alpha, "guardian"))
    assert client.get(PAGE).status_code == 403
    anonymous = logged_in_client(commune_alpha, marker(commune_alpha, "agent"))
    anonymous.logout()
    assert anonymous.get(PAGE).status_code == 302


def _queries(client, url: str) -> int:  # type: ignore[no-untyped-def]
    return support.real_queries(client, url)


def test_page_queries_do_not_grow_with_rows(commune_alpha, django_assert_max_num_queries) -> None:
    client = logged_in_client(commune_alpha, marker(commune_alpha))
    with inside(commune_alpha):
        small, school_class = setup_service()
        big = support.service(weekdays=[1, 2, 4, 5])
        for _ in range(3):
            child_registered(small, school_class)
        for _ in range(200):
            child_registered(big, school_class)
        for _ in range(5):
            child_registered(big, school_class, state=None)
    few = _queries(client, f"{PAGE}?jour={DAY}&prestation={small.pk}")
    many = _queries(client, f"{PAGE}?jour={DAY}&prestation={big.pk}&classe={school_class.pk}")
    assert few == many
    # 12 queries (session, user, year, services, classes, schools, rows, children to add,
    # the page's frame), each preceded by django-tenants' "SET search_path".
    assert _queries(client, f"{PAGE}?jour={DAY}&prestation={big.pk}") <= 12
    with django_assert_max_num_queries(24):
        response = client.get(f"{PAGE}?jour={DAY}&prestation={big.pk}")
    assert response.content.decode().count('class="list-group-item attendance-row') == 200
