"""The portal pages "Mon profil" and "Mes enfants", the back office's change requests and
fields policy: what each role sees and may do, htmx and no-JavaScript paths, French."""

import html

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from config.s3 import ensure_bucket
from tenant_apps.accounts.models import Role
from tenant_apps.families.models import Child, ChildContact, ChildDocument, ChildHousehold, Guardian
from tenant_apps.family_portal.models import ChangeRequest, ChangeStatus, FamilyEditPolicy
from tenant_apps.schooling.models import Enrolment
from tests.conftest import inside, logged_in_client, make_user
from tests.schooling import support as school

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def parent(commune_alpha, family):  # type: ignore[no-untyped-def]
    return logged_in_client(commune_alpha, family.parent)


def test_profile_shows_categories_with_the_policy(commune_alpha, family, parent):
    page = parent.get("/profil/").content.decode()
    for text in ("Mon profil", "Coordonnées", "État civil", "Situation professionnelle",
                 "Adresse du foyer", "Allocataire et quotient familial", "06 12 34 56 78",
                 "742 (valable du 01/01/2026 au 31/12/2026)", "non modifiable ici"):
        assert text in page, text
    # Her own cards are editable, Marc's are not (he has his own account for that).
    assert f"/profil/responsables/{family.mother.pk}/coordonnees/modifier/" in page
    assert f"/profil/responsables/{family.father.pk}/coordonnees/modifier/" not in page
    assert "Seul(e) Marc peut modifier ses informations" in page
    assert parent.get(
        f"/profil/responsables/{family.father.pk}/coordonnees/modifier/").status_code == 404


def test_edit_in_place_with_htmx(commune_alpha, family, parent):
    url = f"/profil/responsables/{family.mother.pk}/coordonnees/modifier/"
    form = parent.get(url, **HTMX)
    assert form.status_code == 200 and b"<html" not in form.content
    assert b'name="phone_mobile"' in form.content and b"autofocus" in form.content
    saved = parent.post(url, {"email": family.mother.email, "phone_mobile": "07 00 00 00 01"},
                        **HTMX)
    body = saved.content.decode()
    assert saved.status_code == 200 and "Vos modifications ont été enregistrées." in body
    assert "07 00 00 00 01" in body and "<form" not in body
    with inside(commune_alpha):
        assert Guardian.objects.get(pk=family.mother.pk).phone_mobile == "07 00 00 00 01"


def test_edit_without_javascript_redirects_with_the_confirmation(commune_alpha, family, parent):
    url = "/profil/foyer/adresse/modifier/"
    assert b"<html" in parent.get(url).content
    response = parent.post(url, {"address": "8 rue du Port", "postcode": "22300",
                                 "city": "Lannion"}, follow=True)
    assert response.redirect_chain[-1][0].startswith("/profil/#carte-household-")
    assert "Vos modifications ont été enregistrées." in response.content.decode()
    assert "8 rue du Port" in response.content.decode()


def test_errors_are_french_and_nothing_is_saved(commune_alpha, family, parent):
    url = f"/profil/responsables/{family.mother.pk}/coordonnees/modifier/"
    response = parent.post(url, {"email": "pas-un-courriel", "phone_mobile": "07"})
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert "Saisissez une adresse e-mail valide." in body and "rien n'a été enregistré" in body
    htmx = parent.post(url, {"email": "", "phone_mobile": ""}, **HTMX)
    assert htmx.status_code == 200
    assert "Renseignez au moins un téléphone ou un courriel." in htmx.content.decode()
    with inside(commune_alpha):
        assert Guardian.objects.get(pk=family.mother.pk).phone_mobile == "06 12 34 56 78"


