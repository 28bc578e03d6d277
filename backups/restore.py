"""Restore one commune from a backup: replace it, copy it as a separate commune for
inspection, or rehearse (drill) into a scratch schema.

Every kind goes the same way: fetch the manifest and the object from S3, check its
SHA-256 against the catalogue, decrypt, load it into a fresh scratch schema, check its
row counts and migrations against the manifest, run the migrations newer than the
backup. Only then, in one transaction, does anything visible change. Any failure before
that drops the scratch schema and leaves the live commune exactly as it was."""

import contextlib
import logging
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_exists
from psycopg import sql

from backups import fetch
from backups.models import BackupRecord, BackupStatus, RestoreKind, RestoreRecord, RestoreStatus
from backups.schema_load import SchemaLoadError, dump_schemas, load_dump_as
from backups.storage import BackupStorageError, files_missing
from backups.verify import VerificationFailed, migrations_pending, verify_restored
from provisioning.migration_state import schemas_behind
from provisioning.schemas import schema_drop, schema_migrate
from shared_apps.audit.services import operator_action_record
from tenants.db import use_public
from tenants.models import Commune, CommuneStatus, Domain
from tenants.naming import InvalidSlug, hostname_for, schema_name_for

logger = logging.getLogger(__name__)
MAX_IDENTIFIER = 63
# Commune schemas never hold "__" (slugs have single dashes), so these never collide.
SCRATCH_TAG, PREVIOUS_TAG = "__rs_", "__pre_restore_"
EXPECTED_FAULTS = (
    fetch.BackupUnusable,
    BackupStorageError,
    SchemaLoadError,
    VerificationFailed,
    ValidationError,
)


def side_schema_name(schema: str, tag: str, at: datetime | None = None) -> str:
    """`<schema><tag><UTC stamp>`, the schema part shortened to fit PostgreSQL's limit."""
    suffix = f"{tag}{(at or timezone.now()).astimezone(UTC):%Y%m%d%H%M%S}"
    return schema[: MAX_IDENTIFIER - len(suffix)] + suffix


# --- choosing a backup and asking for a restore -------------------------------------------


def backup_choose(
    *, commune: Commune, backup_id: int | None = None, at: datetime | None = None
) -> BackupRecord:
    """The backup a restore of `commune` will use: the one named (it must be a succeeded
    backup of this very commune), else the newest succeeded one taken at or before `at`,
    else the newest. Raises ValidationError with a French message."""
    if backup_id is not None:
        backup = BackupRecord.objects.filter(pk=backup_id).first()
        if backup is None:
            raise ValidationError(f"La sauvegarde n° {backup_id} n'existe pas.")
        if backup.commune_id != commune.pk or backup.commune_slug != commune.slug:
            raise ValidationError(
                f"La sauvegarde n° {backup_id} est celle de la commune « {backup.commune_slug} », "
                f"pas de « {commune.slug} » : restauration refusée."
            )
        if backup.schema_name != commune.schema_name:
            raise ValidationError(
                f"La sauvegarde n° {backup_id} concerne le schéma « {backup.schema_name} », "
                f"pas « {commune.schema_name} » : restauration refusée."
            )
        if backup.status != BackupStatus.SUCCEEDED:
            raise ValidationError(
                f"La sauvegarde n° {backup_id} est « {backup.get_status_display()} » : "
                "seule une sauvegarde réussie peut être restaurée."
            )
        return backup
    candidates = BackupRecord.objects.filter(
        commune=commune, schema_name=commune.schema_name, status=BackupStatus.SUCCEEDED
    )
    if at is not None:
        candidates = candidates.filter(started_at__lte=at)
    backup = candidates.order_by("-started_at", "-id").first()
    if backup is None:
        when = f" avant le {timezone.localtime(at):%d/%m/%Y %H:%M}" if at else ""
        raise ValidationError(f"Aucune sauvegarde réussie de « {commune.slug} »{when}.")
    return backup


def _check_new_slug(new_slug: str) -> str:
    try:
        schema = schema_name_for(new_slug)
    except InvalidSlug as exc:
        raise ValidationError(str(exc)) from exc
    if Commune.objects.filter(slug=new_slug).exists() or schema_exists(schema):
        raise ValidationError(f"Une commune utilise déjà l'identifiant « {new_slug} ».")
    if Domain.objects.filter(domain=hostname_for(new_slug, settings.BASE_HOSTNAME)).exists():
        raise ValidationError(f"Le domaine de « {new_slug} » est déjà utilisé.")
    return schema


