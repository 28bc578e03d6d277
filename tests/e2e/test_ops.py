"""An operator signs in on the ops host and sees the fleet's communes."""

import pytest
from playwright.sync_api import expect

from tenant_apps.accounts.models import Role
from tests.conftest import make_user
from tests.e2e.support import shoot, unique_email

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

PASSWORD = "Operateur-Ops-5%"


def test_operator_signs_in_and_sees_the_communes(page, server, commune_alpha, commune_beta):
    email = unique_email("operator")
    make_user(None, role=Role.OPERATOR, email=email, password=PASSWORD)

    page.goto(server.url("ops", "/"))
    expect(page).to_have_url(server.url("ops", "/connexion/?next=/"))
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible()
    shoot(page, "ops-login")

    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    # The console is being redesigned: only ask that the communes are listed.
    expect(page.locator("main")).to_contain_text("Alphaville")
    expect(page.locator("main")).to_contain_text("Bétaville")
    assert "/connexion/" not in page.url
    shoot(page, "ops-communes")
