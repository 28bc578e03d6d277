"""The children export: Excel and CSV, filters, empty exports, medical columns by role."""

import csv
import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from tenant_apps.accounts.models import Role
from tests.conftest import inside, logged_in_client, make_user
from tests.exchange.support import child, family, register, school_setup

pytestmark = pytest.mark.django_db
URL = "/gestion/donnees/export/"


@pytest.fixture
def data(commune_alpha):
    """Léa (GS, Ferry) in shared custody between the Le Gall and Tanguy households, with a
    PAI; Tom (CP, Prévert) registered to meals this year; Zoé registered only last year."""
    with inside(commune_alpha):
        s = school_setup()
        legall = family("LE GALL Camille", ("Camille", "Le Gall", "camille@example.fr"))
        tanguy = family("TANGUY Yann", ("Yann", "Tanguy", "yann@example.fr"),
                        ("Soizic", "Tanguy", "soizic@example.fr"))
        lea = child("Léa", "Le Gall", legall, tanguy, school_class=s["gs"], has_pai=True,
                    allergies="arachide", diet="sans_porc",
                    birth_date=datetime.date(2021, 2, 3))
        tom = child("Tom", "Tanguy", tanguy, school_class=s["cp"])
        zoe = child("Zoé", "Martin", legall, school_class=s["cp"])
        register(tom, s["meal"], s["year"], tanguy)
        register(zoe, s["meal"], s["past"], legall)
        s.update(lea=lea, tom=tom, zoe=zoe)
        return s


def _client(commune, role):
    return logged_in_client(commune, make_user(commune, role=role))


def _xlsx(response):
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def _csv(response):
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def test_excel_export_of_a_school_lists_its_children_with_both_households(commune_alpha, data):
    client = _client(commune_alpha, Role.AGENT)

    response = client.get(URL, {"ecole": data["ferry"].pk, "format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="enfants-ecole-maternelle-jules-ferry-'
        f'{timezone.localdate().isoformat()}.xlsx"')
    assert response["Cache-Control"] == "private, no-store"
    header, *rows = _xlsx(response)
    assert header[:9] == ["Nom", "Prénom", "Date de naissance", "École", "Classe",
                          "Régime alimentaire", "PAI", "Allergies", "Foyer(s)"]
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert (row["Nom"], row["Prénom"], row["Classe"]) == ("LE GALL", "Léa", "GS de Mme Le Bihan")
    assert row["Date de naissance"].date() == datetime.date(2021, 2, 3)
    assert (row["Régime alimentaire"], row["PAI"], row["Allergies"]) == ("Sans porc", "oui",
                                                                          "arachide")
    assert row["Foyer(s)"] == "LE GALL Camille ; TANGUY Yann"
    assert [row[f"Responsable {n}"] for n in (1, 2, 3)] == ["Camille Le Gall", "Yann Tanguy",
                                                            "Soizic Tanguy"]
    assert row["Téléphone responsable 1"] == "06 12 34 56 78"
    assert row["Tous les courriels"] == "camille@example.fr, yann@example.fr, soizic@example.fr"


def test_csv_export_by_class_is_utf8_with_bom_and_semicolons(commune_alpha, data):
    client = _client(commune_alpha, Role.AGENT)

    response = client.get(URL, {"classe": data["cp"].pk, "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    header, *rows = _csv(response)
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        ("MARTIN", "Zoé", "14/03/2020", "École élémentaire Jacques Prévert"),
        ("TANGUY", "Tom", "14/03/2020", "École élémentaire Jacques Prévert"),
    ]
    assert "enfants-ecole-elementaire-jacques-prevert-cp-de-m-tanguy-" in \
        response["Content-Disposition"]


def test_the_service_filter_counts_only_this_years_registrations(commune_alpha, data):
    client = _client(commune_alpha, Role.AGENT)

    response = client.get(URL, {"prestation": data["meal"].pk, "format": "csv"})

    _, *rows = _csv(response)
    assert [r[1] for r in rows] == ["Tom"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_without_rows_has_its_header(commune_alpha, data, fmt):
    client = _client(commune_alpha, Role.AGENT)
    with inside(commune_alpha):
        data["meal"].registrations.all().delete()

    response = client.get(URL, {"prestation": data["meal"].pk, "format": fmt})

    assert response.status_code == 200
    table = _csv(response) if fmt == "csv" else _xlsx(response)
    assert len(table) == 1
    assert table[0][0] == "Nom"


@pytest.mark.parametrize("role", [Role.READ_ONLY, Role.REGISSEUR])
def test_medical_columns_are_left_out_for_roles_without_medical_access(commune_alpha, data, role):
    client = _client(commune_alpha, role)

    header, *rows = _csv(client.get(URL, {"format": "csv"}))
    sheet = _xlsx(client.get(URL, {"format": "xlsx"}))

    for table_header in (header, sheet[0]):
        assert "PAI" not in table_header
        assert "Allergies" not in table_header
    assert not any("arachide" in cell for row in rows for cell in row)
    assert len(rows) == 3


def test_the_animateur_sees_the_medical_columns(commune_alpha, data):
    header, *_ = _csv(_client(commune_alpha, Role.ANIMATEUR).get(URL, {"format": "csv"}))

    assert "PAI" in header


def test_every_child_is_exported_without_filter_sorted_by_school_and_class(commune_alpha, data):
    _, *rows = _csv(_client(commune_alpha, Role.AGENT).get(URL, {"format": "csv"}))

    assert [r[1] for r in rows] == ["Zoé", "Tom", "Léa"]


def test_a_bad_filter_or_format_answers_400_in_french(commune_alpha, data):
    client = _client(commune_alpha, Role.AGENT)

    bad_class = client.get(URL, {"classe": data["old"].pk, "format": "csv"})
    bad_format = client.get(URL, {"format": "pdf"})

    assert bad_class.status_code == 400
    assert "Sélectionnez un choix valide" in bad_class.content.decode()
    assert bad_format.status_code == 400
    assert "Choisissez le format du fichier" in bad_format.content.decode()


def test_the_page_offers_the_filters_and_two_buttons(commune_alpha, data):
    page = _client(commune_alpha, Role.READ_ONLY).get("/gestion/donnees/").content.decode()

    assert "Télécharger en Excel (.xlsx)" in page
    assert "Télécharger en CSV" in page
    assert "GS de Mme Le Bihan" in page
    assert "CP 2025" not in page
    assert "L'import est réservé aux administrateurs et aux agents." in page