def restore_request(
    *,
    actor: Any,
    commune: Commune,
    backup_id: int | None = None,
    at: datetime | None = None,
    new_slug: str = "",
    drop_previous: bool = False,
    dispatch: bool = True,
) -> RestoreRecord:
    """Check and record a restore of `commune` (replacing it, or as the separate commune
    `new_slug`); with dispatch a Celery task runs it after commit, else the caller runs
    restore_run. Raises ValidationError (French) for a wrong backup or slug."""
    use_public()
    backup = backup_choose(commune=commune, backup_id=backup_id, at=at)
    if new_slug:
        _check_new_slug(new_slug)
    elif commune.status not in (CommuneStatus.ACTIVE, CommuneStatus.SUSPENDED):
        raise ValidationError("Seule une commune active ou suspendue peut être remplacée.")
    kind = RestoreKind.INSPECTION if new_slug else RestoreKind.RESTORE
    with transaction.atomic():
        record = RestoreRecord.objects.create(
            kind=kind,
            commune=commune,
            commune_slug=commune.slug,
            backup=backup,
            target_slug=new_slug,
            drop_previous=drop_previous and not new_slug,
            requested_by=getattr(actor, "email", "") or "ligne de commande",
            step="En attente d'un processus de restauration",
        )
        operator_action_record(
            actor=actor,
            action="commune.restore",
            commune_slug=commune.slug,
            detail={"restore": record.pk, "backup": backup.pk, "kind": kind, "as": new_slug},
        )
        if dispatch:
            _dispatch(record.pk)
    return record


def _dispatch(record_id: int) -> None:
    from backups.tasks import restore_run_task

    transaction.on_commit(
        lambda: restore_run_task.apply_async(args=[record_id], headers={"_schema_name": "public"})
    )


# --- running it ---------------------------------------------------------------------------


def _progress(record: RestoreRecord, step: str, progress: int, **extra: Any) -> None:
    use_public()
    record.step, record.progress = step, progress
    for name, value in extra.items():
        setattr(record, name, value)
    RestoreRecord.objects.filter(pk=record.pk).update(step=step, progress=progress, **extra)


def restore_run(*, record_id: int) -> RestoreRecord:
    """Carry out a recorded restore, inspection or drill; never raises for a failed
    restore (the record ends `failed` with a French error, the live commune untouched).
    A record that already ran is returned as it is (a redelivered task does nothing)."""
    use_public()
    record = RestoreRecord.objects.select_related("backup", "commune").get(pk=record_id)
    if record.status != RestoreStatus.PENDING:
        return record
    started = time.monotonic()
    _progress(record, "Démarrage", 5, status=RestoreStatus.RUNNING, started_at=timezone.now())
    try:
        with tempfile.TemporaryDirectory(prefix="cantine-restore-") as workdir:
            checks = _restore_into(record, Path(workdir))
    except EXPECTED_FAULTS as exc:
        message = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        _finish(record, started, RestoreStatus.FAILED, error=message)
    except Exception as exc:
        logger.exception("restore %s failed unexpectedly", record.pk)
        _finish(record, started, RestoreStatus.FAILED, error=f"Erreur inattendue : {exc}")
    else:
        _finish(record, started, RestoreStatus.SUCCEEDED, checks=checks)
    record.refresh_from_db()
    return record


def _finish(
    record: RestoreRecord, started: float, status: str, *, error: str = "", checks: Any = None
) -> None:
    extra: dict[str, Any] = {
        "status": status,
        "finished_at": timezone.now(),
        "duration_s": round(time.monotonic() - started, 3),
        "error": error[:4000],
    }
    if checks is not None:
        extra["checks"] = checks
    label = "Terminée" if status == RestoreStatus.SUCCEEDED else "Échec : rien n'a été modifié"
    _progress(record, label, 100, **extra)


