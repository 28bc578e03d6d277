"""Reads of the portal's profile and children pages, and of the agents' change requests.

A parent reaches a child, contact or document only through their own household: anything
else answers 404, exactly like a missing row (never a hint that it exists)."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from tenant_apps.catalog.deadlines import describe_deadline
from tenant_apps.catalog.models import Registration
from tenant_apps.families.models import Child, ChildContact, ChildDocument, Guardian, Household
from tenant_apps.family_portal import values
from tenant_apps.family_portal.models import ChangeRequest, ChangeStatus, FamilyEditPolicy
from tenant_apps.family_portal.policy import BY_KEY, policy_merge
from tenant_apps.schooling.models import Enrolment, SchoolYear


def edit_policy() -> dict[str, str]:
    """The commune's effective policy, field key -> mode (one query)."""
    return policy_merge(dict(FamilyEditPolicy.objects.values_list("field", "mode")))


def household_children(*, household: Household) -> QuerySet[Child]:
    return Child.objects.filter(memberships__household=household)


def child_for_household(*, household: Household, child_id: int) -> Child:
    """A child of the household (shared custody included); 404 otherwise."""
    child = household_children(household=household).filter(pk=child_id).first()
    if child is None:
        raise Http404("Enfant introuvable.")
    return child


def contact_for_household(*, household: Household, child_id: int,
                          contact_id: int) -> ChildContact:
    contact = ChildContact.objects.filter(
        pk=contact_id, child_id=child_id, child__memberships__household=household
    ).first()
    if contact is None:
        raise Http404("Contact introuvable.")
    return contact


def document_for_household(*, household: Household, child_id: int,
                           document_id: int) -> ChildDocument:
    document = ChildDocument.objects.filter(
        pk=document_id, child_id=child_id, child__memberships__household=household
    ).first()
    if document is None:
        raise Http404("Document introuvable.")
    return document


def current_school_year() -> SchoolYear | None:
    return SchoolYear.objects.filter(is_current=True).first()


@dataclass
class ChildCard:
    child: Child
    enrolment: Enrolment | None
    shared_custody: bool


def children_cards(*, household: Household) -> list[ChildCard]:
    """The household's children with this year's class (three queries, whatever their
    number)."""
    year = current_school_year()
    enrolments = Enrolment.objects.filter(school_year=year).select_related(
        "school_class__school")
    children = (
        household_children(household=household)
        .prefetch_related(Prefetch("enrolments", queryset=enrolments, to_attr="this_year"),
                          "memberships")
        .order_by("birth_date", "first_name")
    )
    return [
        ChildCard(child=c, enrolment=(c.this_year[0] if c.this_year else None),  # type: ignore[attr-defined]
                  shared_custody=len(c.memberships.all()) > 1)
        for c in children
    ]


@dataclass
class RegistrationRow:
    service_name: str
    deadline: str
    household_name: str
    own_household: bool


@dataclass
class PendingChange:
    request: ChangeRequest
    rows: list[tuple[str, str, str]]  # label, before, after


@dataclass
class ChildSheet:
    child: Child
    enrolments: list[Enrolment]
    registrations: list[RegistrationRow]
    contacts: list[ChildContact]
    documents: list[ChildDocument]
    households: list[Household]
    pending: dict[str, list[PendingChange]] = field(default_factory=dict)


def change_rows(request: ChangeRequest) -> list[tuple[str, str, str]]:
    """(label, before, after) of each changed field, in French."""
    rows = []
    for name, change in request.changes.items():
        key = f"{request.target}.{name}"
        label = BY_KEY[key].label if key in BY_KEY else name
        rows.append((label, values.display(request.target, name, change.get("before")),
                     values.display(request.target, name, change.get("after"))))
    return rows


def pending_by_category(requests: list[ChangeRequest]) -> dict[str, list[PendingChange]]:
    """Pending requests grouped by "<target>:<id>:<category>" for the cards to show."""
    grouped: dict[str, list[PendingChange]] = {}
    for r in requests:
        target_id = r.child_id or r.guardian_id or r.household_id
        grouped.setdefault(f"{r.target}:{target_id}:{r.category}", []).append(
            PendingChange(request=r, rows=change_rows(r)))
    return grouped


