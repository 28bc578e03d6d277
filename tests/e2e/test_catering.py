"""An administrator declares a caterer; an agent reads today's order, its amendment and
the forecast. Screenshots of the caterers, form, orders and order pages."""

import uuid
from collections.abc import Iterator
from datetime import date, time, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tenant_apps.accounts.models import Role, User
from tenant_apps.bookings.models import Booking
from tenant_apps.catalog.models import Registration, Service
from tenant_apps.catering import services
from tenant_apps.catering.models import Caterer, CatererOrder
from tenant_apps.families.models import Child, ChildHousehold, Household
from tenant_apps.outbox.models import OutboxMessage
from tenant_apps.schooling.models import Enrolment, School, SchoolClass, SchoolYear
from tests.conftest import inside, make_user
from tests.e2e.support import shoot, unique_email

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]
PASSWORD = "Traiteur-Alpha-7!"
DIETS = ("standard", "standard", "sans_porc", "vegetarien", "sans_viande", "standard")


@pytest.fixture
def alpha_meals(commune_alpha) -> Iterator[dict[str, Any]]:  # type: ignore[no-untyped-def]
    tag = uuid.uuid4().hex[:4]
    email = unique_email("catering")
    make_user(commune_alpha, role=Role.ADMINISTRATOR, email=email, password=PASSWORD)
    today = timezone.localdate()
    with inside(commune_alpha):
        year = (SchoolYear.objects.filter(is_current=True).first()
                or SchoolYear.objects.filter(label="2026-2027").first())
        created_year = year is None
        if year is None:
            start = today.year if today.month >= 9 else today.year - 1
            year = SchoolYear.objects.create(label=f"{start}-{start + 1}",
                                             starts_on=date(start, 9, 1),
                                             ends_on=date(start + 1, 7, 4), is_current=True)
        school = School.objects.create(name=f"École des Dunes {tag}", kind="primaire")
        klass = SchoolClass.objects.create(school=school, school_year=year, name="CP-CE1")
        service = Service.objects.create(
            name=f"Repas enfant {tag}", kind="repas", weekdays=[1, 2, 3, 4, 5, 6, 7],
            calendar="school_days", book_until=time(8, 30), cancel_until=time(8, 30))
        households, kids = [], []
        for n, diet in enumerate(DIETS):
            household = Household.objects.create(name=f"Famille Kerbrat{n} {tag}")
            child = Child.objects.create(last_name=f"Kerbrat{n} {tag}", first_name=f"Enfant{n}",
                                         birth_date=date(2018, 5, 2), diet=diet,
                                         has_pai=n == 5)
            ChildHousehold.objects.create(child=child, household=household)
            Enrolment.objects.create(child=child, school_year=year, school_class=klass)
            Registration.objects.create(child=child, service=service, school_year=year,
                                        household=household)
            for d in range(7):
                Booking.objects.create(child=child, service=service, household=household,
                                       day=today + timedelta(days=d), state="booked")
            households.append(household)
            kids.append(child)
    yield {"email": email, "tag": tag, "school": school, "service": service, "kids": kids,
           "today": today}
    with inside(commune_alpha):
        caterers = Caterer.objects.filter(name__endswith=tag)
        orders = CatererOrder.objects.filter(caterer__in=caterers)
        keys = [f"catering:order:{o.pk}:" for o in orders]
        for order in orders:
            for version in order.versions.all():
                version.dispatches.all().delete()
                version.lines.all().delete()
            order.versions.all().delete()
        for key in keys:
            OutboxMessage.objects.filter(idempotency_key__startswith=key).delete()
        orders.delete()
        for caterer in caterers:
            caterer.site_links.all().delete()
        caterers.delete()
        Booking.objects.filter(service=service).delete()
        Registration.objects.filter(service=service).delete()
        Enrolment.objects.filter(school_class=klass).delete()
        Child.objects.filter(pk__in=[k.pk for k in kids]).delete()
        Household.objects.filter(pk__in=[h.pk for h in households]).delete()
        service.delete()
        klass.delete()
        school.delete()
        if created_year:
            year.delete()
        User.objects.filter(email=email).delete()


def test_caterer_then_orders_amendment_and_forecast(page, server, commune_alpha, alpha_meals):
    tag = alpha_meals["tag"]
    page.goto(server.url("alpha", "/gestion/connexion/"))
    page.get_by_label("Courriel").fill(alpha_meals["email"])
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    sections = page.get_by_role("navigation", name="Sections de la gestion")
    sections.get_by_role("link", name="Commandes de repas").click()
    expect(page.get_by_role("heading", name="Commandes de repas", level=1)).to_be_visible()
    page.get_by_role("link", name="Prestataires", exact=True).click()
    page.get_by_role("link", name="Nouveau prestataire").click()
    page.get_by_label("Nom du prestataire").fill(f"Restauval {tag}")
    page.get_by_role("button", name="Créer le prestataire").click()
    expect(page.get_by_role("alert")).to_contain_text("rien n'a été enregistré")
    page.get_by_label("Courriels des commandes").fill("commandes@restauval.example")
    page.get_by_label("Heure limite de commande").fill("09:30")
    page.get_by_label(alpha_meals["school"].name, exact=True).check()
    page.get_by_label(f"Repas adultes par jour à {alpha_meals['school'].name}").fill("2")
    page.get_by_label(alpha_meals["service"].name).check()
    shoot(page, "catering-caterer-form")
    page.get_by_role("button", name="Créer le prestataire").click()
    expect(page.get_by_role("alert")).to_contain_text(f"Prestataire « Restauval {tag} »")
    expect(page.get_by_role("row").filter(has_text=f"Restauval {tag}")).to_contain_text(
        "le jour même à 09:30")
    shoot(page, "catering-caterers")

    # Today's order goes out; then a child's diet changes: an amendment.
    with inside(commune_alpha):
        caterer = Caterer.objects.get(name=f"Restauval {tag}")
        order = services.caterer_order_compute(caterer=caterer, day=alpha_meals["today"]).order
        Child.objects.filter(pk=alpha_meals["kids"][0].pk).update(diet="sans_porc")
        services.caterer_order_compute(caterer=caterer, day=alpha_meals["today"])
    sections.get_by_role("link", name="Commandes de repas").click()
    expect(page.get_by_text("Rectificatif n° 1").first).to_be_visible()
    expect(page.get_by_role("heading", name="Prévisions des 7 prochains jours")).to_be_visible()
    shoot(page, "catering-orders")
    page.goto(server.url("alpha", f"/gestion/commandes-repas/{order.pk}/"))
    expect(page.get_by_role("heading", name="Modifications")).to_be_visible()
    shoot(page, "catering-order-detail")
