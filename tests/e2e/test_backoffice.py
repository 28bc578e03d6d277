"""An agent signs in to the back office, fixes a typo in the password, then changes the
commune's phone and colour and sees the navbar take the new colour."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tenant_apps.accounts.models import Role
from tenant_apps.commune_settings.selectors import commune_settings_get
from tests.conftest import inside, make_user
from tests.e2e.support import shoot, unique_email

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

PASSWORD = "Gestion-Alpha-9!"
NEW_PHONE = "02 96 00 11 22"
NEW_COLOUR = "#aa3300"


@pytest.fixture
def alpha_admin(commune_alpha) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A committed administrator of alpha; alpha's settings are put back afterwards."""
    email = unique_email("admin")
    make_user(commune_alpha, role=Role.ADMINISTRATOR, email=email, password=PASSWORD)
    with inside(commune_alpha):
        saved = commune_settings_get()
        phone, colour = saved.phone, saved.brand_colour
    yield email
    with inside(commune_alpha):
        row = commune_settings_get()
        row.phone, row.brand_colour = phone, colour
        row.save(update_fields=["phone", "brand_colour"])


def test_agent_signs_in_and_changes_settings(page, server, commune_alpha, commune_beta,
                                             alpha_admin):
    page.goto(server.url("alpha", "/gestion/"))
    expect(page).to_have_url(re.compile(r"/gestion/connexion/\?next=/gestion/$"))
    expect(page.get_by_role("heading", name="Alphaville")).to_be_visible()
    expect(page.get_by_text("Espace de gestion réservé aux agents")).to_be_visible()

    page.get_by_label("Courriel").fill(alpha_admin)
    page.get_by_label("Mot de passe").fill("Mauvais-Motdepasse-1")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_have_text("Courriel ou mot de passe incorrect.")
    expect(page.get_by_label("Courriel")).to_have_value(alpha_admin)
    shoot(page, "backoffice-login-error")

    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(server.url("alpha", "/gestion/"))
    expect(page.get_by_role("heading", name="Tableau de bord", level=1)).to_be_visible()
    account_bar = page.get_by_role("navigation", name="Commune et compte")
    expect(account_bar).to_contain_text("Alphaville · Gestion")
    shoot(page, "backoffice-dashboard")

    account_bar.get_by_role("button", name="Administrateur").click()
    account_bar.get_by_role("link", name="Paramètres de la commune").click()
    expect(page.get_by_role("heading", name="Paramètres de la commune")).to_be_visible()
    shoot(page, "backoffice-settings")
    page.get_by_label("Téléphone").fill(NEW_PHONE)
    page.get_by_label("Couleur principale").fill(NEW_COLOUR)
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_role("alert")).to_have_text("Paramètres enregistrés.")
    expect(page.get_by_label("Téléphone")).to_have_value(NEW_PHONE)
    expect(page.locator("nav.navbar-brand-commune")).to_have_css(
        "background-color", "rgb(170, 51, 0)"
    )
    shoot(page, "backoffice-settings-saved")

    # Saved in alpha's schema, and only there.
    with inside(commune_alpha):
        row = commune_settings_get()
        assert (row.phone, row.brand_colour) == (NEW_PHONE, NEW_COLOUR)
    with inside(commune_beta):
        assert commune_settings_get().brand_colour != NEW_COLOUR
