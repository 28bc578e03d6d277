"""An agent publishes a menu for every family; a parent finds it in "Mes documents" with
the commune's help text; an administrator edits that help text with a live preview."""

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tenant_apps.accounts.models import Role, User
from tenant_apps.commune_settings.models import CommuneSettings
from tenant_apps.families.models import Guardian, Household
from tenant_apps.publications.models import Publication
from tests.conftest import inside, make_user
from tests.e2e.support import DESKTOP, shoot, unique_email

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

PASSWORD = "Gestion-Alpha-9!"
TITLE = "Menus de la semaine du 2 juin"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def accounts(commune_alpha) -> Iterator[tuple[str, str]]:  # type: ignore[no-untyped-def]
    admin, parent_email = unique_email("admin"), unique_email("parent")
    make_user(commune_alpha, role=Role.ADMINISTRATOR, email=admin, password=PASSWORD)
    parent = make_user(commune_alpha, role=Role.GUARDIAN, email=parent_email, password=PASSWORD)
    with inside(commune_alpha):
        saved = CommuneSettings.objects.get().portal_help_texts
        household = Household.objects.create(name="RIOU Maël")
        Guardian.objects.create(household=household, user=parent, last_name="RIOU",
                                first_name="Maël", email=parent_email)
    yield admin, parent_email
    with inside(commune_alpha):
        CommuneSettings.objects.update(portal_help_texts=saved)
        Publication.objects.filter(title=TITLE).delete()
        household.delete()
        User.objects.filter(email__in=[admin, parent_email]).delete()


def _sign_in(page, url: str, email: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    page.get_by_label("Courriel").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_publish_document_edit_help_and_parent_downloads(page, browser, server, accounts,
                                                         tmp_path):
    admin, parent_email = accounts
    _sign_in(page, server.url("alpha", "/gestion/parametres/portail/"), admin)
    expect(page.get_by_role("heading", name="Textes du portail des familles")).to_be_visible()
    help_box = page.get_by_label("Aide de la page « Mes documents »")
    help_box.fill("Les menus sont publiés **chaque vendredi**.\n- PDF à imprimer")
    preview = page.locator("#apercu-help_documents")
    expect(preview.locator("strong")).to_have_text("chaque vendredi")
    shoot(page, "portal-texts")
    page.get_by_role("button", name="Enregistrer les textes").click()
    expect(page.get_by_role("alert")).to_have_text("Textes du portail enregistrés.")

    pdf = tmp_path / "menus-juin.pdf"
    pdf.write_bytes(PDF)
    page.goto(server.url("alpha", "/gestion/documents/nouveau/"))
    page.get_by_label("Titre").fill(TITLE)
    page.get_by_label("Fichier (PDF, JPEG ou PNG, 10 Mo au plus)").set_input_files(str(pdf))
    page.get_by_label("Description (facultative)").fill("Restaurant scolaire des Tilleuls")
    shoot(page, "documents-new")
    page.get_by_role("button", name="Publier", exact=True).click()
    expect(page.get_by_role("alert")).to_contain_text("publié")
    expect(page.get_by_role("row", name=re.compile(TITLE))).to_contain_text("En ligne")
    shoot(page, "documents-list")

    context = browser.new_context(viewport=DESKTOP, locale="fr-FR")
    try:
        parent = context.new_page()
        _sign_in(parent, server.url("alpha", "/connexion/"), parent_email)
        parent.get_by_role("link", name="Mes documents", exact=True).click()
        expect(parent.get_by_text("chaque vendredi")).to_be_visible()
        card = parent.get_by_role("listitem").filter(has_text=TITLE)
        expect(card).to_contain_text("Restaurant scolaire des Tilleuls")
        shoot(parent, "portal-documents")
        link = card.get_by_role("link", name=re.compile("^Télécharger"))
        href = link.get_attribute("href")
        assert href and re.fullmatch(r"/documents/\d+/", href)
        status, size, kind = parent.evaluate(
            "async (u) => { const r = await fetch(u); const b = await r.arrayBuffer();"
            " return [r.status, b.byteLength, r.headers.get('content-type')]; }", href)
        assert (status, size, kind) == (200, len(PDF), "application/pdf")
        parent.goto(server.url("alpha", "/mentions-legales/"))
        expect(parent.get_by_role("heading", name="Mentions légales", level=1)).to_be_visible()
        shoot(parent, "portal-legal-notice")
    finally:
        context.close()
