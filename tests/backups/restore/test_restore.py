"""restore_commune end to end: real pg_dump / pg_restore / psql, the moto S3 server."""

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django_tenants.utils import schema_exists

from backups.models import BackupRecord, RestoreKind, RestoreRecord
from backups.restore import backup_choose, restore_request, restore_run
from backups.services import backup_commune
from provisioning.migration_state import applied_migrations, schemas_behind
from tenant_apps.accounts.models import Role, User
from tenants.models import Commune, CommuneStatus, Domain
from tests.backups.restore.conftest import _schemas_like
from tests.conftest import inside, make_user

pytestmark = pytest.mark.django_db


def add_guardians(commune: Commune, *names: str) -> None:
    for name in names:
        make_user(commune, role=Role.GUARDIAN, email=f"{name}@familles.example")


def emails(commune: Commune) -> list[str]:
    with inside(commune):
        return sorted(User.objects.values_list("email", flat=True))


def side_schemas(commune: Commune, tag: str) -> list[str]:
    connection.set_schema_to_public()
    return [s for s in _schemas_like(commune.schema_name + tag)]


def backed_up(commune: Commune) -> BackupRecord:
    record = backup_commune(commune=commune)
    assert record.succeeded, record.error
    return record


def test_restore_replaces_the_live_schema_and_keeps_the_old_one_aside(
    throwaway, backup_keys, backup_bucket
):
    commune = throwaway()
    add_guardians(commune, "avant-1", "avant-2")
    before = emails(commune)
    backed_up(commune)
    add_guardians(commune, "apres-1")  # written after the backup: lost by the restore
    out = io.StringIO()

    call_command("restore_commune", "--slug", commune.slug, stdout=out)

    assert emails(commune) == before
    assert "Restauration réussie" in out.getvalue()
    (previous,) = side_schemas(commune, "__pre_restore_")
    assert re.fullmatch(rf"{commune.schema_name}__pre_restore_\d{{14}}", previous)
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT email FROM "{previous}".accounts_user')  # noqa: S608
        assert "apres-1@familles.example" in {row[0] for row in cursor.fetchall()}
    assert side_schemas(commune, "__rs_") == []
    assert schemas_behind([commune.schema_name]) == []
    record = RestoreRecord.objects.get(commune=commune)
    assert (record.kind, record.status, record.previous_schema) == (
        RestoreKind.RESTORE,
        "succeeded",
        previous,
    )
    assert record.checks["row_counts_match"] and record.checks["migrations_match"]
    assert record.checks["rows"] > 0 and record.duration_s > 0
    # The commune still serves requests with its restored data (sequences included).
    add_guardians(commune, "apres-restauration")
    assert "apres-restauration@familles.example" in emails(commune)


def test_drop_previous_removes_the_old_schema(throwaway, backup_keys, backup_bucket):
    commune = throwaway()
    backed_up(commune)

    call_command("restore_commune", "--slug", commune.slug, "--drop-previous", stdout=io.StringIO())

    assert side_schemas(commune, "__pre_restore_") == []
    assert schema_exists(commune.schema_name)


def test_restore_as_a_separate_commune_leaves_the_original_alone(
    throwaway, backup_keys, backup_bucket
):
    commune = throwaway(name="Plougras")
    add_guardians(commune, "copie-1")
    backup = backed_up(commune)
    add_guardians(commune, "original-seulement")
    live_before = emails(commune)
    new_slug = commune.slug + "-copie"
    throwaway.extra_slugs.append(new_slug)

    call_command(
        "restore_commune",
        "--slug",
        commune.slug,
        "--backup",
        str(backup.pk),
        "--as",
        new_slug,
        stdout=io.StringIO(),
    )

    copy = Commune.objects.get(slug=new_slug)
    assert copy.status == CommuneStatus.ACTIVE
    assert copy.name.startswith("Plougras (restauration du ")
    assert copy.schema_name == "c_" + new_slug.replace("-", "_")
    assert Domain.objects.filter(tenant=copy, is_primary=True).exists()
    assert "copie-1@familles.example" in emails(copy)
    assert "original-seulement@familles.example" not in emails(copy)
    assert emails(commune) == live_before
    record = RestoreRecord.objects.get(commune=commune)
    assert (record.kind, record.restored_commune) == (RestoreKind.INSPECTION, copy)


