"""A parent writes to "Service enfance" on the portal; an agent replies in the back
office; the parent sees the reply. Screenshots of every messaging page."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tenant_apps.accounts.models import Role
from tenant_apps.families.models import Guardian, Household
from tenant_apps.messaging.models import Conversation, MessageBox
from tests.conftest import inside, make_user
from tests.e2e.support import DESKTOP, shoot, unique_email

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

PASSWORD = "Famille-Alpha-7?"
SUBJECT = "Attestation fiscale"


@pytest.fixture
def people(commune_alpha) -> Iterator[dict[str, str]]:  # type: ignore[no-untyped-def]
    """Committed: a guardian with a portal account, an agent, the "Service enfance" box."""
    parent_email, agent_email = unique_email("parent"), unique_email("agent")
    parent = make_user(commune_alpha, role=Role.GUARDIAN, email=parent_email, password=PASSWORD)
    make_user(commune_alpha, role=Role.AGENT, email=agent_email, password=PASSWORD)
    with inside(commune_alpha):
        box, created = MessageBox.objects.get_or_create(
            name="Service enfance", defaults={"description": "Inscriptions, attestations, "
                                                             "périscolaire"})
        household = Household.objects.create(name=f"ALAIN {parent_email[9:17]}")
        Guardian.objects.create(household=household, user=parent, first_name="Marie",
                                last_name="Alain", email=parent_email)
    yield {"parent": parent_email, "agent": agent_email}
    with inside(commune_alpha):
        Conversation.objects.filter(household=household).delete()
        household.delete()
        if created:
            box.delete()


def _sign_in(page, url: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_parent_writes_agent_replies_parent_reads(page, browser, server, commune_alpha, people):
    # The parent writes to the Service enfance.
    _sign_in(page, server.url("alpha", "/connexion/?next=/messagerie/"), people["parent"])
    expect(page.get_by_role("heading", name="Messagerie", level=1)).to_be_visible()
    expect(page.get_by_text("Vous n'avez pas encore de conversation.")).to_be_visible()
    shoot(page, "messaging-portal-empty")
    page.get_by_role("link", name="Service enfance").click()
    expect(page.get_by_role("heading", name="Nouveau message")).to_be_visible()
    expect(page.get_by_label("Service enfance")).to_be_checked()
    page.get_by_role("button", name="Envoyer").click()  # nothing written yet
    expect(page.get_by_text("Indiquez l'objet de votre message.")).to_be_visible()
    shoot(page, "messaging-portal-new-error")
    page.get_by_label("Objet").fill(SUBJECT)
    page.get_by_label("Votre message").fill(
        "Bonjour Madame, pouvez-vous me transmettre une attestation fiscale pour 2025 ?\n"
        "Merci. Bien cordialement.\nLa maman de Théo")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.get_by_role("alert")).to_contain_text("Votre message est envoyé.")
    expect(page.get_by_role("heading", name=SUBJECT)).to_be_visible()
    shoot(page, "messaging-portal-sent")

    # An agent finds it unread in the back office and replies.
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR")
    agent = context.new_page()
    try:
        _sign_in(agent, server.url("alpha", "/gestion/connexion/?next=/gestion/messagerie/"),
                 people["agent"])
        expect(agent.get_by_role("heading", name="Messagerie", level=1)).to_be_visible()
        row = agent.get_by_role("row").filter(has_text=SUBJECT)
        expect(row).to_contain_text("Non lue")
        shoot(agent, "messaging-backoffice-inbox")
        row.get_by_role("link", name=SUBJECT).click()
        expect(agent.get_by_text("La maman de Théo")).to_be_visible()
        shoot(agent, "messaging-backoffice-conversation")
        agent.get_by_label("Répondre à la famille").fill(
            "Bonjour Madame Alain,\nl'attestation fiscale 2025 est disponible dans Mes documents.\n"
            "Bonne journée.")
        agent.get_by_role("button", name="Envoyer la réponse").click()
        expect(agent.get_by_role("alert")).to_contain_text("Réponse envoyée")
        expect(agent.get_by_text("Traitée", exact=True)).to_be_visible()
        shoot(agent, "messaging-backoffice-replied")
        agent.goto(server.url("alpha", "/gestion/messagerie/services/"))
        shoot(agent, "messaging-backoffice-services")
    finally:
        context.close()

    # The parent sees the reply.
    page.goto(server.url("alpha", "/messagerie/"))
    conversation = page.get_by_role("link").filter(has_text=SUBJECT)
    expect(conversation).to_contain_text("Nouvelle réponse")
    shoot(page, "messaging-portal-list")
    conversation.click()
    expect(page.get_by_text("est disponible dans Mes documents")).to_be_visible()
    shoot(page, "messaging-portal-conversation")
    page.goto(server.url("alpha", "/messagerie/"))
    expect(page.get_by_role("link").filter(has_text=SUBJECT)).not_to_contain_text(
        "Nouvelle réponse")
