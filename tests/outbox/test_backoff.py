from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from tenant_apps.outbox.backoff import MAX_DELAY_S, retry_delay


@given(st.integers(min_value=1, max_value=200), st.integers(min_value=1, max_value=600))
def test_delays_grow_and_stay_capped(attempts, base):
    delay = retry_delay(attempts, base)
    assert timedelta(seconds=min(base, MAX_DELAY_S)) <= delay <= timedelta(seconds=MAX_DELAY_S)
    assert retry_delay(attempts + 1, base) >= delay


def test_first_retry_waits_the_base_delay():
    assert retry_delay(1, 30) == timedelta(seconds=30)
    assert retry_delay(2, 30) == timedelta(seconds=60)
