"""Global search and list filters: accents and case ignored, phones whatever the spacing,
served by the unaccented trigram indexes."""

import pytest
from django.db import connection

from tenant_apps.families.access import family_access
from tenant_apps.families.selectors import ListFilters, global_search, household_list
from tests.conftest import inside, logged_in_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("term", ["lefevre", "LEFÈVRE", "Lefèvre", "léfevre", "efev"])
def test_households_guardians_children_by_name_without_accents_or_case(
        commune_alpha, family, term):
    with inside(commune_alpha):
        results = global_search(term=term)
    assert family.household.pk in [h.pk for h in results.households]
    assert {family.mother.pk, family.father.pk} <= {g.pk for g in results.guardians}
    assert {family.child.pk, family.sibling.pk} <= {c.pk for c in results.children}


def test_child_by_first_and_last_name(commune_alpha, family):
    with inside(commune_alpha):
        results = global_search(term="theo lefevre")
    assert [c.pk for c in results.children] == [family.child.pk]


@pytest.mark.parametrize("term", ["0612345678", "06 12 34 56 78", "06.12.34", "+33 6 12 34 56"])
def test_guardian_by_phone_whatever_the_spacing(commune_alpha, family, term):
    with inside(commune_alpha):
        results = global_search(term=term)
    assert [g.pk for g in results.guardians] == [family.mother.pk]


def test_guardian_by_email(commune_alpha, family):
    with inside(commune_alpha):
        results = global_search(term=family.mother.email.split("@")[0].upper())
    assert [g.pk for g in results.guardians] == [family.mother.pk]


def test_like_wildcards_are_literal(commune_alpha, family):
    with inside(commune_alpha):
        assert global_search(term="%%").count == 0
        assert global_search(term="l_f").count == 0


def test_household_list_search_reaches_children_and_phones(commune_alpha, family,
                                                          alpha_admin):
    access = family_access(alpha_admin)
    with inside(commune_alpha):
        for term in ("anna", "06 98 76", "hélène"):
            found = household_list(access=access, filters=ListFilters(search=term))
            assert family.household.pk in [h.pk for h in found], term


def test_qf_filters(commune_alpha, family, alpha_admin):
    from tenant_apps.families import services

    access = family_access(alpha_admin)
    with inside(commune_alpha):
        services.household_create(actor=alpha_admin, name="SANS QF")
        missing = household_list(access=access, filters=ListFilters(qf="manquant"))
        assert "SANS QF" in [h.name for h in missing]
        assert family.household.pk not in [h.pk for h in missing]


def test_search_uses_the_trigram_index(commune_alpha, family):
    with inside(commune_alpha), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM families_child "
            "WHERE public.f_unaccent(last_name) ILIKE public.f_unaccent(%s)", ["%lefevre%"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "child_last_trgm" in plan


def test_search_page_without_javascript_and_htmx_fragment(commune_alpha, family, alpha_admin):
    client = logged_in_client(commune_alpha, alpha_admin)
    page = client.get("/gestion/familles/recherche/", {"q": "helene"}).content.decode()
    assert "<html" in page and "LEFÈVRE" in page
    fragment = client.get("/gestion/familles/recherche/", {"q": "theo", "partiel": "1"},
                          HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment
    assert f"/gestion/familles/enfants/{family.child.pk}/" in fragment
    assert "Tous les résultats" in fragment


def test_search_box_is_on_every_back_office_page(commune_alpha, alpha_admin):
    client = logged_in_client(commune_alpha, alpha_admin)
    body = client.get("/gestion/").content.decode()
    assert 'action="/gestion/familles/recherche/"' in body and 'role="search"' in body
