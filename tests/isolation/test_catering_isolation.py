"""Caterer orders: another commune's caterer or order is a 404 and nothing changes; a
tick of one commune never reads or writes another's orders or job runs."""

from datetime import UTC, datetime

import pytest

from shared_apps.jobs.models import JobRun
from tenant_apps.catering import services
from tenant_apps.catering.models import CatererOrder, CatererOrderDispatch
from tenant_apps.catering.scheduling import catering_tick
from tests.catering import support
from tests.catering.support import MONDAY
from tests.conftest import inside, logged_in_client, make_user

pytestmark = pytest.mark.django_db
AT_CUTOFF = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


@pytest.fixture
def beta_order(commune_beta):
    with inside(commune_beta):
        s = support.setting()
        caterer = support.caterer(schools=[s["school"]], services=[s["service"]])
        support.book(support.child_at(s["klass"], s["service"]), s["service"], MONDAY)
        order = services.caterer_order_compute(caterer=caterer, day=MONDAY,
                                               now=AT_CUTOFF).order
        return order


def test_another_communes_order_and_caterer_are_404_and_unchanged(
        commune_alpha, commune_beta, beta_order):
    admin = logged_in_client(commune_alpha, make_user(commune_alpha, role="administrator"))
    with inside(commune_alpha):
        alpha_ids = set(CatererOrder.objects.values_list("pk", flat=True))
    if beta_order.pk in alpha_ids:
        pytest.skip("same id in both communes: the paths below would be alpha's own")
    base = f"/gestion/commandes-repas/{beta_order.pk}/"
    assert admin.get(base).status_code == 404
    assert admin.post(base + "renvoyer/").status_code == 404
    assert admin.post(base + "verifier/").status_code == 404
    edit = f"/gestion/commandes-repas/prestataires/{beta_order.caterer_id}/modifier/"
    with inside(commune_alpha):
        alpha_has_it = support.Caterer.objects.filter(pk=beta_order.caterer_id).exists()
    if not alpha_has_it:
        assert admin.get(edit).status_code == 404
        assert admin.post(edit, {"name": "Piraté"}).status_code == 404
    with inside(commune_beta):
        assert CatererOrderDispatch.objects.filter(version__order=beta_order).count() == 1
        assert beta_order.caterer.__class__.objects.get(pk=beta_order.caterer_id).name != "Piraté"


def test_a_tick_of_one_commune_touches_only_its_own_orders_and_runs(
        commune_alpha, commune_beta, beta_order):
    with inside(commune_alpha):
        s = support.setting()
        support.caterer(schools=[s["school"]], services=[s["service"]],
                        created_at=datetime(2026, 11, 30, 7, 0, tzinfo=UTC))
        catering_tick(now=AT_CUTOFF)
    with inside(commune_beta):
        assert CatererOrder.objects.count() == 1
    assert not JobRun.objects.filter(commune=commune_beta).exists()
    assert JobRun.objects.filter(commune=commune_alpha).count() == 1
