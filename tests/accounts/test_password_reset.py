""""Nouveau mot de passe" on the portal: the same answer for every address, one email
only for a known parent, throttled, and a link that works once and for 24 hours."""

from datetime import timedelta
from html import unescape

import pytest
from django.test import Client

from tenant_apps.accounts.models import PasswordToken, PasswordTokenPurpose, Role, User
from tests.accounts.support import (
    RESET_URL,
    SENT_URL,
    clock_moved,
    emails_to,
    link_path,
    request_reset,
)
from tests.conftest import host_of, inside, make_user

pytestmark = pytest.mark.django_db

STRONG = "Cantine-2024!"


def _client(commune) -> Client:  # type: ignore[no-untyped-def]
    return Client(HTTP_HOST=host_of(commune))


def test_login_page_offers_nouveau_mot_de_passe(commune_alpha):
    page = _client(commune_alpha).get("/connexion/").content.decode()
    assert f'href="{RESET_URL}"' in page and "Nouveau mot de passe" in page


def test_known_and_unknown_addresses_get_the_same_answer(commune_alpha):
    parent = make_user(commune_alpha, role=Role.GUARDIAN)
    client = _client(commune_alpha)

    known = request_reset(client, parent.email)
    unknown = request_reset(client, "personne-inconnue@example.test")

    assert (known.status_code, known["Location"], known.content) == (
        unknown.status_code, unknown["Location"], unknown.content,
    ) == (302, SENT_URL, b"")
    sent_page = client.get(SENT_URL).content.decode()
    assert "Si un compte existe pour cette adresse, un courriel vient de vous être envoyé" in (
        sent_page
    )
    assert len(emails_to(commune_alpha, parent.email)) == 1
    assert emails_to(commune_alpha, "personne-inconnue@example.test") == []


def test_the_email_is_french_names_the_commune_and_carries_a_working_link(commune_alpha):
    parent = make_user(commune_alpha, role=Role.GUARDIAN)
    client = _client(commune_alpha)
    request_reset(client, parent.email.upper())  # the address is matched case-insensitively

    [message] = emails_to(commune_alpha, parent.email)
    assert message.subject == "Alphaville : nouveau mot de passe"
    assert "portail des familles de Alphaville" in message.body_text
    assert "valable 24 heures" in message.body_text and "une seule fois" in message.body_text
    assert "http://alpha.localhost" in message.body_text  # the commune's own host
    page = client.get(link_path(message))
    assert page.status_code == 200
    assert "Créer mon mot de passe" in page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0")


def test_first_login_is_the_same_path(commune_alpha):
    """A parent the commune created without a password asks for one the same way."""
    with inside(commune_alpha):
        parent = User.objects.create_user(email="premiere@example.test", role=Role.GUARDIAN)
    request_reset(_client(commune_alpha), parent.email)
    [message] = emails_to(commune_alpha, parent.email)
    assert message.subject == "Alphaville : créez votre mot de passe"
    with inside(commune_alpha):
        assert PasswordToken.objects.get(user=parent).purpose == PasswordTokenPurpose.INVITATION


@pytest.mark.parametrize("kind", ["agent", "inactive parent"])
def test_accounts_the_portal_does_not_serve_get_nothing(commune_alpha, kind):
    user = make_user(commune_alpha, role=Role.AGENT if kind == "agent" else Role.GUARDIAN)
    if kind == "inactive parent":
        with inside(commune_alpha):
            User.objects.filter(pk=user.pk).update(is_active=False)
    response = request_reset(_client(commune_alpha), user.email)
    assert response.status_code == 302 and response["Location"] == SENT_URL
    assert emails_to(commune_alpha, user.email) == []


def test_bad_input_gets_a_french_message_not_an_error(commune_alpha):
    response = request_reset(_client(commune_alpha), "pas-une-adresse")
    assert response.status_code == 400
    assert "Cette adresse électronique n'est pas valide." in unescape(response.content.decode())


def test_one_address_is_not_flooded_and_the_answer_does_not_change(commune_alpha, settings):
    settings.PASSWORD_RESET_MAX_PER_EMAIL = 2
    parent = make_user(commune_alpha, role=Role.GUARDIAN)
    client = _client(commune_alpha)
    answers = {
        (r.status_code, r["Location"])
        for r in (request_reset(client, parent.email, ip=f"203.0.113.{i}") for i in range(4))
    }
    assert answers == {(302, SENT_URL)}
    assert len(emails_to(commune_alpha, parent.email)) == 2


