"""The command line and the Celery task are thin edges over backup_commune."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from backups.management.commands.backup_commune import Command
from backups.models import BackupRecord, BackupStatus
from backups.tasks import backup_commune_task

pytestmark = pytest.mark.django_db


def test_command_backs_up_and_prints_key_size_and_sha256(
    commune_alpha, backup_keys, backup_bucket
):
    out = io.StringIO()

    call_command("backup_commune", "--slug", "alpha", stdout=out)

    record = BackupRecord.objects.get(commune=commune_alpha)
    assert record.succeeded and record.reason == "manual"
    printed = out.getvalue()
    assert record.object_key in printed
    assert f"{record.size_bytes} octets" in printed
    assert record.sha256 in printed


def test_command_refuses_an_unknown_slug_in_french():
    with pytest.raises(CommandError, match="Aucune commune n'a l'identifiant « nulle-part »"):
        call_command("backup_commune", "--slug", "nulle-part")
    assert not BackupRecord.objects.exists()


def test_command_exits_non_zero_for_an_unknown_slug(capsys):
    with pytest.raises(SystemExit) as exit_info:
        Command().run_from_argv(["manage.py", "backup_commune", "--slug", "nulle-part"])

    assert exit_info.value.code != 0
    assert "Aucune commune n'a l'identifiant « nulle-part »" in capsys.readouterr().err


def test_command_reports_a_failed_backup(commune_alpha, settings):
    settings.BACKUP_ENCRYPTION_KEYS = {}

    with pytest.raises(CommandError, match="La sauvegarde de « alpha » a échoué : Aucune clé"):
        call_command("backup_commune", "--slug", "alpha")


def test_task_backs_up_the_commune_it_names(commune_beta, backup_keys, backup_bucket):
    assert backup_commune_task(commune_beta.pk, "scheduled") == BackupStatus.SUCCEEDED

    record = BackupRecord.objects.get()
    assert (record.commune, record.reason) == (commune_beta, "scheduled")


def test_task_for_a_deleted_commune_does_nothing():
    assert backup_commune_task(10**9, "scheduled") == "missing"
    assert not BackupRecord.objects.exists()
