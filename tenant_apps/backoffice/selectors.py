"""Reads of the dashboard: a handful of queries whatever the size of the commune."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q

from tenant_apps.catalog.models import Service
from tenant_apps.catalog.selectors import ServiceDayFigure, registered_on
from tenant_apps.families.models import Child, Household
from tenant_apps.schooling.models import SchoolYear
from tenant_apps.schooling.selectors import school_year_current


@dataclass(frozen=True)
class DashboardFigures:
    day: date
    school_year: SchoolYear | None
    households: int
    children: int
    services_total: int
    services_today: list[ServiceDayFigure]

    @property
    def registered_today(self) -> int:
        return sum(f.total for f in self.services_today)


def dashboard_figures(*, day: date) -> DashboardFigures:
    """Today's services and their registered children, and the size of the commune."""
    year = school_year_current()
    services = Service.objects.aggregate(n=Count("pk", filter=Q(active=True)))["n"]
    return DashboardFigures(
        day=day,
        school_year=year,
        households=Household.objects.count(),
        children=Child.objects.count(),
        services_total=services,
        services_today=registered_on(day=day, school_year=year) if services else [],
    )