def test_validated_change_says_it_was_sent(commune_alpha, family, parent):
    url = f"/enfants/{family.child.pk}/regime/modifier/"
    response = parent.post(url, {"diet": "vegetarien"}, **HTMX)
    body = response.content.decode()
    assert "envoyées au service, elles seront validées par un agent" in body
    assert "En attente de validation" in body and "Végétarien" in body
    with inside(commune_alpha):
        assert Child.objects.get(pk=family.child.pk).diet == "sans_porc"


def test_a_crafted_post_for_a_read_only_field_changes_nothing(commune_alpha, family, parent):
    with inside(commune_alpha):
        FamilyEditPolicy.objects.create(field="child.diet", mode="read_only")
    response = parent.post(f"/enfants/{family.child.pk}/regime/modifier/", {"diet": "vegetarien"})
    assert response.status_code == 404
    response = parent.post("/profil/foyer/allocataire/modifier/",
                           {"quotient_familial": "1", "allowance_scheme": "caf",
                            "allowance_number": "AL908172"}, follow=True)
    with inside(commune_alpha):
        assert Child.objects.get(pk=family.child.pk).diet == "sans_porc"
        assert family.household.__class__.objects.get(
            pk=family.household.pk).quotient_familial == 742
        assert not ChangeRequest.objects.filter(household=family.household).exists()


def test_hidden_fields_are_neither_shown_nor_editable(commune_alpha, family, parent):
    with inside(commune_alpha):
        for key in ("child.has_pai", "child.allergies", "child.medical_notes",
                    "child.vaccinations_up_to_date", "child.vaccinations_notes",
                    "child.doctor_name", "child.doctor_phone"):
            FamilyEditPolicy.objects.create(field=key, mode="hidden")
    page = parent.get(f"/enfants/{family.child.pk}/").content.decode()
    assert "Informations médicales" not in page and "Dr Martin" not in page
    assert parent.get(f"/enfants/{family.child.pk}/sante/modifier/").status_code == 404


def test_children_list_and_child_sheet(commune_alpha, family, parent):
    with inside(commune_alpha):
        year = school.year("2026-2027")
        klass = school.school_class(school.school("École Jules Ferry"), year, "CE1 de Mme Le Bihan")
        Enrolment.objects.create(child=family.child, school_year=year, school_class=klass)
        service = school.service("Repas Enfant")
        from tenant_apps.catalog.models import Registration
        Registration.objects.create(child=family.child, service=service, school_year=year,
                                    household=family.household)
    listing = parent.get("/enfants/").content.decode()
    assert "Théo" in listing and "Anna" in listing and "CE1 de Mme Le Bihan" in listing
    assert "à Lannion" in listing
    sheet = parent.get(f"/enfants/{family.child.pk}/").content.decode()
    for text in ("Cursus et groupes", "École Jules Ferry", "Régime alimentaire", "Sans porc",
                 "Prestations inscrites", "Repas Enfant", "Fin de réservation : 08:30",
                 "Informations médicales", "Arachide", "Contacts d'urgence et de sortie",
                 "Documents", "Autorisations", "Photos et vidéos"):
        assert text in sheet, text


def test_query_counts_do_not_grow_with_contacts_and_children(commune_alpha, family, parent):
    sheet, listing = f"/enfants/{family.child.pk}/", "/enfants/"
    school.real_queries(parent, sheet)  # warm the caches (commune routing)
    before = (school.real_queries(parent, sheet), school.real_queries(parent, listing))
    with inside(commune_alpha):
        for n in range(5):
            ChildContact.objects.create(child=family.child, name=f"Contact {n}", phone="06",
                                        role="both")
            extra = Child.objects.create(last_name="Lefèvre", first_name=f"Enfant{n}",
                                         birth_date=family.child.birth_date)
            ChildHousehold.objects.create(child=extra, household=family.household)
    after = (school.real_queries(parent, sheet), school.real_queries(parent, listing))
    assert before == after and after[0] <= 16 and after[1] <= 11


