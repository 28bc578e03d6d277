"""Documents for families: targeting, visibility dates, download access, file checks,
and who may publish."""

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from config.s3 import s3_client
from tenant_apps.accounts.models import Role
from tenant_apps.publications.models import Publication
from tenant_apps.publications.selectors import publications_for_household
from tenant_apps.publications.services import publication_create, publication_withdraw
from tests.conftest import inside, logged_in_client, make_user
from tests.publications.support import World, portal_account, world_make

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def _publish(*, title: str = "Menu de mai", **kwargs: Any) -> Publication:
    options: dict[str, Any] = {
        "description": "", "visible_from": TODAY, "visible_until": None,
        "target_school": None, "target_class": None, "target_service": None,
        "acting_user": None,
    }
    options.update(kwargs)
    upload = options.pop("upload", SimpleUploadedFile("menu.pdf", PDF, "application/pdf"))
    return publication_create(title=title, upload=upload, **options)


def _visible_titles(world: World, key: str, day: datetime.date = TODAY) -> set[str]:
    rows = publications_for_household(household=world.households[key], today=day)
    return {p.title for p in rows}


def test_targeting_by_school_class_service_and_shared_custody(commune_alpha, files_bucket):
    with inside(commune_alpha):
        world = world_make()
        _publish(title="Pour tous")
        _publish(title="École A", target_school=world.school_a)
        _publish(title="Classe B", target_class=world.class_b)
        _publish(title="Repas", target_service=world.meal)
        _publish(title="Classe B au repas", target_class=world.class_b, target_service=world.meal)
        _publish(title="École B et repas", target_school=world.school_b,
                 target_service=world.meal)

        assert _visible_titles(world, "martin") == {"Pour tous", "École A", "Repas"}
        assert _visible_titles(world, "durand") == {"Pour tous", "Classe B"}
        # Zoé lives in both homes; only split_a registered her to meals: both see it all.
        expected = {"Pour tous", "Classe B", "Repas", "Classe B au repas", "École B et repas"}
        assert _visible_titles(world, "split_a") == expected
        assert _visible_titles(world, "split_b") == expected
        assert _visible_titles(world, "empty") == {"Pour tous"}


def test_filters_apply_to_one_child_not_across_siblings(commune_alpha, files_bucket):
    """A household with a child in school A without meals and another in class B with
    meals does not match "school A and meals"."""
    from tenant_apps.catalog.models import Registration
    from tenant_apps.families.models import Child, ChildHousehold
    from tenant_apps.schooling.models import Enrolment

    with inside(commune_alpha):
        world = world_make()
        home = world.households["durand"]
        sibling = Child.objects.create(last_name="DURAND", first_name="Max",
                                       birth_date=datetime.date(2016, 1, 1))
        ChildHousehold.objects.create(child=sibling, household=home)
        Enrolment.objects.create(child=sibling, school_year=world.year,
                                 school_class=world.class_a)
        Registration.objects.create(child=world.children["tom"], service=world.meal,
                                    school_year=world.year, household=home)
        _publish(title="A et repas", target_school=world.school_a, target_service=world.meal)
        _publish(title="B et repas", target_school=world.school_b, target_service=world.meal)
        assert _visible_titles(world, "durand") == {"B et repas"}


def test_visibility_dates_and_withdrawal(commune_alpha, files_bucket):
    with inside(commune_alpha):
        world = world_make()
        _publish(title="Demain", visible_from=TODAY + DAY)
        _publish(title="Hier fini", visible_from=TODAY - 5 * DAY, visible_until=TODAY - DAY)
        _publish(title="Dernier jour", visible_from=TODAY - 5 * DAY, visible_until=TODAY)
        _publish(title="Premier jour", visible_from=TODAY, visible_until=TODAY + DAY)
        withdrawn = _publish(title="Retiré")
        publication_withdraw(publication=withdrawn, acting_user=None)

        assert _visible_titles(world, "durand") == {"Dernier jour", "Premier jour"}
        assert _visible_titles(world, "durand", TODAY + DAY) == {"Demain", "Premier jour"}
        states = {p.title: p.state_on(TODAY) for p in Publication.objects.all()}
        assert states == {"Demain": "upcoming", "Hier fini": "expired",
                          "Dernier jour": "online", "Premier jour": "online",
                          "Retiré": "withdrawn"}