def _restore_into(record: RestoreRecord, workdir: Path) -> dict[str, Any]:
    backup, commune = record.backup, record.commune
    if backup is None or commune is None:
        raise fetch.BackupUnusable("La sauvegarde ou la commune n'existe plus.")
    if record.kind != RestoreKind.DRILL:
        backup_choose(commune=commune, backup_id=backup.pk)  # checked again at run time
    bucket = settings.S3_BACKUPS_BUCKET
    _progress(record, "Lecture du manifeste", 10)
    manifest = fetch.manifest_fetch(backup=backup, bucket=bucket)
    _progress(record, "Téléchargement et contrôle de l'empreinte SHA-256", 20)
    encrypted, dump = workdir / "backup.enc", workdir / "schema.dump"
    fetch.object_download(backup=backup, manifest=manifest, bucket=bucket, target=encrypted)
    _progress(record, "Déchiffrement", 35)
    fetch.object_decrypt(source=encrypted, target=dump, key_id=backup.key_id)
    encrypted.unlink()
    found = dump_schemas(dump)
    if found != {backup.schema_name}:
        raise fetch.BackupUnusable(
            f"L'archive contient le(s) schéma(s) {', '.join(sorted(found)) or 'aucun'} au lieu "
            f"de « {backup.schema_name} » : ce n'est pas la sauvegarde de cette commune."
        )
    scratch = side_schema_name(backup.schema_name, SCRATCH_TAG)
    if schema_exists(scratch):
        raise fetch.BackupUnusable(f"Le schéma de travail « {scratch} » existe déjà : réessayez.")
    _progress(record, "Rechargement dans un schéma neuf", 45)
    load_dump_as(dump=dump, source_schema=backup.schema_name, target_schema=scratch)
    dump.unlink()
    try:
        checks = _verify_and_migrate(record, scratch, manifest)
        if record.kind == RestoreKind.DRILL:
            schema_drop(scratch)
        elif record.kind == RestoreKind.INSPECTION:
            checks.update(_install_as_new_commune(record, commune, backup, scratch))
        else:
            checks.update(_swap_in(record, commune, scratch))
    except BaseException:
        with contextlib.suppress(Exception):
            schema_drop(scratch)
        raise
    return checks


def _verify_and_migrate(
    record: RestoreRecord, scratch: str, manifest: dict[str, Any]
) -> dict[str, Any]:
    _progress(record, "Vérification des lignes et des migrations", 70)
    checks = verify_restored(schema=scratch, manifest=manifest)
    checks["backup_id"] = manifest.get("record_id")
    checks["backup_created_at"] = manifest.get("created_at")
    pending = migrations_pending(scratch)
    checks["migrations_applied_after_restore"] = len(pending)
    if pending:
        _progress(record, f"Application de {len(pending)} migration(s) plus récente(s)", 80)
        try:
            schema_migrate(scratch)
        except Exception as exc:
            raise VerificationFailed(
                f"Les migrations plus récentes que la sauvegarde n'ont pas pu être appliquées "
                f"au schéma restauré : {exc}"
            ) from exc
        if schemas_behind([scratch]):
            raise VerificationFailed("Des migrations manquent encore après restauration.")
    use_public()
    files = list(manifest.get("files") or [])
    missing = files_missing(files)
    checks["files"] = {"listed": len(files), "missing": missing[:50], "missing_count": len(missing)}
    return checks


def _rename(old: str, new: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(sql.Identifier(old), sql.Identifier(new))
        )


def _swap_in(record: RestoreRecord, commune: Commune, scratch: str) -> dict[str, Any]:
    """Put the verified schema in place of the live one in one transaction; the live one
    is renamed aside (kept unless the restore asked to drop it)."""
    _progress(record, "Remplacement du schéma en service", 90)
    live = commune.schema_name
    previous = side_schema_name(live, PREVIOUS_TAG)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '30s'")
        Commune.objects.select_for_update().get(pk=commune.pk)
        had_live = schema_exists(live)
        if had_live:
            _rename(live, previous)
        _rename(scratch, live)
    _cache_forget(live)
    result: dict[str, Any] = {"swapped": True, "previous_schema": previous if had_live else ""}
    if had_live and record.drop_previous:
        schema_drop(previous)
        result["previous_dropped"] = True
    _progress(record, "Schéma restauré en service", 95, previous_schema=result["previous_schema"])
    return result


