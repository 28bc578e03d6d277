"""Fleet overview: figures from every commune schema in a constant number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from psycopg import sql

from backups.models import BackupRecord, BackupStatus
from shared_apps.console.selectors import fleet_overview, schema_figures
from tenant_apps.outbox.models import OutboxMessage, OutboxStatus
from tenants.models import Commune, CommuneStatus
from tests.conftest import inside, make_user

pytestmark = pytest.mark.django_db


def _fake_commune_schema(slug: str, *, template: Commune) -> Commune:
    """A commune whose schema holds just the tables the fleet reads (copied empty from a real
    commune's), inside the test transaction: far cheaper than provisioning one."""
    commune = Commune.objects.create(
        name=slug.capitalize(), slug=slug, schema_name=f"c_{slug}", insee_code="35238",
        contact_email=f"mairie@{slug}.example", status=CommuneStatus.ACTIVE,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(commune.schema_name)))
        for table in ("accounts_user", "outbox_outboxmessage"):
            cursor.execute(
                sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(
                    sql.Identifier(commune.schema_name, table),
                    sql.Identifier(template.schema_name, table),
                )
            )
    return commune


def _count_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/").status_code == 200
    return len(ctx.captured_queries)


def test_fleet_query_count_does_not_grow_with_the_fleet(
    console, commune_alpha, commune_beta, register_commune, django_assert_max_num_queries
):
    # Given the two shared communes plus one registered without a schema yet
    register_commune("gamma")
    before = _count_queries(console)
    # When three more communes with schemas join the fleet
    for slug in ("delta", "epsilon", "zeta"):
        _fake_commune_schema(slug, template=commune_alpha)
    # Then the page needs exactly as many queries
    assert _count_queries(console) == before
    # Session, user, communes, storage, figures (in a savepoint), backups, status counts:
    # nine statements, each preceded by django-tenants' SET search_path.
    with django_assert_max_num_queries(18):
        console.get("/")


def test_selector_query_count_is_constant(commune_alpha, commune_beta):
    with CaptureQueriesContext(connection) as two:
        fleet_overview()
    for slug in ("delta", "epsilon"):
        _fake_commune_schema(slug, template=commune_alpha)
    with CaptureQueriesContext(connection) as four:
        overview = fleet_overview()
    assert len(four.captured_queries) == len(two.captured_queries)
    assert {row.commune.slug for row in overview.rows} >= {"alpha", "beta", "delta", "epsilon"}


def test_figures_count_agents_families_and_failed_sends(commune_alpha, commune_beta):
    # Given alpha's figures as they are (tests that commit data may have added some)
    schemas = [commune_alpha.schema_name, commune_beta.schema_name]
    start = schema_figures(schemas)
    before = start[commune_alpha.schema_name]
    # When alpha gains two agents, three guardians (one inactive) and two failed sends
    make_user(commune_alpha, role="agent")
    make_user(commune_alpha, role="regisseur")
    for _ in range(2):
        make_user(commune_alpha, role="guardian")
    inactive = make_user(commune_alpha, role="guardian")
    with inside(commune_alpha):
        type(inactive).objects.filter(pk=inactive.pk).update(is_active=False)
        for n in range(2):
            OutboxMessage.objects.create(
                idempotency_key=f"t-{n}", recipients=["x@example.test"], subject="s",
                body_text="b", status=OutboxStatus.FAILED,
            )
    figures = schema_figures([*schemas, "c_absent"])
    # Then alpha's figures count them, beta's do not move, an absent schema is left out
    alpha = figures[commune_alpha.schema_name]
    assert (alpha.agents - before.agents, alpha.families - before.families,
            alpha.outbox_failed - before.outbox_failed) == (2, 2, 2)
    assert alpha.storage_bytes > 0
    assert figures[commune_beta.schema_name] == start[commune_beta.schema_name]
    assert "c_absent" not in figures


def test_fleet_page_shows_figures_backup_and_status(console, commune_alpha, register_commune):
    register_commune("gamma", name="Gammaville")
    finished = timezone.now() - timedelta(hours=2)
    BackupRecord.objects.create(
        commune=commune_alpha, commune_slug="alpha", schema_name=commune_alpha.schema_name,
        status=BackupStatus.SUCCEEDED, finished_at=finished, size_bytes=12345,
    )
    html = console.get("/").content.decode()
    assert "Alphaville" in html and "Gammaville" in html
    assert "En création" in html and "Active" in html
    assert "Régie" in html
    local = timezone.localtime(finished)
    assert f"{local:%H:%M}" in html
    assert "Nouvelle commune" in html


def test_fleet_search_and_status_filter(console, commune_alpha, commune_beta, register_commune):
    register_commune("gamma", name="Gammaville", insee_code="56001")
    page = console.get("/", {"q": "gamma"}).content.decode()
    assert "Gammaville" in page and "Alphaville" not in page
    page = console.get("/", {"q": "56001"}).content.decode()
    assert "Gammaville" in page and "Bétaville" not in page
    page = console.get("/", {"etat": "provisioning"}).content.decode()
    assert "Gammaville" in page and "Alphaville" not in page
    page = console.get("/", {"q": "introuvable"}).content.decode()
    assert "Aucune commune ne correspond" in page
    # An unknown status is ignored rather than an error
    assert console.get("/", {"etat": "n'importe quoi"}).status_code == 200


def test_french_dates_on_pages():
    from datetime import UTC, datetime

    from shared_apps.console.templatetags.ops_format import fr_datetime

    moment = datetime(2019, 5, 13, 12, 5, tzinfo=UTC)  # 14:05 in Paris (summer time)
    assert fr_datetime(moment) == "lun. 13 mai 2019 14:05"
