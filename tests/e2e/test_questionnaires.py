"""An agent builds a two-question questionnaire and opens it; a parent answers it on the
portal (after a French error for a missing answer); the agent sees the answer."""

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tenant_apps.accounts.models import Role, User
from tenant_apps.families.models import Guardian, Household
from tenant_apps.questionnaires.models import Questionnaire
from tests.conftest import inside, make_user
from tests.e2e.support import DESKTOP, shoot, unique_email

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

AGENT_PASSWORD = "Gestion-Alpha-9!"
PARENT_PASSWORD = "Famille-Alpha-7?"
TITLE = "Reprise de l'école le 11 mai"


@dataclass
class People:
    agent_email: str
    parent_email: str
    household_name: str


@pytest.fixture
def people(commune_alpha) -> Iterator[People]:  # type: ignore[no-untyped-def]
    """A committed agent, and a household whose guardian has a portal login; removed
    afterwards with the questionnaire the test creates."""
    agent_email, parent_email = unique_email("agent"), unique_email("parent")
    make_user(commune_alpha, role=Role.AGENT, email=agent_email, password=AGENT_PASSWORD)
    parent = make_user(commune_alpha, role=Role.GUARDIAN, email=parent_email,
                       password=PARENT_PASSWORD)
    name = f"BERTHELOT Nolwenn {parent_email[11:15]}"
    with inside(commune_alpha):
        household = Household.objects.create(name=name)
        Guardian.objects.create(household=household, user=parent, last_name="BERTHELOT",
                                first_name="Nolwenn", email=parent_email)
    yield People(agent_email, parent_email, name)
    with inside(commune_alpha):
        Questionnaire.objects.filter(title=TITLE).delete()
        Household.objects.filter(pk=household.pk).delete()
        User.objects.filter(email__in=[agent_email, parent_email]).delete()


def _sign_in(page, url: str, email: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()


def test_agent_builds_questionnaire_parent_answers_agent_reads(page, browser, server,
                                                               commune_alpha, people):
    # The agent creates the questionnaire.
    _sign_in(page, server.url("alpha", "/gestion/questionnaires/"), people.agent_email,
             AGENT_PASSWORD)
    expect(page.get_by_role("heading", name="Questionnaires aux familles")).to_be_visible()
    page.get_by_role("link", name="Nouveau questionnaire").click()
    page.get_by_label("Titre").fill(TITLE)
    page.get_by_label("Introduction (facultative)").fill(
        "Afin d'organiser l'accueil, merci de nous indiquer si votre enfant reviendra.")
    shoot(page, "questionnaire-new")
    page.get_by_role("button", name="Créer et ajouter les questions").click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(page.get_by_text("Brouillon", exact=True)).to_be_visible()

    question_box = page.get_by_role("textbox", name="Question", exact=True)
    question_box.fill("Votre enfant reprendra-t-il l'école ?")
    page.get_by_label("Type de réponse").select_option(label="Oui / non")
    page.get_by_role("button", name="Ajouter la question").click()
    expect(page.get_by_role("alert")).to_have_text("Question ajoutée.")
    question_box.fill("Mangera-t-il à la cantine ?")
    page.get_by_label("Type de réponse").select_option(label="Choix unique")
    page.get_by_label("Choix proposés (un par ligne)").fill(
        "Tous les jours\nCertains jours\nJamais")
    page.get_by_role("button", name="Ajouter la question").click()
    expect(page.get_by_text("Choix unique : Tous les jours · Certains jours · Jamais")) \
        .to_be_visible()
    closes_on = timezone.localdate() + datetime.timedelta(days=7)
    page.get_by_label("Jusqu'au (inclus)").fill(closes_on.isoformat())
    page.get_by_label("Prévenir les familles concernées par courriel").uncheck()
    shoot(page, "questionnaire-builder")
    page.get_by_role("button", name="Ouvrir le questionnaire").click()
    expect(page.get_by_role("alert")).to_have_text("Questionnaire ouvert aux familles.")
    expect(page.get_by_text("Ouvert", exact=True)).to_be_visible()
    shoot(page, "questionnaire-open")

    # The parent answers on the portal.
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR")
    try:
        parent = context.new_page()
        _sign_in(parent, server.url("alpha", "/connexion/"), people.parent_email,
                 PARENT_PASSWORD)
        expect(parent.get_by_role("heading", name="Accueil", level=1)).to_be_visible()
        parent.get_by_role("link", name="Questionnaires").click()
        expect(parent.get_by_text("À compléter")).to_be_visible()
        shoot(parent, "portal-questionnaires-todo")
        parent.get_by_role("link", name=re.compile("^Répondre")).click()
        expect(parent.get_by_role("heading", name=TITLE)).to_be_visible()
        parent.get_by_text("Oui", exact=True).click()
        parent.get_by_role("button", name="Envoyer ma réponse").click()
        expect(parent.get_by_role("alert")).to_contain_text("1 question à corriger")
        expect(parent.get_by_text("Cette question est obligatoire.")).to_be_visible()
        shoot(parent, "portal-questionnaire-error")
        parent.get_by_label("Certains jours").check()
        parent.get_by_role("button", name="Envoyer ma réponse").click()
        expect(parent.get_by_role("alert")).to_contain_text("votre réponse est enregistrée")
        expect(parent.get_by_text("✓ Répondu")).to_be_visible()
        shoot(parent, "portal-questionnaires-done")
    finally:
        context.close()

    # The agent sees the answer.
    page.get_by_role("link", name="Voir le tableau des réponses").click()
    row = page.get_by_role("row", name=re.compile(people.household_name))
    expect(row).to_contain_text("Oui")
    expect(row).to_contain_text("Certains jours")
    expect(row).to_contain_text("Nolwenn BERTHELOT")
    expect(page.get_by_role("link", name="Exporter (Excel)")).to_be_visible()
    shoot(page, "questionnaire-answers")
