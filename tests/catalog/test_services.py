"""Catalog rules: services with their deadline rules; a registration needs the child's
membership of the household; shared custody; capacity only informs."""

from datetime import time

import pytest
from django.core.exceptions import ValidationError

from tenant_apps.catalog.models import Registration, Service
from tenant_apps.catalog.selectors import registered_on, services_list
from tenant_apps.catalog.services import (
    registration_create,
    registration_create_many,
    registration_delete,
    service_create,
    service_update,
)
from tenant_apps.families.models import ChildHousehold
from tenant_apps.history.models import ChangeRecord
from tests.conftest import inside
from tests.schooling import support

pytestmark = pytest.mark.django_db

VALID = {
    "name": "Repas Enfant", "kind": "repas", "weekdays": [5, 1, 2, 4], "calendar": "school_days",
    "capacity": 120, "book_until": time(8, 30), "book_days_before": 0,
    "book_day_count": "calendar", "cancel_until": time(12, 0), "cancel_days_before": 2,
    "cancel_day_count": "working", "tariff_code": "REPAS-QF",
}


def test_service_created_with_schools_and_labels(commune_alpha):
    with inside(commune_alpha):
        school = support.school()
        service = service_create(**VALID, schools=[school], actor=None)
        assert service.weekdays == [1, 2, 4, 5]
        assert service.booking_deadline_label == "Fin de réservation : 08:30"
        assert service.cancel_deadline_label == "Fin d'annulation : J-2 à 12:00 (jours ouvrés)"
        assert service.weekdays_label == "Lun, Mar, Jeu, Ven"
        assert list(service.schools.all()) == [school]
        assert ChangeRecord.objects.filter(entity="service", entity_id=service.pk).exists()


@pytest.mark.parametrize(("change", "field"), [
    ({"name": " "}, "name"),
    ({"weekdays": []}, "weekdays"),
    ({"weekdays": [8]}, "weekdays"),
    ({"capacity": 0}, "capacity"),
    ({"book_days_before": -1}, "book_days_before"),
    ({"cancel_day_count": "lunaire"}, "cancel_day_count"),
    ({"kind": "piscine"}, "kind"),
])
def test_bad_service_is_refused_next_to_the_field(commune_alpha, change, field):
    with inside(commune_alpha):
        with pytest.raises(ValidationError) as raised:
            service_create(**{**VALID, **change}, actor=None)
        assert field in raised.value.message_dict
        assert not Service.objects.exists()


def test_service_update_changes_only_given_fields(commune_alpha):
    with inside(commune_alpha):
        service = service_create(**VALID, actor=None)
        service_update(service=service, book_days_before=1, actor=None)
        service.refresh_from_db()
        assert (service.book_days_before, service.capacity) == (1, 120)
        with pytest.raises(ValidationError):
            service_create(**{**VALID, "name": "repas enfant"}, actor=None)


def test_registration_needs_membership_of_the_household(commune_alpha):
    with inside(commune_alpha):
        year, service = support.year(), support.service()
        _, (child,) = support.family("Famille Martin")
        stranger, _ = support.family("Famille Durand")
        with pytest.raises(ValidationError) as raised:
            registration_create(child=child, service=service, school_year=year,
                                household=stranger, actor=None)
        assert "n'appartient pas" in raised.value.message_dict["household"][0]
        assert not Registration.objects.exists()


def test_both_households_of_a_shared_custody_can_register(commune_alpha):
    with inside(commune_alpha):
        year, service = support.year(), support.service(capacity=1)
        mother, (child,) = support.family("Famille Le Goff")
        father = support.second_home(child, "Famille Le Goff (père)")
        memberships = ChildHousehold.objects.filter(child=child)
        created, skipped = registration_create_many(
            service=service, school_year=year, memberships=memberships, actor=None
        )
        assert {r.household for r in created} == {mother, father}
        assert skipped == 0
        # Counted once; and registering again skips without error.
        assert services_list(school_year=year).get(pk=service.pk).registered_count == 1
        _, skipped = registration_create_many(
            service=service, school_year=year, memberships=memberships, actor=None
        )
        assert skipped == 2
        with pytest.raises(ValidationError):
            registration_create(child=child, service=service, school_year=year,
                                household=mother, actor=None)


def test_capacity_is_informational(commune_alpha):
    with inside(commune_alpha):
        year, service = support.year(), support.service(capacity=1)
        for _ in range(3):
            household, (child,) = support.family()
            registration_create(child=child, service=service, school_year=year,
                                household=household, actor=None)
        assert Registration.objects.filter(service=service).count() == 3


def test_unregistering_records_history(commune_alpha):
    with inside(commune_alpha):
        year, service = support.year(), support.service()
        household, (child,) = support.family()
        registration = registration_create(child=child, service=service, school_year=year,
                                           household=household, actor=None)
        registration_delete(registration=registration, actor=None)
        assert not Registration.objects.exists()
        assert ChangeRecord.objects.filter(entity="child", entity_id=child.pk,
                                           action="delete").exists()


def test_registered_on_counts_per_school_for_the_weekday(commune_alpha):
    with inside(commune_alpha):
        year = support.year()
        north, south = support.school("École Nord"), support.school("École Sud")
        cn, cs = support.school_class(north, year), support.school_class(south, year)
        monday_only = support.service("Accueil du lundi", weekdays=[1])
        every_day = support.service("Repas", weekdays=[1, 2, 3, 4, 5])
        from tenant_apps.schooling.services import enrolment_set

        for klass, count in ((cn, 2), (cs, 1), (None, 1)):
            for _ in range(count):
                household, (child,) = support.family()
                if klass:
                    enrolment_set(child=child, school_year=year, school_class=klass, actor=None)
                registration_create(child=child, service=every_day, school_year=year,
                                    household=household, actor=None)
        from datetime import date

        tuesday = registered_on(day=date(2025, 9, 2), school_year=year)
        assert [f.name for f in tuesday] == ["Repas"]
        assert tuesday[0].total == 4
        assert dict(tuesday[0].by_school) == {
            "École Nord": 2, "École Sud": 1, "Sans classe cette année": 1,
        }
        monday = registered_on(day=date(2025, 9, 1), school_year=year)
        assert {f.name for f in monday} == {"Repas", "Accueil du lundi"}
        assert monday_only.pk in {f.service_id for f in monday}
