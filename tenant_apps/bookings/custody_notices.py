"""Emails to the households of a child when an agent assigns or removes custody days:
both parents learn, through the outbox, which household the days (bookings and billing)
now belong to. One email per household, idempotent per change."""

from collections import defaultdict

from django.utils.formats import date_format

from tenant_apps.bookings.models import CustodyAssignment
from tenant_apps.commune_settings.selectors import commune_settings_get
from tenant_apps.families.models import ChildHousehold, Guardian
from tenant_apps.outbox.services import outbox_email_enqueue

WEEKDAYS_PLURAL = {1: "lundis", 2: "mardis", 3: "mercredis", 4: "jeudis", 5: "vendredis",
                   6: "samedis", 7: "dimanches"}


def _days(assignment: CustodyAssignment) -> str:
    span = (f"du {date_format(assignment.starts_on, 'l j F Y')} "
            f"au {date_format(assignment.ends_on, 'l j F Y')}")
    if not assignment.weekdays:
        return span
    names = [WEEKDAYS_PLURAL[d] for d in sorted(assignment.weekdays)]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]
    return f"{span}, les {listed}"


def custody_change_notify(*, assignment: CustodyAssignment, moved: int, removed: bool
                          ) -> int:
    """Queue the email to each household of the child with a guardian's address; returns
    how many households are written to. Call it in the change's transaction."""
    child = assignment.child
    household_ids = list(ChildHousehold.objects.filter(child=child)
                         .values_list("household_id", flat=True))
    emails: dict[int, list[str]] = defaultdict(list)
    for household_id, email in (Guardian.objects.filter(household_id__in=household_ids)
                                .exclude(email="").order_by("pk")
                                .values_list("household_id", "email")):
        if email.lower() not in {e.lower() for e in emails[household_id]}:
            emails[household_id].append(email)
    name = f"{child.first_name} {child.last_name}"
    home = assignment.household.name
    if removed:
        subject = f"Garde de {child.first_name} : répartition retirée"
        text = (f"la répartition des jours {_days(assignment)} au foyer « {home} » a été "
                "retirée. Ces jours suivent de nouveau le mode de garde habituel.")
    else:
        subject = f"Garde de {child.first_name} : jours attribués"
        text = (f"{_days(assignment)}, les réservations et la facturation relèvent du "
                f"foyer « {home} ».")
    moved_text = ""
    if moved == 1:
        moved_text = "\n\n1 réservation déjà faite sur ces jours a été rattachée au bon foyer."
    elif moved > 1:
        moved_text = (f"\n\n{moved} réservations déjà faites sur ces jours ont été "
                      "rattachées au bon foyer.")
    commune = commune_settings_get().display_name
    body = (f"Bonjour,\n\nLe service enfance a enregistré, pour {name} : {text}{moved_text}"
            "\n\nVous retrouvez les réservations de chaque foyer sur le portail des familles, "
            f"rubrique « Réservations ».\n\nCordialement,\n{commune}")
    key = f"custody:{assignment.pk}:{'removed' if removed else 'assigned'}"
    for household_id, addresses in emails.items():
        outbox_email_enqueue(recipients=addresses[:2], subject=subject, body_text=body,
                             idempotency_key=f"{key}:{household_id}")
    return len(emails)
