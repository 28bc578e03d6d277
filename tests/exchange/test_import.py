"""Importing households, guardians and children: preview, line-by-line errors, all or
nothing, idempotence, refused uploads and who may import."""

import datetime
import io

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from openpyxl import Workbook

from tenant_apps.accounts.models import Role
from tenant_apps.exchange import services
from tenant_apps.exchange.import_rows import CODES, parse_upload, template_rows
from tenant_apps.families.models import Child, ChildHousehold, Guardian, Household
from tenant_apps.history.models import ChangeRecord
from tests.conftest import inside, logged_in_client, make_user
from tests.exchange.support import csv_upload, layout, named, plans

pytestmark = pytest.mark.django_db
URL = "/gestion/donnees/import/"


def _with(row, **cells):
    changed = list(row)
    for code, value in cells.items():
        changed[CODES.index(code)] = value
    return changed


@pytest.fixture
def agent(commune_alpha):
    return make_user(commune_alpha, role=Role.AGENT)


@pytest.fixture
def client(commune_alpha, agent):
    return logged_in_client(commune_alpha, agent)


def _upload(client, content, name="familles.csv"):
    return client.post(URL, {"fichier": named(content, name)})


def _counts(commune):
    with inside(commune):
        return (Household.objects.count(), Guardian.objects.count(), Child.objects.count(),
                ChildHousehold.objects.count())


def test_a_valid_file_is_previewed_then_imported_on_confirmation(client, commune_alpha):
    response = _upload(client, csv_upload(template_rows()))

    assert response.status_code == 302
    preview_url = response["Location"]
    assert _counts(commune_alpha) == (0, 0, 0, 0)
    page = client.get(preview_url).content.decode()
    assert "Le fichier « familles.csv » est valide : 3 lignes lues, aucune erreur." in page
    assert "LE GALL Camille (F0001)" in page
    assert "Maël Le Gall (E0001)" in page

    done = client.post(preview_url)

    assert done.status_code == 302
    assert _counts(commune_alpha) == (2, 2, 2, 3)
    summary = client.get(done["Location"]).content.decode()
    assert "Import terminé" in summary
    assert "9 changements enregistrés" in summary
    with inside(commune_alpha):
        camille = Household.objects.get(external_ref="F0001")
        assert camille.billing_guardian.first_name == "Camille"
        nolwenn = Child.objects.get(external_ref="E0002")
        assert nolwenn.has_pai and nolwenn.allergies == "arachide"
        assert sorted(nolwenn.memberships.values_list("custody", flat=True)) == [
            "even_weeks", "odd_weeks"]
        history = ChangeRecord.objects.filter(entity="household", entity_id=camille.pk)
        assert {r.summary for r in history} >= {
            "Foyer créé par import : LE GALL Camille",
            "Responsable légal ajouté par import : Camille Le Gall",
        }
        assert all(r.actor_email for r in ChangeRecord.objects.all())


def test_errors_are_reported_line_by_line_and_nothing_is_kept(client, commune_alpha):
    first, second, third = template_rows()
    rows = [first, _with(second, enfant_naissance="31/02/2019"),
            _with(third, resp1_courriel="yann@")]

    response = _upload(client, csv_upload(rows))

    assert response.status_code == 400
    page = response.content.decode()
    assert "Le fichier « familles.csv » n'a pas été importé" in page
    assert "2 erreurs" in page
    assert "ligne 3" in page and "date de naissance invalide « 31/02/2019 »" in page
    assert "ligne 4" in page and "courriel du responsable 1 invalide « yann@ »" in page
    assert _counts(commune_alpha) == (0, 0, 0, 0)


def test_reimporting_the_same_file_changes_nothing(client, commune_alpha):
    content = csv_upload(template_rows())
    client.post(_upload(client, content)["Location"])
    with inside(commune_alpha):
        records = ChangeRecord.objects.count()

    again = client.get(_upload(client, content)["Location"]).content.decode()

    assert "Ce fichier a déjà été importé" in again
    assert "Confirmer l&#x27;import" not in again
    with inside(commune_alpha):
        assert ChangeRecord.objects.count() == records
    assert _counts(commune_alpha) == (2, 2, 2, 3)


def test_a_corrected_file_updates_instead_of_duplicating(client, commune_alpha):
    first, second, third = template_rows()
    client.post(_upload(client, csv_upload([first, second, third]))["Location"])
    moved = [_with(row, adresse="8 quai d'Aiguillon") if row[0] == "F0001" else row
             for row in (first, _with(second, regime="sans viande"),
                         _with(third, regime="sans viande"))]

    preview = client.get(_upload(client, csv_upload(moved))["Location"])
    page = preview.content.decode()
    assert "LE GALL Camille (F0001)" in page  # listed under "Foyers à modifier"
    client.post(preview.request["PATH_INFO"])

    assert _counts(commune_alpha) == (2, 2, 2, 3)
    with inside(commune_alpha):
        assert Household.objects.get(external_ref="F0001").address == "8 quai d'Aiguillon"
        child = Child.objects.get(external_ref="E0002")
        assert child.diet == "sans_viande"
        change = ChangeRecord.objects.get(entity="child", entity_id=child.pk, action="update")
        assert change.changes == {"diet": ["Végétarien", "Sans viande"]}


def test_a_conflict_with_existing_data_refuses_the_whole_file(client, commune_alpha):
    with inside(commune_alpha):
        other = Household.objects.create(name="DUPONT Marie")
        Guardian.objects.create(household=other, first_name="Marie", last_name="Dupont",
                                email="yann.tanguy@example.fr")

    response = _upload(client, csv_upload(template_rows()))

    assert response.status_code == 400
    assert ("le courriel « yann.tanguy@example.fr » est déjà celui d&#x27;un responsable du "
            "foyer « DUPONT Marie »") in response.content.decode()
    assert _counts(commune_alpha) == (1, 1, 0, 0)


