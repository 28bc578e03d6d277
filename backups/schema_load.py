"""Load a pg_dump archive of one schema under another schema name.

pg_restore turns the archive into plain SQL; the schema name is rewritten in the SQL
statements and COPY headers only, never inside COPY data (a family's note may well
contain "c_alpha"), line by line so a large dump never sits in memory; psql replays it
in one transaction that stops at the first error, so a failed load leaves nothing."""

import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from config.pg_client import PgToolMissing, pg_tool_argv, pg_tool_env

_COPY_HEADER = re.compile(rb"^COPY .* FROM stdin;\r?\n?$")
_COPY_END = (b"\\.\n", b"\\.\r\n", b"\\.")
_LIST_SCHEMA = re.compile(r"^\d+; \d+ \d+ SCHEMA - (\S+) ")
PG_RESTORE_LIST_TIMEOUT_S = 120


class SchemaLoadError(Exception):
    """The archive could not be read or replayed; the message is French."""


def rename_schema_lines(lines: Iterable[bytes], old: str, new: str) -> Iterator[bytes]:
    """pg_restore's SQL output, line by line, with schema `old` renamed to `new` outside
    COPY data blocks. Lines inside COPY data are passed on byte for byte."""
    bare = re.compile(rb'(?<![\w"$])' + re.escape(old.encode()) + rb'(?![\w"$])')
    quoted = b'"' + old.encode().replace(b'"', b'""') + b'"'
    new_bare, new_quoted = new.encode(), b'"' + new.encode().replace(b'"', b'""') + b'"'
    in_data = False
    for line in lines:
        if in_data:
            if line in _COPY_END:
                in_data = False
            yield line
            continue
        if old.encode() in line:
            line = bare.sub(new_bare, line.replace(quoted, new_quoted))
        if _COPY_HEADER.match(line):
            in_data = True
        yield line


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise SchemaLoadError(f"La commande {name} est introuvable sur ce serveur.")
    return path


def dump_schemas(dump: Path) -> set[str]:
    """The schemas an archive creates, read from its table of contents."""
    result = subprocess.run(  # noqa: S603 (argument list, no shell)
        [_tool("pg_restore"), "--list", str(dump)],
        capture_output=True,
        text=True,
        timeout=PG_RESTORE_LIST_TIMEOUT_S,
        check=False,
    )
    if result.returncode != 0:
        raise SchemaLoadError(
            "Le fichier déchiffré n'est pas une archive pg_dump lisible : "
            f"{result.stderr.strip()[-400:]}"
        )
    return {m.group(1) for line in result.stdout.splitlines() if (m := _LIST_SCHEMA.match(line))}


def _tail(path: Path) -> str:
    return path.read_text(errors="replace").strip()[-800:]


def load_dump_as(*, dump: Path, source_schema: str, target_schema: str) -> None:
    """Replay the archive of `source_schema` as a new schema `target_schema`, in one
    transaction. Raises SchemaLoadError (nothing created) when anything fails."""
    try:
        psql_argv = pg_tool_argv(
            "psql",
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "--set=ON_ERROR_STOP=1",
            "--file=-",
        )
    except PgToolMissing as exc:
        raise SchemaLoadError(str(exc)) from exc
    restore_argv = [_tool("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(dump)]
    with tempfile.TemporaryDirectory(prefix="cantine-load-") as logs:
        restore_log, psql_log = Path(logs) / "pg_restore.log", Path(logs) / "psql.log"
        with restore_log.open("wb") as restore_err, psql_log.open("wb") as psql_err:
            restore = subprocess.Popen(  # noqa: S603
                restore_argv, stdout=subprocess.PIPE, stderr=restore_err
            )
            psql = subprocess.Popen(  # noqa: S603
                psql_argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=psql_err,
                env=pg_tool_env(),
            )
            assert restore.stdout is not None and psql.stdin is not None  # noqa: S101
            broken = False
            try:
                for line in rename_schema_lines(restore.stdout, source_schema, target_schema):
                    psql.stdin.write(line)
            except BrokenPipeError:  # psql stopped at an error: its log says which
                broken = True
                restore.kill()
            finally:
                restore.stdout.close()
            restore_code = restore.wait()
            if restore_code != 0 and not broken:
                # An archive cut short must never be committed as a partial schema.
                psql.kill()
            else:
                try:
                    psql.stdin.close()
                except BrokenPipeError:
                    broken = True
            psql_code = psql.wait()
        if psql_code != 0 and (broken or restore_code == 0):
            raise SchemaLoadError(
                f"Le rechargement dans le schéma « {target_schema} » a échoué "
                f"(code {psql_code}) : {_tail(psql_log)}"
            )
        if restore_code != 0:
            raise SchemaLoadError(
                f"pg_restore n'a pas pu lire l'archive (code {restore_code}) : {_tail(restore_log)}"
            )
