"""A guardian signs in to the family portal and is welcomed by the commune's text."""

import re

import pytest
from playwright.sync_api import expect

from tenant_apps.accounts.models import Role
from tests.conftest import make_user
from tests.e2e.support import shoot, unique_email

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

PASSWORD = "Famille-Alpha-7?"


def test_guardian_signs_in_and_sees_welcome_text(page, server, commune_alpha):
    email = unique_email("parent")
    make_user(commune_alpha, role=Role.GUARDIAN, email=email, password=PASSWORD)

    page.goto(server.url("alpha", "/"))
    expect(page).to_have_url(re.compile(r"/connexion/\?next=/$"))
    expect(page.get_by_role("heading", name="Portail des familles")).to_be_visible()
    expect(page.get_by_text("Alphaville — cantine et périscolaire")).to_be_visible()
    shoot(page, "portal-login")

    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(server.url("alpha", "/"))
    expect(page.get_by_role("heading", name="Accueil", level=1)).to_be_visible()
    expect(page.get_by_text("Bienvenue sur le portail des familles de Alphaville.")).to_be_visible()
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_attached()
    shoot(page, "portal-home")
