"""Two families of alpha on the portal, an agent and an administrator."""

import pytest

from tenant_apps.accounts.models import Role, User
from tests.conftest import inside, make_user
from tests.family_portal.support import PortalFamily, portal_family


@pytest.fixture
def alpha_admin(commune_alpha) -> User:  # type: ignore[no-untyped-def]
    return make_user(commune_alpha, role=Role.ADMINISTRATOR)  # type: ignore[return-value]


@pytest.fixture
def alpha_agent(commune_alpha) -> User:  # type: ignore[no-untyped-def]
    return make_user(commune_alpha, role=Role.AGENT)  # type: ignore[return-value]


@pytest.fixture
def family(commune_alpha, alpha_admin) -> PortalFamily:  # type: ignore[no-untyped-def]
    with inside(commune_alpha):
        return portal_family(commune_alpha, alpha_admin)


@pytest.fixture
def other_family(commune_alpha, alpha_admin) -> PortalFamily:  # type: ignore[no-untyped-def]
    with inside(commune_alpha):
        return portal_family(commune_alpha, alpha_admin, last_name="Bodin")
