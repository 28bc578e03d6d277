"""Running PostgreSQL's client tools (pg_dump, pg_restore) against our database."""

import os
import shutil
from typing import Any

from django.conf import settings


class PgToolMissing(RuntimeError):
    pass


def libpq_params() -> dict[str, str]:
    """Connection parameters of the default database, as libpq keywords."""
    db: dict[str, Any] = settings.DATABASES["default"]
    params = {
        "dbname": str(db["NAME"]),
        "user": str(db.get("USER") or ""),
        "password": str(db.get("PASSWORD") or ""),
        "host": str(db.get("HOST") or ""),
        "port": str(db.get("PORT") or ""),
    }
    return {name: value for name, value in params.items() if value}


def pg_tool_argv(tool: str, *options: str) -> list[str]:
    """argv for `tool` with our connection options (never the password: see pg_tool_env)."""
    executable = shutil.which(tool)
    if executable is None:
        raise PgToolMissing(f"La commande {tool} est introuvable sur ce serveur.")
    params = libpq_params()
    argv = [executable, *options, "--no-password"]
    for option in ("host", "port"):
        if option in params:
            argv.append(f"--{option}={params[option]}")
    if "user" in params:
        argv.append(f"--username={params['user']}")
    argv.append(f"--dbname={params['dbname']}")
    return argv


def pg_tool_env() -> dict[str, str]:
    env = dict(os.environ)
    password = libpq_params().get("password")
    if password:
        env["PGPASSWORD"] = password
    return env