def test_one_client_asking_too_often_is_told_in_french(commune_alpha, settings):
    settings.PASSWORD_RESET_MAX_PER_IP = 3
    client = _client(commune_alpha)
    for i in range(3):
        assert request_reset(client, f"x{i}@example.test", ip="192.0.2.50").status_code == 302
    parent = make_user(commune_alpha, role=Role.GUARDIAN)
    response = request_reset(client, parent.email, ip="192.0.2.50")
    assert response.status_code == 429
    assert "Trop de demandes de mot de passe" in response.content.decode()
    assert emails_to(commune_alpha, parent.email) == []
    # Another client is not affected.
    assert request_reset(client, parent.email, ip="192.0.2.51").status_code == 302
    assert len(emails_to(commune_alpha, parent.email)) == 1


def test_the_link_works_once(commune_alpha):
    parent = make_user(commune_alpha, role=Role.GUARDIAN)
    client = _client(commune_alpha)
    request_reset(client, parent.email)
    path = link_path(emails_to(commune_alpha, parent.email)[0])

    done = client.post(path, {"password1": STRONG, "password2": STRONG})
    assert done.status_code == 200 and "Mot de passe enregistré" in done.content.decode()
    again = client.post(path, {"password1": "Autre-2024!", "password2": "Autre-2024!"})
    assert again.status_code == 410
    assert client.get(path).status_code == 410
    with inside(commune_alpha):
        assert User.objects.get(pk=parent.pk).check_password(STRONG)


def test_a_new_request_voids_the_previous_link(commune_alpha):
    parent = make_user(commune_alpha, role=Role.GUARDIAN)
    client = _client(commune_alpha)
    request_reset(client, parent.email)
    request_reset(client, parent.email)
    first, second = (link_path(m) for m in emails_to(commune_alpha, parent.email))
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200


def test_the_link_lasts_24_hours(commune_alpha, monkeypatch):
    parent = make_user(commune_alpha, role=Role.GUARDIAN)
    client = _client(commune_alpha)
    request_reset(client, parent.email)
    path = link_path(emails_to(commune_alpha, parent.email)[0])

    with clock_moved(monkeypatch, timedelta(hours=23, minutes=59)):
        assert client.get(path).status_code == 200
    with clock_moved(monkeypatch, timedelta(hours=24, seconds=1)):
        assert client.get(path).status_code == 410
        late = client.post(path, {"password1": STRONG, "password2": STRONG})
        assert late.status_code == 410
    with inside(commune_alpha):
        assert User.objects.get(pk=parent.pk).check_password("Motdepasse-1")


@pytest.mark.parametrize(
    ("password1", "password2", "message"),
    [
        ("Court-1", "Court-1", "Ce mot de passe est trop court."),
        ("motdepasselong", "motdepasselong", "une majuscule, un chiffre, un caractère spécial"),
        (STRONG, STRONG + "x", "Les deux mots de passe ne sont pas identiques."),
    ],
)
def test_the_server_revalidates_whatever_the_page_sends(commune_alpha, password1, password2,
                                                        message):
    parent = make_user(commune_alpha, role=Role.GUARDIAN)
    client = _client(commune_alpha)
    request_reset(client, parent.email)
    path = link_path(emails_to(commune_alpha, parent.email)[0])
    response = client.post(path, {"password1": password1, "password2": password2})
    assert response.status_code == 400
    assert message in unescape(response.content.decode())
    assert client.get(path).status_code == 200  # a refused password does not burn the link


def test_a_changed_password_is_told_to_its_owner_and_unlocks_login(commune_alpha, settings):
    settings.LOGIN_THROTTLE_MAX_FAILURES = 2
    parent = make_user(commune_alpha, role=Role.GUARDIAN)
    # Its own client address: other tests' failures count against 127.0.0.1.
    client = Client(HTTP_HOST=host_of(commune_alpha), REMOTE_ADDR="203.0.113.200")
    for _ in range(2):
        client.post("/connexion/", {"email": parent.email, "password": "faux"})
    assert client.post("/connexion/", {"email": parent.email,
                                       "password": "Motdepasse-1"}).status_code == 429

    request_reset(client, parent.email)
    client.post(link_path(emails_to(commune_alpha, parent.email)[0]),
                {"password1": STRONG, "password2": STRONG})

    notice = emails_to(commune_alpha, parent.email)[-1]
    assert notice.subject == "Alphaville : votre mot de passe a été modifié"
    assert "Si ce n'est pas vous" in notice.body_text
    response = client.post("/connexion/", {"email": parent.email, "password": STRONG})
    assert response.status_code == 302


def test_first_password_sends_no_change_notice(commune_alpha):
    with inside(commune_alpha):
        parent = User.objects.create_user(email="sans-avis@example.test", role=Role.GUARDIAN)
    client = _client(commune_alpha)
    request_reset(client, parent.email)
    client.post(link_path(emails_to(commune_alpha, parent.email)[0]),
                {"password1": STRONG, "password2": STRONG})
    assert len(emails_to(commune_alpha, parent.email)) == 1
