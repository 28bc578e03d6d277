"""Reads of family files, shaped for the pages and the API: a fixed number of queries
whatever the number of rows (prefetches, never a query per row).

Missing and forbidden answer the same way: the views turn `None` into a 404."""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone

from tenant_apps.catalog.models import Registration, Service
from tenant_apps.families.access import FamilyAccess
from tenant_apps.families.models import (
    Child,
    ChildDocument,
    ChildHousehold,
    Guardian,
    Household,
)
from tenant_apps.families.search import digits
from tenant_apps.history.models import ChangeRecord
from tenant_apps.schooling.models import Enrolment, School, SchoolClass, SchoolYear

HOUSEHOLD_SORTS = {
    "nom": ("name", "id"),
    "-nom": ("-name", "-id"),
    "commune": ("city", "name", "id"),
    "-commune": ("-city", "-name", "-id"),
    "enfants": ("children_count", "name", "id"),
    "-enfants": ("-children_count", "name", "id"),
    "qf": (F("quotient_familial").asc(nulls_first=True), "name", "id"),
    "-qf": (F("quotient_familial").desc(nulls_last=True), "name", "id"),
    "maj": ("updated_at", "id"),
    "-maj": ("-updated_at", "-id"),
}
CHILD_SORTS = {
    "nom": ("last_name", "first_name", "id"),
    "-nom": ("-last_name", "-first_name", "-id"),
    "naissance": ("birth_date", "last_name", "id"),
    "-naissance": ("-birth_date", "last_name", "id"),
}
QF_FILTERS = {"manquant": "QF manquant", "expire": "QF expiré"}
MIN_PHONE_DIGITS = 4


@dataclass(frozen=True)
class ListFilters:
    search: str = ""
    school_id: int | None = None
    class_id: int | None = None
    service_id: int | None = None
    qf: str = ""
    diet: str = ""
    pai: bool = False
    sort: str = "nom"

    @property
    def active(self) -> bool:
        return bool(self.search or self.school_id or self.class_id or self.service_id
                    or self.qf or self.diet or self.pai)


def current_school_year() -> SchoolYear | None:
    return SchoolYear.objects.filter(is_current=True).first()


def filter_choices(year: SchoolYear | None) -> dict[str, Any]:
    """Schools, classes of the current year and active services for the filter bar."""
    classes = (
        SchoolClass.objects.filter(school_year=year).select_related("school")
        if year else SchoolClass.objects.none()
    )
    return {
        "schools": list(School.objects.filter(active=True).only("id", "name")),
        "classes": list(classes),
        "services": list(Service.objects.filter(active=True).only("id", "name")),
    }


def _term_filter(term: str, *prefixes: str, names: tuple[str, ...]) -> Q:
    """Every word of `term` in one of the name columns (accent- and case-insensitive)."""
    query = Q()
    for word in term.split():
        any_column = Q()
        # Under three letters no trigram exists inside the word: match its start instead.
        lookup = "unaccent_icontains" if len(word) >= 3 else "unaccent_istartswith"
        for prefix in prefixes:
            for name in names:
                any_column |= Q(**{f"{prefix}{name}__{lookup}": word})
        query &= any_column
    return query


def _guardian_match(term: str) -> Q:
    """Guardians by name, email, or phone (digits only, whatever the spacing)."""
    match = _term_filter(term, "", names=("last_name", "first_name", "email"))
    number = digits(term)
    if term.lstrip().startswith("+33"):
        number = "0" + number[2:]
    if len(number) >= MIN_PHONE_DIGITS and not any(c.isalpha() for c in term):
        match |= Q(phone_digits__contains=number)
    return match


def _children_in_year(year: SchoolYear | None, filters: ListFilters) -> QuerySet[Enrolment]:
    enrolments = Enrolment.objects.filter(school_year=year)
    if filters.school_id:
        enrolments = enrolments.filter(school_class__school_id=filters.school_id)
    if filters.class_id:
        enrolments = enrolments.filter(school_class_id=filters.class_id)
    return enrolments


_UNSET: Any = object()