def test_restore_at_a_time_takes_the_latest_backup_before_it(throwaway, backup_keys, backup_bucket):
    commune = throwaway()
    add_guardians(commune, "premiere")
    first = backed_up(commune)
    state_at_first = emails(commune)
    add_guardians(commune, "seconde")
    second = backed_up(commune)
    now = timezone.now()
    BackupRecord.objects.filter(pk=first.pk).update(started_at=now - timedelta(hours=2))
    BackupRecord.objects.filter(pk=second.pk).update(started_at=now - timedelta(hours=1))
    moment = timezone.localtime(now - timedelta(minutes=90)).replace(tzinfo=None)

    assert backup_choose(commune=commune, at=now - timedelta(minutes=90)).pk == first.pk
    assert backup_choose(commune=commune).pk == second.pk
    call_command(
        "restore_commune", "--slug", commune.slug, "--at", moment.isoformat(), stdout=io.StringIO()
    )

    assert emails(commune) == state_at_first
    assert RestoreRecord.objects.get(commune=commune).backup_id == first.pk


def test_at_before_any_backup_is_refused_in_french(throwaway, backup_keys, backup_bucket):
    commune = throwaway()
    backed_up(commune)
    with pytest.raises(CommandError, match="Aucune sauvegarde réussie de .* avant le"):
        call_command("restore_commune", "--slug", commune.slug, "--at", "2001-01-01T00:00")


def test_newer_migrations_run_after_the_restore(throwaway, backup_keys, backup_bucket):
    commune = throwaway()
    backup = backed_up(commune)
    # The backup's schema lacked the code's latest migration of one app (a leaf of the
    # graph, so nothing applied depends on it): the restore applies it.
    graph = MigrationLoader(None, ignore_no_migrations=True).graph
    leaves = [node for node in graph.nodes if not graph.node_map[node].children]
    latest = sorted(leaves, key=lambda m: (m[1] == "0001_initial", m))[0]
    manifest = dict(backup.manifest)
    with connection.cursor() as cursor:
        cursor.execute(
            f'DELETE FROM "{commune.schema_name}".django_migrations '  # noqa: S608
            "WHERE app = %s AND name = %s",
            list(latest),
        )
    rerun = backed_up(commune)
    assert [list(latest)] not in [manifest["migrations"]]

    record = restore_run(
        record_id=restore_request(
            actor=None, commune=commune, backup_id=rerun.pk, dispatch=False
        ).pk
    )

    assert record.succeeded, record.error
    assert record.checks["migrations_applied_after_restore"] == 1
    assert latest in applied_migrations([commune.schema_name])[commune.schema_name]


def test_copy_data_that_names_the_schema_is_restored_byte_for_byte(
    throwaway, backup_keys, backup_bucket
):
    commune = throwaway()
    tricky = f"{commune.schema_name}.accounts_user \\. COPY {commune.schema_name} é\ttab"
    with inside(commune):
        User.objects.create_user(
            email="piege@familles.example",
            password="Motdepasse-1",
            role=Role.GUARDIAN,
            full_name=tricky,
        )
    backup = backed_up(commune)
    new_slug = commune.slug + "-verif"
    throwaway.extra_slugs.append(new_slug)

    record = restore_run(
        record_id=restore_request(
            actor=None, commune=commune, backup_id=backup.pk, new_slug=new_slug, dispatch=False
        ).pk
    )

    assert record.succeeded, record.error
    with inside(Commune.objects.get(slug=new_slug)):
        assert User.objects.get(email="piege@familles.example").full_name == tricky
