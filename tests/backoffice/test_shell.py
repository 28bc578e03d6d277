"""Back office shell: settings page (with a logo stored in the commune's S3 prefix) and
the announcements banner from the control plane."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from config.s3 import ensure_bucket, s3_client
from shared_apps.announcements.services import announcement_create
from tenant_apps.commune_settings.models import CommuneSettings
from tests.conftest import inside, logged_in_client, make_user

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_administrator_updates_settings_and_logo_lands_in_commune_prefix(commune_alpha, settings):
    ensure_bucket(settings.S3_FILES_BUCKET)
    admin = make_user(commune_alpha, role="administrator")
    client = logged_in_client(commune_alpha, admin)
    response = client.post(
        "/gestion/parametres/",
        {
            "display_name": "Ville d'Alpha",
            "phone": "02 96 00 00 00",
            "brand_colour": "#aa3300",
            "opening_hours": "Lundi au vendredi, 8 h 30 – 17 h",
            "logo": SimpleUploadedFile("logo.png", _png(), content_type="image/png"),
        },
    )
    assert response.status_code == 302
    with inside(commune_alpha):
        row = CommuneSettings.objects.get()
        assert (row.display_name, row.brand_colour) == ("Ville d'Alpha", "#aa3300")
        key = row.logo.name
    objects = s3_client().list_objects_v2(Bucket=settings.S3_FILES_BUCKET, Prefix="c_alpha/")
    assert any(o["Key"].endswith(key.split("/")[-1]) for o in objects.get("Contents", []))
    page = client.get("/gestion/").content.decode()
    assert "--brand: #aa3300" in page and "Ville d&#x27;Alpha" in page


def test_invalid_settings_keep_what_was_saved(commune_alpha):
    admin = make_user(commune_alpha, role="administrator")
    client = logged_in_client(commune_alpha, admin)
    with inside(commune_alpha):
        before = CommuneSettings.objects.get().display_name
    response = client.post(
        "/gestion/parametres/", {"display_name": "", "brand_colour": "rouge", "email": "pas-un"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "rien n&#x27;a été modifié" in body or "rien n'a été modifié" in body
    with inside(commune_alpha):
        assert CommuneSettings.objects.get().display_name == before


def test_announcement_banner_in_back_office_and_portal_only_if_chosen(commune_alpha, commune_beta):
    now = timezone.now()
    announcement_create(
        actor=None,
        kind="incident",
        title="Paiement en ligne indisponible",
        body="Le prestataire de paiement est en panne.",
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=2),
        all_communes=False,
        communes=[commune_alpha],
    )
    agent_alpha = make_user(commune_alpha, role="agent")
    agent_beta = make_user(commune_beta, role="agent")
    parent_alpha = make_user(commune_alpha, role="guardian")
    alpha_page = logged_in_client(commune_alpha, agent_alpha).get("/gestion/").content.decode()
    beta_page = logged_in_client(commune_beta, agent_beta).get("/gestion/").content.decode()
    portal = logged_in_client(commune_alpha, parent_alpha).get("/").content.decode()
    assert "Paiement en ligne indisponible" in alpha_page
    assert "Paiement en ligne indisponible" not in beta_page
    assert "Paiement en ligne indisponible" not in portal  # not chosen for families
