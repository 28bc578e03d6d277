"""Reads for the operators' console and API: the fleet, one commune, jobs, audit.

Figures that live inside commune schemas (accounts, outbox failures, storage) are read
from the public connection with a fixed number of queries, whatever the number of
communes: one catalogue query for storage (it also tells which schemas exist) and one
UNION ALL query over the existing schemas per chunk of FIGURES_CHUNK schemas. Chunks
keep the locks taken by one statement well under max_locks_per_transaction when the
fleet counts thousands of communes (each statement commits on its own in autocommit)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from psycopg import sql

from backups.models import BackupRecord, RestoreRecord
from backups.selectors import (
    backup_overdue,
    backups_for,
    drill_latest,
    last_successful_backups,
)
from provisioning.models import ProvisioningJob
from shared_apps.announcements.models import Announcement
from shared_apps.audit.models import OperatorAction
from tenant_apps.accounts.models import AGENT_ROLES, Role
from tenants.models import Commune, CommuneStatus, Domain

FIGURES_CHUNK = 250
AUDIT_PAGE_SIZE = 200


@dataclass(frozen=True)
class SchemaFigures:
    agents: int = 0
    families: int = 0
    outbox_failed: int = 0
    storage_bytes: int = 0


@dataclass
class FleetRow:
    commune: Commune
    figures: SchemaFigures | None
    last_backup: BackupRecord | None = None
    backup_overdue: bool = False


@dataclass
class FleetOverview:
    rows: list[FleetRow]
    status_counts: dict[str, int]
    total: int
    outbox_failed: int
    communes_with_failures: int
    filtered: bool
    status_labels: list[tuple[str, str, int]] = field(default_factory=list)
    backups_overdue: int = 0
    drill: RestoreRecord | None = None


# --- cross-schema figures ---------------------------------------------------------------


def _schema_storage(schema_names: Sequence[str]) -> dict[str, int]:
    """Bytes used by each schema's tables (indexes and TOAST included); absent schemas
    (a commune being created, or whose creation failed) are not in the answer."""
    if not schema_names:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT n.nspname, COALESCE(SUM(pg_total_relation_size(c.oid)), 0)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = ANY(%s) AND c.relkind IN ('r', 'm')
            GROUP BY n.nspname
            """,
            [list(schema_names)],
        )
        return {name: int(size) for name, size in cursor.fetchall()}


def _figures_query(schema_names: Sequence[str]) -> sql.Composed:
    branch = sql.SQL(
        "SELECT {name} AS schema_name,"
        " (SELECT count(*) FROM {users} WHERE is_active AND role = ANY({agent_roles}))"
        " AS agents,"
        " (SELECT count(*) FROM {users} WHERE is_active AND role = {guardian}) AS families,"
        " (SELECT count(*) FROM {outbox} WHERE status = 'failed') AS outbox_failed"
    )
    agent_roles = sql.Literal(sorted(str(r) for r in AGENT_ROLES))
    guardian = sql.Literal(str(Role.GUARDIAN))
    return sql.SQL(" UNION ALL ").join(
        branch.format(
            name=sql.Literal(name),
            users=sql.Identifier(name, "accounts_user"),
            outbox=sql.Identifier(name, "outbox_outboxmessage"),
            agent_roles=agent_roles,
            guardian=guardian,
        )
        for name in schema_names
    )


def schema_figures(schema_names: Iterable[str]) -> dict[str, SchemaFigures]:
    """Accounts, failed outbox messages and storage of each existing commune schema."""
    names = sorted(set(schema_names))
    storage = _schema_storage(names)
    existing = [name for name in names if name in storage]
    figures: dict[str, SchemaFigures] = {}
    for start in range(0, len(existing), FIGURES_CHUNK):
        chunk = existing[start : start + FIGURES_CHUNK]
        try:
            # A savepoint: a schema dropped between the two queries must not break the page.
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(_figures_query(chunk).as_string(cursor.connection))
                rows = cursor.fetchall()
        except DatabaseError:
            continue
        for name, agents, families, outbox_failed in rows:
            figures[name] = SchemaFigures(
                agents=agents,
                families=families,
                outbox_failed=outbox_failed,
                storage_bytes=storage.get(name, 0),
            )
    return figures


