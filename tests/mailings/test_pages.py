"""Mailing pages: compose, preview, confirmation, send; who may do what; bad input."""

import pytest

from tenant_apps.accounts.models import Role
from tenant_apps.mailings.models import Mailing, MailingStatus
from tenant_apps.outbox.models import OutboxMessage
from tests.conftest import inside, logged_in_client, make_user
from tests.mailings import builders as b

pytestmark = pytest.mark.django_db


@pytest.fixture
def cls(commune_alpha):
    with inside(commune_alpha):
        cls = b.school_class(b.school(), b.current_year(), "CM1")
        b.enrol(b.child("Léa", b.household("Bernard", ("Sophie", "sophie@exemple.fr"))), cls)
        b.enrol(b.child("Noé", b.household("Roux", ("Marc", "marc@exemple.fr"), ("Lou", "")))
                , cls)
        return cls


def _client(commune, role):
    return logged_in_client(commune, make_user(commune, role=role))


def _compose(client, cls, **extra):
    data = {"subject": "Kermesse", "body_html": "<p>Samedi <b>14 h</b>"
            '<img src=x onerror="alert(1)"></p>', "audience_kind": "class",
            "school_class": cls.pk, **extra}
    return client.post("/gestion/mailings/nouveau/", data)


def test_agent_composes_previews_confirms_and_sends(commune_alpha, cls):
    client = _client(commune_alpha, Role.AGENT)
    response = _compose(client, cls)
    assert response.status_code == 302
    with inside(commune_alpha):
        mailing = Mailing.objects.get(subject="Kermesse")
        assert mailing.body_html == "<p>Samedi <b>14 h</b></p>"
    preview = client.get(f"/gestion/mailings/{mailing.pk}/").content.decode()
    assert "2 familles" in preview and "2 courriels à envoyer" in preview
    assert "sophie@exemple.fr" in preview and "Lou Roux" in preview and "pas de courriel" in preview

    confirm = client.get(f"/gestion/mailings/{mailing.pk}/envoyer/").content.decode()
    assert "Envoyer à 2 familles" in confirm
    refused = client.post(f"/gestion/mailings/{mailing.pk}/envoyer/", {})
    assert refused.status_code == 400
    assert "Cochez la case de confirmation" in refused.content.decode()
    with inside(commune_alpha):
        assert not OutboxMessage.objects.filter(
            idempotency_key__startswith=f"mailing:{mailing.pk}:").exists()

    for _ in range(2):  # a double click
        sent = client.post(f"/gestion/mailings/{mailing.pk}/envoyer/", {"confirm": "oui"})
        assert sent.status_code == 302
    with inside(commune_alpha):
        assert OutboxMessage.objects.filter(
            idempotency_key__startswith=f"mailing:{mailing.pk}:").count() == 2
        assert Mailing.objects.get(pk=mailing.pk).status == MailingStatus.SENT
    detail = client.get(f"/gestion/mailings/{mailing.pk}/").content.decode()
    assert "Envoi par destinataire" in detail and "marc@exemple.fr" in detail
    listing = client.get("/gestion/mailings/").content.decode()
    assert "Kermesse" in listing and "Envoyé" in listing


@pytest.mark.parametrize("data, error", [
    ({"subject": ""}, "Ce champ est obligatoire."),
    ({"body_html": "<p><br></p><script>x()</script>"}, "Écrivez le message."),
    ({"audience_kind": "class", "school_class": ""}, "Choisissez la classe."),
    ({"audience_kind": "service", "service": "999999"}, "Ce choix n&#x27;est pas valable"),
    ({"audience_kind": "planète"}, "Ce choix n&#x27;est pas valable"),
])
def test_bad_input_answers_400_in_french_and_saves_nothing(commune_alpha, cls, data, error):
    client = _client(commune_alpha, Role.AGENT)
    with inside(commune_alpha):
        before = Mailing.objects.count()
    response = _compose(client, cls, **data)
    assert response.status_code == 400
    body = response.content.decode()
    assert error in body and "Le mailing n&#x27;est pas enregistré" in body
    with inside(commune_alpha):
        assert Mailing.objects.count() == before


@pytest.mark.parametrize("role", [Role.READ_ONLY, Role.ANIMATEUR, Role.REGISSEUR])
def test_only_editors_write_others_read(commune_alpha, cls, role):
    editor = _client(commune_alpha, Role.ADMINISTRATOR)
    _compose(editor, cls)
    with inside(commune_alpha):
        mailing = Mailing.objects.filter(subject="Kermesse").latest("pk")
    client = _client(commune_alpha, role)
    assert client.get("/gestion/mailings/").status_code == 200
    assert client.get(f"/gestion/mailings/{mailing.pk}/").status_code == 200
    assert "Nouveau mailing" not in client.get("/gestion/mailings/").content.decode()
    assert _compose(client, cls).status_code == 403
    for path in ("envoyer/", "modifier/", "supprimer/"):
        assert client.post(f"/gestion/mailings/{mailing.pk}/{path}",
                           {"confirm": "oui"}).status_code == 403
    with inside(commune_alpha):
        assert Mailing.objects.get(pk=mailing.pk).status == MailingStatus.DRAFT
        assert Mailing.objects.filter(subject="Kermesse").count() == 1


def test_guardians_cannot_open_the_back_office_mailings(commune_alpha):
    client = _client(commune_alpha, Role.GUARDIAN)
    assert client.get("/gestion/mailings/").status_code == 403


def test_live_audience_count_and_draft_edit(commune_alpha, cls):
    client = _client(commune_alpha, Role.AGENT)
    count = client.get("/gestion/mailings/destinataires/",
                       {"audience_kind": "class", "school_class": cls.pk})
    assert "2 familles" in count.content.decode()
    _compose(client, cls)
    with inside(commune_alpha):
        mailing = Mailing.objects.get(subject="Kermesse")
    assert client.get(f"/gestion/mailings/{mailing.pk}/modifier/").status_code == 200
    response = client.post(f"/gestion/mailings/{mailing.pk}/modifier/",
                           {"subject": "Kermesse (nouvel horaire)", "body_html": "<p>15 h</p>",
                            "audience_kind": "all"})
    assert response.status_code == 302
    with inside(commune_alpha):
        mailing.refresh_from_db()
        assert (mailing.subject, mailing.audience_kind, mailing.school_class) == (
            "Kermesse (nouvel horaire)", "all", None)
    assert client.post(f"/gestion/mailings/{mailing.pk}/supprimer/").status_code == 302
    with inside(commune_alpha):
        assert not Mailing.objects.filter(pk=mailing.pk).exists()
