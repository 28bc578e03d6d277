"""A real PayFiP simulator process for the whole session; each test gets it reset, and
the application pointed at it (settings), with PayFiP enabled in commune alpha."""

from collections.abc import Iterator

import pytest

from tests.conftest import inside
from tests.payments.support import Simulator, enable_payfip, simulator_process


@pytest.fixture(scope="session")
def payfip_simulator() -> Iterator[Simulator]:
    with simulator_process() as simulator:
        yield simulator


@pytest.fixture
def simulator(payfip_simulator, settings) -> Simulator:  # type: ignore[no-untyped-def]
    payfip_simulator.reset()
    settings.PAYFIP_WS_URL = payfip_simulator.ws_url
    settings.PAYFIP_PAYMENT_URL = payfip_simulator.page_url
    settings.PAYFIP_TIMEOUT_S = 3
    return payfip_simulator


@pytest.fixture
def alpha_payfip(commune_alpha, simulator, db):  # type: ignore[no-untyped-def]
    """Commune alpha with PayFiP enabled (rolled back after the test)."""
    with inside(commune_alpha):
        enable_payfip()
    return commune_alpha
