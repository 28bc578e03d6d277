"""(f) Accounts live in their commune's schema: the same email in two communes is two
accounts, each with its own password; throttling is per commune too."""

import pytest
from django.conf import settings
from django.test import Client

from tenant_apps.accounts.models import Role
from tenant_apps.accounts.views import BAD_CREDENTIALS, THROTTLED
from tests.conftest import host_of, make_user
from tests.isolation.support import is_login_redirect, request, unique_email

pytestmark = pytest.mark.django_db

ALPHA_PASSWORD = "Alpha-Motdepasse-1"
BETA_PASSWORD = "Beta-Motdepasse-2"
LOGIN = {
    Role.ADMINISTRATOR: ("/gestion/connexion/", "/gestion/"),
    Role.GUARDIAN: ("/connexion/", "/"),
}


def _login(host: str, path: str, email: str, password: str, ip: str) -> tuple[Client, object]:
    client = Client(HTTP_HOST=host, REMOTE_ADDR=ip)
    return client, client.post(path, {"email": email, "password": password})


@pytest.fixture
def same_email_in_both(commune_alpha, commune_beta, request):  # type: ignore[no-untyped-def]
    role = getattr(request, "param", Role.ADMINISTRATOR)
    email = unique_email("double")
    make_user(commune_alpha, role=role, email=email, password=ALPHA_PASSWORD)
    make_user(commune_beta, role=role, email=email, password=BETA_PASSWORD)
    return role, email


@pytest.mark.parametrize("same_email_in_both", [Role.ADMINISTRATOR, Role.GUARDIAN],
                         indirect=True)
def test_each_commune_accepts_only_its_own_password(commune_alpha, commune_beta,
                                                    same_email_in_both):
    role, email = same_email_in_both
    login_path, home = LOGIN[role]
    alpha, beta = host_of(commune_alpha), host_of(commune_beta)

    _, wrong = _login(alpha, login_path, email, BETA_PASSWORD, "10.0.1.1")
    assert wrong.status_code == 400
    assert BAD_CREDENTIALS in wrong.content.decode()
    _, wrong = _login(beta, login_path, email, ALPHA_PASSWORD, "10.0.1.2")
    assert wrong.status_code == 400

    client, ok = _login(alpha, login_path, email, ALPHA_PASSWORD, "10.0.1.3")
    assert ok.status_code == 302 and ok["Location"] == home
    assert client.get(home).status_code == 200
    # The cookie of this real login is worth nothing on beta's host.
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert is_login_redirect(request("get", home, host=beta, session_key=key))

    _, ok = _login(beta, login_path, email, BETA_PASSWORD, "10.0.1.4")
    assert ok.status_code == 302 and ok["Location"] == home


def test_commune_account_cannot_sign_in_on_ops_host(commune_alpha):
    email = unique_email("alpha-admin")
    make_user(commune_alpha, role=Role.ADMINISTRATOR, email=email, password=ALPHA_PASSWORD)
    _, response = _login(settings.OPS_HOSTNAME, "/connexion/", email, ALPHA_PASSWORD,
                         "10.0.2.1")
    assert response.status_code == 400
    assert BAD_CREDENTIALS in response.content.decode()


def test_operator_cannot_sign_in_on_a_commune_host(commune_alpha):
    email = unique_email("operator")
    make_user(None, role=Role.OPERATOR, email=email, password=ALPHA_PASSWORD)
    for path in ("/gestion/connexion/", "/connexion/"):
        _, response = _login(host_of(commune_alpha), path, email, ALPHA_PASSWORD, "10.0.2.2")
        assert response.status_code == 400
        assert BAD_CREDENTIALS in response.content.decode()


def test_throttle_in_one_commune_does_not_lock_the_other(commune_alpha, commune_beta,
                                                         same_email_in_both):
    role, email = same_email_in_both
    login_path, home = LOGIN[role]
    alpha, beta = host_of(commune_alpha), host_of(commune_beta)
    for _ in range(settings.LOGIN_THROTTLE_MAX_FAILURES):
        _, response = _login(alpha, login_path, email, "Mauvais-1!", "10.0.3.1")
        assert response.status_code == 400
    _, locked = _login(alpha, login_path, email, ALPHA_PASSWORD, "10.0.3.1")
    assert locked.status_code == 429
    assert THROTTLED in locked.content.decode()

    _, ok = _login(beta, login_path, email, BETA_PASSWORD, "10.0.3.1")
    assert ok.status_code == 302 and ok["Location"] == home