def test_guardian_downloads_through_the_app_and_other_household_gets_404(
    commune_alpha, files_bucket
):
    with inside(commune_alpha):
        world = world_make()
        doc = _publish(title="Programme ALSH", target_school=world.school_a)
        martin = portal_account(world.guardians["martin"])
        durand = portal_account(world.guardians["durand"])
        key = doc.file.name
    # Stored under the commune's prefix in the files bucket.
    from django.conf import settings
    listed = s3_client().list_objects_v2(Bucket=settings.S3_FILES_BUCKET, Prefix="c_alpha/")
    assert any(o["Key"] == f"c_alpha/{key}" for o in listed.get("Contents", []))

    client = logged_in_client(commune_alpha, martin)
    page = client.get("/documents/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Programme ALSH" in body and f"/documents/{doc.pk}/" in body
    assert "9000" not in body and "X-Amz" not in body and key not in body

    response = client.get(f"/documents/{doc.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "inline" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF

    other = logged_in_client(commune_alpha, durand)
    assert other.get(f"/documents/{doc.pk}/").status_code == 404
    assert "Programme ALSH" not in other.get("/documents/").content.decode()
    assert other.get("/documents/999999/").status_code == 404


def test_withdrawn_or_expired_document_is_404_for_its_household(commune_alpha, files_bucket):
    with inside(commune_alpha):
        world = world_make()
        doc = _publish(title="Menu")
        old = _publish(title="Ancien", visible_from=TODAY - 9 * DAY, visible_until=TODAY - DAY)
        user = portal_account(world.guardians["martin"])
    client = logged_in_client(commune_alpha, user)
    assert client.get(f"/documents/{doc.pk}/").status_code == 200
    assert client.get(f"/documents/{old.pk}/").status_code == 404
    with inside(commune_alpha):
        publication_withdraw(publication=doc, acting_user=None)
    assert client.get(f"/documents/{doc.pk}/").status_code == 404


def test_other_commune_cannot_reach_the_document(commune_alpha, commune_beta, files_bucket):
    with inside(commune_alpha):
        doc = _publish(title="Menu alpha")
    with inside(commune_beta):
        world_b = world_make()
        beta_user = portal_account(world_b.guardians["martin"])
    client = logged_in_client(commune_beta, beta_user)
    # Same id on beta's host: beta's own table, where the row does not exist.
    assert client.get(f"/documents/{doc.pk}/").status_code == 404
    assert "Menu alpha" not in client.get("/documents/").content.decode()


def test_account_without_guardian_file_sees_nothing(commune_alpha, files_bucket):
    with inside(commune_alpha):
        doc = _publish(title="Pour tous")
    user = make_user(commune_alpha, role=Role.GUARDIAN)
    client = logged_in_client(commune_alpha, user)
    assert "Aucun document pour le moment" in client.get("/documents/").content.decode()
    assert client.get(f"/documents/{doc.pk}/").status_code == 404


def _form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": "Menus de juin", "description": "Semaine du 2 au 6 juin",
        "visible_from": TODAY.isoformat(), "visible_until": "",
        "file": SimpleUploadedFile("menus.pdf", PDF, "application/pdf"),
    }
    data.update(overrides)
    return data


def test_agent_publishes_to_a_class(commune_alpha, files_bucket):
    with inside(commune_alpha):
        world = world_make()
    agent = make_user(commune_alpha, role=Role.AGENT)
    client = logged_in_client(commune_alpha, agent)
    assert client.get("/gestion/documents/nouveau/").status_code == 200
    response = client.post("/gestion/documents/nouveau/", _form(target_class=world.class_b.pk))
    assert response.status_code == 302
    with inside(commune_alpha):
        doc = Publication.objects.get()
        assert (doc.target_class_id, doc.content_type, doc.size) == (
            world.class_b.pk, "application/pdf", len(PDF))
        assert doc.published_by_email == agent.email
    listing = client.get("/gestion/documents/").content.decode()
    assert "Menus de juin" in listing and "En ligne" in listing
    assert client.get(f"/gestion/documents/{doc.pk}/fichier/").status_code == 200
    assert client.post(f"/gestion/documents/{doc.pk}/retirer/").status_code == 302
    assert "Retiré" in client.get("/gestion/documents/?etat=withdrawn").content.decode()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("virus.pdf", b"MZ\x90\x00" + b"\x00" * 40, "application/pdf"),
         "seuls les fichiers PDF, JPEG et PNG"),
        (SimpleUploadedFile("tableau.xlsx", b"PK\x03\x04" + b"\x00" * 40),
         "seuls les fichiers PDF, JPEG et PNG"),
        (SimpleUploadedFile("image.pdf", PNG, "application/pdf"),
         "ne correspond pas à son extension"),
        (SimpleUploadedFile("vide.pdf", b"", "application/pdf"), "est vide"),
        (SimpleUploadedFile("gros.pdf", PDF + b"0" * (10 * 1024 * 1024), "application/pdf"),
         "dépasse 10 Mo"),
    ],
)
def test_refused_files_save_nothing(commune_alpha, files_bucket, upload, message):
    agent = make_user(commune_alpha, role=Role.AGENT)
    client = logged_in_client(commune_alpha, agent)
    response = client.post("/gestion/documents/nouveau/", _form(file=upload))
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and "rien n&#x27;a été publié" in body
    with inside(commune_alpha):
        assert not Publication.objects.exists()


