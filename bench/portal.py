"""50 parents at once on the portal of the largest demo commune: each loads the home
page (dashboard), the weekly booking grid and the invoices page in a loop, over HTTP
on loopback against gunicorn, for a fixed number of rounds, pausing 0.5–1.5 s between
pages as a reader does.

Prints p50/p95 per page, then the query count of the grid page for a household of one
child and for the household with the most children (they must be equal).

Uses the bench database (cantine_bench) seeded with the demo communes; parents get a
session created directly (the login page's throttle is not what is measured)."""

import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from typing import Any

from _setup import ROOT, django_for_bench

PARENTS = 50
ROUNDS = 6
# A parent reads each page before the next one (seconds, uniform): a closed loop without
# it would measure a denial of service, not 50 parents.
THINK_S = (0.5, 1.5)
PAGES = {"dashboard": "/", "grid": "/reservations/", "invoices": "/factures/"}
CACHE_URL = "redis://127.0.0.1:6379/5"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _parents(commune: Any) -> list[tuple[str, int]]:
    """Session keys of PARENTS guardian accounts of distinct households, with each
    household's number of children."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.db.models import Count
    from django.utils.module_loading import import_string

    from tenant_apps.accounts.middleware import SESSION_SCHEMA_KEY
    from tenant_apps.accounts.models import Role, User
    from tenant_apps.families.models import Guardian, Household
    from tenants.db import use_commune, use_public

    use_commune(commune)
    try:
        counted = Household.objects.annotate(n=Count("memberships")).filter(n__gt=0)
        # The largest households, and one with a single child to compare query counts.
        households = list(counted.order_by("-n", "pk")[:PARENTS - 1])
        households += list(counted.filter(n=1).order_by("pk")[:1])
        store_class = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
        sessions = []
        for index, household in enumerate(households):
            email = f"bench-parent-{index}@portal.bench"
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email=email, password=None, role=Role.GUARDIAN)
            guardian = Guardian.objects.filter(household=household).order_by("pk").first()
            if guardian is None:
                continue
            Guardian.objects.filter(user=user).exclude(pk=guardian.pk).update(user=None)
            if guardian.user_id != user.pk:
                guardian.user = user
                guardian.save(update_fields=["user"])
            session = store_class()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session[SESSION_SCHEMA_KEY] = commune.schema_name
            session.create()
            sessions.append((session.session_key, household.n))  # type: ignore[attr-defined]
        return sessions
    finally:
        use_public()


def _get(port: int, host: str, path: str, session_key: str) -> tuple[int, float]:
    from django.conf import settings

    request = urllib.request.Request(  # noqa: S310 - loopback
        f"http://127.0.0.1:{port}{path}",
        headers={"Host": host, "Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}"},
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.perf_counter() - started


def _grid_queries(commune: Any, session_keys: list[str]) -> dict[str, int]:
    """Queries of the grid page (SET search_path aside) for the first and the last
    household of `_parents` (most children, then fewest)."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    result = {}
    for label, key in (("most_children", session_keys[0]), ("fewest_children", session_keys[-1])):
        client = Client(HTTP_HOST=f"{commune.slug}.localhost")
        client.cookies[settings.SESSION_COOKIE_NAME] = key
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/reservations/")
        assert response.status_code == 200, response.status_code
        result[label] = sum(1 for q in captured.captured_queries if not q["sql"].startswith("SET "))
    return result


def main() -> None:
    os.environ.setdefault("CACHE_URL", CACHE_URL)
    os.environ.setdefault("CACHE_KEY_PREFIX", "bench-portal")
    django_for_bench()
    from provisioning.demo_data import demo_seed

    communes = demo_seed(log=lambda _line: None)
    commune = communes[0]
    sessions = _parents(commune)
    port = _free_port()
    env = {**os.environ, "BASE_DOMAIN": f"localhost:{port}", "DEBUG": "false",
           "DATABASE_URL": os.environ["DATABASE_URL"], "LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-b", f"127.0.0.1:{port}",
         "-w", "4", "--threads", "4", "-k", "gthread", "--timeout", "60",
         "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    host = f"{commune.slug}.localhost"
    try:
        for _ in range(100):
            try:
                if _get(port, host, "/healthz", "")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.2)
        for key, _n in sessions[:4]:  # warm up every worker
            for path in PAGES.values():
                _get(port, host, path, key)
        timings: dict[str, list[float]] = {name: [] for name in PAGES}
        errors: list[tuple[str, int]] = []
        lock = threading.Lock()

        def parent(session_key: str) -> None:
            rng = random.Random(session_key)
            for _round in range(ROUNDS):
                for name, path in PAGES.items():
                    time.sleep(rng.uniform(*THINK_S))
                    status, elapsed = _get(port, host, path, session_key)
                    with lock:
                        if status == 200:
                            timings[name].append(elapsed)
                        elif not (name == "invoices" and status == 404):
                            errors.append((path, status))

        threads = [threading.Thread(target=parent, args=(key,)) for key, _n in sessions]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=15)

    def pct(values: list[float], q: float) -> float | None:
        if not values:
            return None
        ordered = sorted(values)
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 4)

    report: dict[str, Any] = {"bench": "portal", "parents": len(sessions), "rounds": ROUNDS,
                              "wall_s": round(wall, 2), "errors": len(errors)}
    for name, values in timings.items():
        report[f"{name}_p50_s"] = pct(values, 0.5)
        report[f"{name}_p95_s"] = pct(values, 0.95)
        report[f"{name}_requests"] = len(values)
    total = sum(len(v) for v in timings.values())
    report["requests_per_s"] = round(total / wall, 1) if wall else None
    print(json.dumps(report))
    from tenants.db import use_commune, use_public

    use_commune(commune)
    try:
        queries = _grid_queries(commune, [key for key, _n in sessions])
    finally:
        use_public()
    print(json.dumps({"bench": "portal_queries", "grid_queries_most_children": queries[
        "most_children"], "grid_queries_fewest_children": queries["fewest_children"],
        "children_most": sessions[0][1], "children_fewest": sessions[-1][1],
        "median_request_s": statistics.median(timings["grid"]) if timings["grid"] else None}))
    if errors:
        print(json.dumps({"bench": "portal_errors", "sample": errors[:5]}), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
