"""The forecast's history column: what is usually ordered on the same weekday (mean of
the last version of the orders of the four previous weeks)."""

from datetime import UTC, datetime, timedelta

import pytest

from tenant_apps.catering.models import CatererOrder, CatererOrderVersion
from tenant_apps.catering.selectors import usual_totals
from tests.catering import support
from tests.catering.support import MONDAY
from tests.conftest import inside

pytestmark = pytest.mark.django_db
AT = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def _order(caterer, day, *totals):  # type: ignore[no-untyped-def]
    order = CatererOrder.objects.create(caterer=caterer, day=day, cutoff_at=AT)
    for number, total in enumerate(totals, start=1):
        CatererOrderVersion.objects.create(order=order, number=number, total=total,
                                           computed_at=AT)


def test_usual_is_the_mean_of_the_last_versions_on_the_same_weekday(commune_alpha):
    with inside(commune_alpha):
        world = support.setting()
        caterer = support.caterer(schools=[world["school"]], services=[world["service"]])
        other = support.caterer(schools=[world["school"]], services=[world["service"]])
        _order(caterer, MONDAY - timedelta(weeks=1), 40, 42)  # amended: 42 counts
        _order(caterer, MONDAY - timedelta(weeks=2), 50)
        _order(caterer, MONDAY - timedelta(weeks=4), 31)
        _order(caterer, MONDAY - timedelta(weeks=5), 999)  # too old
        _order(caterer, MONDAY - timedelta(days=6), 20)  # a Tuesday
        _order(other, MONDAY - timedelta(weeks=1), 7)
        usual = usual_totals(caterer_ids=[caterer.pk, other.pk], before=MONDAY)
    assert usual[(caterer.pk, 1)] == round((42 + 50 + 31) / 3)
    assert usual[(caterer.pk, 2)] == 20
    assert usual[(other.pk, 1)] == 7