def test_bad_dates_and_class_outside_school_are_refused(commune_alpha, files_bucket):
    with inside(commune_alpha):
        world = world_make()
    client = logged_in_client(commune_alpha, make_user(commune_alpha, role=Role.AGENT))
    response = client.post("/gestion/documents/nouveau/", _form(
        visible_from=TODAY.isoformat(), visible_until=(TODAY - DAY).isoformat()))
    assert response.status_code == 400
    assert "La date de fin doit suivre la date de début." in response.content.decode()
    response = client.post("/gestion/documents/nouveau/", _form(
        target_school=world.school_a.pk, target_class=world.class_b.pk))
    assert response.status_code == 400
    assert "Cette classe n&#x27;appartient pas à l&#x27;école choisie." in (
        response.content.decode())
    response = client.post("/gestion/documents/nouveau/", _form(visible_from="31/02/2026"))
    assert response.status_code == 400
    with inside(commune_alpha):
        assert not Publication.objects.exists()


@pytest.mark.parametrize("role", [Role.READ_ONLY, Role.ANIMATEUR, Role.REGISSEUR])
def test_roles_that_cannot_publish_get_403(commune_alpha, files_bucket, role):
    with inside(commune_alpha):
        doc = _publish(title="Menu")
    client = logged_in_client(commune_alpha, make_user(commune_alpha, role=role))
    assert client.get("/gestion/documents/").status_code == 200
    listing = client.get("/gestion/documents/").content.decode()
    assert "Publier un document" not in listing and "Retirer" not in listing
    assert client.get("/gestion/documents/nouveau/").status_code == 403
    assert client.post("/gestion/documents/nouveau/", _form()).status_code == 403
    assert client.post(f"/gestion/documents/{doc.pk}/retirer/").status_code == 403
    with inside(commune_alpha):
        assert Publication.objects.get().withdrawn_at is None
        assert Publication.objects.count() == 1


def test_guardian_cannot_reach_the_back_office(commune_alpha, files_bucket):
    with inside(commune_alpha):
        world = world_make()
        doc = _publish(title="Menu")
        user = portal_account(world.guardians["martin"])
    client = logged_in_client(commune_alpha, user)
    for path in ("/gestion/documents/", "/gestion/documents/nouveau/",
                 f"/gestion/documents/{doc.pk}/fichier/"):
        assert client.get(path).status_code == 403
    assert client.post(f"/gestion/documents/{doc.pk}/retirer/").status_code == 403