def test_shared_custody_child_is_seen_by_both_households(commune_alpha, family, other_family):
    with inside(commune_alpha):
        ChildHousehold.objects.filter(child=family.child).update(custody="even_weeks")
        ChildHousehold.objects.create(child=family.child, household=other_family.household,
                                      custody="odd_weeks")
    other = logged_in_client(commune_alpha, other_family.parent)
    assert "Théo" in other.get("/enfants/").content.decode()
    page = other.get(f"/enfants/{family.child.pk}/").content.decode()
    assert "garde alternée" in page
    response = other.post(f"/enfants/{family.child.pk}/autorisations/modifier/",
                          {"may_be_photographed": "on"}, follow=True)
    assert "Vos modifications ont été enregistrées." in response.content.decode()


def test_another_households_child_is_a_404_and_nothing_changes(
    commune_alpha, family, other_family, parent
):
    with inside(commune_alpha):
        contact = ChildContact.objects.create(child=other_family.child, name="Voisine",
                                              phone="06", role="both")
    child_id = other_family.child.pk
    for url in (f"/enfants/{child_id}/", f"/enfants/{child_id}/regime/",
                f"/enfants/{child_id}/regime/modifier/", f"/enfants/{child_id}/documents/1/",
                f"/profil/responsables/{other_family.mother.pk}/coordonnees/modifier/"):
        assert parent.get(url).status_code == 404, url
    posts = (
        (f"/enfants/{child_id}/autorisations/modifier/", {"may_be_photographed": "on"}),
        (f"/enfants/{child_id}/contacts/ajouter/", {"name": "X", "phone": "06", "role": "both"}),
        (f"/enfants/{child_id}/contacts/{contact.pk}/retirer/", {}),
        (f"/enfants/{family.child.pk}/contacts/{contact.pk}/retirer/", {}),
        (f"/profil/responsables/{other_family.mother.pk}/coordonnees/modifier/",
         {"phone_mobile": "00", "email": "x@example.test"}),
    )
    for url, data in posts:
        assert parent.post(url, data).status_code == 404, url
    with inside(commune_alpha):
        assert ChildContact.objects.filter(pk=contact.pk).exists()
        assert ChildContact.objects.filter(child=other_family.child).count() == 1
        assert not Child.objects.get(pk=child_id).may_be_photographed
        assert Guardian.objects.get(pk=other_family.mother.pk).phone_mobile == "06 12 34 56 78"


def test_contacts_add_and_remove(commune_alpha, family, parent):
    url = f"/enfants/{family.child.pk}/contacts/ajouter/"
    refused = parent.post(url, {"name": "", "phone": "", "role": "both"})
    assert refused.status_code == 400 and "Ce champ est obligatoire." in refused.content.decode()
    added = parent.post(url, {"name": "Mamie Lefèvre", "phone": "06 00 00 00 01",
                              "relationship": "grand-mère", "role": "emergency"}, follow=True)
    assert "Mamie Lefèvre" in added.content.decode()
    with inside(commune_alpha):
        contact = ChildContact.objects.get(child=family.child, name="Mamie Lefèvre")
    parent.post(f"/enfants/{family.child.pk}/contacts/{contact.pk}/retirer/")
    with inside(commune_alpha):
        assert not ChildContact.objects.filter(pk=contact.pk).exists()


