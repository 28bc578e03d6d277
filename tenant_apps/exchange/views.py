"""Import / export pages: thin views over the selectors and services of this app."""

import io
import tempfile
from collections.abc import Iterator
from typing import Any, cast

from django.contrib import messages
from django.db import IntegrityError
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.utils import timezone

from tenant_apps.accounts.access import (
    acting_user,
    agent_required,
    can_edit,
    can_see_medical,
    editor_required,
)
from tenant_apps.exchange import selectors, services
from tenant_apps.exchange.forms import EXPORT_FORMATS, ExportForm, ImportForm
from tenant_apps.exchange.import_rows import (
    CODES,
    COLUMNS,
    ParseResult,
    parse_upload,
    template_rows,
)
from tenant_apps.exchange.tables import csv_chunks, xlsx_write
from tenants.db import use_commune, use_public

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
MAX_SHOWN_ERRORS = 200



def _index(request: HttpRequest, form: ExportForm, status: int = 200) -> HttpResponse:
    return render(request, "exchange/index.html", {
        "form": form,
        "school_year": selectors.current_school_year(),
        "medical": can_see_medical(request.user),
        "can_import": can_edit(request.user),
        "formats": EXPORT_FORMATS,
    }, status=status)


@agent_required
def index(request: HttpRequest) -> HttpResponse:
    return _index(request, ExportForm(year=selectors.current_school_year()))


def _private(response: Any) -> HttpResponse:
    """Personal data: never kept by a browser or proxy cache. The access decorators are
    typed for HttpResponse; a streamed file is as good."""
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return cast(HttpResponse, response)


def _in_commune(request: HttpRequest, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """A streamed body is produced after the routing middleware has gone back to the
    public schema: put the request's commune back while producing it."""
    use_commune(request.tenant)  # type: ignore[attr-defined]
    try:
        yield from chunks
    finally:
        use_public()


@agent_required
def export(request: HttpRequest) -> HttpResponse:
    """The children list as a file; medical columns only for those who may see them."""
    year = selectors.current_school_year()
    form = ExportForm(request.GET, year=year)
    fmt = request.GET.get("format", "")
    if not form.is_valid() or fmt not in EXPORT_FORMATS:
        if fmt not in EXPORT_FORMATS:
            messages.error(request, "Choisissez le format du fichier : Excel ou CSV.")
        return _index(request, form, status=400)
    filters = form.filters()
    medical = can_see_medical(request.user)
    header = selectors.export_header(medical=medical)
    rows = selectors.export_rows(filters=filters, medical=medical)
    name = selectors.export_filename(filters=filters, extension=fmt, day=timezone.localdate())
    if fmt == "csv":
        response = StreamingHttpResponse(_in_commune(request, csv_chunks(header, rows)),
                                         content_type=CSV_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return _private(response)
    target = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    xlsx_write(target, title="Enfants", header=header, rows=rows,
               widths=selectors.export_widths(medical=medical))
    target.seek(0)
    return _private(FileResponse(target, as_attachment=True, filename=name,
                                 content_type=XLSX_TYPE))


@editor_required
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    """The import layout with three example rows (a shared custody among them)."""
    if fmt not in EXPORT_FORMATS:
        raise Http404
    name = f"modele-import-familles.{fmt}"
    if fmt == "csv":
        body = b"".join(csv_chunks(list(CODES), template_rows()))
        return _private(FileResponse(io.BytesIO(body), as_attachment=True, filename=name,
                                     content_type=CSV_TYPE))
    buffer = io.BytesIO()
    xlsx_write(buffer, title="Familles", header=list(CODES), rows=template_rows(),
               widths=[max(12, len(c.code) + 2) for c in COLUMNS])
    buffer.seek(0)
    return _private(FileResponse(buffer, as_attachment=True, filename=name,
                                 content_type=XLSX_TYPE))


def _report(request: HttpRequest, form: ImportForm, result: ParseResult | None,
            file_name: str = "", status: int = 200) -> HttpResponse:
    errors = result.errors if result else []
    return render(request, "exchange/import.html", {
        "form": form,
        "columns": COLUMNS,
        "result": result,
        "file_name": file_name,
        "errors": errors[:MAX_SHOWN_ERRORS],
        "hidden_errors": max(0, len(errors) - MAX_SHOWN_ERRORS),
        "error_lines": len({e.line for e in errors}),
    }, status=status)


@editor_required
def import_upload(request: HttpRequest) -> HttpResponse:
    """Upload a file; a valid one is kept for the preview, an invalid one answered with
    its line-by-line report. Nothing is written to the families here."""
    if request.method != "POST":
        return _report(request, ImportForm(), None)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _report(request, form, None, status=400)
    upload = form.cleaned_data["fichier"]
    content = upload.read()
    name = upload.name or "fichier"
    result = parse_upload(name=name, content=content, today=timezone.localdate())
    if result.ok:
        conflicts = selectors.import_conflicts(plan=result.plan)
        result.errors.extend(conflicts)
    if not result.ok:
        return _report(request, form, result, file_name=name, status=400)
    staged = services.import_stage(actor=acting_user(request), name=name, content=content)
    return redirect("backoffice:exchange:import_preview", token=staged.token)


@editor_required
def import_preview(request: HttpRequest, token: str) -> HttpResponse:
    """GET: what the import would create and update. POST: do it (the file is read and
    validated again first), then show the summary."""
    actor = acting_user(request)
    staged = services.import_staged_get(actor=actor, token=token)
    if staged is None:
        messages.error(request, "Cet aperçu a expiré ou n'existe pas : déposez à nouveau "
                                "le fichier.")
        return redirect("backoffice:exchange:import")
    result = parse_upload(name=staged.name, content=staged.content,
                          today=timezone.localdate())
    if result.ok and request.method == "POST":
        try:
            summary = services.import_apply(actor=actor, plan=result.plan,
                                            file_name=staged.name)
        except services.ImportRejected as rejected:
            result.errors.extend(rejected.errors)
        except IntegrityError:
            messages.error(request, "Les données ont changé pendant l'import : rien n'a été "
                                    "enregistré. Réessayez.")
            return redirect("backoffice:exchange:import_preview", token=token)
        else:
            services.import_result_keep(token=token, summary=summary)
            return redirect("backoffice:exchange:import_result", token=token)
    elif result.ok:
        result.errors.extend(selectors.import_conflicts(plan=result.plan))
    if not result.ok:
        services.import_staged_discard(token=token)
        return _report(request, ImportForm(), result, file_name=staged.name, status=400)
    preview = selectors.import_preview(plan=result.plan)
    context: dict[str, Any] = {
        "staged": staged,
        "token": token,
        "rows": result.rows,
        "preview": preview,
        "counts": [("Foyers", preview.households), ("Responsables légaux", preview.guardians),
                   ("Enfants", preview.children), ("Rattachements enfant–foyer", preview.links)],
        "lists": [("Foyers à créer", preview.new_households),
                  ("Foyers à modifier", preview.changed_households),
                  ("Enfants à créer", preview.new_children),
                  ("Enfants à modifier", preview.changed_children)],
    }
    return render(request, "exchange/preview.html", context)


@editor_required
def import_result(request: HttpRequest, token: str) -> HttpResponse:
    summary = services.import_result_get(actor=acting_user(request), token=token)
    if summary is None:
        raise Http404
    return render(request, "exchange/result.html", {"summary": summary})
