"""Who a mailing reaches: filters of the current school year, shared custody, guardians
without an email skipped and reported."""

import pytest

from tenant_apps.mailings.audience import (
    NO_EMAIL,
    SAME_EMAIL,
    GuardianRow,
    audience_from_rows,
    audience_select,
)
from tenant_apps.mailings.models import AudienceKind
from tests.conftest import inside
from tests.mailings import builders as b

pytestmark = pytest.mark.django_db


def _row(gid: int, hid: int, email: str) -> GuardianRow:
    return GuardianRow(guardian_id=gid, household_id=hid, guardian_name=f"G{gid}",
                       household_name=f"F{hid}", email=email)


def test_one_recipient_per_address_and_guardians_without_email_reported():
    audience = audience_from_rows([
        _row(1, 10, "Marie@exemple.fr"), _row(2, 10, "marie@exemple.fr "), _row(3, 10, ""),
        _row(4, 20, ""), _row(5, 30, "paul@exemple.fr"),
    ])
    assert [r.guardian_id for r in audience.recipients] == [1, 5]
    assert [(r.guardian_id, why) for r, why in audience.skipped] == [
        (2, SAME_EMAIL), (3, NO_EMAIL), (4, NO_EMAIL)]
    assert audience.household_count == 2
    assert audience.unreachable_households == ["F20"]


@pytest.fixture
def town(commune_alpha):
    """Two schools this year, one class each; a child in shared custody; a family whose
    only guardian has no email; a child enrolled at the school in a past year only."""
    with inside(commune_alpha):
        year, old = b.current_year(), b.past_year()
        port, moulin = b.school("École du Port"), b.school("École du Moulin")
        cp, ce1 = b.school_class(port, year, "CP"), b.school_class(moulin, year, "CE1")
        martin = b.household("Martin", ("Claire", "claire.martin@exemple.fr"),
                             ("Hugo", "hugo.martin@exemple.fr"))
        durand = b.household("Durand", ("Luc", "luc.durand@exemple.fr"))
        petit = b.household("Petit", ("Anne", ""))
        ancien = b.household("Ancien", ("Jean", "jean.ancien@exemple.fr"))
        leo = b.child("Léo", martin, durand)  # shared custody
        b.enrol(leo, cp)
        b.enrol(b.child("Zoé", petit), ce1)
        b.enrol(b.child("Tom", ancien), b.school_class(port, old, "CM2"))
        meal = b.service("Repas Enfant")
        b.register(leo, meal, martin, year)
        b.register(b.child("Tom", ancien), meal, ancien, old)
        yield {"port": port, "moulin": moulin, "cp": cp, "ce1": ce1, "meal": meal,
               "martin": martin, "durand": durand, "petit": petit, "ancien": ancien}


def _emails(audience):
    return sorted(r.email for r in audience.recipients)


def test_school_filter_reaches_both_households_of_a_child_in_shared_custody(
        commune_alpha, town):
    with inside(commune_alpha):
        audience = audience_select(kind=AudienceKind.SCHOOL, school=town["port"])
    assert _emails(audience) == ["claire.martin@exemple.fr", "hugo.martin@exemple.fr",
                                 "luc.durand@exemple.fr"]
    assert audience.household_count == 2  # the past year's pupil is not reached


def test_class_filter_reports_a_family_without_email(commune_alpha, town):
    with inside(commune_alpha):
        audience = audience_select(kind=AudienceKind.SCHOOL_CLASS, school_class=town["ce1"])
    assert audience.recipients == []
    assert [(r.guardian_name, why) for r, why in audience.skipped] == [("Anne Petit", NO_EMAIL)]
    assert audience.unreachable_households == [town["petit"].name]


def test_service_filter_uses_registrations_of_the_current_year(commune_alpha, town):
    with inside(commune_alpha):
        audience = audience_select(kind=AudienceKind.SERVICE, service=town["meal"])
    assert _emails(audience) == ["claire.martin@exemple.fr", "hugo.martin@exemple.fr",
                                 "luc.durand@exemple.fr"]


def test_all_families_includes_every_household(commune_alpha, town):
    with inside(commune_alpha):
        audience = audience_select(kind=AudienceKind.ALL)
    assert {"claire.martin@exemple.fr", "luc.durand@exemple.fr",
            "jean.ancien@exemple.fr"} <= set(_emails(audience))
    assert town["petit"].name in audience.unreachable_households


def test_a_filter_without_target_reaches_nobody(commune_alpha, town):
    with inside(commune_alpha):
        assert audience_select(kind=AudienceKind.SCHOOL).recipients == []
