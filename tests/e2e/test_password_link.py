"""A password link: the user picks a password, is told in French why a weak one is
refused, succeeds, can sign in, and the link is refused when used again."""

import pytest
from playwright.sync_api import expect

from tenant_apps.accounts.models import PasswordTokenPurpose, Role, User
from tenant_apps.accounts.services import password_token_issue
from tests.conftest import inside
from tests.e2e.support import shoot, unique_email

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

STRONG = "Cantine-2024!"


def test_password_link_sets_a_password_once(page, server, commune_alpha):
    email = unique_email("invite")
    with inside(commune_alpha):
        user = User.objects.create_user(email=email, role=Role.AGENT, full_name="Agent Invité")
        token = password_token_issue(user=user, purpose=PasswordTokenPurpose.INVITATION)
    link = server.url("alpha", f"/compte/mot-de-passe/{token}/")

    response = page.goto(link)
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", name="Créer mon mot de passe")).to_be_visible()
    expect(page.get_by_text(f"Compte : {email}")).to_be_visible()
    shoot(page, "password-link")

    page.get_by_label("Nouveau mot de passe").fill("motdepasselong")
    page.get_by_label("Confirmation").fill("motdepasselong")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text(
        "Le mot de passe doit contenir une majuscule, un chiffre, un caractère spécial."
    )).to_be_visible()
    shoot(page, "password-link-weak")

    page.get_by_label("Nouveau mot de passe").fill(STRONG)
    page.get_by_label("Confirmation").fill(STRONG)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", name="Mot de passe enregistré")).to_be_visible()
    shoot(page, "password-link-done")

    page.get_by_role("link", name="Se connecter").click()
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(STRONG)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(server.url("alpha", "/gestion/"))
    expect(page.get_by_role("heading", name="Tableau de bord", level=1)).to_be_visible()

    again = page.goto(link)
    assert again is not None and again.status == 410
    expect(page.get_by_role("heading", name="Ce lien n'est plus valide")).to_be_visible()
    shoot(page, "password-link-used")
    with inside(commune_alpha):
        assert User.objects.get(email=email).check_password(STRONG)
