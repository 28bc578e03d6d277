"""Portal texts: administrators edit them with a live preview; portal pages show them."""

import pytest

from tenant_apps.accounts.models import Role
from tenant_apps.commune_settings.models import CommuneSettings
from tenant_apps.commune_settings.selectors import portal_help_text
from tests.conftest import host_of, inside, logged_in_client, make_user

pytestmark = pytest.mark.django_db

URL = "/gestion/parametres/portail/"


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "welcome_text": "Bienvenue !\n\n- Réservez avant **8 h 30**",
        "legal_notice": "## Éditeur\nMairie d'Alphaville",
        "privacy_notice": "Vos données restent à la mairie.",
        "help_documents": "Les menus sont publiés chaque *vendredi*.",
        "help_accueil": "",
    }
    data.update(overrides)
    return data


def test_administrator_edits_texts_and_portal_pages_show_them(commune_alpha):
    admin = make_user(commune_alpha, role=Role.ADMINISTRATOR)
    client = logged_in_client(commune_alpha, admin)
    page = client.get(URL)
    assert page.status_code == 200
    assert "Aperçu sur le portail" in page.content.decode()
    response = client.post(URL, _form())
    assert response.status_code == 302
    with inside(commune_alpha):
        row = CommuneSettings.objects.get()
        assert row.portal_help_texts == {"documents": "Les menus sont publiés chaque *vendredi*."}
        assert portal_help_text("documents") == "Les menus sont publiés chaque *vendredi*."
        assert portal_help_text("factures") == ""
        with pytest.raises(KeyError):
            portal_help_text("inconnue")

    guardian = make_user(commune_alpha, role=Role.GUARDIAN)
    portal = logged_in_client(commune_alpha, guardian)
    home = portal.get("/").content.decode()
    assert "<li>Réservez avant <strong>8 h 30</strong></li>" in home
    documents = portal.get("/documents/").content.decode()
    assert "Les menus sont publiés chaque <em>vendredi</em>." in documents
    assert "Mentions légales" in home  # footer link


def test_legal_notice_page_is_public(commune_alpha):
    with inside(commune_alpha):
        CommuneSettings.objects.update(legal_notice="## Éditeur\nMairie d'Alphaville",
                                       privacy_notice="Délégué : dpo@alpha.example")
    from django.test import Client

    response = Client(HTTP_HOST=host_of(commune_alpha)).get("/mentions-legales/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<h2 class="portal-text-heading">Éditeur</h2>' in body
    assert "Délégué : dpo@alpha.example" in body


def test_legal_notice_has_a_default_from_the_settings(commune_alpha):
    with inside(commune_alpha):
        CommuneSettings.objects.update(legal_notice="", privacy_notice="",
                                       email="cantine@alpha.example")
    from django.test import Client

    body = Client(HTTP_HOST=host_of(commune_alpha)).get("/mentions-legales/").content.decode()
    assert "Protection des données personnelles" in body and "cantine@alpha.example" in body


def test_preview_renders_and_escapes(commune_alpha):
    client = logged_in_client(commune_alpha, make_user(commune_alpha, role=Role.ADMINISTRATOR))
    response = client.post(f"{URL}apercu/", {
        "field": "help_documents",
        "help_documents": "**Menus** <script>alert(1)</script>",
    }, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<strong>Menus</strong>" in body
    assert "&lt;script&gt;" in body and "<script>" not in body
    assert "<html" not in body  # a fragment for htmx
    empty = client.post(f"{URL}apercu/", {"field": "legal_notice", "legal_notice": ""})
    assert "Texte vide" in empty.content.decode()
    assert client.post(f"{URL}apercu/", {"field": "display_name"}).status_code == 400
    assert client.get(f"{URL}apercu/").status_code == 405


def test_stored_html_is_escaped_on_the_portal(commune_alpha):
    client = logged_in_client(commune_alpha, make_user(commune_alpha, role=Role.ADMINISTRATOR))
    client.post(URL, _form(welcome_text='<img src=x onerror="alert(1)">Bonjour'))
    portal = logged_in_client(commune_alpha, make_user(commune_alpha, role=Role.GUARDIAN))
    home = portal.get("/").content.decode()
    assert "<img src=x" not in home and "&lt;img src=x" in home


def test_too_long_text_is_refused_and_nothing_saved(commune_alpha):
    client = logged_in_client(commune_alpha, make_user(commune_alpha, role=Role.ADMINISTRATOR))
    with inside(commune_alpha):
        before = CommuneSettings.objects.get().portal_welcome_text
    response = client.post(URL, _form(welcome_text="Nouveau", help_factures="x" * 20_001))
    assert response.status_code == 400
    body = response.content.decode()
    assert "Texte trop long : 20 000 caractères au plus." in body
    assert "rien n&#x27;a été modifié" in body
    with inside(commune_alpha):
        assert CommuneSettings.objects.get().portal_welcome_text == before


@pytest.mark.parametrize("role", [Role.AGENT, Role.READ_ONLY, Role.ANIMATEUR, Role.GUARDIAN])
def test_only_administrators_edit_portal_texts(commune_alpha, role):
    client = logged_in_client(commune_alpha, make_user(commune_alpha, role=role))
    with inside(commune_alpha):
        before = CommuneSettings.objects.get().portal_welcome_text
    assert client.get(URL).status_code == 403
    assert client.post(URL, _form(welcome_text="Piraté")).status_code == 403
    assert client.post(f"{URL}apercu/", {"field": "welcome_text"}).status_code == 403
    with inside(commune_alpha):
        assert CommuneSettings.objects.get().portal_welcome_text == before
