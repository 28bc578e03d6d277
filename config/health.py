"""Liveness and readiness probes, answered on every host."""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse

from config.s3 import s3_client


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_redis() -> None:
    cache.set("readyz", "1", timeout=5)
    if cache.get("readyz") != "1":
        raise RuntimeError("cache read-back failed")


def _check_s3() -> None:
    s3_client(timeout_s=2, attempts=1).head_bucket(Bucket=settings.S3_FILES_BUCKET)


def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _check_database, "redis": _check_redis, "s3": _check_s3}
    results: dict[str, str] = {}
    for name, check in checks.items():
        try:
            check()
            results[name] = "ok"
        except Exception as exc:  # a probe reports, it never raises
            results[name] = f"erreur : {type(exc).__name__}"
    ready = all(v == "ok" for v in results.values())
    return JsonResponse(
        {"status": "ok" if ready else "indisponible", "checks": results},
        status=200 if ready else 503,
    )
