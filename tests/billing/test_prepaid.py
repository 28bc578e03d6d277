"""Prepaid accounts: append-only ledger, debits per booking, credits on cancellation
within the deadline and on closures (and back on a restore), low-balance email."""

from datetime import date

import pytest
from django.db import DatabaseError, transaction

from tenant_apps.billing import prepaid
from tenant_apps.billing.models import PrepaidLedgerEntry
from tenant_apps.billing.selectors import prepaid_balance_cents
from tenant_apps.bookings.closures import closure_create, closure_delete
from tenant_apps.bookings.models import Booking, BookingEvent
from tenant_apps.outbox.models import OutboxMessage
from tests.billing import support
from tests.bookings.support import school_year
from tests.conftest import inside, make_user
from tests.schooling import support as schooling

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 1)


@pytest.fixture
def prepaid_alpha(commune_alpha):
    previous = commune_alpha.billing_mode
    commune_alpha.billing_mode = "prepaid"  # in memory only, never saved
    yield commune_alpha
    commune_alpha.billing_mode = previous


def test_ledger_follows_bookings_and_closures(prepaid_alpha):
    regisseur = make_user(prepaid_alpha, role="regisseur")
    with inside(prepaid_alpha):
        service = support.service()
        support.tariff(service, regisseur, amount_cents=400)
        klass = schooling.school_class(schooling.school(), school_year())
        household, child = support.family(service, email="parent@example.test")
        from tenant_apps.schooling.models import Enrolment

        Enrolment.objects.create(child=child, school_year=school_year(), school_class=klass)
        booked = support.book_days(child, service, household, 3)
        prepaid.prepaid_top_up(household=household, amount_cents=1500, method="cash",
                               acting_user=regisseur)
        assert prepaid.prepaid_sync(today=TODAY) == 3
        assert prepaid_balance_cents(household.pk) == 1500 - 1200
        # below the 10 € threshold: one warning email per day, through the outbox
        warnings = OutboxMessage.objects.filter(
            idempotency_key=f"prepaid-low:{household.pk}:{TODAY.isoformat()}")
        assert warnings.count() == 1
        assert "3,00" in warnings[0].body_text and "/factures/" in warnings[0].body_text
        assert prepaid.prepaid_sync(today=TODAY) == 0  # idempotent

        # a cancellation within the deadline is credited back
        Booking.objects.filter(pk=booked[0].pk).update(state="cancelled")
        BookingEvent.objects.create(booking=booked[0], from_state="booked",
                                    to_state="cancelled")
        assert prepaid.prepaid_sync(today=TODAY) == 1
        assert prepaid_balance_cents(household.pk) == 700

        # a closure credits the affected household, with the closure's name
        result = closure_create(label="Grève", starts_on=booked[1].day, ends_on=booked[1].day,
                                services=[service], classes=[klass], actor=regisseur)
        prepaid.prepaid_sync(today=TODAY)
        credit = PrepaidLedgerEntry.objects.filter(household=household, kind="credit").first()
        assert credit.label.startswith("Fermeture « Grève »")
        assert prepaid_balance_cents(household.pk) == 1100
        # deleting the closure restores the booking: debited again
        closure_delete(closure=result.closure, actor=regisseur)
        prepaid.prepaid_sync(today=TODAY)
        assert prepaid_balance_cents(household.pk) == 700
        total = sum(PrepaidLedgerEntry.objects.filter(household=household)
                    .values_list("amount_cents", flat=True))
        assert total == prepaid_balance_cents(household.pk)

        entry = PrepaidLedgerEntry.objects.filter(household=household).first()
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            PrepaidLedgerEntry.objects.filter(pk=entry.pk).update(amount_cents=0)


def test_sync_does_nothing_outside_prepaid_mode(commune_alpha):
    with inside(commune_alpha):
        assert commune_alpha.billing_mode != "prepaid"
        assert prepaid.prepaid_sync(today=TODAY) == 0


def test_parent_sees_prepaid_balance_and_closure_credit(prepaid_alpha):
    from tenant_apps.families.models import Guardian
    from tests.conftest import logged_in_client

    regisseur = make_user(prepaid_alpha, role="regisseur")
    parent = make_user(prepaid_alpha, role="guardian")
    with inside(prepaid_alpha):
        service = support.service()
        support.tariff(service, regisseur, amount_cents=400)
        household, child = support.family(service)
        Guardian.objects.filter(household=household).update(user=parent)
        prepaid.prepaid_top_up(household=household, amount_cents=2000, method="cash",
                               acting_user=regisseur)
    # the page reads the mode from the request's commune: patch it the same way there
    from tenants.models import Commune

    Commune.objects.filter(pk=prepaid_alpha.pk).update(billing_mode="prepaid")
    try:
        body = logged_in_client(prepaid_alpha, parent).get("/factures/").content.decode()
    finally:
        Commune.objects.filter(pk=prepaid_alpha.pk).update(billing_mode="regie")
    assert "Mon compte prépayé" in body and "Solde : 20,00" in body
    assert "Rechargement (Espèces)" in body
