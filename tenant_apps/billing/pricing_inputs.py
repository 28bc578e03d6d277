"""What pricing needs from the database, loaded set-based for many households at once."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from tenant_apps.billing import pricing
from tenant_apps.billing.models import Tariff
from tenant_apps.billing.tariffs import rule_of
from tenant_apps.families.models import Child, ChildHousehold, Household


@dataclass(frozen=True)
class HouseholdFacts:
    quotient: int | None
    qf_from: date | None
    qf_until: date | None
    resident: bool

    def quotient_on(self, day: date) -> int | None:
        """The QF when it is valid on `day` (no validity dates: always valid)."""
        if self.quotient is None:
            return None
        if self.qf_from and day < self.qf_from:
            return None
        if self.qf_until and day > self.qf_until:
            return None
        return self.quotient


class PricingFacts:
    """Households, children (PAI, sibling rank) and tariffs for one computation."""

    def __init__(self, household_ids: Iterable[int], tariffs: Iterable[Tariff]) -> None:
        ids = list(set(household_ids))
        self.households = {
            h["id"]: HouseholdFacts(h["quotient_familial"], h["qf_valid_from"],
                                    h["qf_valid_until"], h["is_resident"])
            for h in Household.objects.filter(pk__in=ids).values(
                "id", "quotient_familial", "qf_valid_from", "qf_valid_until", "is_resident")
        }
        members: dict[int, list[tuple[date, int]]] = defaultdict(list)
        pai: set[int] = set()
        for row in ChildHousehold.objects.filter(household_id__in=ids).values(
            "household_id", "child_id", "child__birth_date", "child__has_pai"
        ):
            members[row["household_id"]].append((row["child__birth_date"], row["child_id"]))
            if row["child__has_pai"]:
                pai.add(row["child_id"])
        self.pai = pai
        # Rank 1 = eldest child of the household (ties broken by id).
        self.ranks = {
            (hid, child_id): rank
            for hid, kids in members.items()
            for rank, (_, child_id) in enumerate(sorted(kids), start=1)
        }
        self.tariffs: dict[int, list[tuple[Tariff, pricing.TariffRule]]] = defaultdict(list)
        for tariff in tariffs:
            self.tariffs[tariff.service_id].append((tariff, rule_of(tariff)))
        self._prices: dict[tuple[int, int | None, bool, bool, int], pricing.Price] = {}

    def tariff(self, service_id: int, day: date) -> tuple[Tariff, pricing.TariffRule] | None:
        for tariff, rule in self.tariffs.get(service_id, ()):
            if tariff.effective_from <= day and (
                tariff.effective_to is None or day <= tariff.effective_to
            ):
                return tariff, rule
        return None

    def who(self, household_id: int, child_id: int, day: date) -> pricing.Household:
        facts = self.households.get(household_id)
        return pricing.Household(
            quotient=facts.quotient_on(day) if facts else None,
            resident=facts.resident if facts else True,
            pai=child_id in self.pai,
            sibling_rank=self.ranks.get((household_id, child_id), 1),
        )

    def price(self, tariff: Tariff, rule: pricing.TariffRule,
              who: pricing.Household) -> pricing.Price:
        key = (tariff.pk, who.quotient, who.resident, who.pai, who.sibling_rank)
        if key not in self._prices:
            self._prices[key] = pricing.unit_price(rule, who)
        return self._prices[key]


def child_household_on(child: Child, service_id: int, day: date) -> int | None:
    """The household that would pay a booking of `child` (registration first)."""
    from tenant_apps.catalog.models import Registration

    registration = (
        Registration.objects.filter(child=child, service_id=service_id,
                                    school_year__starts_on__lte=day,
                                    school_year__ends_on__gte=day)
        .values_list("household_id", flat=True).first()
    )
    if registration:
        return registration
    return (ChildHousehold.objects.filter(child=child)
            .values_list("household_id", flat=True).first())