# --- fleet ------------------------------------------------------------------------------


def communes_search(*, search: str = "", status: str = "") -> QuerySet[Commune]:
    communes = Commune.objects.all().order_by("name")
    search = search.strip()
    if search:
        communes = communes.filter(
            Q(name__icontains=search) | Q(slug__icontains=search) | Q(insee_code__startswith=search)
        )
    if status:
        communes = communes.filter(status=status)
    return communes


def commune_status_counts() -> dict[str, int]:
    counts = dict.fromkeys(CommuneStatus.values, 0)
    for row in Commune.objects.values("status").annotate(n=Count("id")).order_by():
        counts[row["status"]] = row["n"]
    return counts


def fleet_overview(*, search: str = "", status: str = "") -> FleetOverview:
    """The fleet page: every matching commune with its figures, in a constant number of
    queries; the failure counters add up the communes shown."""
    communes = list(communes_search(search=search, status=status))
    figures = schema_figures(c.schema_name for c in communes)
    backups = last_successful_backups()
    now = timezone.now()
    rows = [
        FleetRow(
            commune=c,
            figures=figures.get(c.schema_name),
            last_backup=backups.get(c.pk),
            backup_overdue=backup_overdue(c, backups.get(c.pk), now),
        )
        for c in communes
    ]
    if search.strip() or status:
        counts = commune_status_counts()
    else:  # the whole fleet is on the page: count it here rather than ask again
        counts = dict.fromkeys(CommuneStatus.values, 0)
        for c in communes:
            counts[c.status] = counts.get(c.status, 0) + 1
    failed = [f.outbox_failed for f in figures.values()]
    return FleetOverview(
        rows=rows,
        status_counts=counts,
        total=sum(counts.values()),
        outbox_failed=sum(failed),
        communes_with_failures=sum(1 for n in failed if n),
        filtered=bool(search.strip() or status),
        status_labels=[(value, label, counts[value]) for value, label in CommuneStatus.choices],
        backups_overdue=sum(1 for row in rows if row.backup_overdue),
        drill=drill_latest(),
    )


# --- one commune ------------------------------------------------------------------------


def commune_get(*, slug: str) -> Commune | None:
    return Commune.objects.filter(slug=slug).first()


@dataclass
class CommuneDetail:
    commune: Commune
    domains: list[Domain]
    figures: SchemaFigures | None
    last_backup: BackupRecord | None
    jobs: list[ProvisioningJob]
    actions: list[OperatorAction]
    backup_overdue: bool = False


def commune_detail(*, commune: Commune, recent: int = 10) -> CommuneDetail:
    figures = schema_figures([commune.schema_name]).get(commune.schema_name)
    last_backup = last_successful_backups().get(commune.pk)
    return CommuneDetail(
        commune=commune,
        domains=list(commune.domains.order_by("-is_primary", "domain")),
        figures=figures,
        last_backup=last_backup,
        backup_overdue=backup_overdue(commune, last_backup, timezone.now()),
        jobs=list(ProvisioningJob.objects.filter(commune=commune).order_by("-created_at")[:recent]),
        actions=list(operator_actions_recent(commune_slug=commune.slug, limit=recent)),
    )


def backup_latest_attempt(*, commune: Commune) -> BackupRecord | None:
    """The commune's latest backup attempt, whatever its outcome (to explain a failure)."""
    attempts = backups_for(commune, limit=1)
    return attempts[0] if attempts else None


# --- jobs, audit, announcements ------------------------------------------------------------


def provisioning_job_get(*, job_id: int) -> ProvisioningJob | None:
    return ProvisioningJob.objects.select_related("commune").filter(pk=job_id).first()


def operator_actions_recent(
    *, commune_slug: str = "", limit: int | None = AUDIT_PAGE_SIZE
) -> QuerySet[OperatorAction]:
    actions = OperatorAction.objects.order_by("-at", "-id")
    if commune_slug:
        actions = actions.filter(commune_slug=commune_slug.strip())
    return actions if limit is None else actions[:limit]


def announcements_list() -> QuerySet[Announcement]:
    return Announcement.objects.prefetch_related("communes").order_by("-starts_at", "-id")