def test_document_upload_and_download_through_the_access_check(
    commune_alpha, family, other_family, parent
):
    ensure_bucket(settings.S3_FILES_BUCKET)
    url = f"/enfants/{family.child.pk}/documents/ajouter/"
    refused = parent.post(url, {"title": "Virus", "upload": SimpleUploadedFile(
        "virus.exe", b"MZ\x90\x00", content_type="application/pdf")})
    assert refused.status_code == 400
    assert "Seuls les fichiers PDF, JPEG et PNG sont acceptés." in refused.content.decode()
    parent.post(url, {"title": "Carnet de vaccination", "upload": SimpleUploadedFile(
        "carnet.png", PNG, content_type="image/png")})
    with inside(commune_alpha):
        document = ChildDocument.objects.get(child=family.child)
    response = parent.get(f"/enfants/{family.child.pk}/documents/{document.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    other = logged_in_client(commune_alpha, other_family.parent)
    assert other.get(f"/enfants/{family.child.pk}/documents/{document.pk}/").status_code == 404
    assert other.get(
        f"/enfants/{other_family.child.pk}/documents/{document.pk}/").status_code == 404


def test_roles_portal_and_back_office(commune_alpha, family, alpha_agent):
    agent = logged_in_client(commune_alpha, alpha_agent)
    assert agent.get("/profil/").status_code == 403
    assert agent.get("/gestion/demandes/").status_code == 200
    assert agent.get("/gestion/parametres/portail/champs/").status_code == 403
    parent = logged_in_client(commune_alpha, family.parent)
    assert parent.get("/gestion/demandes/").status_code == 403
    reader = logged_in_client(commune_alpha, make_user(commune_alpha, role=Role.READ_ONLY))
    assert reader.get("/gestion/demandes/").status_code == 403
    unlinked = logged_in_client(commune_alpha, make_user(commune_alpha, role=Role.GUARDIAN))
    assert "pas encore rattaché" in unlinked.get("/enfants/").content.decode()


def test_agent_accepts_and_refuses_in_the_back_office(commune_alpha, family, parent,
                                                      alpha_agent):
    parent.post(f"/enfants/{family.child.pk}/regime/modifier/", {"diet": "vegetarien"})
    parent.post(f"/enfants/{family.sibling.pk}/regime/modifier/", {"diet": "sans_viande"})
    agent = logged_in_client(commune_alpha, alpha_agent)
    page = agent.get("/gestion/demandes/").content.decode()
    assert "Sans porc" in page and "Végétarien" in page and "Sans viande" in page
    with inside(commune_alpha):
        first = ChangeRequest.objects.get(child=family.child)
        second = ChangeRequest.objects.get(child=family.sibling)
    agent.post(f"/gestion/demandes/{first.pk}/accepter/")
    no_reason = agent.post(f"/gestion/demandes/{second.pk}/refuser/", {"reason": ""},
                           follow=True)
    assert "Indiquez le motif du refus" in no_reason.content.decode()
    agent.post(f"/gestion/demandes/{second.pk}/refuser/", {"reason": "Pas de menu sans viande"})
    with inside(commune_alpha):
        assert Child.objects.get(pk=family.child.pk).diet == "vegetarien"
        assert Child.objects.get(pk=family.sibling.pk).diet == "standard"
        assert ChangeRequest.objects.get(pk=second.pk).status == ChangeStatus.REFUSED
    profile = parent.get("/profil/").content.decode()
    assert "Acceptée" in profile and "Motif : Pas de menu sans viande" in profile
    decided = agent.get("/gestion/demandes/?etat=decided").content.decode()
    assert "Pas de menu sans viande" in decided


def test_administrator_sets_the_policy(commune_alpha, family, alpha_admin, parent):
    admin = logged_in_client(commune_alpha, alpha_admin)
    page = admin.get("/gestion/parametres/portail/champs/").content.decode()
    assert "Modifiable, validé par un agent" in page and "Quotient familial" in page
    response = admin.post("/gestion/parametres/portail/champs/",
                          {"child.diet": "direct", "guardian.occupation": "hidden"}, follow=True)
    assert "Choix enregistrés : 2 champ(s) modifié(s)." in response.content.decode()
    bad = admin.post("/gestion/parametres/portail/champs/",
                     {"household.quotient_familial": "direct"})
    assert bad.status_code == 400
    saved = parent.post(f"/enfants/{family.child.pk}/regime/modifier/", {"diet": "vegetarien"},
                        follow=True)
    assert "Vos modifications ont été enregistrées." in saved.content.decode()
    assert "Profession" not in parent.get("/profil/").content.decode()