def household_list(*, access: FamilyAccess, filters: ListFilters,
                   year: SchoolYear | None = _UNSET) -> QuerySet[Household]:
    """Households matching the filters, with their guardians and children prefetched
    (three queries per page, whatever its length). `children_count` is annotated.
    `year` (default: the current school year) scopes the school and service filters."""
    year = current_school_year() if year is _UNSET else year
    households = Household.objects.annotate(children_count=Count("memberships", distinct=True))
    if filters.search:
        term = filters.search
        guardians = Guardian.objects.filter(_guardian_match(term))
        children = Child.objects.filter(
            _term_filter(term, "", names=("last_name", "first_name"))
        )
        households = households.filter(
            _term_filter(term, "", names=("name",))
            | Q(Exists(guardians.filter(household=OuterRef("pk"))))
            | Q(Exists(ChildHousehold.objects.filter(household=OuterRef("pk"),
                                                      child__in=children)))
        )
    if filters.school_id or filters.class_id:
        enrolled = _children_in_year(year, filters).values("child_id")
        households = households.filter(
            Exists(ChildHousehold.objects.filter(household=OuterRef("pk"),
                                                 child_id__in=enrolled))
        )
    if filters.service_id:
        households = households.filter(
            Exists(Registration.objects.filter(household=OuterRef("pk"),
                                               service_id=filters.service_id,
                                               school_year=year))
        )
    if access.finances and filters.qf == "manquant":
        households = households.filter(quotient_familial__isnull=True)
    elif access.finances and filters.qf == "expire":
        households = households.filter(qf_valid_until__lt=timezone.localdate())
    sort = filters.sort if filters.sort in HOUSEHOLD_SORTS else "nom"
    if not access.finances and sort.lstrip("-") == "qf":
        sort = "nom"
    return households.order_by(*HOUSEHOLD_SORTS[sort]).prefetch_related(
        Prefetch("guardians", queryset=Guardian.objects.order_by("pk")),
        Prefetch(
            "memberships",
            queryset=ChildHousehold.objects.select_related("child").order_by(
                "child__birth_date", "pk"
            ),
        ),
    )


def child_list(*, access: FamilyAccess, filters: ListFilters,
               year: SchoolYear | None = _UNSET) -> QuerySet[Child]:
    """Children matching the filters, with their class of `year` (default: the current
    school year) and households prefetched."""
    year = current_school_year() if year is _UNSET else year
    children = Child.objects.all()
    if filters.search:
        children = children.filter(
            _term_filter(filters.search, "", names=("last_name", "first_name"))
        )
    if filters.school_id or filters.class_id:
        children = children.filter(
            pk__in=_children_in_year(year, filters).values("child_id")
        )
    if filters.service_id:
        children = children.filter(
            Exists(Registration.objects.filter(child=OuterRef("pk"),
                                               service_id=filters.service_id,
                                               school_year=year))
        )
    if filters.diet:
        children = children.filter(diet=filters.diet)
    if access.medical and filters.pai:
        children = children.filter(has_pai=True)
    sort = filters.sort if filters.sort in CHILD_SORTS else "nom"
    return children.order_by(*CHILD_SORTS[sort]).prefetch_related(
        Prefetch(
            "enrolments",
            queryset=Enrolment.objects.filter(school_year=year).select_related(
                "school_class__school"
            ),
            to_attr="current_enrolments",
        ),
        Prefetch(
            "memberships",
            queryset=ChildHousehold.objects.select_related("household").order_by("pk"),
        ),
    )


@dataclass
class ChildRow:
    """A child as shown on a household or child page."""

    child: Child
    custody: str
    enrolment: Enrolment | None
    registrations: list[Registration] = field(default_factory=list)


@dataclass
class HouseholdDetail:
    household: Household
    guardians: list[Guardian]
    children: list[ChildRow]
    school_year: SchoolYear | None


def household_detail(*, household_id: int) -> HouseholdDetail | None:
    """A household with its guardians (and portal accounts), its children with their class
    and registrations of the current school year: five queries."""
    year = current_school_year()
    household = (
        Household.objects.select_related("billing_guardian")
        .prefetch_related(
            Prefetch("guardians", queryset=Guardian.objects.select_related("user")
                     .order_by("pk")),
            Prefetch(
                "memberships",
                queryset=ChildHousehold.objects.select_related("child").prefetch_related(
                    Prefetch(
                        "child__enrolments",
                        queryset=Enrolment.objects.filter(school_year=year)
                        .select_related("school_class__school"),
                        to_attr="current_enrolments",
                    ),
                    Prefetch(
                        "child__registrations",
                        queryset=Registration.objects.filter(school_year=year)
                        .select_related("service").order_by("service__name"),
                        to_attr="current_registrations",
                    ),
                ).order_by("child__birth_date", "pk"),
            ),
        )
        .filter(pk=household_id)
        .first()
    )
    if household is None:
        return None
    rows = [
        ChildRow(
            child=m.child,
            custody=m.get_custody_display(),
            enrolment=next(iter(m.child.current_enrolments), None),  # type: ignore[attr-defined]
            registrations=[
                r for r in m.child.current_registrations  # type: ignore[attr-defined]
                if r.household_id == household.pk
            ],
        )
        for m in household.memberships.all()
    ]
    return HouseholdDetail(
        household=household,
        guardians=list(household.guardians.all()),
        children=rows,
        school_year=year,
    )


@dataclass
class ChildDetail:
    child: Child
    memberships: list[ChildHousehold]
    enrolments: list[Enrolment]
    current_enrolment: Enrolment | None
    registrations: list[Registration]
    documents: list[ChildDocument]