def test_a_failure_midway_leaves_nothing_behind(client, commune_alpha, monkeypatch):
    preview_url = _upload(client, csv_upload(template_rows()))["Location"]

    def broken(**kwargs):
        raise RuntimeError("panne au milieu de l'import")

    monkeypatch.setattr(services, "change_record", broken)
    client.raise_request_exception = False
    response = client.post(preview_url)

    assert response.status_code == 500
    assert _counts(commune_alpha) == (0, 0, 0, 0)


def test_an_xlsx_file_is_imported_too(client, commune_alpha):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(CODES))
    for row in template_rows():
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)

    response = _upload(client, buffer.getvalue(), name="familles.xlsx")

    assert response.status_code == 302
    client.post(response["Location"])
    assert _counts(commune_alpha) == (2, 2, 2, 3)


@pytest.mark.parametrize(("content", "name", "message"), [
    (b"%PDF-1.7 ...", "familles.pdf",
     "Format non pris en charge : déposez un fichier CSV (.csv) ou Excel (.xlsx)."),
    (b"\xd0\xcf\x11\xe0 old excel", "familles.xls",
     "Les fichiers .xls (Excel 97-2003) ne sont pas pris en charge"),
    (b"", "familles.csv", "Le fichier est vide."),
    (b"x" * (5 * 1024 * 1024 + 1), "familles.csv", "Le fichier dépasse 5 Mo"),
    ("nom;prenom;age\nMartin;Léa;6\n".encode(), "familles.csv", "Colonnes obligatoires manquantes"),
    (b"PK\x03\x04 not really a workbook", "familles.xlsx",
     "Ce fichier n&#x27;est pas un classeur Excel (.xlsx) valide."),
    (b"%PDF-1.7 binary \x00\x00", "familles.csv", "Ce fichier n&#x27;est pas un CSV lisible"),
])
def test_bad_uploads_are_refused_in_french_and_nothing_is_saved(
        client, commune_alpha, content, name, message):
    response = _upload(client, content, name=name)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert _counts(commune_alpha) == (0, 0, 0, 0)


def test_a_post_without_file_asks_for_one(client):
    response = client.post(URL, {})

    assert response.status_code == 400
    assert "Choisissez un fichier à importer." in response.content.decode()


@pytest.mark.parametrize("role", [Role.READ_ONLY, Role.ANIMATEUR, Role.REGISSEUR])
def test_roles_that_do_not_edit_cannot_import(commune_alpha, role):
    client = logged_in_client(commune_alpha, make_user(commune_alpha, role=role))

    assert client.get(URL).status_code == 403
    assert client.get(URL + "modele.csv").status_code == 403
    assert _upload(client, csv_upload(template_rows())).status_code == 403
    assert _counts(commune_alpha) == (0, 0, 0, 0)


def test_a_preview_belongs_to_its_uploader(client, commune_alpha):
    preview_url = _upload(client, csv_upload(template_rows()))["Location"]
    colleague = logged_in_client(commune_alpha, make_user(commune_alpha, role=Role.AGENT))

    response = colleague.post(preview_url)

    assert response.status_code == 302
    assert response["Location"] == URL
    assert _counts(commune_alpha) == (0, 0, 0, 0)


def test_the_template_files_download(client):
    csv_file = client.get(URL + "modele.csv")
    xlsx_file = client.get(URL + "modele.xlsx")

    assert csv_file["Content-Disposition"] == 'attachment; filename="modele-import-familles.csv"'
    assert b"".join(csv_file.streaming_content).startswith(
        "\ufeffref_foyer;nom_foyer".encode())
    assert xlsx_file.status_code == 200
    assert client.get(URL + "modele.pdf").status_code == 404


def _from_database(plan):
    """The commune's data for the plan's references, shaped like `plan.content()`."""
    households, children = {}, {}
    for ref in plan.households:
        h = Household.objects.get(external_ref=ref)
        guardians = tuple(
            (slot, {"civility": g.civility, "last_name": g.last_name,
                    "first_name": g.first_name, "relationship": g.relationship,
                    "email": g.email, "phone_mobile": g.phone_mobile,
                    "phone_home": g.phone_home})
            for slot, g in enumerate(h.guardians.order_by("pk"), start=1))
        households[ref] = ({"name": h.name, "address": h.address, "postcode": h.postcode,
                            "city": h.city}, guardians)
    for ref in plan.children:
        c = Child.objects.get(external_ref=ref)
        children[ref] = {"last_name": c.last_name, "first_name": c.first_name, "sex": c.sex,
                         "birth_date": c.birth_date, "diet": c.diet, "has_pai": c.has_pai,
                         "allergies": c.allergies}
    links = sorted((m.child.external_ref, m.household.external_ref, m.custody)
                   for m in ChildHousehold.objects.select_related("child", "household"))
    return households, children, links


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plans())
def test_any_valid_file_lands_in_the_database_as_written_and_only_once(commune_alpha, agent,
                                                                       plan):
    content = csv_upload(layout(plan))
    with inside(commune_alpha), transaction.atomic():
        parsed = parse_upload(name="f.csv", content=content, today=datetime.date(2026, 11, 24))
        services.import_apply(actor=agent, plan=parsed.plan)
        households, children, links = _from_database(plan)
        expected_h, expected_c, expected_links = plan.content()
        assert children == expected_c
        assert links == expected_links
        assert {ref: (f, tuple((g.slot, g.fields) for g in gs))
                for ref, (f, gs) in expected_h.items()} == households
        again = services.import_apply(actor=agent, plan=parsed.plan)
        assert again.changes == 0
        transaction.set_rollback(True)
