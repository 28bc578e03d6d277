"""Console pages for one commune's backups and restores (ops host, public schema)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from backups import selectors as backup_selectors
from backups.models import BackupStatus
from backups.restore import restore_request
from backups.services import backup_request
from shared_apps.console import selectors
from shared_apps.console.forms import RestoreForm, add_service_error
from tenant_apps.accounts.access import operator_required
from tenants.models import Commune


def _commune_or_404(slug: str) -> Commune:
    commune = selectors.commune_get(slug=slug)
    if commune is None:
        raise Http404("Commune inconnue.")
    return commune


@operator_required
def commune_backups(request: HttpRequest, slug: str) -> HttpResponse:
    """The commune's backups (time, size, state, key, reason), restores and latest drill."""
    commune = _commune_or_404(slug)
    last = backup_selectors.last_successful_backups().get(commune.pk)
    restores = backup_selectors.restores_for(commune)
    context = {
        "commune_obj": commune,
        "backup_rows": backup_selectors.backups_for(commune),
        "restores": [r for r in restores if r.kind != "drill"],
        "drill": next((r for r in restores if r.kind == "drill"), None),
        "last_backup": last,
        "overdue": backup_selectors.backup_overdue(commune, last, timezone.now()),
        "succeeded": BackupStatus.SUCCEEDED,
    }
    return render(request, "ops/backups.html", context)


@operator_required
@require_POST
def commune_backup_now(request: HttpRequest, slug: str) -> HttpResponse:
    commune = _commune_or_404(slug)
    try:
        backup_request(actor=request.user, commune=commune)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, "Sauvegarde demandée : elle apparaîtra dans la liste d'ici quelques instants."
        )
    return redirect("console:backups", slug=commune.slug)


@operator_required
def commune_restore(request: HttpRequest, slug: str, backup_id: int) -> HttpResponse:
    """GET: what a restore will do, and the confirmation form; POST: start it."""
    commune = _commune_or_404(slug)
    backup = commune.backups.filter(pk=backup_id).first()
    if backup is None:
        raise Http404("Sauvegarde inconnue pour cette commune.")
    form = RestoreForm(request.POST or None, commune=commune)
    if request.method == "POST" and form.is_valid():
        try:
            record = restore_request(
                actor=request.user,
                commune=commune,
                backup_id=backup.pk,
                new_slug=form.cleaned_data["new_slug"],
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, "Restauration lancée.")
            return redirect("console:restore", restore_id=record.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "ops/restore_confirm.html",
        {"commune_obj": commune, "backup": backup, "form": form},
        status=status,
    )


@operator_required
def restore_detail(request: HttpRequest, restore_id: int) -> HttpResponse:
    record = backup_selectors.restore_get(record_id=restore_id)
    if record is None:
        raise Http404("Restauration inconnue.")
    template = "ops/_restore_status.html" if request.htmx else "ops/restore.html"  # type: ignore[attr-defined]
    return render(request, template, {"record": record})
