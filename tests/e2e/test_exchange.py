"""An agent imports families from another product's CSV: the first file has an error,
the line-by-line report says where; the fixed file is previewed, confirmed, summarised.
Then the agent exports the children of the commune as CSV."""

import uuid
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tenant_apps.accounts.models import Role, User
from tenant_apps.exchange.import_rows import CODES, template_rows
from tenant_apps.families.models import Child, Guardian, Household
from tenant_apps.history.models import ChangeRecord
from tests.conftest import inside, make_user
from tests.e2e.support import shoot, unique_email
from tests.exchange.support import csv_upload

pytestmark = [pytest.mark.e2e, pytest.mark.django_db]

PASSWORD = "Gestion-Alpha-9!"


@pytest.fixture
def run() -> str:
    return uuid.uuid4().hex[:6].upper()


@pytest.fixture
def agent(commune_alpha, run) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A committed agent of alpha; what the import created is removed afterwards."""
    email = unique_email("import")
    make_user(commune_alpha, role=Role.AGENT, email=email, password=PASSWORD)
    yield email
    with inside(commune_alpha):
        households = list(Household.objects.filter(external_ref__startswith=f"{run}-"))
        children = list(Child.objects.filter(external_ref__startswith=f"{run}-"))
        ChangeRecord.objects.filter(entity="household",
                                    entity_id__in=[h.pk for h in households]).delete()
        ChangeRecord.objects.filter(entity="child",
                                    entity_id__in=[c.pk for c in children]).delete()
        Household.objects.filter(pk__in=[h.pk for h in households]).update(
            billing_guardian=None)
        Guardian.objects.filter(household__in=households).delete()
        Child.objects.filter(pk__in=[c.pk for c in children]).delete()
        Household.objects.filter(pk__in=[h.pk for h in households]).delete()
        User.objects.filter(email=email).delete()


@pytest.fixture
def schools(commune_alpha, run) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """A current school year with a school and two classes (for the export filters), unless
    alpha already has one; removed afterwards."""
    import datetime

    from tenant_apps.schooling.models import School, SchoolClass, SchoolYear

    with inside(commune_alpha):
        if SchoolYear.objects.filter(is_current=True).exists():
            created = None
        else:
            label = "2026-2027"
            if SchoolYear.objects.filter(label=label).exists():
                label = f"E{run[:4]}"
            year = SchoolYear.objects.create(
                label=label, starts_on=datetime.date(2026, 9, 1),
                ends_on=datetime.date(2027, 7, 3), is_current=True)
            school = School.objects.create(name=f"École maternelle Jules Ferry {run}",
                                           kind="maternelle")
            for name in ("MS de Mme Le Bihan", "GS de M. Tanguy"):
                SchoolClass.objects.create(school=school, school_year=year, name=name)
            created = (year, school)
    yield
    if created is not None:
        with inside(commune_alpha):
            SchoolClass.objects.filter(school_year=created[0]).delete()
            created[1].delete()
            created[0].delete()


def _rows(run: str, *, bad_date: bool) -> list[list[str]]:
    rows = []
    for row in template_rows():
        cells = dict(zip(CODES, row, strict=True))
        cells["ref_foyer"] = f"{run}-{cells['ref_foyer']}"
        cells["ref_enfant"] = f"{run}-{cells['ref_enfant']}"
        for code in ("resp1_courriel", "resp2_courriel"):
            if cells[code]:
                cells[code] = cells[code].replace("@", f".{run.lower()}@")
        rows.append([cells[c] for c in CODES])
    if bad_date:
        rows[1][CODES.index("enfant_naissance")] = "31/02/2019"
    return rows


def _file(run: str, *, bad_date: bool) -> dict[str, object]:
    return {"name": "familles-ancien-logiciel.csv", "mimeType": "text/csv",
            "buffer": csv_upload(_rows(run, bad_date=bad_date))}


def test_agent_fixes_a_file_then_imports_it(page, server, commune_alpha, agent, run, schools):
    page.goto(server.url("alpha", "/gestion/donnees/"))
    page.get_by_label("Courriel").fill(agent)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="Import / export", level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Télécharger en Excel (.xlsx)")).to_be_visible()
    shoot(page, "exchange-index")

    page.get_by_role("link", name="Importer un fichier").click()
    expect(page.get_by_role("heading", name="Importer des familles", level=1)).to_be_visible()
    shoot(page, "exchange-import")

    page.get_by_label("Fichier à importer").set_input_files(_file(run, bad_date=True))
    page.get_by_role("button", name="Vérifier le fichier").click()
    report = page.locator("#rapport")
    expect(report).to_contain_text(
        "Le fichier « familles-ancien-logiciel.csv » n'a pas été importé")
    expect(report).to_contain_text("1 erreur sur 1 ligne")
    expect(report.get_by_role("row").filter(has_text="ligne 3")).to_contain_text(
        "date de naissance invalide « 31/02/2019 » (attendu JJ/MM/AAAA)")
    shoot(page, "exchange-import-errors")
    with inside(commune_alpha):
        assert not Household.objects.filter(external_ref__startswith=f"{run}-").exists()

    page.get_by_label("Fichier à importer").set_input_files(_file(run, bad_date=False))
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.get_by_role("heading", name="Aperçu de l'import")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("3 lignes lues, aucune erreur")
    expect(page.get_by_text(f"LE GALL Camille ({run}-F0001)")).to_be_visible()
    shoot(page, "exchange-preview")

    page.get_by_role("button", name="Confirmer l'import").click()
    expect(page.get_by_role("heading", name="Import terminé", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("9 changements enregistrés")
    expect(page.get_by_role("row", name="Enfants")).to_contain_text("2")
    shoot(page, "exchange-result")
    with inside(commune_alpha):
        assert Household.objects.filter(external_ref__startswith=f"{run}-").count() == 2
        assert Child.objects.filter(external_ref__startswith=f"{run}-").count() == 2

    page.get_by_role("link", name="Retour à Import / export").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger en CSV").click()
    assert download.value.suggested_filename.startswith("enfants-tous-")
    body = open(download.value.path(), encoding="utf-8-sig").read()  # noqa: PTH123
    assert "Maël" in body and "camille.legall." in body