def child_detail(*, child_id: int, access: FamilyAccess) -> ChildDetail | None:
    """A child with its households (and their guardians), cursus, registrations, contacts
    and, for those allowed, documents: a fixed number of queries."""
    year = current_school_year()
    prefetches: list[Any] = [
        Prefetch(
            "memberships",
            queryset=ChildHousehold.objects.select_related("household").prefetch_related(
                Prefetch("household__guardians", queryset=Guardian.objects.order_by("pk"))
            ).order_by("pk"),
        ),
        Prefetch(
            "enrolments",
            queryset=Enrolment.objects.select_related("school_year", "school_class__school")
            .order_by("-school_year__starts_on"),
        ),
        Prefetch(
            "registrations",
            queryset=Registration.objects.select_related("service", "school_year", "household")
            .order_by("-school_year__starts_on", "service__name"),
        ),
        "contacts",
    ]
    if access.documents:
        prefetches.append("documents")
    child = Child.objects.prefetch_related(*prefetches).filter(pk=child_id).first()
    if child is None:
        return None
    enrolments = list(child.enrolments.all())
    return ChildDetail(
        child=child,
        memberships=list(child.memberships.all()),
        enrolments=enrolments,
        current_enrolment=next((e for e in enrolments if year and e.school_year_id == year.pk),
                               None),
        registrations=list(child.registrations.all()),
        documents=list(child.documents.all()) if access.documents else [],
    )


def document_get(*, child_id: int, document_id: int, access: FamilyAccess
                 ) -> ChildDocument | None:
    if not access.documents:
        return None
    return ChildDocument.objects.filter(pk=document_id, child_id=child_id).first()


@dataclass
class SearchResults:
    term: str
    households: list[Household]
    guardians: list[Guardian]
    children: list[Child]

    @property
    def count(self) -> int:
        return len(self.households) + len(self.guardians) + len(self.children)


def global_search(*, term: str, limit: int = 8) -> SearchResults:
    """Households by name, guardians by name, email or phone, children by name; accents
    and case ignored ("helene" finds "Hélène"). Three queries."""
    term = " ".join(term.split())[:100]
    if len(term) < 2:
        return SearchResults(term=term, households=[], guardians=[], children=[])
    households = list(
        Household.objects.filter(_term_filter(term, "", names=("name",)))
        .order_by(Lower("name"), "pk")[:limit]
    )
    guardians = list(
        Guardian.objects.filter(_guardian_match(term)).select_related("household")
        .order_by("last_name", "first_name", "pk")[:limit]
    )
    children = list(
        Child.objects.filter(_term_filter(term, "", names=("last_name", "first_name")))
        .prefetch_related(
            Prefetch("memberships", queryset=ChildHousehold.objects.select_related("household")
                     .order_by("pk"))
        )
        .order_by("last_name", "first_name", "pk")[:limit]
    )
    return SearchResults(term=term, households=households, guardians=guardians,
                         children=children)


@dataclass
class HistoryRow:
    at: datetime.datetime
    action: str
    summary: str
    actor_email: str
    changes: list[tuple[str, str, str]]
    redacted: bool


def history_rows(*, entity: str, entity_id: int, access: FamilyAccess,
                 labels: dict[str, str], limit: int = 100) -> list[HistoryRow]:
    """A file's history, newest first, without the fields the user may not see."""
    hidden = access.hidden_fields() | (set() if access.documents else {"document"})
    order = {name: i for i, name in enumerate(labels)}
    rows = []
    for record in ChangeRecord.objects.filter(entity=entity, entity_id=entity_id)[:limit]:
        visible = {n: v for n, v in record.changes.items() if n not in hidden}
        changes = [
            (labels.get(name, name), str(old), str(new))
            for name, (old, new) in sorted(visible.items(), key=lambda i: order.get(i[0], 999))
            # A creation lists what was filled in, not every empty or "non" field.
            if record.action != "create" or new not in ("", "non")
        ]
        rows.append(
            HistoryRow(
                at=record.at,
                action=record.get_action_display(),
                summary=record.summary,
                actor_email=record.actor_email,
                changes=changes,
                redacted=len(visible) < len(record.changes),
            )
        )
    return rows


def field_labels() -> dict[str, str]:
    """French labels of the fields that history rows name."""
    labels: dict[str, str] = {"custody": "garde", "contact": "contact", "document": "document",
                              "portal": "portail"}
    for model in (Household, Guardian, Child):
        for f in model._meta.get_fields():
            verbose = getattr(f, "verbose_name", None)
            if verbose:
                labels.setdefault(f.name, str(verbose))
    return labels


def households_for_link(*, child: Child, term: str) -> QuerySet[Household]:
    """Households a child could be linked to (not already its own)."""
    households = Household.objects.exclude(memberships__child=child)
    if term:
        households = households.filter(_term_filter(term, "", names=("name",)))
    return households.order_by("name")[:20]



def guardian_of_user(*, user: Any) -> Guardian | None:
    """The guardian row of a portal account, with its household; None when the account
    is anonymous or no guardian row is linked to it."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Guardian.objects.select_related("household").filter(user=user).first()


def guardian_household(*, user: Any) -> Household | None:
    """The household of a portal account, or None when no guardian row is linked to it."""
    guardian = guardian_of_user(user=user)
    return guardian.household if guardian else None


def guardian_household_or_404(*, user: Any) -> Household:
    """The household of a portal account; 404 when none is linked (pages that need it)."""
    household = guardian_household(user=user)
    if household is None:
        raise Http404
    return household
