"""Who a mailing reaches: the guardians with an email of the households concerned.

A household is concerned when one of its children matches the filter for the current
school year (enrolled in the school or class, registered to the service); a child in
shared custody brings both households. "All families" means every household."""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from tenant_apps.catalog.models import Registration, Service
from tenant_apps.families.models import Guardian, Household
from tenant_apps.mailings.models import AudienceKind
from tenant_apps.schooling.models import Enrolment, School, SchoolClass, SchoolYear


@dataclass(frozen=True)
class GuardianRow:
    guardian_id: int
    household_id: int
    guardian_name: str
    household_name: str
    email: str


@dataclass(frozen=True)
class Audience:
    recipients: list[GuardianRow]
    # Guardians left out, with the reason shown to the agent.
    skipped: list[tuple[GuardianRow, str]]
    household_count: int  # households reached by at least one recipient
    unreachable_households: list[str]  # names of concerned households nobody can be mailed at

    @property
    def recipient_count(self) -> int:
        return len(self.recipients)


NO_EMAIL = "pas de courriel"
SAME_EMAIL = "même courriel qu'un autre responsable"


def audience_from_rows(rows: Iterable[GuardianRow]) -> Audience:
    """Keep one recipient per address (the first row wins), skip guardians without one.

    Rows are the guardians of the concerned households, in display order; households
    appear in the result's counts only through them."""
    recipients: list[GuardianRow] = []
    skipped: list[tuple[GuardianRow, str]] = []
    seen: set[str] = set()
    households: dict[int, str] = {}
    reached: set[int] = set()
    for row in rows:
        households[row.household_id] = row.household_name
        address = row.email.strip().lower()
        if not address:
            skipped.append((row, NO_EMAIL))
        elif address in seen:
            skipped.append((row, SAME_EMAIL))
            reached.add(row.household_id)
        else:
            seen.add(address)
            recipients.append(row)
            reached.add(row.household_id)
    unreachable = sorted(name for pk, name in households.items() if pk not in reached)
    return Audience(recipients=recipients, skipped=skipped, household_count=len(reached),
                    unreachable_households=unreachable)


def current_school_year() -> SchoolYear | None:
    return SchoolYear.objects.filter(is_current=True).first()


def households_concerned(
    *,
    kind: str,
    school: School | None = None,
    school_class: SchoolClass | None = None,
    service: Service | None = None,
) -> QuerySet[Household]:
    """The households a filter designates (see the module docstring)."""
    if kind == AudienceKind.ALL:
        return Household.objects.all()
    year = current_school_year()
    if year is None:
        return Household.objects.none()
    child_ids: QuerySet[Any, Any]
    if kind == AudienceKind.SCHOOL and school is not None:
        child_ids = Enrolment.objects.filter(
            school_year=year, school_class__school=school
        ).values("child_id")
    elif kind == AudienceKind.SCHOOL_CLASS and school_class is not None:
        child_ids = Enrolment.objects.filter(
            school_year=year, school_class=school_class
        ).values("child_id")
    elif kind == AudienceKind.SERVICE and service is not None:
        child_ids = Registration.objects.filter(
            school_year=year, service=service
        ).values("child_id")
    else:
        return Household.objects.none()
    return Household.objects.filter(memberships__child_id__in=child_ids).distinct()


def audience_select(
    *,
    kind: str,
    school: School | None = None,
    school_class: SchoolClass | None = None,
    service: Service | None = None,
) -> Audience:
    """The recipients of a filter, with who is skipped and why. Two queries."""
    households = households_concerned(
        kind=kind, school=school, school_class=school_class, service=service
    )
    guardians = (
        Guardian.objects.filter(household__in=households)
        .order_by("household__name", "household_id", "last_name", "first_name", "pk")
        .values_list("pk", "household_id", "first_name", "last_name", "household__name",
                     "email")
    )
    rows = [
        GuardianRow(guardian_id=pk, household_id=hid, guardian_name=f"{first} {last}".strip(),
                    household_name=hname, email=email)
        for pk, hid, first, last, hname, email in guardians
    ]
    audience = audience_from_rows(rows)
    # Concerned households without any guardian are unreachable too.
    without_guardian = households.filter(guardians__isnull=True).values_list("name", flat=True)
    if without_guardian:
        names = sorted([*audience.unreachable_households, *without_guardian])
        audience = Audience(recipients=audience.recipients, skipped=audience.skipped,
                            household_count=audience.household_count,
                            unreachable_households=names)
    return audience
