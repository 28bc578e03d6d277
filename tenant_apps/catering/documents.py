"""What the caterer receives: the email text, a PDF (WeasyPrint) and a CSV of one order
version, all in French. They are rendered from the version's stored lines, which never
change, so a retried or resent email carries the same figures."""

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from tenant_apps.backoffice.templatetags.french import day_label
from tenant_apps.catering import order_rules
from tenant_apps.catering.models import CatererOrderDispatch, CatererOrderVersion
from tenant_apps.commune_settings.selectors import commune_settings_get
from tenant_apps.outbox.attachments import Attachment, attachment_source_register

KEY_PREFIX = "catering:order:"


@dataclass(frozen=True)
class ChangeLine:
    site: str
    meal: str
    diet: str
    before: int
    after: int

    @property
    def delta(self) -> str:
        change = self.after - self.before
        return f"+{change}" if change > 0 else str(change)


def _counts(version: CatererOrderVersion) -> order_rules.Counts:
    day = version.order.day
    return {
        order_rules.LineKey(line.site, day, line.meal, line.diet): line.quantity
        for line in version.lines.all()
    }


def change_lines(version: CatererOrderVersion) -> list[ChangeLine]:
    """The amendment's changes, with the quantities before and after."""
    if not version.is_amendment:
        return []
    day = version.order.day
    after = _counts(version)
    lines = []
    for text, delta in sorted(version.changes.items()):
        key = order_rules.decode_key(text, day)
        now = after.get(key, 0)
        lines.append(ChangeLine(site=key.site, meal=key.meal,
                                diet=order_rules.DIET_LABELS.get(key.diet, key.diet),
                                before=now - int(delta), after=now))
    return lines


def order_title(version: CatererOrderVersion) -> str:
    day = day_label(version.order.day)
    if version.is_amendment:
        return f"Rectificatif n° {version.number - 1} de la commande de repas du {day}"
    return f"Commande de repas du {day}"


def _row_text(row: order_rules.TableRow) -> str:
    detail = ", ".join(
        f"{order_rules.DIET_LABELS[diet].lower()} {n}"
        for diet, n in zip(order_rules.DIETS, row.by_diet, strict=True)
        if n and diet != order_rules.STANDARD
    )
    return f"{row.site} · {row.meal} : {row.total} repas" + (f" (dont {detail})" if detail else "")


def document_context(version: CatererOrderVersion) -> dict[str, Any]:
    order = version.order
    late = timezone.localtime(version.computed_at).date() > order.day
    rows = order_rules.order_table(_counts(version))
    return {
        "title": order_title(version),
        "commune": commune_settings_get().display_name,
        "caterer": order.caterer.name,
        "day": day_label(order.day),
        "version": version,
        "late": late,
        "computed_at": timezone.localtime(version.computed_at),
        "diet_labels": [order_rules.DIET_LABELS[d] for d in order_rules.DIETS],
        "rows": rows,
        "row_texts": [_row_text(row) for row in rows],
        "total": version.total,
        "changes": change_lines(version),
    }


def _subject(context: dict[str, Any]) -> str:
    late = " (envoi tardif)" if context["late"] else ""
    return f"{context['title']} — {context['commune']}{late}"


def email_subject(version: CatererOrderVersion) -> str:
    return _subject(document_context(version))


def email_body(version: CatererOrderVersion) -> str:
    return render_to_string("catering/emails/order.txt", document_context(version))


def email_message(version: CatererOrderVersion) -> tuple[str, str]:
    """The email's subject and text, from one reading of the version."""
    context = document_context(version)
    return _subject(context), render_to_string("catering/emails/order.txt", context)


def order_csv(version: CatererOrderVersion) -> bytes:
    """Semicolon-separated, UTF-8 with BOM (opens as is in a French spreadsheet)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    context = document_context(version)
    writer.writerow(["Date", "Site", "Repas", *context["diet_labels"], "Total"])
    day = version.order.day.isoformat()
    for row in context["rows"]:
        writer.writerow([day, row.site, row.meal, *row.by_diet, row.total])
    if context["changes"]:
        writer.writerow([])
        writer.writerow(["Modifications", "Site", "Repas", "Régime", "Avant", "Après", "Écart"])
        for change in context["changes"]:
            writer.writerow(["", change.site, change.meal, change.diet, change.before,
                             change.after, change.delta])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"no resource may be fetched while rendering an order: {url}")


def order_pdf(version: CatererOrderVersion) -> bytes:
    from weasyprint import HTML

    html = render_to_string("catering/order_pdf.html", document_context(version))
    pdf: bytes = HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()
    return pdf


def file_stem(version: CatererOrderVersion) -> str:
    day: date = version.order.day
    suffix = f"-rectificatif-{version.number - 1}" if version.is_amendment else ""
    return f"commande-repas-{day.isoformat()}-{version.order.caterer_id}{suffix}"


def dispatch_key(version: CatererOrderVersion, resend: int = 0) -> str:
    key = f"{KEY_PREFIX}{version.order_id}:v{version.number}"
    return f"{key}:renvoi-{resend}" if resend else key


def _attachments(idempotency_key: str) -> list[Attachment]:
    dispatch = (
        CatererOrderDispatch.objects.select_related("version__order__caterer")
        .filter(idempotency_key=idempotency_key).first()
    )
    if dispatch is None:
        return []
    version = dispatch.version
    stem = file_stem(version)
    return [
        (f"{stem}.pdf", order_pdf(version), "application/pdf"),
        (f"{stem}.csv", order_csv(version), "text/csv"),
    ]


def register_order_attachments() -> None:
    attachment_source_register(KEY_PREFIX, _attachments)
