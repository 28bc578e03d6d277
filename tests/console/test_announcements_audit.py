"""Announcements from the console reach the communes' banners; the audit log lists actions."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from shared_apps.announcements.models import Announcement
from shared_apps.announcements.selectors import announcements_active_for
from shared_apps.audit.models import OperatorAction
from tenant_apps.accounts.models import Role, User

pytestmark = pytest.mark.django_db


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _form(**overrides):
    now = timezone.now()
    data = {
        "kind": "maintenance",
        "title": "Maintenance jeudi soir",
        "body": "Le service sera interrompu de 22 h à 23 h.",
        "starts_at": _local(now - timedelta(minutes=5)),
        "ends_at": _local(now + timedelta(days=1)),
        "all_communes": "on",
    }
    data.update(overrides)
    return data


def test_announcement_to_chosen_communes(console, commune_alpha, commune_beta):
    data = _form(communes=[commune_alpha.pk], show_on_portal="on")
    del data["all_communes"]
    response = console.post("/annonces/nouvelle/", data)
    assert response.status_code == 302
    announcement = Announcement.objects.get(title="Maintenance jeudi soir")
    assert list(announcements_active_for(commune_id=commune_alpha.pk)) == [announcement]
    assert list(announcements_active_for(commune_id=commune_alpha.pk, audience="portal")) == [
        announcement
    ]
    assert list(announcements_active_for(commune_id=commune_beta.pk)) == []
    record = OperatorAction.objects.get(action="announcement.create")
    assert record.detail["communes"] == ["alpha"]
    assert record.actor_email == "ops@example.test"
    html = console.get("/annonces/").content.decode()
    assert "Maintenance jeudi soir" in html and "En cours" in html and "Alphaville" in html


def test_announcement_to_all_communes_then_end_now(console, commune_alpha, commune_beta):
    console.post("/annonces/nouvelle/", _form())
    announcement = Announcement.objects.get()
    assert announcement.all_communes
    assert list(announcements_active_for(commune_id=commune_beta.pk)) == [announcement]
    assert list(announcements_active_for(commune_id=commune_beta.pk, audience="portal")) == []

    response = console.post(f"/annonces/{announcement.pk}/terminer/")
    assert response.status_code == 302
    assert list(announcements_active_for(commune_id=commune_beta.pk)) == []
    assert OperatorAction.objects.filter(action="announcement.end").exists()
    # Ending it twice is a message, not an error page
    again = console.post(f"/annonces/{announcement.pk}/terminer/", follow=True)
    assert "Cette annonce est déjà terminée." in again.content.decode()


def test_future_announcement_can_be_withdrawn(console, commune_alpha):
    now = timezone.now()
    console.post(
        "/annonces/nouvelle/",
        _form(starts_at=_local(now + timedelta(days=2)), ends_at=_local(now + timedelta(days=3))),
    )
    announcement = Announcement.objects.get()
    assert "À venir" in console.get("/annonces/").content.decode()
    console.post(f"/annonces/{announcement.pk}/terminer/")
    announcement.refresh_from_db()
    assert announcement.ends_at <= timezone.now()
    assert announcement.starts_at < announcement.ends_at


def test_announcement_form_errors_in_french(console):
    now = timezone.now()
    data = _form(starts_at=_local(now), ends_at=_local(now - timedelta(hours=1)), title="")
    del data["all_communes"]
    response = console.post("/annonces/nouvelle/", data)
    html = response.content.decode()
    assert response.status_code == 400
    assert "La fin doit être postérieure au début." in html
    assert "Choisissez au moins une commune" in html
    assert "Ce champ est obligatoire." in html
    assert "Le service sera interrompu" in html  # the text typed is kept
    assert not Announcement.objects.exists()


def test_unknown_announcement_is_404(console):
    assert console.post("/annonces/999999/terminer/").status_code == 404


def test_audit_log_lists_and_filters(console, commune_alpha, register_commune):
    register_commune("gamma")
    console.post("/communes/alpha/domaines/", {"hostname": "cantine.alpha.example"})
    html = console.get("/journal/").content.decode()
    assert "Création de la commune" in html and "Ajout d&#x27;un domaine" in html
    filtered = console.get("/journal/", {"commune": "gamma"}).content.decode()
    assert "Création de la commune" in filtered
    assert "Ajout d&#x27;un domaine" not in filtered
    empty = console.get("/journal/", {"commune": "personne"}).content.decode()
    assert "Aucune action enregistrée pour « personne »" in empty


# --- create_operator ----------------------------------------------------------------------


def test_create_operator_is_idempotent(capsys):
    call_command("create_operator", "--email", "Chef@Example.test", "--password", "Motdepasse-1",
                 "--full-name", "Chef des opérations")
    user = User.objects.get(email="chef@example.test")
    assert user.role == Role.OPERATOR and user.check_password("Motdepasse-1")
    assert user.full_name == "Chef des opérations"

    call_command("create_operator", "--email", "chef@example.test", "--password", "Autre-secret-2")
    user.refresh_from_db()
    assert user.check_password("Autre-secret-2")
    assert user.full_name == "Chef des opérations"
    assert User.objects.filter(email="chef@example.test").count() == 1
    assert "mis à jour" in capsys.readouterr().out


def test_create_operator_refuses_weak_password_and_other_roles():
    with pytest.raises(CommandError):
        call_command("create_operator", "--email", "x@example.test", "--password", "court")
    User.objects.create_user(email="agent@example.test", password="Motdepasse-1", role="agent")
    with pytest.raises(CommandError, match="existe déjà"):
        call_command(
            "create_operator", "--email", "agent@example.test", "--password", "Motdepasse-1"
        )