def _install_as_new_commune(
    record: RestoreRecord, source: Commune, backup: BackupRecord, scratch: str
) -> dict[str, Any]:
    """Rename the verified schema to the new slug's and register it as a separate, active
    commune, named so nobody mistakes it for the original."""
    _progress(record, "Création de la commune de consultation", 90)
    new_schema = _check_new_slug(record.target_slug)
    taken = timezone.localtime(backup.started_at)
    with transaction.atomic():
        _rename(scratch, new_schema)
        copy = Commune(
            name=f"{source.name} (restauration du {taken:%d/%m/%Y %H:%M})"[:120],
            slug=record.target_slug,
            schema_name=new_schema,
            insee_code=source.insee_code,
            address=source.address,
            contact_name=source.contact_name,
            contact_email=source.contact_email,
            contact_phone=source.contact_phone,
            billing_mode=source.billing_mode,
            payment_modes=source.payment_modes,
            modules=source.modules,
            brand_colour=source.brand_colour,
            backup_interval_minutes=source.backup_interval_minutes,
            status=CommuneStatus.ACTIVE,
        )
        copy.save()
        Domain.objects.create(
            domain=hostname_for(record.target_slug, settings.BASE_HOSTNAME),
            tenant=copy,
            is_primary=True,
        )
        RestoreRecord.objects.filter(pk=record.pk).update(restored_commune=copy)
    return {"restored_commune": copy.slug, "restored_schema": new_schema}


def _cache_forget(schema: str) -> None:
    """Drop the commune's cache entries (keys start with its schema name): they describe
    data that the restore has just replaced. Best effort."""
    from django.core.cache import cache

    with contextlib.suppress(Exception):
        client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
        batch = list(client.scan_iter(match=f"{schema}:*", count=500))
        for start in range(0, len(batch), 500):
            client.delete(*batch[start : start + 500])


# --- drills -------------------------------------------------------------------------------


def drill_run(
    *, choose: Callable[[list[BackupRecord]], BackupRecord] | None = None
) -> RestoreRecord | None:
    """Restore the latest backup of a random active commune into a scratch schema, verify
    it, drop it, and record the result. None when no commune has a backup yet."""
    import random

    from backups.selectors import last_successful_backups

    use_public()
    active = set(Commune.objects.filter(status=CommuneStatus.ACTIVE).values_list("pk", flat=True))
    candidates = [b for cid, b in last_successful_backups().items() if cid in active]
    if not candidates:
        return None
    backup = (choose or random.choice)(sorted(candidates, key=lambda b: b.pk))  # noqa: S311
    record = RestoreRecord.objects.create(
        kind=RestoreKind.DRILL,
        commune_id=backup.commune_id,
        commune_slug=backup.commune_slug,
        backup=backup,
        requested_by="exercice planifié",
    )
    return restore_run(record_id=record.pk)


# --- side schemas left behind -------------------------------------------------------------

# A replaced commune's previous schema stays this long (an operator may want to look at
# what was there, or copy a row back); a scratch schema only outlives a crashed worker.
PREVIOUS_KEPT_FOR = timedelta(days=14)
SCRATCH_KEPT_FOR = timedelta(days=1)


def _side_schema_time(name: str, tag: str) -> datetime | None:
    stamp = name.rsplit(tag, 1)[-1] if tag in name else ""
    try:
        return datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def side_schemas_purge(*, now: datetime | None = None) -> list[str]:
    """Drop previous schemas of restored communes older than PREVIOUS_KEPT_FOR and scratch
    schemas older than SCRATCH_KEPT_FOR (run daily with the backup retention); returns
    the names dropped. A live commune's own schema never matches: slugs hold no "__"."""
    now = now or timezone.now()
    use_public()
    with connection.cursor() as cursor:
        # strpos, not LIKE: "_" would be a wildcard there
        cursor.execute("SELECT nspname FROM pg_namespace WHERE strpos(nspname, %s) > 0 "
                       "OR strpos(nspname, %s) > 0", [PREVIOUS_TAG, SCRATCH_TAG])
        names = sorted(row[0] for row in cursor.fetchall())
    dropped = []
    for name in names:
        tag, kept_for = ((PREVIOUS_TAG, PREVIOUS_KEPT_FOR) if PREVIOUS_TAG in name
                         else (SCRATCH_TAG, SCRATCH_KEPT_FOR))
        made_at = _side_schema_time(name, tag)
        if made_at is None or now - made_at < kept_for:
            continue
        schema_drop(name)
        logger.info("side schema dropped", extra={"schema": name})
        dropped.append(name)
    return dropped
