"""Schooling rules: one current year, classes unique per school and year, one class
per child and year, and a history row for every change."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from tenant_apps.history.models import ChangeRecord
from tenant_apps.schooling.models import Enrolment, SchoolYear
from tenant_apps.schooling.services import (
    enrolment_set,
    school_class_create,
    school_class_update,
    school_create,
    school_set_active,
    school_year_create,
    school_year_set_current,
)
from tests.conftest import inside
from tests.schooling import support

pytestmark = pytest.mark.django_db


def test_first_year_becomes_current_and_exactly_one_stays_current(commune_alpha):
    with inside(commune_alpha):
        # Given no school year
        SchoolYear.objects.all().delete()
        # When two years are created and the second is made current
        first = school_year_create(label="2025-2026", starts_on=date(2025, 9, 1),
                                   ends_on=date(2026, 7, 4), actor=None)
        second = school_year_create(label="2026-2027", starts_on=date(2026, 9, 1),
                                    ends_on=date(2027, 7, 3), actor=None)
        assert SchoolYear.objects.get(is_current=True) == first
        school_year_set_current(school_year=second, actor=None)
        # Then exactly one is current, and history says who did it
        assert list(SchoolYear.objects.filter(is_current=True)) == [second]
        school_year_create(label="2027-2028", starts_on=date(2027, 9, 1),
                           ends_on=date(2028, 7, 3), make_current=True, actor=None)
        assert SchoolYear.objects.filter(is_current=True).count() == 1
        assert ChangeRecord.objects.filter(entity="school_year", entity_id=second.pk).count() == 2


@pytest.mark.parametrize(("label", "starts", "ends", "field"), [
    ("2025", date(2025, 9, 1), date(2026, 7, 4), "label"),
    ("2025-2027", date(2025, 9, 1), date(2026, 7, 4), "label"),
    ("2025-2026", date(2025, 9, 1), date(2025, 8, 1), "ends_on"),
])
def test_bad_year_is_refused_in_french(commune_alpha, label, starts, ends, field):
    with inside(commune_alpha):
        with pytest.raises(ValidationError) as raised:
            school_year_create(label=label, starts_on=starts, ends_on=ends, actor=None)
        assert field in raised.value.message_dict
        assert not SchoolYear.objects.filter(label=label).exists() or label == "2025-2026"


def test_class_name_is_unique_per_school_and_year(commune_alpha):
    with inside(commune_alpha):
        year, other_year = support.year("2025-2026"), support.year("2026-2027", current=False)
        school, other_school = support.school(), support.school()
        school_class_create(school=school, school_year=year, name="CP A", levels=["CP"],
                            actor=None)
        with pytest.raises(ValidationError) as raised:
            school_class_create(school=school, school_year=year, name="cp a", levels=[],
                                actor=None)
        assert "existe déjà" in raised.value.message_dict["name"][0]
        # Same name elsewhere or another year is fine.
        school_class_create(school=other_school, school_year=year, name="CP A", levels=[],
                            actor=None)
        school_class_create(school=school, school_year=other_year, name="CP A", levels=[],
                            actor=None)


def test_class_levels_are_checked_and_ordered(commune_alpha):
    with inside(commune_alpha):
        year, school = support.year(), support.school()
        c = school_class_create(school=school, school_year=year, name="CE", levels=["CE2", "CE1"],
                                actor=None)
        assert c.levels == ["CE1", "CE2"]
        with pytest.raises(ValidationError):
            school_class_update(school_class=c, name="CE", levels=["6e"], actor=None)


def test_enrolment_moves_a_child_and_records_history(commune_alpha):
    with inside(commune_alpha):
        year, school = support.year(), support.school()
        cp = support.school_class(school, year, "CP", ["CP"])
        ce1 = support.school_class(school, year, "CE1", ["CE1"])
        _, (child,) = support.family()
        enrolment_set(child=child, school_year=year, school_class=cp, actor=None)
        assert Enrolment.objects.get(child=child).level == "CP"  # the class's only level
        enrolment_set(child=child, school_year=year, school_class=ce1, level="CE1", actor=None)
        assert Enrolment.objects.get(child=child, school_year=year).school_class == ce1
        assert ChangeRecord.objects.filter(entity="child", entity_id=child.pk).count() == 2
        with pytest.raises(ValidationError) as raised:
            enrolment_set(child=child, school_year=year, school_class=ce1, level="CM2",
                          actor=None)
        assert "level" in raised.value.message_dict


def test_enrolment_refuses_a_class_of_another_year(commune_alpha):
    with inside(commune_alpha):
        year, next_year = support.year(), support.year("2026-2027", current=False)
        c = support.school_class(support.school(), next_year)
        _, (child,) = support.family()
        with pytest.raises(ValidationError):
            enrolment_set(child=child, school_year=year, school_class=c, actor=None)
        assert not Enrolment.objects.filter(child=child).exists()


def test_school_name_unique_and_deactivation_keeps_it(commune_alpha):
    with inside(commune_alpha):
        school = school_create(name="École Jules Ferry", kind="primaire", actor=None)
        with pytest.raises(ValidationError):
            school_create(name="école jules ferry", kind="primaire", actor=None)
        school_set_active(school=school, active=False, actor=None)
        school.refresh_from_db()
        assert school.active is False