def pending_for(*, household_id: int, entity: str, obj: Any) -> dict[str, list[PendingChange]]:
    """Pending requests of one object (a child's by any of its households)."""
    if entity == "child":
        rows = ChangeRequest.objects.filter(child=obj)
    elif entity == "guardian":
        rows = ChangeRequest.objects.filter(guardian=obj)
    else:
        rows = ChangeRequest.objects.filter(household_id=household_id, target="household")
    return pending_by_category(list(rows.filter(status=ChangeStatus.PENDING)))


def child_sheet(*, child: Child, household: Household) -> ChildSheet:
    """Everything the child's page shows (a fixed number of queries)."""
    year = current_school_year()
    registrations = (
        Registration.objects.filter(child=child, school_year=year)
        .select_related("service", "household").order_by("service__name")
    )
    rows = [
        RegistrationRow(
            service_name=r.service.name,
            deadline=describe_deadline(r.service.book_until, r.service.book_days_before,
                                       r.service.book_day_count),
            household_name=r.household.name, own_household=r.household_id == household.pk,
        )
        for r in registrations
    ]
    pending = ChangeRequest.objects.filter(child=child, status=ChangeStatus.PENDING)
    return ChildSheet(
        child=child,
        enrolments=list(
            Enrolment.objects.filter(child=child)
            .select_related("school_year", "school_class__school")
            .order_by("-school_year__starts_on")
        ),
        registrations=rows,
        contacts=list(ChildContact.objects.filter(child=child).order_by("role", "name")),
        documents=list(ChildDocument.objects.filter(child=child)),
        households=list(Household.objects.filter(memberships__child=child).order_by("name")),
        pending=pending_by_category(list(pending)),
    )


@dataclass
class Profile:
    household: Household
    me: Guardian
    guardians: list[Guardian]
    pending: dict[str, list[PendingChange]]
    recent: list[ChangeRequest]


def profile(*, guardian: Guardian) -> Profile:
    """The household, its guardians (the signed-in one first) and its change requests."""
    household = guardian.household
    guardians = sorted(Guardian.objects.filter(household=household),
                       key=lambda g: (g.pk != guardian.pk, g.last_name, g.first_name))
    requests = list(
        ChangeRequest.objects.filter(household=household)
        .select_related("child", "guardian").order_by("-requested_at")[:50]
    )
    pending = [r for r in requests if r.status == ChangeStatus.PENDING and r.target != "child"]
    return Profile(household=household, me=guardian, guardians=guardians,
                   pending=pending_by_category(pending), recent=requests[:10])


# --- back office ---------------------------------------------------------------------------


class RequestFilter:
    PENDING = "pending"
    DECIDED = "decided"
    ALL = "all"
    CHOICES = ((PENDING, "En attente"), (DECIDED, "Traitées"), (ALL, "Toutes"))


def change_request_list(*, status: str = RequestFilter.PENDING, term: str = "",
                        limit: int = 200) -> list[PendingChange]:
    """Change requests for agents, oldest pending first (newest first once decided)."""
    rows = ChangeRequest.objects.select_related("household", "child", "guardian")
    if status == RequestFilter.PENDING:
        rows = rows.filter(status=ChangeStatus.PENDING).order_by("requested_at", "id")
    elif status == RequestFilter.DECIDED:
        rows = rows.exclude(status=ChangeStatus.PENDING).order_by("-decided_at", "-id")
    if term:
        rows = rows.filter(
            Q(household__name__icontains=term) | Q(child__last_name__icontains=term)
            | Q(child__first_name__icontains=term) | Q(guardian__last_name__icontains=term)
        )
    return [PendingChange(request=r, rows=change_rows(r)) for r in rows[:limit]]


def pending_count() -> int:
    return ChangeRequest.objects.filter(status=ChangeStatus.PENDING).count()


def change_request_get(*, pk: int) -> ChangeRequest:
    request = ChangeRequest.objects.select_related("household", "child", "guardian").filter(
        pk=pk).first()
    if request is None:
        raise Http404("Demande introuvable.")
    return request
