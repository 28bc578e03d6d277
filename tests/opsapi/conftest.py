import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from tests.conftest import make_user


@pytest.fixture
def operator():
    return make_user(None, role="operator", email="api-ops@example.test")


@pytest.fixture
def api(operator) -> Client:
    """A client on the ops host authenticated by token, as an integration would be."""
    token = Token.objects.create(user=operator)
    return Client(HTTP_HOST="ops.localhost", HTTP_AUTHORIZATION=f"Token {token.key}")
