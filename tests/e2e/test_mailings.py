"""An agent writes a mailing to one class, previews it, confirms and follows its delivery."""

from collections.abc import Iterator
from datetime import date

import pytest
from playwright.sync_api import expect

from tenant_apps.accounts.models import Role
from tenant_apps.families.models import Household
from tenant_apps.mailings.models import Mailing
from tenant_apps.outbox.models import OutboxMessage
from tenant_apps.schooling.models import School, SchoolYear
from tests.conftest import inside, make_user
from tests.e2e.support import shoot, unique_email
from tests.mailings import builders as b

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

PASSWORD = "Gestion-Alpha-9!"
SUBJECT = "Sortie au musée jeudi"


@pytest.fixture
def classroom(commune_alpha) -> Iterator[dict[str, object]]:  # type: ignore[no-untyped-def]
    """Committed: an agent, a current-year class with three families (one without email)."""
    email = unique_email("agent")
    make_user(commune_alpha, role=Role.AGENT, email=email, password=PASSWORD)
    with inside(commune_alpha):
        year = SchoolYear.objects.filter(is_current=True).first()
        made_year = year is None
        if year is None:
            year = SchoolYear.objects.create(label="2098-2099", starts_on=date(2098, 9, 1),
                                             ends_on=date(2099, 7, 4), is_current=True)
        school = b.school("École du Port")
        cls = b.school_class(school, year, "CP de Mme Le Bihan")
        houses = [
            b.household("Martin", ("Claire", unique_email("claire")),
                        ("Hugo", unique_email("hugo"))),
            b.household("Durand", ("Luc", unique_email("luc"))),
            b.household("Petit", ("Anne", "")),
        ]
        for first, house in zip(("Léo", "Lina", "Zoé"), houses, strict=True):
            b.enrol(b.child(first, house), cls)
    yield {"email": email, "class": cls}
    with inside(commune_alpha):
        for mailing in Mailing.objects.filter(school_class=cls):
            OutboxMessage.objects.filter(
                idempotency_key__startswith=f"mailing:{mailing.pk}:").delete()
            mailing.delete()
        for house in houses:
            for membership in house.memberships.all():
                membership.child.delete()
        Household.objects.filter(pk__in=[h.pk for h in houses]).delete()
        cls.delete()
        School.objects.filter(pk=school.pk).delete()
        if made_year:
            year.delete()


def test_agent_sends_a_mailing_to_a_class(page, server, commune_alpha, classroom):
    page.goto(server.url("alpha", "/gestion/connexion/?next=/gestion/mailings/"))
    page.get_by_label("Courriel").fill(classroom["email"])
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Mailings", level=1)).to_be_visible()
    shoot(page, "mailings-list-before")

    page.get_by_role("link", name="Nouveau mailing").click()
    page.get_by_label("Objet").fill(SUBJECT)
    # The rich-text area replaces the textarea once the page's script has run; both are
    # named "Message", so wait for the area itself rather than race the script.
    editor = page.locator(".rte-area[role=textbox][aria-label=Message]")
    expect(editor).to_be_visible()
    editor.click()
    page.keyboard.type("Bonjour à toutes les familles,")
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Gras").click()
    page.keyboard.type("la classe part au musée jeudi à 9 h.")
    page.get_by_role("button", name="Gras").click()
    page.keyboard.press("Enter")
    page.keyboard.type("Prévoir un pique-nique. Merci !")
    page.get_by_label("Les familles d'une classe").check()
    page.get_by_label("Classe", exact=True).select_option(str(classroom["class"].pk))
    expect(page.locator("#audience-count")).to_contain_text("2 familles")
    shoot(page, "mailings-compose")

    page.get_by_role("button", name="Enregistrer et voir l'aperçu").click()
    expect(page.get_by_role("heading", name=f"Aperçu : {SUBJECT}")).to_be_visible()
    expect(page.locator(".email-body b")).to_have_text("la classe part au musée jeudi à 9 h.")
    expect(page.get_by_text("Anne Petit")).to_be_visible()
    shoot(page, "mailings-preview")

    page.get_by_role("link", name="Envoyer…").click()
    expect(page.get_by_role("heading", name="Envoyer ce mailing ?")).to_be_visible()
    shoot(page, "mailings-confirm")
    page.get_by_label("J'ai relu l'aperçu").check()
    page.get_by_role("button", name="Envoyer à 2 familles").click()
    expect(page.get_by_role("alert")).to_contain_text("Le mailing part")
    expect(page.get_by_role("heading", name="Envoi par destinataire")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Claire Martin")).to_contain_text("En attente")
    shoot(page, "mailings-detail")

    page.get_by_role("link", name="Mailings").first.click()
    expect(page.get_by_role("row").filter(has_text=SUBJECT)).to_contain_text("Envoyé")
    shoot(page, "mailings-list")
    with inside(commune_alpha):
        mailing = Mailing.objects.get(school_class=classroom["class"])
        assert mailing.recipients.count() == 3
        assert "<b>la classe part au musée jeudi à 9 h.</b>" in mailing.body_html
        assert "<p>Prévoir un pique-nique. Merci !</p>" in mailing.body_html
