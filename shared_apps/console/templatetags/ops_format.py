"""French formats for the console: "lun. 13 mai 2019 14:05", sizes, status badges."""

from datetime import datetime
from typing import Any

from django import template
from django.template.defaultfilters import filesizeformat
from django.utils import dateformat, timezone

register = template.Library()

STATUS_BADGES = {
    "provisioning": "text-bg-info",
    "failed": "text-bg-danger",
    "active": "text-bg-success",
    "suspended": "text-bg-warning",
    "archived": "text-bg-secondary",
    "pending": "text-bg-light border",
    "running": "text-bg-info",
    "succeeded": "text-bg-success",
    "expired": "text-bg-secondary",
}


@register.filter
def fr_datetime(value: datetime | None) -> str:
    """lun. 13 mai 2019 14:05 (in the site's time zone); an empty string for None."""
    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, "D. j F Y H:i")


@register.filter
def fr_date(value: datetime | None) -> str:
    if not value:
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return dateformat.format(value, "D. j F Y")


@register.filter
def status_badge(status: str) -> str:
    return STATUS_BADGES.get(str(status), "text-bg-light border")


@register.filter
def size(value: int | None) -> str:
    return "—" if value is None else str(filesizeformat(value))


ACTION_LABELS = {
    "commune.create": "Création de la commune",
    "commune.retry": "Relance de la création",
    "commune.suspend": "Suspension",
    "commune.reactivate": "Réactivation",
    "commune.archive": "Archivage",
    "commune.delete": "Suppression des données",
    "commune.backup": "Sauvegarde demandée",
    "commune.restore": "Restauration demandée",
    "domain.add": "Ajout d'un domaine",
    "domain.remove": "Retrait d'un domaine",
    "announcement.create": "Publication d'une annonce",
    "announcement.end": "Fin d'une annonce",
    "payfip.update": "Paramètres PayFiP modifiés",
}


@register.filter
def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)


@register.filter
def action_detail(detail: dict[str, Any] | None) -> str:
    """The audit row's detail as a short French phrase."""
    if not detail:
        return "—"
    parts = []
    if "title" in detail:
        parts.append(f"« {detail['title']} »")
    if "domain" in detail:
        parts.append(f"domaine {detail['domain']}")
    if "job" in detail:
        parts.append(f"création n° {detail['job']}")
    if detail.get("communes"):
        parts.append("pour " + ", ".join(str(slug) for slug in detail["communes"]))
    elif "communes" in detail:
        parts.append("pour toutes les communes")
    known = {"title", "domain", "job", "communes", "announcement"}
    parts.extend(f"{key} : {value}" for key, value in detail.items() if key not in known)
    return " · ".join(parts) or "—"
