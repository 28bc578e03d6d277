"""Back-office pages of families: every role against every page, medical data and
finances kept from those who may not see them, forms that keep what was typed."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.s3 import ensure_bucket
from tenant_apps.accounts.models import Role
from tenant_apps.families import services
from tenant_apps.families.models import Child, Guardian, Household
from tenant_apps.history.models import ChangeRecord
from tests.conftest import inside, logged_in_client, make_user
from tests.families.conftest import ROLES, family_create

pytestmark = pytest.mark.django_db

MEDICAL_SECRETS = ("SECRET-ALLERGIE", "SECRET-MEDICAL", "SECRET-MEDECIN")
FINANCE_SECRETS = ("AL908172",)  # the allocataire number


def read_pages(family) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        "/gestion/familles/",
        "/gestion/familles/?q=lefevre&qf=manquant&tri=-qf",
        "/gestion/familles/enfants/",
        "/gestion/familles/enfants/?regime=sans_porc&pai=1&tri=-naissance",
        f"/gestion/familles/{family.household.pk}/",
        f"/gestion/familles/enfants/{family.child.pk}/",
        "/gestion/familles/recherche/?q=theo",
    ]


def edit_pages(family) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        "/gestion/familles/nouveau/",
        f"/gestion/familles/{family.household.pk}/modifier/",
        f"/gestion/familles/{family.household.pk}/responsables/ajouter/",
        f"/gestion/familles/{family.household.pk}/responsables/{family.father.pk}/modifier/",
        f"/gestion/familles/{family.household.pk}/enfants/ajouter/",
        f"/gestion/familles/enfants/{family.child.pk}/modifier/",
        f"/gestion/familles/enfants/{family.child.pk}/foyers/ajouter/",
    ]


@pytest.mark.parametrize("role", [*ROLES, Role.GUARDIAN])
def test_role_matrix_of_pages(commune_alpha, family, role):
    client = logged_in_client(commune_alpha, make_user(commune_alpha, role=role))
    is_agent = role != Role.GUARDIAN
    is_editor = role in (Role.ADMINISTRATOR, Role.AGENT)
    for path in read_pages(family):
        assert client.get(path).status_code == (200 if is_agent else 403), path
    for path in edit_pages(family):
        assert client.get(path).status_code == (200 if is_editor else 403), path


def test_anonymous_is_sent_to_the_login_page(commune_alpha, family):
    from django.test import Client

    client = Client(HTTP_HOST="alpha.localhost")
    for path in read_pages(family) + edit_pages(family):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/gestion/connexion/")


@pytest.mark.parametrize("role", [Role.REGISSEUR, Role.READ_ONLY])
def test_medical_data_never_reaches_roles_without_medical_access(commune_alpha, family, role):
    client = logged_in_client(commune_alpha, make_user(commune_alpha, role=role))
    for path in read_pages(family):
        body = client.get(path).content.decode()
        for secret in MEDICAL_SECRETS:
            assert secret not in body, (path, secret)
        assert "badge-pai" not in body, path
    child_page = client.get(f"/gestion/familles/enfants/{family.child.pk}/").content.decode()
    assert "Informations médicales réservées aux agents habilités." in child_page
    assert "Sans porc" in child_page  # the diet is not medical data
    assert 'id="documents"' not in child_page
    # History rows of the child's creation exist but without their medical values.
    assert "Détails masqués pour votre rôle." in child_page


def test_animateur_sees_health_and_contacts_but_not_finances(commune_alpha, family):
    client = logged_in_client(commune_alpha, make_user(commune_alpha, role=Role.ANIMATEUR))
    child_page = client.get(f"/gestion/familles/enfants/{family.child.pk}/").content.decode()
    for secret in MEDICAL_SECRETS:
        assert secret in child_page
    assert "badge-pai" in child_page
    household_page = client.get(f"/gestion/familles/{family.household.pk}/").content.decode()
    assert "06 12 34 56 78" in household_page
    for secret in FINANCE_SECRETS:
        assert secret not in household_page
    assert "QF et allocataire" not in household_page
    assert "Modifier le foyer" not in household_page


def test_read_only_sees_finances_and_no_edit_button(commune_alpha, family):
    client = logged_in_client(commune_alpha, make_user(commune_alpha, role=Role.READ_ONLY))
    body = client.get(f"/gestion/familles/{family.household.pk}/").content.decode()
    assert "AL908172" in body and "742" in body
    assert "Modifier le foyer" not in body and "+ Enfant" not in body


@pytest.mark.parametrize("role", [Role.REGISSEUR, Role.READ_ONLY, Role.ANIMATEUR])
def test_non_editors_change_nothing(commune_alpha, family, role):
    client = logged_in_client(commune_alpha, make_user(commune_alpha, role=role))
    h, c = family.household.pk, family.child.pk
    posts = [
        ("/gestion/familles/nouveau/", {"name": "Pirate"}),
        (f"/gestion/familles/{h}/modifier/", {"name": "Pirate"}),
        (f"/gestion/familles/{h}/responsables/{family.father.pk}/retirer/", {}),
        (f"/gestion/familles/{h}/responsables/{family.mother.pk}/inviter/", {}),
        (f"/gestion/familles/enfants/{c}/modifier/", {"first_name": "Pirate"}),
        (f"/gestion/familles/enfants/{c}/contacts/ajouter/",
         {"name": "Pirate", "phone": "0600000000", "role": "pickup"}),
    ]
    with inside(commune_alpha):
        before = ChangeRecord.objects.count()
    for path, data in posts:
        assert client.post(path, data).status_code == 403, path
    with inside(commune_alpha):
        assert ChangeRecord.objects.count() == before
        assert Guardian.objects.filter(pk=family.father.pk).exists()


def test_household_create_with_first_guardian(commune_alpha, alpha_admin):
    client = logged_in_client(commune_alpha, alpha_admin)
    response = client.post("/gestion/familles/nouveau/", {
        "name": "DURAND Lucie", "city": "Lannion", "is_resident": "on",
        "responsable-last_name": "Durand", "responsable-first_name": "Lucie",
        "responsable-phone_mobile": "06 11 22 33 44",
    })
    assert response.status_code == 302
    with inside(commune_alpha):
        household = Household.objects.get(name="DURAND Lucie")
        assert household.billing_guardian is not None
        assert household.billing_guardian.first_name == "Lucie"
    assert response["Location"] == f"/gestion/familles/{household.pk}/"


def test_bad_input_is_a_400_in_french_with_nothing_saved_and_nothing_lost(commune_alpha,
                                                                          alpha_admin):
    client = logged_in_client(commune_alpha, alpha_admin)
    response = client.post("/gestion/familles/nouveau/", {
        "name": "FOYER INCOMPLET", "city": "Ville-Tapée", "is_resident": "on",
        "responsable-last_name": "Sans", "responsable-first_name": "Contact",
    })
    assert response.status_code == 400
    body = response.content.decode()
    assert "Renseignez au moins un téléphone ou un courriel." in body
    assert "rien n&#x27;a été enregistré" in body
    assert 'value="Ville-Tapée"' in body and 'value="Contact"' in body
    with inside(commune_alpha):
        assert not Household.objects.filter(name="FOYER INCOMPLET").exists()


def test_child_edit_errors_next_to_fields(commune_alpha, family, alpha_admin):
    client = logged_in_client(commune_alpha, alpha_admin)
    response = client.post(f"/gestion/familles/enfants/{family.child.pk}/modifier/", {
        "last_name": "Lefèvre", "first_name": "Théodore", "birth_date": "2099-01-01",
        "diet": "standard",
    })
    assert response.status_code == 400
    body = response.content.decode()
    assert "La date de naissance est dans le futur." in body
    assert 'value="Théodore"' in body
    with inside(commune_alpha):
        assert Child.objects.get(pk=family.child.pk).first_name == "Théo"
    response = client.post(f"/gestion/familles/enfants/{family.child.pk}/modifier/", {
        "last_name": "Lefèvre", "first_name": "", "birth_date": "pas une date",
    })
    body = response.content.decode()
    assert response.status_code == 400
    assert "Ce champ est obligatoire." in body and "Saisissez une date valide." in body


def test_guardian_added_from_the_household_page(commune_alpha, family, alpha_admin):
    client = logged_in_client(commune_alpha, alpha_admin)
    response = client.post(f"/gestion/familles/{family.household.pk}/responsables/ajouter/", {
        "civility": "mme", "last_name": "Grand", "first_name": "Odile",
        "relationship": "tutrice", "email": "odile@example.test",
    })
    assert response.status_code == 302
    page = client.get(f"/gestion/familles/{family.household.pk}/").content.decode()
    assert "Odile GRAND" in page and "Responsable légal ajouté : Odile GRAND" in page


def test_shared_custody_shows_both_households(commune_alpha, family, alpha_admin):
    with inside(commune_alpha):
        other = services.household_create(actor=alpha_admin, name="MARTIN Paul")
    client = logged_in_client(commune_alpha, alpha_admin)
    response = client.post(f"/gestion/familles/enfants/{family.child.pk}/foyers/ajouter/",
                           {"household": other.pk, "custody": "even_weeks"})
    assert response.status_code == 302
    page = client.get(f"/gestion/familles/enfants/{family.child.pk}/").content.decode()
    assert "MARTIN Paul" in page and "Semaines paires" in page
    assert "LEFÈVRE Hélène" in page and "Semaines impaires" in page
    bad = client.post(f"/gestion/familles/enfants/{family.child.pk}/foyers/ajouter/",
                      {"household": "", "custody": "full"})
    assert bad.status_code == 400


def test_document_upload_download_and_refusal(commune_alpha, family, alpha_admin):
    ensure_bucket(settings.S3_FILES_BUCKET)
    client = logged_in_client(commune_alpha, alpha_admin)
    url = f"/gestion/familles/enfants/{family.child.pk}/documents/ajouter/"
    refused = client.post(url, {"title": "Exécutable", "upload": SimpleUploadedFile(
        "x.exe", b"MZ\x90\x00binary", content_type="application/pdf")})
    assert refused.status_code == 400
    assert "Seuls les fichiers PDF, JPEG et PNG sont acceptés." in refused.content.decode()
    ok = client.post(url, {"title": "Certificat", "upload": SimpleUploadedFile(
        "certificat.pdf", b"%PDF-1.4 contenu", content_type="application/pdf")})
    assert ok.status_code == 302
    with inside(commune_alpha):
        document = Child.objects.get(pk=family.child.pk).documents.get()
    download = f"/gestion/familles/enfants/{family.child.pk}/documents/{document.pk}/"
    response = client.get(download + "?telecharger=1")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 contenu"
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert "amazonaws" not in response.get("Location", "")
    # Roles without documents get the same answer as for a missing document.
    for role, expected in ((Role.REGISSEUR, 404), (Role.READ_ONLY, 404),
                           (Role.ANIMATEUR, 200), (Role.GUARDIAN, 403)):
        other = logged_in_client(commune_alpha, make_user(commune_alpha, role=role))
        assert other.get(download).status_code == expected, role
    # The document of a child is not reachable through another child's URL.
    wrong = f"/gestion/familles/enfants/{family.sibling.pk}/documents/{document.pk}/"
    assert client.get(wrong).status_code == 404


def test_missing_ids_are_404(commune_alpha, alpha_admin):
    client = logged_in_client(commune_alpha, alpha_admin)
    for path in ("/gestion/familles/999999/", "/gestion/familles/enfants/999999/",
                 "/gestion/familles/999999/modifier/"):
        assert client.get(path).status_code == 404


def _queries(client, path: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_list_pages_cost_the_same_for_2_or_12_families(commune_alpha, alpha_admin,
                                                       django_assert_max_num_queries):
    client = logged_in_client(commune_alpha, alpha_admin)
    with inside(commune_alpha):
        for i in range(2):
            family_create(alpha_admin, name=f"PETIT {i}", last_name=f"Petit{i}")
    pages = ["/gestion/familles/?q=petit", "/gestion/familles/enfants/?q=petit",
             "/gestion/familles/recherche/?q=petit"]
    few = [_queries(client, p) for p in pages]
    with inside(commune_alpha):
        for i in range(10):
            family_create(alpha_admin, name=f"PETIT grand {i}", last_name=f"Petit{i}")
    many = [_queries(client, p) for p in pages]
    assert few == many, (few, many)
    # django-tenants sends "SET search_path" before each query: 13 queries (one is the
    # navbar's unread-messages badge), 26 statements.
    with django_assert_max_num_queries(26):
        client.get("/gestion/familles/?q=petit")


def test_detail_pages_cost_a_fixed_number_of_queries(commune_alpha, alpha_admin, family):
    client = logged_in_client(commune_alpha, alpha_admin)
    household = f"/gestion/familles/{family.household.pk}/"
    child = f"/gestion/familles/enfants/{family.child.pk}/"
    before = (_queries(client, household), _queries(client, child))
    with inside(commune_alpha):
        for i in range(4):
            services.child_create(actor=alpha_admin, household=family.household,
                                  last_name="Lefèvre", first_name=f"Petit{i}",
                                  birth_date=family.child.birth_date)
            services.contact_add(actor=alpha_admin, child=family.child, name=f"C{i}",
                                 phone="0600000000", role="both")
    assert (_queries(client, household), _queries(client, child)) == before
