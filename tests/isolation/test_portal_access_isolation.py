"""Portal access across communes: a password link, a "Nouveau mot de passe" request and
its throttle never reach another commune's accounts."""

import pytest
from django.test import Client

from tenant_apps.accounts.models import PasswordTokenPurpose, Role, User
from tenant_apps.accounts.services import password_token_issue
from tests.conftest import host_of, inside, make_user
from tests.isolation.support import nothing_changes, unique_email

pytestmark = pytest.mark.django_db

RESET = "/compte/nouveau-mot-de-passe/"
SENT = "/compte/nouveau-mot-de-passe/envoye/"
NEW = "Autre-Commune-9!"


def test_alpha_link_opens_nothing_on_beta(commune_alpha, commune_beta):
    parent = make_user(commune_alpha, role=Role.GUARDIAN, email=unique_email("alpha-parent"))
    with inside(commune_alpha):
        token = password_token_issue(user=parent, purpose=PasswordTokenPurpose.RESET)
    path = f"/compte/mot-de-passe/{token}/"
    beta = Client(HTTP_HOST=host_of(commune_beta))

    with nothing_changes(commune_alpha.schema_name, commune_beta.schema_name, "public"):
        assert beta.get(path).status_code == 410
        assert beta.post(path, {"password1": NEW, "password2": NEW}).status_code == 410

    # At home the link still works: the attempt on beta burnt nothing.
    assert Client(HTTP_HOST=host_of(commune_alpha)).get(path).status_code == 200
    with inside(commune_alpha):
        assert not User.objects.get(pk=parent.pk).check_password(NEW)


def test_a_request_on_beta_never_emails_an_alpha_parent(commune_alpha, commune_beta):
    email = unique_email("alpha-only")
    make_user(commune_alpha, role=Role.GUARDIAN, email=email)
    with nothing_changes(commune_alpha.schema_name, commune_beta.schema_name, "public"):
        response = Client(HTTP_HOST=host_of(commune_beta)).post(RESET, {"email": email})
    assert response.status_code == 302 and response["Location"] == SENT


def test_throttle_counters_belong_to_one_commune(commune_alpha, commune_beta, settings):
    settings.PASSWORD_RESET_MAX_PER_IP = 2
    ip = "198.51.100.99"
    alpha = Client(HTTP_HOST=host_of(commune_alpha), REMOTE_ADDR=ip)
    for i in range(2):
        alpha.post(RESET, {"email": f"n{i}@example.test"})
    assert alpha.post(RESET, {"email": "n@example.test"}).status_code == 429
    beta = Client(HTTP_HOST=host_of(commune_beta), REMOTE_ADDR=ip)
    assert beta.post(RESET, {"email": "n@example.test"}).status_code == 302
