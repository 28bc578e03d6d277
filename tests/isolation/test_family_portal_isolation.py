"""Mon profil / Mes enfants and the change requests: a parent never reaches another
household's child, contact, document or guardian, in this commune or another; an agent of
one commune never decides another commune's requests. Every refusal is a 404 (the same as
a missing row) and writes nothing."""

import pytest
from django.conf import settings
from django.core.files.base import ContentFile

from config.s3 import ensure_bucket
from tenant_apps.families.models import ChildContact, ChildDocument
from tenant_apps.family_portal import services
from tenant_apps.family_portal.models import ChangeRequest
from tests.conftest import host_of, inside, logged_in_client, make_user
from tests.family_portal.support import portal_family
from tests.isolation.support import nothing_changes

pytestmark = pytest.mark.django_db

HOSTILE = {"diet": "vegetarien", "may_be_photographed": "on", "phone_mobile": "06 66 66 66 66",
           "email": "pirate@example.test", "address": "Piraté", "city": "Piraté",
           "postcode": "66666", "name": "Pirate", "phone": "06", "role": "both",
           "title": "Piraté", "reason": "piraté"}


def _family_objects(commune, admin):  # type: ignore[no-untyped-def]
    ensure_bucket(settings.S3_FILES_BUCKET)
    with inside(commune):
        fam = portal_family(commune, admin, last_name="Cible")
        contact = ChildContact.objects.create(child=fam.child, name="Secret Voisin",
                                              phone="06 11 11 11 11", role="both")
        document = ChildDocument(child=fam.child, title="PAI secret",
                                 content_type="application/pdf")
        document.file.save("pai.pdf", ContentFile(b"%PDF-1.4 secret"), save=True)
    return fam, contact, document


def _urls(fam, contact, document):  # type: ignore[no-untyped-def]
    c = fam.child.pk
    return [
        f"/enfants/{c}/", f"/enfants/{c}/regime/", f"/enfants/{c}/regime/modifier/",
        f"/enfants/{c}/sante/modifier/", f"/enfants/{c}/autorisations/modifier/",
        f"/enfants/{c}/etat-civil/modifier/", f"/enfants/{c}/contacts/ajouter/",
        f"/enfants/{c}/contacts/{contact.pk}/retirer/", f"/enfants/{c}/documents/ajouter/",
        f"/enfants/{c}/documents/{document.pk}/",
        f"/profil/responsables/{fam.mother.pk}/coordonnees/",
        f"/profil/responsables/{fam.mother.pk}/coordonnees/modifier/",
        f"/profil/responsables/{fam.father.pk}/etat-civil/modifier/",
    ]


def test_a_parent_never_reaches_another_households_objects(commune_alpha):
    admin = make_user(commune_alpha, role="administrator")
    target, contact, document = _family_objects(commune_alpha, admin)
    with inside(commune_alpha):
        intruder = portal_family(commune_alpha, admin, last_name="Intrus")
    client = logged_in_client(commune_alpha, intruder.parent)
    with nothing_changes(commune_alpha.schema_name):
        for url in _urls(target, contact, document):
            for method in ("get", "post"):
                response = getattr(client, method)(url, HOSTILE)
                assert response.status_code in (404, 405), (method, url, response.status_code)
                body = response.content.decode(errors="replace")
                for secret in ("Secret Voisin", "PAI secret", "%PDF", target.mother.email):
                    assert secret not in body, (method, url, secret)
    # His own pages never list them either.
    for url in ("/enfants/", "/profil/"):
        body = client.get(url).content.decode()
        assert "Théo CIBLE" not in body and target.mother.email not in body


def test_a_parent_of_another_commune_reaches_nothing(commune_alpha, commune_beta):
    admin_a = make_user(commune_alpha, role="administrator")
    target, contact, document = _family_objects(commune_alpha, admin_a)
    admin_b = make_user(commune_beta, role="administrator")
    with inside(commune_beta):
        beta_family = portal_family(commune_beta, admin_b, last_name="Beta")
        own_ids = {beta_family.child.pk, beta_family.sibling.pk}
    client = logged_in_client(commune_beta, beta_family.parent)
    with nothing_changes(commune_alpha.schema_name):
        for url in _urls(target, contact, document):
            if any(f"/enfants/{i}/" in url for i in own_ids):
                continue  # the same id is one of his own children in beta's schema
            response = client.get(url)
            assert response.status_code in (404, 405), url  # 405: a POST-only action
            response = client.post(url, HOSTILE)
            assert response.status_code == 404, url
    # Alpha's parent, replayed on beta's host, is anonymous there.
    alpha_client = logged_in_client(commune_alpha, target.parent)
    alpha_client.defaults["HTTP_HOST"] = host_of(commune_beta)
    response = alpha_client.get("/profil/")
    assert response.status_code == 302 and "connexion" in response["Location"]


def test_an_agent_of_another_commune_cannot_decide_a_request(commune_alpha, commune_beta):
    admin_a = make_user(commune_alpha, role="administrator")
    with inside(commune_alpha):
        fam = portal_family(commune_alpha, admin_a, last_name="Demande")
        services.family_changes_submit(household=fam.household, target="child", obj=fam.child,
                                       category="regime", data={"diet": "vegetarien"},
                                       acting_user=fam.parent)
        request = ChangeRequest.objects.get(child=fam.child)
    beta_agent = make_user(commune_beta, role="agent")
    with inside(commune_beta):
        beta_has_it = ChangeRequest.objects.filter(pk=request.pk).exists()
    client = logged_in_client(commune_beta, beta_agent)
    with nothing_changes(commune_alpha.schema_name):
        page = client.get("/gestion/demandes/").content.decode()
        assert fam.household.name not in page
        if not beta_has_it:
            assert client.post(f"/gestion/demandes/{request.pk}/accepter/").status_code == 404
            assert client.post(f"/gestion/demandes/{request.pk}/refuser/",
                               {"reason": "x"}).status_code == 404
