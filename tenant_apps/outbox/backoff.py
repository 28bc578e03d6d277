"""Retry schedule of the outbox (pure)."""

from datetime import timedelta

MAX_DELAY_S = 6 * 3600


def retry_delay(attempts: int, base_s: int) -> timedelta:
    """Delay before the next try after `attempts` failed ones: doubles each time from
    `base_s`, capped at six hours so a long SMTP outage still drains the same day."""
    exponent = max(attempts - 1, 0)
    return timedelta(seconds=min(base_s * (2 ** min(exponent, 20)), MAX_DELAY_S))
